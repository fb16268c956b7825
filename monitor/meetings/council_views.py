"""Views of the council's view: the agenda file, questions from the council, signals for policy."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..admin.services import list_wijken
from ..errors import DomainError
from ..formerrors import show_error
from ..http import arg_int, get_or_404
from ..models import Wijk
from ..permissions import can, require_object, requires, wijk_ids_in_scope
from . import council
from .blueprint import bp
from .forms import QuestionForm
from .models import CouncilQuestion, MonitorSession, SessionStatus

MAX_SIGNAL_ROWS = 50
EMPTY_SIGNAL_ROWS = 3


def _scoped_wijken() -> list[Wijk]:
    scope = wijk_ids_in_scope(current_user)
    return [w for w in list_wijken(active_only=True) if scope is None or w.id in scope]


# --- the agenda file ------------------------------------------------------------------

@bp.route("/<int:session_id>/agenda.ics")
@requires("meetings.calendar")
def calendar(session_id: int):
    """The planned session as an iCalendar file for one's own agenda."""
    session = get_or_404(MonitorSession, session_id)
    require_object("meetings.calendar", session)
    if session.scheduled_at is None:
        abort(404, description="Dit monitorgesprek heeft nog geen datum.")
    url = url_for("meetings.prepare", session_id=session.id, _external=True)
    data = council.calendar_file(session, url, urlsplit(request.host_url).hostname or "localhost")
    name = f"monitorgesprek-{session.wijk.name}-{session.period.year}-{session.period.tertial}.ics"
    return Response(data, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{_ascii(name)}"'})


def _ascii(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-._" else "-" for c in name)


# --- questions from the council -------------------------------------------------------

def _question_form() -> QuestionForm:
    form = QuestionForm()
    form.wijk_id.choices = [(w.id, w.name) for w in _scoped_wijken()]
    if request.method == "GET" and not form.wijk_id.data:
        form.wijk_id.data = arg_int("wijk", minimum=1)
    return form


def _questions_page(form: QuestionForm, status: int = 200):
    questions = council.questions_of(current_user)
    upcoming = {q.wijk_id: council.next_session_of(q.wijk_id) for q in questions if q.is_open}
    return render_template("meetings/questions.html", form=form, questions=questions,
                           upcoming=upcoming), status


@bp.route("/vragen")
@requires("meetings.ask")
def questions():
    """Mijn vragen: the questions one asked for a wijk's next session, with their answers."""
    return _questions_page(_question_form())


@bp.route("/vragen", methods=["POST"])
@requires("meetings.ask")
def question_ask():
    """Leave a question for the next monitorgesprek of a wijk."""
    form = _question_form()
    if form.validate_on_submit():
        wijk = get_or_404(Wijk, form.wijk_id.data)
        try:
            council.ask_question(current_user, wijk, form.text.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Uw vraag staat klaar voor het volgende monitorgesprek van {wijk.name}.", "ok")
            return redirect(url_for("meetings.questions"))
    return _questions_page(form, 400)


@bp.route("/vragen/<int:question_id>/intrekken", methods=["POST"])
@requires("meetings.ask")
def question_withdraw(question_id: int):
    """Take back an open question."""
    question = get_or_404(CouncilQuestion, question_id)
    require_object("meetings.ask", question)
    try:
        council.withdraw_question(question)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash("Uw vraag is ingetrokken.", "ok")
    return redirect(url_for("meetings.questions"))


# --- signals for policy ---------------------------------------------------------------

@bp.route("/signalen")
@requires("meetings.signals")
def signals():
    """Every signal for policy from the minutes, by wijk, quality and year."""
    wijken = _scoped_wijken()
    wijk_id = arg_int("wijk", minimum=1)
    if wijk_id not in {w.id for w in wijken}:
        wijk_id = None
    filters = council.SignalFilter(wijk_id=wijk_id, quality_id=arg_int("kwaliteit", minimum=1),
                                   year=arg_int("jaar", minimum=2000, maximum=2100))
    return render_template("meetings/signals.html", wijken=wijken, filters=filters,
                           qualities=council.signal_qualities(), years=council.signal_years(),
                           signals=council.signals(wijk_ids_in_scope(current_user), filters))


# --- helpers for the session page and the minutes (used by .views) --------------------

def prepare_context(session: MonitorSession) -> dict[str, Any]:
    """The council's part of the session page: open questions, answers, signals, agenda file."""
    held = session.status == SessionStatus.GEHOUDEN
    return {
        "open_questions": council.open_questions(session.wijk_id)
        if not held and can(current_user, "meetings.questions", session) else [],
        "answered": council.answered_in(session) if held else [],
        "signals": council.session_signals(session) if held else [],
        "names": can(current_user, "meetings.questions", session),
        "calendar": session.scheduled_at is not None and not held,
    }


def minutes_context(session: MonitorSession) -> dict[str, Any]:
    """Signal rows and questions to answer on the minutes page (posted values kept)."""
    if request.method == "POST":
        rows = signal_rows(request.form)
        answers = answers_from(request.form)
    else:
        rows = [(s.text, s.quality_id) for s in council.session_signals(session)]
        answers = {}
    rows = rows + [("", None)] * EMPTY_SIGNAL_ROWS
    questions = council.open_questions(session.wijk_id) + council.answered_in(session)
    for q in questions:
        answers.setdefault(q.id, q.answer)
    return {"signal_rows": rows[:MAX_SIGNAL_ROWS], "qualities": council.signal_qualities(),
            "questions": sorted(questions, key=lambda q: (q.asked_at, q.id)), "answers": answers}


def signal_rows(data) -> list[tuple[str, int | None]]:
    """The posted signal rows ``signaal-<i>`` with their quality ``signaal-<i>-kwaliteit``."""
    rows = []
    for i in range(MAX_SIGNAL_ROWS):
        text = data.get(f"signaal-{i}")
        if text is None:
            continue
        quality = arg_int(f"signaal-{i}-kwaliteit", source=data, minimum=1)
        rows.append((text[:5000], quality))
    return rows


def answers_from(data) -> dict[int, str]:
    """The posted answers ``antwoord-<question id>``."""
    answers = {}
    for key in data:
        if key.startswith("antwoord-") and key[9:].isdigit() and len(key) < 20:
            answers[int(key[9:])] = data.get(key, "")[:5000]
    return answers
