"""Monitorgesprek use cases: preparing a session and issuing its dossier.

Initiatives live in :mod:`.initiatives`, the chosen stories and their redaction in
:mod:`.stories`, minutes and actions in :mod:`.minutes` and annual reports in
:mod:`.annual`; their names are importable from here as before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Period, User, Wijk
from ..registry import Section, registry
from ..timeutil import format_datetime, format_wall_clock, utcnow
from . import notices
from .annual import (
    author_candidates,
    compile_report,
    create_report,
    list_reports,
    report_data_for,
    reports_for,
    reports_waiting_for,
    return_report,
    set_author_right,
    settle_report,
    submit_report,
    update_report_text,
)
from .assembly import assemble
from .council import replace_signals
from .initiatives import INITIATIVE_FIELDS, initiatives_in, initiatives_section, list_initiatives, save_initiative
from .minutes import (
    actions_section,
    add_action,
    complete_action,
    minutes_of,
    open_actions_for,
    record_minutes,
)
from .models import (
    AnnualReport,
    Dossier,
    Initiative,
    MonitorSession,
    ParticipantKind,
    SessionAction,
    SessionParticipant,
    SessionStatus,
    SessionStory,
)
from .stories import (
    PRESENT_SUFFIX,
    UNAVAILABLE_TEXT,
    WITHDRAWN_TEXT,
    dossier_photo_bytes,
    dossier_photo_status,
    erase_story_copies,
    redact_compiled,
    redact_sections,
    redact_snapshot,
    stories_section,
    stories_section_for,
    story_candidates,
    unavailable_stories,
)

__all__ = [
    "author_candidates", "report_data_for", "reports_for", "reports_waiting_for", "return_report",
    "set_author_right", "settle_report", "submit_report",
    "INITIATIVE_FIELDS", "PRESENT_SUFFIX", "SESSION_FIELDS", "UNAVAILABLE_TEXT", "WITHDRAWN_TEXT",
    "actions_section", "add_action", "add_participant", "add_story", "compile_report", "complete_action",
    "create_report", "dossier_for", "dossier_photo_bytes", "dossier_photo_status", "erase_story_copies",
    "get_action_or_404", "get_buurt_or_404",
    "get_dossier", "get_initiative_or_404", "get_user_or_404", "get_report_or_404", "get_session_or_404", "initiatives_in",
    "initiatives_section", "issue_dossier", "list_initiatives", "list_reports", "minutes_of",
    "missing_visible_to", "open_actions_for", "open_session", "record_minutes", "redact_compiled",
    "redact_sections", "redact_snapshot", "remove_participant", "remove_story", "replace_signals", "save_initiative",
    "sections_for", "sessions_overview", "set_section_display", "snapshot_of", "stories_section",
    "stories_section_for", "story_candidates", "unavailable_stories", "update_report_text",
    "update_session_details",
]


SESSION_FIELDS = ("scheduled_at", "place", "facilitator", "introduction", "discussion_questions")


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


def get_user_or_404(user_id: int) -> User:
    """Load a user or answer 404."""
    return db.get_or_404(User, user_id)


def get_buurt_or_404(buurt_id: int):
    """Load a buurt or answer 404."""
    from ..models import Buurt

    return db.get_or_404(Buurt, buurt_id)


def get_action_or_404(action_id: int) -> SessionAction:
    """Load an action or answer 404."""
    return db.get_or_404(SessionAction, action_id)


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
                 summary=f"Monitorgesprek {wijk.name} {period.label}", actor=by)
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
        notices.details_changed(session, set(after))
    db.session.commit()


def add_participant(session: MonitorSession, *, name: str, kind: str, organisation: str,
                    email: str = "") -> SessionParticipant:
    """Invite a participant. :raise DomainError: the session was already held."""
    _require_preparing(session)
    participant = SessionParticipant(session=session, name=name.strip(), kind=ParticipantKind(kind),
                                     organisation=organisation.strip(), email=(email or "").strip() or None)
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


# --- dossiers ------------------------------------------------------------------------

def missing_visible_to(user: Any, session: MonitorSession, sections) -> list[str]:
    """What is still missing, for those who prepare the session (and may see each part).

    A section registered with a ``missing_permission`` (the counts section lists whose
    returns are still pending, which /tellen/volledigheid shows only to its holders) shows
    its missing items only to holders of that permission.

    :param sections: live :class:`Section` objects or frozen section dicts.
    """
    from ..permissions import can

    if not can(user, "meetings.prepare", session):
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
                 summary=f"Dossier versie {version} uitgegeven", actor=by)
    notices.dossier_issued(session, dossier)
    db.session.commit()
    return dossier


def get_dossier(session: MonitorSession, version: int | None = None) -> Dossier | None:
    """The current dossier, or a given version."""
    if version is None:
        return session.current_dossier
    return next((d for d in session.dossiers if d.version == version), None)
