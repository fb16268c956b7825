"""After the monitorgesprek: minutes, agreed actions and their follow-up."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Period, Wijk
from ..registry import Section, Table, registry
from ..timeutil import format_date
from .council import record_answers, replace_signals
from .models import MonitorSession, QualityConclusion, SessionAction, SessionStatus


def record_minutes(session: MonitorSession, *, held_on: date, present_ids: list[int],
                   conclusions: dict[int, str], most_significant_story_id: int | None,
                   most_significant_why: str, dissenting_views: str, policy_signals: str = "",
                   signals: list[tuple[str, int | None]] | None = None,
                   answers: dict[int, str] | None = None) -> None:
    """Record what happened: who came, conclusions per quality, signals, the chosen story.

    :param signals: the signals for policy as (text, quality id or ``None``); without
        them, each line of ``policy_signals`` is a signal without a quality.
    :param answers: answers to the council's questions, by question id.

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
    if signals is None:
        signals = [(line.strip().lstrip("-•* "), None) for line in policy_signals.splitlines()]
    session.policy_signals = replace_signals(session, signals)
    record_answers(session, answers or {})
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
    from .notices import minutes_settled

    minutes_settled(session)  # once: the first time they are settled
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


def actions_section(wijk: Wijk, period: Period) -> Section | None:
    """Part 1: actions agreed earlier in this wijk that are still open."""
    actions = open_actions_for(wijk.id, period)
    rows = [[a.description, a.owner, format_date(a.due_on), a.session.period.label] for a in actions]
    return Section(
        key="actions", title="Openstaande acties uit eerdere gesprekken", part=1,
        tables=[Table("Openstaande acties", ["Actie", "Eigenaar", "Uiterlijk", "Afgesproken in"], rows)] if rows else [],
        empty_text="Er staan geen acties open uit eerdere gesprekken.",
    )


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
