"""Demo data: settled QIM plans with two years of judgements for several buurten."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import Buurt, Organisation, Period, User
from .models import (
    Judgement,
    JudgementRound,
    JudgementSource,
    MonitoredPair,
    PlanQuality,
    PlanStatus,
    PlanTarget,
    QimPlan,
    Quality,
    Stakeholder,
    TargetKind,
)

DEMO_BUURTEN = ["Hilversumse Meent", "Geuzenbuurt", "Electrobuurt", "Kleine Driftbuurt", "Boomberg"]

# (owner organisation or None for the opdrachtgever, name, who they are, out of reach)
STAKEHOLDERS = [
    (None, "Bewoners 75+", "Zelfstandig wonende ouderen in de buurt, via de ouderensoos en het wijkcentrum.", False),
    (None, "Jongeren 12–23", "Jongeren die in de buurt wonen of er samenkomen, via het jongerenwerk.", False),
    (None, "Huisartsen", "De huisartsenpraktijken en praktijkondersteuners (POH-GGZ) in de buurt.", False),
    (None, "Woningcorporatie", "Wijkconsulenten van de woningcorporatie met bezit in de buurt.", False),
    ("Versa Welzijn", "Vrijwilligers", "Vrijwilligers van buurthuis, maatjesproject en vrijwillige thuishulp.", False),
    ("Versa Welzijn", "Statushouders", "Nieuwe inwoners met een verblijfsvergunning; nu nog nauwelijks bereikt.", True),
    ("MEE", "Ouders van kinderen met een beperking", "Ouders die MEE kent uit cliëntondersteuning.", False),
]
COMMISSIONER_QUALITIES = ["K1", "K2", "K4"]
ORGANISATION_QUALITIES = {"Versa Welzijn": ["K2", "K3", "K7"], "MEE": ["K6"]}
# (quality code, stakeholder name)
MONITORED = [
    ("K1", "Bewoners 75+"), ("K1", "Woningcorporatie"), ("K1", "Jongeren 12–23"),
    ("K2", "Bewoners 75+"), ("K2", "Vrijwilligers"),
    ("K3", "Huisartsen"), ("K4", "Jongeren 12–23"), ("K4", "Bewoners 75+"),
    ("K6", "Ouders van kinderen met een beperking"), ("K7", "Vrijwilligers"),
]
MOTIVATIONS = {
    "low": ["Weinig veranderd; de ontmoetingsplek was vaak dicht.",
            "We zien dezelfde mensen alleen thuis zitten.",
            "Er was onrust op het plein en weinig aanspreekpunt."],
    "mid": ["Er komen meer mensen naar de koffieochtend, maar nog niet iedereen.",
            "Het buurtwerk is zichtbaarder, de opkomst wisselt.",
            "Een paar nieuwe initiatieven, nog wat broos."],
    "high": ["Buren helpen elkaar meer, bijvoorbeeld met boodschappen.",
             "Jongeren organiseerden zelf een toernooi met de buurt.",
             "Doorverwijzing via de huisarts naar welzijn op recept loopt goed."],
}


def _motivation(rng: random.Random, score: int) -> str:
    band = "low" if score <= 5 else "mid" if score <= 7 else "high"
    return rng.choice(MOTIVATIONS[band])


def _build_plan(buurt: Buurt, year: int, status: PlanStatus, orgs: dict[str, Organisation],
                qualities: dict[str, Quality], own: Quality | None, user: User | None,
                copied_from: QimPlan | None) -> QimPlan:
    settled = status == PlanStatus.VASTGESTELD
    plan = QimPlan(buurt=buurt, year=year, version=1, status=status, step6_done=True,
                   created_by_id=user.id if user else None, copied_from=copied_from,
                   settled_at=datetime(year, 1, 20, 10, 0) if settled else None,
                   settled_by_id=user.id if (user and settled) else None)
    codes = COMMISSIONER_QUALITIES + ([own.code] if own else [])
    for code in codes:
        plan.qualities.append(PlanQuality(quality=qualities[code]))
    for org_name, codes in ORGANISATION_QUALITIES.items():
        for code in codes:
            plan.qualities.append(PlanQuality(quality=qualities[code], organisation=orgs[org_name]))
    groups = {}
    for org_name, name, description, out_of_reach in STAKEHOLDERS:
        group = Stakeholder(organisation=orgs[org_name] if org_name else None, name=name,
                            description=description, out_of_reach=out_of_reach)
        plan.stakeholders.append(group)
        groups[name] = group
    pairs = list(MONITORED) + ([(own.code, "Bewoners 75+"), (own.code, "Jongeren 12–23")]
                               if own else [])
    for code, name in pairs:
        plan.monitored.append(MonitoredPair(quality=qualities[code], stakeholder=groups[name]))
    plan.targets.append(PlanTarget(kind=TargetKind.STRATEGISCH,
                                   text="Inzet van mensen met een beperking als vrijwilliger."))
    plan.targets.append(PlanTarget(kind=TargetKind.STREEFGETAL,
                                   text="Indicatief: 12 bewonersinitiatieven per jaar."))
    db.session.add(plan)
    return plan


def _add_round(plan: QimPlan, period: Period, rng: random.Random, base: dict[str, float],
               drift: float, user: User | None, closed: bool, fraction: float = 1.0) -> None:
    rnd = JudgementRound(plan=plan, period=period, opened_by_id=user.id if user else None,
                         opened_at=datetime.combine(period.start, datetime.min.time()),
                         closed_at=(datetime.combine(period.end, datetime.min.time())
                                    + timedelta(days=20)) if closed else None)
    db.session.add(rnd)
    for pair in plan.monitored:
        if rng.random() > fraction:
            continue
        centre = base[pair.quality.code] + drift
        for _ in range(rng.randint(2, 8)):
            score = max(1, min(10, round(rng.gauss(centre, 1.2))))
            link = rng.random() < 0.6
            db.session.add(Judgement(
                round=rnd, quality=pair.quality, stakeholder=pair.stakeholder, score=score,
                motivation=_motivation(rng, score),
                source=JudgementSource.LINK if link else JudgementSource.COORDINATOR,
                entered_by_id=None if link or user is None else user.id))


def seed_demo_qim(echo: Callable[[str], None]) -> None:
    """Two years of settled plans and judgements for five buurten (idempotent, no commit)."""
    this_year = date.today().year
    today_period = (date.today().month - 1) // 4 + 1
    user = db.session.scalar(sa.select(User).where(User.email == "buurtcoordinator@hilversum.demo"))
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    qualities = {q.code: q for q in db.session.scalars(sa.select(Quality))}
    periods = {(p.year, p.tertial): p for p in db.session.scalars(sa.select(Period))}
    if not all(name in orgs for name in ("Versa Welzijn", "MEE")) or "K1" not in qualities:
        echo("  QIM: organisaties of kwaliteitencatalogus ontbreken; overgeslagen.")
        return
    made = 0
    for index, name in enumerate(DEMO_BUURTEN):
        buurt = db.session.scalar(sa.select(Buurt).where(Buurt.name == name))
        if buurt is None:
            continue
        if db.session.scalar(sa.select(QimPlan.id).where(QimPlan.buurt_id == buurt.id)):
            continue  # already seeded (or worked on by hand): leave it alone
        rng = random.Random(4000 + index)
        own = None
        if name == "Hilversumse Meent":
            own = Quality(code=f"B{buurt.id}.1", name="Groene, speelbare buurt", buurt=buurt,
                          position=1001, description="Kinderen spelen veilig buiten; bewoners "
                          "onderhouden samen het groen rond de vijvers.")
            db.session.add(own)
            qualities[own.code] = own
        codes = sorted(c for c in qualities if c.startswith("K")) + ([own.code] if own else [])
        base = {code: rng.uniform(5.0, 7.5) for code in codes}
        previous = None
        for year in (this_year - 1, this_year):
            plan = _build_plan(buurt, year, PlanStatus.VASTGESTELD, orgs, qualities, own, user,
                               previous)
            db.session.flush()
            for tertial in (1, 2, 3):
                period = periods.get((year, tertial))
                if period is None or (year == this_year and tertial > today_period):
                    continue
                current = year == this_year and tertial == today_period
                drift = 0.25 * ((year - this_year + 1) * 3 + tertial - 1)
                _add_round(plan, period, rng, base, drift, user, closed=not current,
                           fraction=0.6 if current else 1.0)
            previous = plan
        if name == "Hilversumse Meent":
            _build_plan(buurt, this_year + 1, PlanStatus.CONCEPT, orgs, qualities, own, user,
                        previous)
        made += 1
    db.session.flush()
    echo(f"  QIM: plannen en oordelen voor {made} buurt(en) aangemaakt.")
