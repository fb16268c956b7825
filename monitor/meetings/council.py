"""The council's view of the monitorgesprekken: agenda, questions, signals for policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from .. import audit
from ..catalogues import Quality
from ..errors import DomainError
from ..extensions import db
from ..models import Period, User, Wijk
from ..timeutil import AMSTERDAM, utcnow
from .models import CouncilQuestion, Dossier, MonitorSession, PolicySignal, SessionStatus

# A monitorgesprek lasts about two hours (the agenda file needs an end).
SESSION_LENGTH = timedelta(hours=2)
MAX_QUESTION = 2000


def _in_scope(query, column, scope: set[int] | None):
    return query if scope is None else query.where(column.in_(scope or {-1}))


# --- the agenda -----------------------------------------------------------------------

def upcoming_sessions(scope: set[int] | None, now: datetime, limit: int = 8) -> list[MonitorSession]:
    """Sessions planned from ``now`` (local wall clock) on that have not been held, soonest first."""
    query = sa.select(MonitorSession).where(
        MonitorSession.scheduled_at.is_not(None), MonitorSession.scheduled_at >= now,
        MonitorSession.status != SessionStatus.GEHOUDEN)
    query = _in_scope(query, MonitorSession.wijk_id, scope)
    return list(db.session.scalars(query.order_by(MonitorSession.scheduled_at).limit(limit)))


def recent_dossiers(scope: set[int] | None, limit: int = 5) -> list[Dossier]:
    """The latest issued dossier of the sessions whose dossiers were issued most recently."""
    latest = (sa.select(Dossier.session_id, sa.func.max(Dossier.version).label("version"))
              .group_by(Dossier.session_id).subquery())
    query = (sa.select(Dossier).join(latest, sa.and_(Dossier.session_id == latest.c.session_id,
                                                      Dossier.version == latest.c.version))
             .join(MonitorSession, Dossier.session_id == MonitorSession.id))
    query = _in_scope(query, MonitorSession.wijk_id, scope)
    return list(db.session.scalars(query.order_by(Dossier.issued_at.desc(), Dossier.id.desc()).limit(limit)))


def calendar_file(session: MonitorSession, url: str, host: str) -> bytes:
    """The planned session as an iCalendar file (RFC 5545) to add to an agenda.

    :raise DomainError: the session has no date yet.
    """
    from icalendar import Calendar, Event

    if session.scheduled_at is None:
        raise DomainError("Dit monitorgesprek heeft nog geen datum.")
    start = session.scheduled_at.replace(tzinfo=AMSTERDAM)  # entered as Dutch wall-clock time
    cal = Calendar()
    cal.add("prodid", "-//Tellen & Vertellen//Monitorgesprekken//NL")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"monitorgesprek-{session.id}@{host}")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + SESSION_LENGTH)
    event.add("summary", session.title)
    if session.place:
        event.add("location", session.place)
    description = [f"Monitorgesprek over {session.period.covers}."]
    if session.facilitator:
        description.append(f"Gespreksleider: {session.facilitator}.")
    description.append(url)
    event.add("description", "\n".join(description))
    event.add("url", url)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


# --- questions from the council -------------------------------------------------------

def ask_question(user: User, wijk: Wijk, text: str) -> CouncilQuestion:
    """Leave a question for the next monitorgesprek of ``wijk``.

    :raise DomainError: an empty or too long question.
    """
    text = (text or "").strip()
    if not text:
        raise DomainError("Schrijf uw vraag op.", "text")
    if len(text) > MAX_QUESTION:
        raise DomainError(f"Een vraag is hoogstens {MAX_QUESTION} tekens.", "text")
    question = CouncilQuestion(wijk_id=wijk.id, asked_by_id=user.id, text=text)
    db.session.add(question)
    audit.record("council_question.ask", question, new={"wijk_id": wijk.id, "text": text}, actor=user)
    db.session.commit()
    return question


def withdraw_question(question: CouncilQuestion) -> None:
    """Take back an open question. :raise DomainError: it was already answered."""
    if not question.is_open:
        raise DomainError("Deze vraag is al beantwoord en kan niet meer worden ingetrokken.")
    audit.record("council_question.withdraw", question, old={"wijk_id": question.wijk_id, "text": question.text})
    db.session.delete(question)
    db.session.commit()


def open_questions(wijk_id: int) -> list[CouncilQuestion]:
    """Questions for the wijk's next session, oldest first."""
    return list(db.session.scalars(sa.select(CouncilQuestion).where(
        CouncilQuestion.wijk_id == wijk_id, CouncilQuestion.answered_at.is_(None))
        .order_by(CouncilQuestion.asked_at, CouncilQuestion.id)))


def answered_in(session: MonitorSession) -> list[CouncilQuestion]:
    """Questions the minutes of ``session`` answered."""
    return list(db.session.scalars(sa.select(CouncilQuestion).where(
        CouncilQuestion.session_id == session.id, CouncilQuestion.answered_at.is_not(None))
        .order_by(CouncilQuestion.asked_at, CouncilQuestion.id)))


def questions_of(user: User) -> list[CouncilQuestion]:
    """The questions ``user`` asked, newest first."""
    return list(db.session.scalars(sa.select(CouncilQuestion).where(CouncilQuestion.asked_by_id == user.id)
                                   .order_by(CouncilQuestion.asked_at.desc(), CouncilQuestion.id.desc())))


def next_session_of(wijk_id: int) -> MonitorSession | None:
    """The wijk's first session that has not been held yet (where an open question comes up)."""
    return db.session.scalar(
        sa.select(MonitorSession).join(Period, MonitorSession.period_id == Period.id)
        .where(MonitorSession.wijk_id == wijk_id, MonitorSession.status != SessionStatus.GEHOUDEN)
        .order_by(Period.year, Period.tertial).limit(1))


def record_answers(session: MonitorSession, answers: dict[int, str]) -> None:
    """Record the answers given in ``session`` (part of recording its minutes; no commit).

    Only the wijk's questions count: open ones, or those this session answered before. An
    emptied answer puts the question back as open.
    """
    if not answers:
        return
    candidates = {q.id: q for q in db.session.scalars(sa.select(CouncilQuestion).where(
        CouncilQuestion.id.in_(list(answers)), CouncilQuestion.wijk_id == session.wijk_id,
        sa.or_(CouncilQuestion.answered_at.is_(None), CouncilQuestion.session_id == session.id)))}
    for question_id, text in answers.items():
        question = candidates.get(question_id)
        if question is None:
            continue
        text = text.strip()
        if text == question.answer and (bool(text) == (question.answered_at is not None)):
            continue
        old = {"answer": question.answer}
        if text:
            question.answer, question.answered_at, question.session_id = text, utcnow(), session.id
        else:
            question.answer, question.answered_at, question.session_id = "", None, None
        audit.record("council_question.answer", question, old=old,
                     new={"answer": text, "session_id": session.id if text else None})


# --- signals for policy ---------------------------------------------------------------

@dataclass
class SignalFilter:
    wijk_id: int | None = None
    quality_id: int | None = None
    year: int | None = None


def signals(scope: set[int] | None, filters: SignalFilter) -> list[PolicySignal]:
    """Every signal for policy from held sessions, newest session first."""
    query = (sa.select(PolicySignal).join(MonitorSession, PolicySignal.session_id == MonitorSession.id)
             .join(Period, MonitorSession.period_id == Period.id)
             .where(MonitorSession.status == SessionStatus.GEHOUDEN))
    query = _in_scope(query, MonitorSession.wijk_id, scope)
    if filters.wijk_id:
        query = query.where(MonitorSession.wijk_id == filters.wijk_id)
    if filters.quality_id:
        query = query.where(PolicySignal.quality_id == filters.quality_id)
    if filters.year:
        query = query.where(Period.year == filters.year)
    return list(db.session.scalars(query.order_by(
        Period.year.desc(), Period.tertial.desc(), MonitorSession.wijk_id, PolicySignal.position)))


def signal_years() -> list[int]:
    """The years with held sessions that recorded signals."""
    return list(db.session.scalars(
        sa.select(Period.year).join(MonitorSession, MonitorSession.period_id == Period.id)
        .join(PolicySignal, PolicySignal.session_id == MonitorSession.id).distinct().order_by(Period.year.desc())))


def signal_qualities() -> list[Quality]:
    """Qualities signals may be about: the city-wide catalogue."""
    from ..catalogues import city_qualities

    return list(city_qualities())


def replace_signals(session: MonitorSession, rows: list[tuple[str, int | None]]) -> str:
    """Put ``rows`` (text, quality id) in place of the session's signals (no commit).

    :return: the same signals as text, one per line (``MonitorSession.policy_signals``).
    """
    valid = {q.id for q in signal_qualities()}
    db.session.execute(sa.delete(PolicySignal).where(PolicySignal.session_id == session.id))
    kept = [(text.strip(), q if q in valid else None) for text, q in rows if text and text.strip()]
    for position, (text, quality_id) in enumerate(kept):
        db.session.add(PolicySignal(session_id=session.id, position=position, text=text, quality_id=quality_id))
    return "\n".join(text for text, _ in kept)


def session_signals(session: MonitorSession) -> list[PolicySignal]:
    """The session's signals in their order."""
    return list(db.session.scalars(sa.select(PolicySignal).where(PolicySignal.session_id == session.id)
                                   .order_by(PolicySignal.position, PolicySignal.id)))
