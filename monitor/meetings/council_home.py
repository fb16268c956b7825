"""Home-page sections for council members: the agenda, issued dossiers, signals, own questions."""

from __future__ import annotations

from datetime import datetime

from flask import url_for

from ..models import User
from ..permissions import can, wijk_ids_in_scope
from ..registry import HomeSection, HomeTask
from ..timeutil import AMSTERDAM, format_date, format_datetime, format_wall_clock
from . import council
from .permissions import follows_the_council_view

RECENT_SIGNAL_SESSIONS = 3


def _now_local() -> datetime:
    """Now as the Dutch wall clock the sessions' times are entered in."""
    return datetime.now(AMSTERDAM).replace(tzinfo=None)


def agenda_section(user: User) -> HomeSection | None:
    """The coming monitorgesprekken in the member's scope, each with an agenda file."""
    if not follows_the_council_view(user):
        return None
    tasks = []
    for session in council.upcoming_sessions(wijk_ids_in_scope(user), _now_local()):
        links = []
        if can(user, "meetings.calendar", session):
            links.append(("In mijn agenda (.ics)", url_for("meetings.calendar", session_id=session.id)))
        if can(user, "meetings.ask", None):
            links.append(("Vraag stellen", url_for("meetings.questions", wijk=session.wijk_id)))
        place = f", {session.place}" if session.place else ""
        tasks.append(HomeTask(
            session.title,
            url_for("meetings.prepare", session_id=session.id) if can(user, "meetings.view", session) else None,
            f"{format_wall_clock(session.scheduled_at)}{place} · {session.status.label.lower()}.",
            links=links))
    return HomeSection("Komende monitorgesprekken", tasks, "Er zijn geen monitorgesprekken gepland.", order=20,
                       more=("Alle monitorgesprekken", url_for("meetings.index")))


def dossiers_section(user: User) -> HomeSection | None:
    """Dossiers issued most recently: the figures and stories a session discusses."""
    if not follows_the_council_view(user):
        return None
    tasks = [HomeTask(f"Dossier {d.session.title.removeprefix('Monitorgesprek ')} (versie {d.version})",
                      url_for("meetings.dossier", session_id=d.session_id),
                      f"Uitgegeven {format_datetime(d.issued_at)}.")
             for d in council.recent_dossiers(wijk_ids_in_scope(user))
             if can(user, "meetings.view", d.session)]
    return HomeSection("Recent uitgegeven dossiers", tasks, "Er zijn nog geen dossiers uitgegeven.", order=30)


def signals_section(user: User) -> HomeSection | None:
    """The signals for policy of the last sessions held."""
    if not follows_the_council_view(user) or not can(user, "meetings.signals"):
        return None
    rows = council.signals(wijk_ids_in_scope(user), council.SignalFilter())
    sessions: list[int] = []
    tasks = []
    for signal in rows:
        if signal.session_id not in sessions:
            if len(sessions) == RECENT_SIGNAL_SESSIONS:
                break
            sessions.append(signal.session_id)
        quality = f" · {signal.quality.name}" if signal.quality else ""
        tasks.append(HomeTask(signal.text, None,
                              f"{signal.session.wijk.name}, {signal.session.period.label}{quality}"))
    return HomeSection("Signalen voor beleid uit de laatste gesprekken", tasks,
                       "Er zijn nog geen signalen voor beleid vastgelegd.", order=60,
                       more=("Alle signalen voor beleid", url_for("meetings.signals")))


def questions_section(user: User) -> HomeSection | None:
    """The member's own questions: open ones, and answers that came back."""
    if not can(user, "meetings.ask"):
        return None
    tasks = []
    for question in council.questions_of(user)[:5]:
        if question.is_open:
            detail = f"{question.wijk.name}, gesteld {format_date(question.asked_at)}: nog niet beantwoord."
        else:
            detail = f"{question.wijk.name}: beantwoord {format_date(question.answered_at)}."
        tasks.append(HomeTask(question.text, url_for("meetings.questions"), detail))
    return HomeSection("Mijn vragen voor de monitorgesprekken", tasks,
                       "U heeft nog geen vragen gesteld.", order=70,
                       more=("Een vraag stellen", url_for("meetings.questions")))
