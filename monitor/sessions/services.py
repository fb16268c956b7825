"""Monitorgesprek use cases: initiatives, preparing, issuing, minutes, annual reports."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..catalogues import Quality
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, Period, User, Wijk
from ..registry import Section, Table, registry
from ..timeutil import format_date, format_datetime, format_wall_clock, utcnow
from .assembly import assemble
from .models import (
    AnnualReport,
    Dossier,
    Initiative,
    InitiativeStatus,
    MonitorSession,
    ParticipantKind,
    QualityConclusion,
    ReportScope,
    SessionAction,
    SessionParticipant,
    SessionStatus,
    SessionStory,
)

SESSION_FIELDS = ("scheduled_at", "place", "facilitator", "introduction", "discussion_questions")
INITIATIVE_FIELDS = ("buurt_id", "title", "description", "contact_group", "started_on", "ended_on",
                     "status", "supported_by_id")


# --- loading -------------------------------------------------------------------------

def get_session_or_404(session_id: int) -> MonitorSession:
    """Load a session or answer 404."""
    return db.get_or_404(MonitorSession, session_id)


def get_initiative_or_404(initiative_id: int) -> Initiative:
    """Load an initiative or answer 404."""
    return db.get_or_404(Initiative, initiative_id)


def get_report_or_404(report_id: int) -> AnnualReport:
    """Load an annual report or answer 404."""
    return db.get_or_404(AnnualReport, report_id)


def get_buurt_or_404(buurt_id: int):
    """Load a buurt or answer 404."""
    from ..models import Buurt

    return db.get_or_404(Buurt, buurt_id)


def get_action_or_404(action_id: int) -> SessionAction:
    """Load an action or answer 404."""
    return db.get_or_404(SessionAction, action_id)


# --- initiatives ---------------------------------------------------------------------

def list_initiatives(wijk_ids: set[int] | None, wijk_id: int | None = None) -> list[Initiative]:
    """Initiatives in scope (``None`` = all wijken), optionally of one wijk."""
    from ..models import Buurt

    query = sa.select(Initiative).join(Buurt).order_by(Buurt.name, Initiative.title)
    if wijk_ids is not None:
        query = query.where(Buurt.wijk_id.in_(wijk_ids or {-1}))
    if wijk_id:
        query = query.where(Buurt.wijk_id == wijk_id)
    return list(db.session.scalars(query))


def save_initiative(initiative: Initiative | None, *, buurt_id: int, title: str, description: str,
                    contact_group: str, started_on: date, ended_on: date | None, status: str,
                    supported_by_id: int | None, quality_ids: list[int], by: User) -> Initiative:
    """Create or update a buurtinitiatief.

    :raise DomainError: end before start, unknown buurt or organisation.
    """
    from ..models import Buurt

    if ended_on and ended_on < started_on:
        raise DomainError("De einddatum ligt vóór de startdatum.", "ended_on")
    if db.session.get(Buurt, buurt_id) is None:
        raise DomainError("Kies een bestaande buurt.", "buurt_id")
    if supported_by_id and db.session.get(Organisation, supported_by_id) is None:
        raise DomainError("Kies een bestaande organisatie.", "supported_by_id")
    creating = initiative is None
    if creating:
        initiative = Initiative(created_by_id=by.id)
        db.session.add(initiative)
        old: dict[str, Any] = {}
    else:
        old = audit.snapshot(initiative, INITIATIVE_FIELDS)
    initiative.buurt_id, initiative.title = buurt_id, title.strip()
    initiative.description, initiative.contact_group = description.strip(), contact_group.strip()
    initiative.started_on, initiative.ended_on = started_on, ended_on
    initiative.status = InitiativeStatus(status)
    initiative.supported_by_id = supported_by_id
    initiative.qualities = list(db.session.scalars(sa.select(Quality).where(Quality.id.in_(quality_ids or [-1]))))
    db.session.flush()
    new = audit.snapshot(initiative, INITIATIVE_FIELDS)
    if creating:
        audit.record("initiative.create", initiative, new=new, summary=initiative.title)
    else:
        before, after = audit.changes(old, new)
        if after:
            audit.record("initiative.update", initiative, old=before, new=after, summary=initiative.title)
    db.session.commit()
    return initiative


def initiatives_in(wijk: Wijk, period: Period) -> list[Initiative]:
    """Initiatives of the wijk's buurten that ran during the period."""
    return [i for i in list_initiatives(None, wijk.id) if i.active_in(period)]


# --- sessions ------------------------------------------------------------------------

def sessions_overview(year: int, wijk_ids: set[int] | None) -> tuple[list[Wijk], list[Period], dict]:
    """Wijken × periods of ``year`` with the session of each cell (or ``None``)."""
    wijk_query = sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name)
    if wijk_ids is not None:
        wijk_query = wijk_query.where(Wijk.id.in_(wijk_ids or {-1}))
    wijken = list(db.session.scalars(wijk_query))
    periods = list(db.session.scalars(sa.select(Period).where(Period.year == year).order_by(Period.tertial)))
    sessions = db.session.scalars(sa.select(MonitorSession).where(
        MonitorSession.period_id.in_([p.id for p in periods] or [-1]))).all()
    cells = {(s.wijk_id, s.period_id): s for s in sessions}
    return wijken, periods, cells


def open_session(wijk: Wijk, period: Period, by: User) -> MonitorSession:
    """Return the wijk's session for the period, creating it when needed."""
    session = db.session.scalar(sa.select(MonitorSession).where(
        MonitorSession.wijk_id == wijk.id, MonitorSession.period_id == period.id))
    if session is not None:
        return session
    session = MonitorSession(wijk=wijk, period=period, created_by_id=by.id,
                             pinned_sections=[], hidden_sections=[])
    db.session.add(session)
    audit.record("session.create", session, new={"wijk": wijk.name, "period": period.label},
                 summary=f"Monitorgesprek {wijk.name} {period.label}")
    db.session.commit()
    return session


def _require_preparing(session: MonitorSession) -> None:
    if session.status == SessionStatus.GEHOUDEN:
        raise DomainError("Dit monitorgesprek is al gehouden; de voorbereiding is gesloten.")


def update_session_details(session: MonitorSession, *, scheduled_at: datetime | None, place: str,
                           facilitator: str, introduction: str, discussion_questions: str) -> None:
    """Save date, place, facilitator, introduction and questions."""
    _require_preparing(session)
    old = audit.snapshot(session, SESSION_FIELDS)
    session.scheduled_at, session.place, session.facilitator = scheduled_at, place.strip(), facilitator.strip()
    session.introduction, session.discussion_questions = introduction.strip(), discussion_questions.strip()
    before, after = audit.changes(old, audit.snapshot(session, SESSION_FIELDS))
    if after:
        audit.record("session.update", session, old=before, new=after)
    db.session.commit()


def add_participant(session: MonitorSession, *, name: str, kind: str, organisation: str) -> SessionParticipant:
    """Invite a participant. :raise DomainError: the session was already held."""
    _require_preparing(session)
    participant = SessionParticipant(session=session, name=name.strip(), kind=ParticipantKind(kind),
                                     organisation=organisation.strip())
    db.session.add(participant)
    audit.record("session.participant_add", session, new={"name": participant.name, "kind": kind})
    db.session.commit()
    return participant


def remove_participant(session: MonitorSession, participant_id: int) -> None:
    """Remove an invited participant. :raise DomainError: held already, or not of this session."""
    _require_preparing(session)
    participant = db.session.get(SessionParticipant, participant_id)
    if participant is None or participant.session_id != session.id:
        raise DomainError("Deze deelnemer hoort niet bij dit gesprek.")
    audit.record("session.participant_remove", session, old={"name": participant.name})
    db.session.delete(participant)
    db.session.commit()


def set_section_display(session: MonitorSession, key: str, action: str) -> None:
    """Pin, hide or reset a section of the session."""
    _require_preparing(session)
    pinned = [k for k in (session.pinned_sections or []) if k != key]
    hidden = [k for k in (session.hidden_sections or []) if k != key]
    if action == "pin":
        pinned.append(key)
    elif action == "hide":
        hidden.append(key)
    session.pinned_sections, session.hidden_sections = pinned, hidden
    audit.record("session.section", session, new={"section": key, "action": action})
    db.session.commit()


def add_story(session: MonitorSession, story_id: int, storyteller_present: bool) -> SessionStory:
    """Choose a published story of this wijk for part two.

    :raise DomainError: the story is not published in this wijk, or already chosen.
    """
    _require_preparing(session)
    candidates = {s["id"]: s for s in story_candidates(session.wijk, session.period)}
    if story_id not in candidates:
        raise DomainError("Kies een gepubliceerd verhaal uit deze wijk.", "story_id")
    if any(s.story_id == story_id for s in session.stories):
        raise DomainError("Dit verhaal is al gekozen.", "story_id")
    chosen = SessionStory(session=session, story_id=story_id, story_title=candidates[story_id]["title"],
                          storyteller_present=storyteller_present, position=len(session.stories))
    db.session.add(chosen)
    audit.record("session.story_add", session, new={"story_id": story_id})
    db.session.commit()
    return chosen


def remove_story(session: MonitorSession, chosen_id: int) -> None:
    """Remove a chosen story from the session."""
    _require_preparing(session)
    chosen = db.session.get(SessionStory, chosen_id)
    if chosen is None or chosen.session_id != session.id:
        raise DomainError("Dit verhaal hoort niet bij dit gesprek.")
    audit.record("session.story_remove", session, old={"story_id": chosen.story_id})
    db.session.delete(chosen)
    db.session.commit()


WITHDRAWN_TEXT = "Dit verhaal is ingetrokken door de verteller."
UNAVAILABLE_TEXT = "Dit verhaal is niet meer beschikbaar."
PRESENT_SUFFIX = " (de verteller is aanwezig)"


def unavailable_stories(story_ids) -> dict[int, str]:
    """Which of ``story_ids`` the dossier's audience may no longer see, with the text shown instead.

    Withdrawn, deleted, unpublished, or narrowed below *openbaar* (the dossier goes to
    everyone at the table): asked of the registered :class:`~monitor.registry.StorySource`
    (``published``, and ``withdrawn`` for the wording); without an archive nothing is
    unavailable.
    """
    ids = {i for i in story_ids if i is not None}
    source = registry().story_source
    if not ids or source is None:
        return {}
    gone = ids - set(source.published(ids))
    if not gone:
        return {}
    withdrawn = set(source.withdrawn(gone)) if source.withdrawn else gone
    return {i: WITHDRAWN_TEXT if i in withdrawn else UNAVAILABLE_TEXT for i in gone}


def redact_sections(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Frozen sections as they may be shown now: stories no longer available are blanked out."""
    gone = unavailable_stories(i for s in sections for i in s.get("refs", []))
    if not gone:
        return sections
    result = []
    for section in sections:
        refs = section.get("refs", [])
        if any(r in gone for r in refs):
            items = [gone.get(ref, item) for item, ref in zip(section["items"], refs, strict=False)]
            section = {**section, "items": items}
        result.append(section)
    return result


def redact_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A dossier snapshot with stories no longer available blanked out."""
    return {**snapshot, "sections": redact_sections(snapshot.get("sections", []))}


def redact_compiled(compiled: dict[str, Any]) -> dict[str, Any]:
    """An annual report with stories no longer available blanked out (titles and minutes included)."""
    ids = [s.get("id") for s in compiled.get("stories", [])]
    for session in compiled.get("sessions", []):
        most = (session.get("minutes") or {}).get("most_significant") or {}
        ids.append(most.get("id"))
    gone = unavailable_stories(ids)
    sessions = []
    for session in compiled.get("sessions", []):
        session = dict(session)
        if session.get("dossier"):
            session["dossier"] = {**session["dossier"], "sections": redact_sections(session["dossier"]["sections"])}
        minutes = session.get("minutes")
        if minutes and minutes.get("most_significant") and minutes["most_significant"].get("id") in gone:
            text = gone[minutes["most_significant"]["id"]]
            session["minutes"] = {**minutes, "most_significant": {**minutes["most_significant"],
                                                                  "title": text, "why": "", "dissent": ""}}
        sessions.append(session)
    stories = [{**s, "title": gone[s["id"]]} if s.get("id") in gone else s for s in compiled.get("stories", [])]
    return {**compiled, "sessions": sessions, "stories": stories}


def missing_visible_to(user: Any, session: MonitorSession, sections) -> list[str]:
    """What is still missing, for those who prepare the session (and may see each part).

    A section registered with a ``missing_permission`` (the counts section lists whose
    returns are still pending, which /tellen/volledigheid shows only to its holders) shows
    its missing items only to holders of that permission.

    :param sections: live :class:`Section` objects or frozen section dicts.
    """
    from ..permissions import can

    if not can(user, "sessions.prepare", session):
        return []
    needs = {e.key: e.missing_permission for e in registry().dossier_sections if e.missing_permission}
    visible = []
    for section in sections:
        key = section["key"] if isinstance(section, dict) else section.key
        missing = section.get("missing", []) if isinstance(section, dict) else section.missing
        needed = needs.get(key)
        if needed and not can(user, needed, session):
            continue
        visible += missing
    return visible


def dossier_for(user: Any, dossier: Dossier) -> dict[str, Any]:
    """A dossier's snapshot as ``user`` may read it: stories redacted, missing items filtered."""
    data = redact_snapshot(dossier.snapshot)
    data["missing"] = missing_visible_to(user, dossier.session, data.get("sections", []))
    return data


def erase_story_copies(object_type: str, object_id: Any) -> None:
    """Eraser (:mod:`monitor.erasure`): rewrite the copies of an erased story's title.

    Chosen stories, every dossier version and compiled annual reports quote the title. An
    anonymised story's copies get its new title; a withdrawn or deleted story's the text
    shown instead. Runs in the erasing service's transaction.
    """
    if object_type != "Story":
        return
    story_id = int(object_id)
    source = registry().story_source
    title = source.title(story_id) if source and source.title else None
    if title is None:
        withdrawn_check = source.withdrawn if source else None
        gone_text = WITHDRAWN_TEXT if withdrawn_check is None or story_id in withdrawn_check({story_id}) \
            else UNAVAILABLE_TEXT
    else:
        gone_text = ""

    def item_text(item: str) -> str:
        if title is None:
            return gone_text
        return title + (PRESENT_SUFFIX if item.endswith(PRESENT_SUFFIX) else "")

    for chosen in db.session.scalars(sa.select(SessionStory).where(SessionStory.story_id == story_id)):
        chosen.story_title = (title if title is not None else gone_text)[:300]

    def rewrite_sections(sections: list[dict[str, Any]]) -> bool:
        changed = False
        for section in sections:
            refs = section.get("refs", [])
            for index, ref in enumerate(refs):
                if ref == story_id and index < len(section.get("items", [])):
                    section["items"][index] = item_text(section["items"][index])
                    changed = True
        return changed

    for dossier in db.session.scalars(sa.select(Dossier)):
        snapshot = copy.deepcopy(dossier.snapshot)
        if rewrite_sections(snapshot.get("sections", [])):
            dossier.snapshot = snapshot  # a new object: JSON columns do not track in place
    for report in db.session.scalars(sa.select(AnnualReport).where(AnnualReport.compiled.is_not(None))):
        compiled = copy.deepcopy(report.compiled)
        changed = False
        for session in compiled.get("sessions", []):
            if session.get("dossier"):
                changed |= rewrite_sections(session["dossier"].get("sections", []))
            most = (session.get("minutes") or {}).get("most_significant")
            if most and most.get("id") == story_id:
                most["title"] = title if title is not None else gone_text
                if title is None:
                    most["why"] = most["dissent"] = ""
                changed = True
        for story in compiled.get("stories", []):
            if story.get("id") == story_id:
                story["title"] = title if title is not None else gone_text
                changed = True
        if changed:
            report.compiled = compiled


def story_candidates(wijk: Wijk, period: Period) -> list[dict[str, Any]]:
    """Published stories of the wijk, from the story archive when it is installed.

    Each is ``{"id", "title", "summary"}``; the archive registers the
    :class:`~monitor.registry.StorySource` (``monitor.registry.set_story_source``).
    """
    source = registry().story_source
    return list(source.candidates(wijk, period)) if source else []


def sections_for(session: MonitorSession, include_hidden: bool = False) -> list[Section]:
    """The live sections of a session (for the preparation page)."""
    return assemble(session.wijk, session.period, session.pinned_sections,
                    session.hidden_sections, include_hidden=include_hidden)


def snapshot_of(session: MonitorSession) -> dict[str, Any]:
    """Everything the dossier shows, as plain data frozen at this moment."""
    sections = sections_for(session)
    return {
        "title": session.title,
        "wijk": session.wijk.name,
        "period": session.period.label,
        "covers": session.period.covers,
        "scheduled_at": format_wall_clock(session.scheduled_at) if session.scheduled_at else "",
        "place": session.place,
        "facilitator": session.facilitator,
        "introduction": session.introduction,
        "questions": [q.strip() for q in session.discussion_questions.splitlines() if q.strip()],
        "participants": [{"name": p.name, "kind": p.kind.label, "organisation": p.organisation}
                         for p in session.participants],
        "sections": [s.to_dict() for s in sections],
        "missing": [m for s in sections for m in s.missing],
        "compiled_at": format_datetime(utcnow()),
    }


def issue_dossier(session: MonitorSession, by: User) -> Dossier:
    """Freeze the session's figures into a new dossier version.

    :raise DomainError: when the session was already held.
    """
    _require_preparing(session)
    version = (session.current_dossier.version + 1) if session.current_dossier else 1
    dossier = Dossier(session=session, version=version, issued_by_id=by.id, snapshot=snapshot_of(session))
    db.session.add(dossier)
    session.status = SessionStatus.DOSSIER_UITGEGEVEN
    audit.record("session.dossier_issue", session, new={"version": version},
                 summary=f"Dossier versie {version} uitgegeven")
    db.session.commit()
    return dossier


def get_dossier(session: MonitorSession, version: int | None = None) -> Dossier | None:
    """The current dossier, or a given version."""
    if version is None:
        return session.current_dossier
    return next((d for d in session.dossiers if d.version == version), None)


# --- after the session -----------------------------------------------------------------

def record_minutes(session: MonitorSession, *, held_on: date, present_ids: list[int],
                   conclusions: dict[int, str], policy_signals: str, most_significant_story_id: int | None,
                   most_significant_why: str, dissenting_views: str) -> None:
    """Record what happened: who came, conclusions per quality, signals, the chosen story.

    :raise DomainError: no dossier issued yet, or a chosen story that was not told.
    """
    if session.current_dossier is None:
        raise DomainError("Geef eerst het dossier uit; het verslag hoort bij wat besproken is.")
    if most_significant_story_id and most_significant_story_id not in {s.story_id for s in session.stories}:
        raise DomainError("Kies een verhaal dat in dit gesprek is verteld.", "most_significant_story_id")
    if most_significant_story_id and not most_significant_why.strip():
        raise DomainError("Schrijf op waarom dit verhaal het meest betekenisvol was.", "most_significant_why")
    old = {"held_on": session.held_on, "most_significant_story_id": session.most_significant_story_id}
    session.held_on = held_on
    for participant in session.participants:
        participant.present = participant.id in present_ids
    existing = {c.quality_id: c for c in session.conclusions}
    for quality_id, text in conclusions.items():
        text = text.strip()
        if quality_id in existing:
            if text:
                existing[quality_id].text = text
            else:
                db.session.delete(existing[quality_id])
        elif text:
            db.session.add(QualityConclusion(session=session, quality_id=quality_id, text=text))
    story_changed = most_significant_story_id != session.most_significant_story_id or (
        most_significant_why.strip() != session.most_significant_why)
    session.policy_signals = policy_signals.strip()
    session.most_significant_story_id = most_significant_story_id
    session.most_significant_why = most_significant_why.strip()
    session.dissenting_views = dissenting_views.strip()
    session.status = SessionStatus.GEHOUDEN
    audit.record("session.minutes", session, old=audit._plain(old),
                 new=audit._plain({"held_on": held_on, "most_significant_story_id": most_significant_story_id}))
    if story_changed and most_significant_story_id:
        source = registry().story_source
        if source:
            source.feedback(most_significant_story_id, session.title, session.most_significant_why)
    db.session.commit()


def add_action(session: MonitorSession, *, description: str, owner: str, due_on: date | None) -> SessionAction:
    """Agree an action with an owner and due date."""
    action = SessionAction(session=session, description=description.strip(), owner=owner.strip(), due_on=due_on)
    db.session.add(action)
    audit.record("session.action_add", session, new={"description": action.description, "owner": action.owner,
                                                     "due_on": due_on})
    db.session.commit()
    return action


def complete_action(action: SessionAction, done_on: date, follow_up: str) -> None:
    """Mark an action done, with what came of it."""
    old = audit.snapshot(action, ("done_on", "follow_up"))
    action.done_on, action.follow_up = done_on, follow_up.strip()
    audit.record("session.action_done", action, old=old, new=audit.snapshot(action, ("done_on", "follow_up")))
    db.session.commit()


def open_actions_for(wijk_id: int, period: Period) -> list[SessionAction]:
    """Open actions agreed in the wijk's sessions of earlier periods (for follow-up)."""
    earlier = (Period.year * 3 + Period.tertial - 1) < period.ordinal
    return list(db.session.scalars(
        sa.select(SessionAction).join(MonitorSession, SessionAction.session_id == MonitorSession.id)
        .join(Period, MonitorSession.period_id == Period.id)
        .where(MonitorSession.wijk_id == wijk_id, SessionAction.done_on.is_(None), earlier)
        .order_by(SessionAction.due_on, SessionAction.id)))


# --- the session's own sections ------------------------------------------------------

def initiatives_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: the buurtinitiatieven that ran in the period."""
    rows = [[i.buurt.name, i.title, format_date(i.started_on), i.status.label,
             i.supported_by.name if i.supported_by else "—",
             ", ".join(q.name for q in i.qualities) or "—"]
            for i in initiatives_in(wijk, period)]
    return Section(
        key="initiatives", title="Buurt- en inwonersinitiatieven", part=1,
        intro=f"Initiatieven van inwoners in {wijk.name} die liepen in {period.covers}.",
        tables=[Table("Initiatieven in de periode", ["Buurt", "Initiatief", "Sinds", "Status",
                                                     "Ondersteund door", "Kwaliteiten"], rows)] if rows else [],
        empty_text="Er zijn geen initiatieven geregistreerd voor deze periode.",
    )


def actions_section(wijk: Wijk, period: Period) -> Section | None:
    """Part 1: actions agreed earlier in this wijk that are still open."""
    actions = open_actions_for(wijk.id, period)
    rows = [[a.description, a.owner, format_date(a.due_on), a.session.period.label] for a in actions]
    return Section(
        key="actions", title="Openstaande acties uit eerdere gesprekken", part=1,
        tables=[Table("Openstaande acties", ["Actie", "Eigenaar", "Uiterlijk", "Afgesproken in"], rows)] if rows else [],
        empty_text="Er staan geen acties open uit eerdere gesprekken.",
    )


def stories_section_for(session_stories: list[SessionStory]) -> Section:
    """Part 2: the chosen stories (one no longer open to everyone shows only that it is gone)."""
    gone = unavailable_stories(s.story_id for s in session_stories)
    items = [gone.get(s.story_id) or
             s.story_title + (PRESENT_SUFFIX if s.storyteller_present else "")
             for s in session_stories]
    missing = [] if items else ["Er is nog geen verhaal gekozen voor deel 2."]
    if gone:
        missing.append(f"{len(gone)} gekozen verha{'al is' if len(gone) == 1 else 'len zijn'} niet "
                       "(meer) openbaar en komt niet in het dossier; kies zo nodig een ander verhaal.")
    return Section(key="stories", title="Het verhaal", part=2, items=items,
                   refs=[s.story_id for s in session_stories],
                   empty_text="Er is nog geen verhaal gekozen.", missing=missing)


def stories_section(wijk: Wijk, period: Period) -> Section:
    """Part 2 provider: the stories chosen for this wijk's session of the period."""
    session = db.session.scalar(sa.select(MonitorSession).where(
        MonitorSession.wijk_id == wijk.id, MonitorSession.period_id == period.id))
    return stories_section_for(session.stories if session else [])


# --- annual reports ------------------------------------------------------------------

def list_reports() -> list[AnnualReport]:
    """All annual reports, newest year first."""
    return list(db.session.scalars(sa.select(AnnualReport).order_by(AnnualReport.year.desc(), AnnualReport.id)))


def create_report(*, year: int, scope: str, subject_id: int) -> AnnualReport:
    """Start the jaarrapportage of a wijk or organisation for a year (or return the existing one)."""
    scope = ReportScope(scope)
    model = Wijk if scope == ReportScope.WIJK else Organisation
    if db.session.get(model, subject_id) is None:
        raise DomainError("Kies een bestaande wijk of organisatie.", "subject_id")
    key = {"wijk_id": subject_id} if scope == ReportScope.WIJK else {"organisation_id": subject_id}
    report = db.session.scalar(sa.select(AnnualReport).filter_by(year=year, scope=scope, **key))
    if report is None:
        report = AnnualReport(year=year, scope=scope, **key)
        db.session.add(report)
        audit.record("report.create", report, new={"year": year, "scope": scope.value, **key})
        db.session.commit()
    return report


def update_report_text(report: AnnualReport, introduction: str, conclusions: str) -> None:
    """Save the editable introduction and conclusions."""
    old = audit.snapshot(report, ("introduction", "conclusions"))
    report.introduction, report.conclusions = introduction.strip(), conclusions.strip()
    before, after = audit.changes(old, audit.snapshot(report, ("introduction", "conclusions")))
    if after:
        audit.record("report.update", report, old=before, new=after)
    db.session.commit()


def _report_sessions(report: AnnualReport) -> list[MonitorSession]:
    query = (sa.select(MonitorSession).join(Period, MonitorSession.period_id == Period.id)
             .where(Period.year == report.year).order_by(Period.tertial, MonitorSession.wijk_id))
    if report.scope == ReportScope.WIJK:
        query = query.where(MonitorSession.wijk_id == report.wijk_id)
    return list(db.session.scalars(query))


def minutes_of(session: MonitorSession) -> dict[str, Any]:
    """The minutes of a session as plain data."""
    most = next((s for s in session.stories if s.story_id == session.most_significant_story_id), None)
    return {
        "held_on": format_date(session.held_on) if session.held_on else "",
        "present": [f"{p.name} ({p.kind.label})" for p in session.participants if p.present],
        "conclusions": [{"quality": c.quality.name, "text": c.text}
                        for c in sorted(session.conclusions, key=lambda c: c.quality.position)],
        "actions": [{"description": a.description, "owner": a.owner, "due_on": format_date(a.due_on),
                     "done": format_date(a.done_on) if a.done_on else ""} for a in session.actions],
        "policy_signals": session.policy_signals,
        "most_significant": {"id": most.story_id, "title": most.story_title,
                             "why": session.most_significant_why,
                             "dissent": session.dissenting_views} if most else None,
    }


def compile_report(report: AnnualReport) -> dict[str, Any]:
    """Gather the year's frozen dossiers, minutes, figures and stories into the report."""
    sessions = []
    stories: list[dict[str, Any]] = []
    for session in _report_sessions(report):
        dossier = session.current_dossier
        sessions.append({
            "title": session.title, "period": session.period.label, "wijk": session.wijk.name,
            "status": session.status.label,
            "dossier": {"version": dossier.version, "issued_at": format_datetime(dossier.issued_at),
                        "sections": dossier.snapshot.get("sections", [])} if dossier else None,
            "minutes": minutes_of(session) if session.status == SessionStatus.GEHOUDEN else None,
        })
        known = {s["id"] for s in stories}
        stories += [{"id": s.story_id, "title": s.story_title} for s in session.stories if s.story_id not in known]
    annual = []
    for entry in list(registry().annual_sections):
        section = entry.producer(report)
        if section is not None:
            annual.append(section.to_dict())
    compiled = {"title": report.title, "year": report.year, "subject": report.subject,
                "sessions": sessions, "annual_sections": annual, "stories": stories,
                "missing": [f"{s['title']}: nog geen dossier uitgegeven" for s in sessions if not s["dossier"]]
                + [f"{s['title']}: nog geen verslag" for s in sessions if not s["minutes"]]}
    report.compiled, report.compiled_at = compiled, utcnow()
    audit.record("report.compile", report, summary=report.title)
    db.session.commit()
    return compiled
