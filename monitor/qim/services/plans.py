"""QIM plans: loading and listing, the six steps, settling, versions and next year's copy."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from ... import audit
from ...catalogues import Quality, SocietalGoal, city_qualities
from ...errors import DomainError, NotAllowed
from ...extensions import db
from ...models import Buurt, Organisation, OrganisationKind, User, Wijk
from ...permissions import wijk_ids_in_scope
from ...timeutil import utcnow
from ..models import (
    MonitoredPair,
    PlanQuality,
    PlanStatus,
    PlanTarget,
    QimPlan,
    Stakeholder,
    TargetKind,
)

logger = logging.getLogger(__name__)


STEPS = {
    1: ("Kwaliteiten van de opdrachtgever",
        "De opdrachtgever legt vast welke kwaliteiten in de buurt beoogd worden."),
    2: ("Stakeholders van de opdrachtgever",
        "Groepen die baat hebben bij de kwaliteiten of er zicht op hebben, met wie het zijn."),
    3: ("Kwaliteiten van de uitvoerende organisaties",
        "Elke uitvoerende organisatie legt vast welke kwaliteiten zij wil realiseren."),
    4: ("Stakeholders van de uitvoerende organisaties",
        "Elke organisatie legt haar stakeholders vast, ook groepen die nog buiten bereik zijn."),
    5: ("Gemonitorde set",
        "Welke kwaliteiten worden beoordeeld door welke stakeholdergroepen."),
    6: ("Strategische doelen en kaders (optioneel)",
        "Aanvullende strategische doelen, financiële kaders of indicatieve streefgetallen."),
}
REQUIRED_STEPS = (1, 2, 3, 4, 5)


# --- loading and listing ------------------------------------------------------------------



def buurten_in_scope(user: User) -> list[Buurt]:
    """Active buurten of the wijken the user works in (all for municipality-wide roles)."""
    query = sa.select(Buurt).join(Wijk).where(Buurt.active.is_(True)).order_by(Wijk.name, Buurt.name)
    scope = wijk_ids_in_scope(user)
    if scope is not None:
        query = query.where(Buurt.wijk_id.in_(scope or {-1}))
    return list(db.session.scalars(query))


def plan_versions(buurt_id: int, year: int) -> list[QimPlan]:
    """Every version of a buurt's plan for ``year``, newest first."""
    return list(db.session.scalars(
        sa.select(QimPlan).where(QimPlan.buurt_id == buurt_id, QimPlan.year == year)
        .order_by(QimPlan.version.desc())))


def current_plan(buurt_id: int, year: int) -> QimPlan | None:
    """The plan that counts for a buurt and year: the concept being worked on, else the
    settled version (never a replaced one)."""
    versions = [p for p in plan_versions(buurt_id, year) if p.status != PlanStatus.VERVANGEN]
    return versions[0] if versions else None


def settled_plan(buurt_id: int, year: int) -> QimPlan | None:
    """The settled version of a buurt's plan for ``year``, if any."""
    return db.session.scalar(sa.select(QimPlan).where(
        QimPlan.buurt_id == buurt_id, QimPlan.year == year,
        QimPlan.status == PlanStatus.VASTGESTELD))


def plans_of_buurt(buurt_id: int) -> list[QimPlan]:
    """All plans of a buurt, newest year and version first."""
    return list(db.session.scalars(
        sa.select(QimPlan).where(QimPlan.buurt_id == buurt_id)
        .order_by(QimPlan.year.desc(), QimPlan.version.desc())))


@dataclass
class BuurtRow:
    buurt: Buurt
    plan: QimPlan | None
    settled: QimPlan | None


def overview(user: User, year: int) -> list[BuurtRow]:
    """Per buurt in the user's scope: the current and settled plan of ``year``."""
    rows = []
    for buurt in buurten_in_scope(user):
        rows.append(BuurtRow(buurt, current_plan(buurt.id, year), settled_plan(buurt.id, year)))
    return rows


def available_qualities(plan: QimPlan) -> list[Quality]:
    """The qualities a plan can aim for: the city catalogue plus the buurt's own ones."""
    own = db.session.scalars(sa.select(Quality).where(
        Quality.buurt_id == plan.buurt_id, Quality.active.is_(True)).order_by(Quality.id))
    return city_qualities() + list(own)


def own_qualities() -> list[Quality]:
    """Every buurt's own qualities, by buurt."""
    return list(db.session.scalars(
        sa.select(Quality).join(Buurt, Quality.buurt_id == Buurt.id)
        .where(Quality.active.is_(True)).order_by(Buurt.name, Quality.id)))


def societal_goals() -> list[SocietalGoal]:
    """The five maatschappelijke doelen, in code order."""
    return list(db.session.scalars(sa.select(SocietalGoal).order_by(SocietalGoal.code)))


def executing_organisations() -> list[Organisation]:
    """Organisations that can execute (everything but the municipality itself)."""
    return list(db.session.scalars(
        sa.select(Organisation).where(Organisation.active.is_(True),
                                      Organisation.kind != OrganisationKind.GEMEENTE)
        .order_by(Organisation.name)))


def plan_quality_ids(plan: QimPlan, organisation_id: int | None = None,
                     commissioner: bool = False) -> set[int]:
    """Quality ids aimed for in the plan (by the commissioner, one org, or anyone)."""
    if commissioner:
        return {pq.quality_id for pq in plan.qualities if pq.organisation_id is None}
    if organisation_id is not None:
        return {pq.quality_id for pq in plan.qualities if pq.organisation_id == organisation_id}
    return {pq.quality_id for pq in plan.qualities}


def intended_qualities(plan: QimPlan) -> list[tuple[Quality, list[str]]]:
    """Every quality aimed for in the plan, with who aims for it (step 1 and 3)."""
    by_quality: dict[int, tuple[Quality, list[str]]] = {}
    for pq in plan.qualities:
        entry = by_quality.setdefault(pq.quality_id, (pq.quality, []))
        entry[1].append(pq.organisation.name if pq.organisation else "Opdrachtgever")
    return sorted(by_quality.values(), key=lambda e: (e[0].buurt_id is not None, e[0].position,
                                                      e[0].id))


def step_status(plan: QimPlan) -> dict[int, bool]:
    """Which of the six steps are done."""
    return {
        1: any(pq.organisation_id is None for pq in plan.qualities),
        2: any(s.organisation_id is None for s in plan.stakeholders),
        3: any(pq.organisation_id is not None for pq in plan.qualities),
        4: any(s.organisation_id is not None for s in plan.stakeholders),
        5: bool(plan.monitored),
        6: plan.step6_done,
    }


def can_settle(plan: QimPlan) -> bool:
    """A concept plan can be settled once steps 1–5 are done."""
    status = step_status(plan)
    return plan.is_concept and all(status[s] for s in REQUIRED_STEPS)


def _require_concept(plan: QimPlan) -> None:
    if not plan.is_concept:
        raise NotAllowed("Dit plan is vastgesteld en kan niet meer worden gewijzigd. "
                         "Maak een nieuwe versie om iets aan te passen.")


def _plan_snapshot(plan: QimPlan) -> dict:
    return {
        "kwaliteiten": sorted(f"{pq.quality.code}:{pq.organisation.name if pq.organisation else 'opdrachtgever'}"
                              for pq in plan.qualities),
        "stakeholders": [f"{s.name} ({s.owner_label})" for s in plan.stakeholders],
        "gemonitord": sorted(f"{m.quality.code}:{m.stakeholder.name}" for m in plan.monitored),
        "doelen": [f"{t.kind.value}: {t.text}" for t in plan.targets],
        "stap6": plan.step6_done,
    }


# --- creating plans, versions and next year's copy ----------------------------------------

def _copy_content(source: QimPlan, target: QimPlan) -> None:
    for pq in source.qualities:
        if pq.quality.active:
            target.qualities.append(PlanQuality(quality_id=pq.quality_id,
                                                organisation_id=pq.organisation_id))
    mapping: dict[int, Stakeholder] = {}
    for s in source.stakeholders:
        copy = Stakeholder(organisation_id=s.organisation_id, name=s.name,
                           description=s.description, out_of_reach=s.out_of_reach)
        target.stakeholders.append(copy)
        mapping[s.id] = copy
    for m in source.monitored:
        if m.quality.active:
            target.monitored.append(MonitoredPair(quality_id=m.quality_id,
                                                  stakeholder=mapping[m.stakeholder_id]))
    for t in source.targets:
        target.targets.append(PlanTarget(kind=t.kind, text=t.text))
    target.step6_done = source.step6_done


def create_plan(buurt: Buurt, year: int, user: User | None) -> QimPlan:
    """Start a buurt's plan for ``year``, as a copy of the previous year's plan if any.

    :raise DomainError: when the buurt already has a plan for that year.
    """
    if not 2000 <= year <= 2100:
        raise DomainError("Kies een geldig jaar.", "year")
    if plan_versions(buurt.id, year):
        raise DomainError(f"{buurt.name} heeft al een QIM-plan voor {year}.", "year")
    previous = db.session.scalar(
        sa.select(QimPlan).where(QimPlan.buurt_id == buurt.id, QimPlan.year < year,
                                 QimPlan.status != PlanStatus.VERVANGEN)
        .order_by(QimPlan.year.desc(), QimPlan.status == PlanStatus.CONCEPT,
                  QimPlan.version.desc()).limit(1))
    plan = QimPlan(buurt=buurt, year=year, version=1, status=PlanStatus.CONCEPT,
                   created_by_id=user.id if user else None,
                   copied_from_id=previous.id if previous else None)
    db.session.add(plan)
    if previous is not None:
        _copy_content(previous, plan)
    summary = (f"QIM-plan {buurt.name} {year} gestart als kopie van {previous.year}"
               if previous else f"QIM-plan {buurt.name} {year} gestart")
    db.session.flush()
    audit.record("qim.plan_create", plan, new=_plan_snapshot(plan), summary=summary,
                 actor=user)
    db.session.commit()
    return plan


def new_version(plan: QimPlan, user: User | None) -> QimPlan:
    """Open a concept revision of a settled plan (the settled one stays in force until then).

    :raise NotAllowed: when the plan is not settled or a concept version already exists.
    """
    if plan.status != PlanStatus.VASTGESTELD:
        raise NotAllowed("Alleen van een vastgesteld plan kan een nieuwe versie worden gemaakt.")
    versions = plan_versions(plan.buurt_id, plan.year)
    if any(p.is_concept for p in versions):
        raise NotAllowed("Er is al een conceptversie van dit plan in bewerking.")
    revision = QimPlan(buurt_id=plan.buurt_id, year=plan.year, version=versions[0].version + 1,
                       status=PlanStatus.CONCEPT, copied_from_id=plan.id,
                       created_by_id=user.id if user else None)
    db.session.add(revision)
    _copy_content(plan, revision)
    db.session.flush()
    audit.record("qim.plan_new_version", revision, new={"version": revision.version},
                 summary=f"Nieuwe versie {revision.version} van {plan}", actor=user)
    db.session.commit()
    return revision


def settle(plan: QimPlan, user: User | None) -> None:
    """Settle ("vaststellen") a concept plan; it becomes read-only and replaces an older
    settled version.

    :raise NotAllowed: when the plan is not a concept or steps 1–5 are incomplete.
    """
    _require_concept(plan)
    status = step_status(plan)
    missing = [str(s) for s in REQUIRED_STEPS if not status[s]]
    if missing:
        raise NotAllowed("Het plan kan nog niet worden vastgesteld: stap "
                         + ", ".join(missing) + " is nog niet gedaan.")
    for other in plan_versions(plan.buurt_id, plan.year):
        if other.id != plan.id and other.status == PlanStatus.VASTGESTELD:
            other.status = PlanStatus.VERVANGEN
            audit.record("qim.plan_replace", other, old={"status": "vastgesteld"},
                         new={"status": "vervangen"}, actor=user)
    plan.status = PlanStatus.VASTGESTELD
    plan.settled_at = utcnow()
    plan.settled_by_id = user.id if user else None
    audit.record("qim.plan_settle", plan, old={"status": "concept"},
                 new={"status": "vastgesteld", **_plan_snapshot(plan)},
                 summary=f"{plan} vastgesteld", actor=user)
    db.session.commit()


# --- the six steps ------------------------------------------------------------------------

def _valid_quality_ids(plan: QimPlan, quality_ids: list[int]) -> set[int]:
    allowed = {q.id for q in available_qualities(plan)}
    chosen = set(quality_ids)
    if not chosen <= allowed:
        raise DomainError("Kies alleen kwaliteiten uit de lijst.", "quality_ids")
    return chosen


def _set_qualities(plan: QimPlan, organisation_id: int | None, quality_ids: list[int],
                   action: str) -> None:
    _require_concept(plan)
    chosen = _valid_quality_ids(plan, quality_ids)
    mine = [pq for pq in plan.qualities if pq.organisation_id == organisation_id]
    old = sorted(pq.quality.code for pq in mine)
    for pq in mine:
        if pq.quality_id not in chosen:
            plan.qualities.remove(pq)
    have = {pq.quality_id for pq in mine}
    for qid in sorted(chosen - have):
        plan.qualities.append(PlanQuality(quality_id=qid, organisation_id=organisation_id))
    db.session.flush()
    _drop_orphan_pairs(plan)
    new = sorted(db.session.get(Quality, qid).code for qid in chosen)
    if old != new:
        audit.record(action, plan, old={"kwaliteiten": old}, new={"kwaliteiten": new},
                     summary=str(plan))
    db.session.commit()


def set_commissioner_qualities(plan: QimPlan, quality_ids: list[int]) -> None:
    """Step 1: the qualities the opdrachtgever aims for. :raise DomainError/NotAllowed."""
    _set_qualities(plan, None, quality_ids, "qim.step1")


def set_organisation_qualities(plan: QimPlan, organisation: Organisation,
                               quality_ids: list[int]) -> None:
    """Step 3: the qualities one executing organisation wants to realise."""
    if organisation.kind == OrganisationKind.GEMEENTE:
        raise DomainError("Kies een uitvoerende organisatie.", "organisation_id")
    _set_qualities(plan, organisation.id, quality_ids, "qim.step3")


def add_own_quality(plan: QimPlan, name: str, description: str) -> Quality:
    """Add a buurt's own quality (with what "good" looks like) and aim for it in step 1.

    :raise DomainError: duplicate name for this buurt.
    """
    _require_concept(plan)
    name = name.strip()
    clash = db.session.scalar(sa.select(Quality.id).where(
        sa.func.lower(Quality.name) == name.lower(),
        sa.or_(Quality.buurt_id.is_(None), Quality.buurt_id == plan.buurt_id)))
    if clash:
        raise DomainError("Er bestaat al een kwaliteit met deze naam.", "name")
    count = db.session.scalar(sa.select(sa.func.count(Quality.id)).where(
        Quality.buurt_id == plan.buurt_id)) or 0
    code = f"B{plan.buurt_id}.{count + 1}"
    while db.session.scalar(sa.select(Quality.id).where(Quality.code == code)):
        count += 1
        code = f"B{plan.buurt_id}.{count + 1}"
    quality = Quality(code=code, name=name, description=description.strip(),
                      buurt_id=plan.buurt_id, position=1000 + count)
    db.session.add(quality)
    db.session.flush()
    plan.qualities.append(PlanQuality(quality_id=quality.id, organisation_id=None))
    audit.record("qim.quality_create", quality,
                 new={"code": code, "name": name, "description": quality.description,
                      "buurt": plan.buurt.name}, summary=f"Eigen kwaliteit {plan.buurt.name}")
    db.session.commit()
    return quality


def add_stakeholder(plan: QimPlan, organisation: Organisation | None, *, name: str,
                    description: str, out_of_reach: bool = False) -> Stakeholder:
    """Step 2 (``organisation`` None) or step 4: add a stakeholder group.

    :raise DomainError: duplicate name for the same owner.
    """
    _require_concept(plan)
    name = name.strip()
    org_id = organisation.id if organisation else None
    if any(s.name.lower() == name.lower() and s.organisation_id == org_id
           for s in plan.stakeholders):
        raise DomainError("Deze stakeholdergroep staat er al.", "name")
    stakeholder = Stakeholder(organisation_id=org_id, name=name, description=description.strip(),
                              out_of_reach=bool(out_of_reach and organisation is not None))
    plan.stakeholders.append(stakeholder)
    db.session.flush()
    audit.record("qim.stakeholder_add", plan,
                 new={"name": name, "description": stakeholder.description,
                      "eigenaar": organisation.name if organisation else "opdrachtgever",
                      "buiten_bereik": stakeholder.out_of_reach}, summary=str(plan))
    db.session.commit()
    return stakeholder


def remove_stakeholder(plan: QimPlan, stakeholder: Stakeholder) -> None:
    """Remove a stakeholder group (and the pairs it judged) from a concept plan."""
    _require_concept(plan)
    if stakeholder.plan_id != plan.id:
        raise DomainError("Deze stakeholdergroep hoort niet bij dit plan.")
    for pair in [m for m in plan.monitored if m.stakeholder_id == stakeholder.id]:
        plan.monitored.remove(pair)
    plan.stakeholders.remove(stakeholder)
    audit.record("qim.stakeholder_remove", plan, old={"name": stakeholder.name,
                 "eigenaar": stakeholder.owner_label}, summary=str(plan))
    db.session.commit()


def _drop_orphan_pairs(plan: QimPlan) -> None:
    """Monitored pairs whose quality is no longer aimed for are dropped."""
    aimed = plan_quality_ids(plan)
    for pair in [m for m in plan.monitored if m.quality_id not in aimed]:
        plan.monitored.remove(pair)


def set_monitored(plan: QimPlan, pairs: list[tuple[int, int]]) -> None:
    """Step 5: settle which stakeholder groups judge which qualities.

    :param pairs: ``(stakeholder_id, quality_id)`` tuples.
    :raise DomainError: a pair outside the plan's qualities or stakeholders.
    """
    _require_concept(plan)
    aimed = plan_quality_ids(plan)
    groups = {s.id for s in plan.stakeholders}
    wanted = set(pairs)
    if any(sid not in groups or qid not in aimed for sid, qid in wanted):
        raise DomainError("Kies alleen combinaties uit de tabel.", "pairs")
    old = sorted(f"{m.quality.code}:{m.stakeholder.name}" for m in plan.monitored)
    for pair in list(plan.monitored):
        if (pair.stakeholder_id, pair.quality_id) not in wanted:
            plan.monitored.remove(pair)
    have = {(m.stakeholder_id, m.quality_id) for m in plan.monitored}
    for sid, qid in sorted(wanted - have):
        plan.monitored.append(MonitoredPair(stakeholder_id=sid, quality_id=qid))
    db.session.flush()
    db.session.refresh(plan)
    new = sorted(f"{m.quality.code}:{m.stakeholder.name}" for m in plan.monitored)
    if old != new:
        audit.record("qim.step5", plan, old={"gemonitord": old}, new={"gemonitord": new},
                     summary=str(plan))
    db.session.commit()


def add_target(plan: QimPlan, kind: str, text: str) -> None:
    """Step 6: add a strategic goal, financial frame or indicative target."""
    _require_concept(plan)
    target = PlanTarget(kind=TargetKind(kind), text=text.strip())
    plan.targets.append(target)
    plan.step6_done = True
    audit.record("qim.step6_add", plan, new={"soort": target.kind.label, "tekst": target.text},
                 summary=str(plan))
    db.session.commit()


def remove_target(plan: QimPlan, target: PlanTarget) -> None:
    """Step 6: remove an entry."""
    _require_concept(plan)
    if target.plan_id != plan.id:
        raise DomainError("Dit doel hoort niet bij dit plan.")
    plan.targets.remove(target)
    audit.record("qim.step6_remove", plan, old={"soort": target.kind.label, "tekst": target.text},
                 summary=str(plan))
    db.session.commit()


def set_step6_done(plan: QimPlan, done: bool) -> None:
    """Step 6 is optional: mark it done (also when there is nothing to add)."""
    _require_concept(plan)
    if plan.step6_done != done:
        audit.record("qim.step6_done", plan, old={"stap6": plan.step6_done}, new={"stap6": done})
        plan.step6_done = done
    db.session.commit()
