"""Demo data: buurtinitiatieven and this year's monitorgesprekken for two wijken."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ..catalogues import Quality
from ..extensions import db
from ..models import Buurt, Organisation, Period, Role, User, Wijk
from ..registry import registry
from .models import Initiative, InitiativeStatus, MonitorSession, ParticipantKind, SessionParticipant

# (buurt, title, description, contact group, started, status, supported by, quality codes)
INITIATIVES = [
    ("Hilversumse Meent", "Ontmoetingscentrum De Meent",
     "Vrijwilligers van de bewonersvereniging en een professional van HilverZorg bieden kwetsbare "
     "ouderen een plek om elkaar te ontmoeten; mantelzorgers worden zo ontlast.",
     "Bewonersvereniging Hilversumse Meent", date(2018, 4, 1), InitiativeStatus.ACTIEF, "HilverZorg",
     ["K1", "K3", "K7"]),
    ("Hilversumse Meent", "Boodschappenmaatjes Meent",
     "Buren doen samen boodschappen met ouderen die minder mobiel zijn.",
     "Werkgroep Meent voor elkaar", date(2021, 9, 1), InitiativeStatus.ACTIEF, "Versa Welzijn", ["K2", "K7"]),
    ("Bloemenbuurt", "De Kleine Lelie: activiteiten na de brand",
     "Na de brand in buurthuis De Lelie organiseren bewoners met Versa en vrijwilligers activiteiten in "
     "De Kleine Lelie, zoals een ombudsmanspreekuur en een Syrische taal- en cultuurgroep.",
     "Gebruikersraad De Kleine Lelie", date(2018, 1, 15), InitiativeStatus.ACTIEF, "Versa Welzijn",
     ["K1", "K4", "K5"]),
    ("Geuzenbuurt", "Geuzentuin",
     "Een moestuin op een braakliggend stuk grond, onderhouden door buurtbewoners en jongeren.",
     "Tuincommissie Geuzenbuurt", date(2022, 3, 1), InitiativeStatus.ACTIEF, "Versa Welzijn", ["K1", "K2", "K5"]),
    ("Electrobuurt", "Taalcafé Oost",
     "Wekelijkse koffieochtend waar nieuwkomers Nederlands oefenen met buurtgenoten.",
     "Vrijwilligersgroep taalcafé", date(2023, 10, 1), InitiativeStatus.ACTIEF, "Humanitas", ["K4", "K6"]),
    ("Villaparken", "Buurtpreventie-app Villaparken",
     "Bewoners houden samen een oogje in het zeil; gestopt na de zomer door gebrek aan trekkers.",
     "Buurtpreventieteam", date(2020, 2, 1), InitiativeStatus.AFGEROND, None, ["K1"]),
]


def _get(model, **where):
    return db.session.scalar(sa.select(model).filter_by(**where))


def seed_demo(echo: Callable[[str], None]) -> None:
    """Create initiatives and two wijken's sessions of this year (idempotent)."""
    from . import services

    qualities = {q.code: q for q in db.session.scalars(sa.select(Quality))}
    made = 0
    for buurt_name, title, description, group, started, status, org, codes in INITIATIVES:
        if _get(Initiative, title=title):
            continue
        buurt = _get(Buurt, name=buurt_name)
        if buurt is None:
            continue
        initiative = Initiative(buurt=buurt, title=title, description=description, contact_group=group,
                                started_on=started, status=status,
                                ended_on=date(2024, 9, 1) if status == InitiativeStatus.AFGEROND else None,
                                supported_by=_get(Organisation, name=org) if org else None)
        initiative.qualities = [qualities[c] for c in codes if c in qualities]
        db.session.add(initiative)
        made += 1
    db.session.flush()
    echo(f"  {made} buurtinitiatieven")

    coordinator = db.session.scalar(sa.select(User).where(User.role == Role.BUURTCOORDINATOR).order_by(User.id))
    year = date.today().year
    may = _get(Period, year=year, tertial=1)
    september = _get(Period, year=year, tertial=2)
    if coordinator is None or may is None or september is None:
        return
    for wijk_name in ("Hilversumse Meent", "Oost"):
        wijk = _get(Wijk, name=wijk_name)
        if wijk is None or _get(MonitorSession, wijk_id=wijk.id, period_id=may.id):
            continue
        session = MonitorSession(
            wijk=wijk, period=may, created_by_id=coordinator.id, pinned_sections=[], hidden_sections=[],
            scheduled_at=datetime(year, 5, 20, 15, 0), place="Wijkcentrum " + wijk_name,
            facilitator="Accounthouder gemeente en regiomanager Versa Welzijn",
            introduction=f"In dit monitorgesprek kijken we terug op januari tot en met april in {wijk_name}: "
                         "wat hebben de interventies betekend voor de buurt, volgens de kwaliteiten die we samen kozen?",
            discussion_questions="Welke kwaliteit is het meest vooruitgegaan, en waaraan merken we dat?\n"
                                 "Wie bereiken we nog niet?\nWat vraagt dit van de gemeente?")
        db.session.add(session)
        for name, kind, org in [("Sanne Sociaal Werker", ParticipantKind.SOCIAAL_WERKER, "Versa Welzijn"),
                                (coordinator.name, ParticipantKind.BUURTCOORDINATOR, "Gemeente Hilversum"),
                                ("Consulent Sociaal Plein", ParticipantKind.SOCIAAL_PLEIN, "Sociaal Plein"),
                                ("Twee bewoners", ParticipantKind.INWONER, "")]:
            session.participants.append(SessionParticipant(name=name, kind=kind, organisation=org, present=True))
        db.session.flush()
        candidates = services.story_candidates(wijk, may)
        if candidates:  # the archive is installed: tell its newest public story of the wijk
            from .models import SessionStory

            session.stories.append(SessionStory(story_id=candidates[0]["id"], story_title=candidates[0]["title"],
                                                storyteller_present=True))
            session.most_significant_story_id = candidates[0]["id"]
            session.most_significant_why = ("Het verhaal maakte voor iedereen zichtbaar wat ontmoeting "
                                            "in de buurt betekent.")
            source = registry().story_source
            if source:
                source.feedback(candidates[0]["id"], session.title, session.most_significant_why)
            db.session.flush()
        dossier_snapshot = services.snapshot_of(session)
        from .models import Dossier, SessionAction, SessionStatus

        db.session.add(Dossier(session=session, version=1, issued_by_id=coordinator.id, snapshot=dossier_snapshot,
                               issued_at=datetime(year, 5, 10, 9, 0)))
        session.status = SessionStatus.GEHOUDEN
        session.held_on = date(year, 5, 20)
        signals = [("Huisartsen verwijzen nog weinig door naar het welzijnsaanbod.", "K3"),
                   ("Er is te weinig betaalbare ruimte voor bewonersinitiatieven.", "K5")]
        session.policy_signals = services.replace_signals(
            session, [(text, qualities[code].id if code in qualities else None) for text, code in signals])
        db.session.add(SessionAction(session=session, description="Huisartsen uitnodigen voor een kennismaking met het wijkteam",
                                     owner="Buurtcoördinator", due_on=date(year, 7, 1)))
        db.session.add(SessionAction(session=session, description="Aanbod voor 75-plussers bekendmaken via de huis-aan-huiskrant",
                                     owner="Versa Welzijn", due_on=date(year, 9, 1) - timedelta(days=1)))
        db.session.flush()
        if not _get(MonitorSession, wijk_id=wijk.id, period_id=september.id):
            db.session.add(MonitorSession(wijk=wijk, period=september, created_by_id=coordinator.id,
                                          pinned_sections=[], hidden_sections=[], place="Wijkcentrum " + wijk_name,
                                          scheduled_at=datetime(year, 9, 16, 15, 0)))
        december = _get(Period, year=year, tertial=3)
        if december is not None and not _get(MonitorSession, wijk_id=wijk.id, period_id=december.id):
            db.session.add(MonitorSession(wijk=wijk, period=december, created_by_id=coordinator.id,
                                          pinned_sections=[], hidden_sections=[], place="Wijkcentrum " + wijk_name,
                                          scheduled_at=datetime(year, 12, 9, 15, 0)))
        echo(f"  monitorgesprekken {wijk_name}: {may.label} (gehouden), {september.label} (in voorbereiding)")
    db.session.flush()
    seed_council_questions(echo, may)


def seed_council_questions(echo: Callable[[str], None], may: Period) -> None:
    """A council member's question answered in May in Oost, and one open for September."""
    from .models import CouncilQuestion

    member = db.session.scalar(sa.select(User).where(User.role == Role.RAADSLID).order_by(User.id))
    oost = _get(Wijk, name="Oost")
    held = _get(MonitorSession, wijk_id=oost.id, period_id=may.id) if oost else None
    if member is None or held is None or db.session.scalar(sa.select(CouncilQuestion.id).limit(1)):
        return
    db.session.add(CouncilQuestion(
        wijk_id=oost.id, asked_by_id=member.id, session_id=held.id, asked_at=datetime(may.year, 4, 20, 10, 0),
        text="Merken de sociaal werkers dat ouderen in Oost eenzamer zijn geworden?",
        answer="Ja, vooral bij alleenstaande 75-plussers; het aanbod wordt via de huis-aan-huiskrant bekendgemaakt.",
        answered_at=datetime(may.year, 5, 21, 9, 0)))
    db.session.add(CouncilQuestion(
        wijk_id=oost.id, asked_by_id=member.id,
        text="Hoeveel bewonersinitiatieven zijn er dit jaar in Oost bijgekomen?"))
    db.session.flush()
    echo("  2 vragen uit de raad")
