"""Monitorgesprek views: overview, preparation, dossier, minutes, initiatives, annual reports."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..admin.services import list_buurten, list_organisations, list_wijken
from ..catalogues import city_qualities
from ..errors import DomainError
from ..formerrors import show_error
from ..http import arg_int, get_or_404
from ..models import Period, Wijk
from ..periods import all_periods
from ..permissions import can, require_object, requires, wijk_ids_in_scope
from ..registry import Section
from . import council_views, export, services
from .blueprint import bp
from .forms import (
    ActionDoneForm,
    ActionForm,
    InitiativeForm,
    MinutesForm,
    NewSessionForm,
    ParticipantForm,
    SessionDetailsForm,
    StoryChoiceForm,
)
from .models import SessionStatus


def _photo_url(key: str, size: str) -> str:
    return url_for("meetings.photo", key=key, size=size)


def _scoped_wijken() -> list[Wijk]:
    scope = wijk_ids_in_scope(current_user)
    return [w for w in list_wijken(active_only=True) if scope is None or w.id in scope]


@bp.route("/")
@requires("meetings.view")
def index():
    """All sessions of a year: wijk × period, with their status."""
    year = arg_int("jaar", date.today().year, minimum=2000, maximum=2100)
    wijken, periods, cells = services.sessions_overview(year, wijk_ids_in_scope(current_user))
    form = NewSessionForm()
    form.wijk_id.choices = [(w.id, w.name) for w in wijken]
    form.period_id.choices = [(p.id, p.label) for p in all_periods() if abs(p.year - year) <= 1]
    wijk_id = arg_int("wijk", minimum=1)
    shown = [w for w in wijken if w.id == wijk_id] or wijken
    years = sorted({p.year for p in all_periods()} | {year}, reverse=True)
    return render_template("meetings/index.html", year=year, wijken=shown, all_wijken=wijken, periods=periods,
                           cells=cells, form=form, years=years, wijk_id=wijk_id if len(shown) == 1 else None)


@bp.route("/nieuw", methods=["POST"])
@requires("meetings.prepare")
def create():
    """Open (or find) the session of a wijk in a period."""
    form = NewSessionForm()
    form.wijk_id.choices = [(w.id, w.name) for w in _scoped_wijken()]
    form.period_id.choices = [(p.id, p.label) for p in all_periods()]
    if not form.validate_on_submit():
        flash("Kies een wijk en een periode.", "error")
        return redirect(url_for("meetings.index"))
    wijk = get_or_404(Wijk, form.wijk_id.data)
    require_object("meetings.prepare", wijk)
    period = get_or_404(Period, form.period_id.data)
    session = services.open_session(wijk, period, current_user)
    return redirect(url_for("meetings.prepare", session_id=session.id))


def _load(session_id: int, permission: str):
    session = services.get_session_or_404(session_id)
    require_object(permission, session)
    return session


def _story_form(session) -> StoryChoiceForm:
    form = StoryChoiceForm(prefix="story")
    chosen = {s.story_id for s in session.stories}
    form.story_id.choices = [(None, "— kies een verhaal —")] + [
        (s["id"], s["title"]) for s in services.story_candidates(session.wijk, session.period)
        if s["id"] not in chosen]
    return form


def _render_prepare(session, form, status=200):
    may_prepare = can(current_user, "meetings.prepare", session)
    if session.status == SessionStatus.GEHOUDEN and session.current_dossier:
        # After the meeting the page shows what was discussed: the issued figures.
        sections = [Section.from_dict(s) for s in
                    services.redact_sections(session.current_dossier.snapshot["sections"])]
    else:
        sections = services.sections_for(session, include_hidden=may_prepare)
    hidden = session.hidden_sections or []
    return render_template(
        "meetings/prepare.html", meeting=session, form=form, may_prepare=may_prepare,
        sections=sections,
        missing=services.missing_visible_to(current_user, session, [s for s in sections if s.key not in hidden]),
        unavailable=services.unavailable_stories(s.story_id for s in session.stories),
        participant_form=ParticipantForm(prefix="p"), story_form=_story_form(session),
        open_actions=services.open_actions_for(session.wijk_id, session.period),
        done_form=ActionDoneForm(prefix="d"), today=date.today(),
        council=council_views.prepare_context(session),
    ), status


@bp.route("/<int:session_id>")
@requires("meetings.view")
def prepare(session_id: int):
    """The session page: details, participants, assembled sections, story, dossier."""
    session = _load(session_id, "meetings.view")
    return _render_prepare(session, SessionDetailsForm(obj=session))


@bp.route("/<int:session_id>", methods=["POST"])
@requires("meetings.prepare")
def details(session_id: int):
    """Save date, place, facilitator, introduction and questions."""
    session = _load(session_id, "meetings.prepare")
    form = SessionDetailsForm()
    if form.validate_on_submit():
        try:
            services.update_session_details(
                session, scheduled_at=form.scheduled_at.data, place=form.place.data or "",
                facilitator=form.facilitator.data or "", introduction=form.introduction.data or "",
                discussion_questions=form.discussion_questions.data or "")
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Gegevens van het gesprek opgeslagen.", "ok")
            return redirect(url_for("meetings.prepare", session_id=session.id))
    return _render_prepare(session, form, 400)


@bp.route("/<int:session_id>/deelnemers", methods=["POST"])
@requires("meetings.prepare")
def participant_add(session_id: int):
    """Invite a participant."""
    session = _load(session_id, "meetings.prepare")
    form = ParticipantForm(prefix="p")
    if form.validate_on_submit():
        try:
            services.add_participant(session, name=form.name.data, kind=form.kind.data,
                                     organisation=form.organisation.data or "",
                                     email=form.email.data or "")
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(f"{form.name.data} is toegevoegd aan de genodigden.", "ok")
    else:
        flash(next((e for errs in form.errors.values() for e in errs), "Vul de naam van de deelnemer in."),
              "error")
    return redirect(url_for("meetings.prepare", session_id=session.id) + "#deelnemers")


@bp.route("/<int:session_id>/uitnodigen", methods=["POST"])
@requires("meetings.prepare")
def invite(session_id: int):
    """Send the invitation (with a calendar file) to the participants not yet invited."""
    from ..forms import BaseForm
    from .notices import send_invitations

    session = _load(session_id, "meetings.prepare")
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        count = send_invitations(session, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(f"De uitnodiging wordt verstuurd aan {count} genodigde(n)." if count
              else "Iedereen met een e-mailadres heeft de uitnodiging al.", "ok")
    return redirect(url_for("meetings.prepare", session_id=session.id) + "#deelnemers")


@bp.route("/<int:session_id>/deelnemers/<int:participant_id>/verwijderen", methods=["POST"])
@requires("meetings.prepare")
def participant_remove(session_id: int, participant_id: int):
    """Remove a participant."""
    session = _load(session_id, "meetings.prepare")
    try:
        services.remove_participant(session, participant_id)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash("Deelnemer verwijderd.", "ok")
    return redirect(url_for("meetings.prepare", session_id=session.id) + "#deelnemers")


@bp.route("/<int:session_id>/secties/<key>/<any(pin, hide, reset):action>", methods=["POST"])
@requires("meetings.prepare")
def section_display(session_id: int, key: str, action: str):
    """Pin, hide or reset a section."""
    session = _load(session_id, "meetings.prepare")
    if len(key) > 40:
        abort(404)
    try:
        services.set_section_display(session, key, action)
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("meetings.prepare", session_id=session.id) + "#onderdelen")


@bp.route("/<int:session_id>/verhalen", methods=["POST"])
@requires("meetings.prepare")
def story_add(session_id: int):
    """Choose a story for part two."""
    session = _load(session_id, "meetings.prepare")
    form = _story_form(session)
    if form.validate_on_submit():
        try:
            services.add_story(session, form.story_id.data, form.storyteller_present.data)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash("Het verhaal is gekozen voor deel 2.", "ok")
    else:
        flash("Kies een gepubliceerd verhaal uit deze wijk.", "error")
    return redirect(url_for("meetings.prepare", session_id=session.id) + "#verhaal")


@bp.route("/<int:session_id>/verhalen/<int:chosen_id>/verwijderen", methods=["POST"])
@requires("meetings.prepare")
def story_remove(session_id: int, chosen_id: int):
    """Remove a chosen story."""
    session = _load(session_id, "meetings.prepare")
    try:
        services.remove_story(session, chosen_id)
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("meetings.prepare", session_id=session.id) + "#verhaal")


@bp.route("/<int:session_id>/dossier", methods=["POST"])
@requires("meetings.prepare")
def dossier_issue(session_id: int):
    """Freeze the figures and issue the dossier."""
    session = _load(session_id, "meetings.prepare")
    try:
        dossier = services.issue_dossier(session, current_user)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("meetings.prepare", session_id=session.id))
    flash(f"Dossier versie {dossier.version} is uitgegeven; de cijfers liggen nu vast.", "ok")
    return redirect(url_for("meetings.dossier", session_id=session.id))


def _dossier_or_404(session, version):
    dossier = services.get_dossier(session, version)
    if dossier is None:
        abort(404)
    return dossier


@bp.route("/<int:session_id>/dossier")
@bp.route("/<int:session_id>/dossier/v<int:version>")
@requires("meetings.view")
def dossier(session_id: int, version: int | None = None):
    """The issued dossier, printable."""
    session = _load(session_id, "meetings.view")
    issued = _dossier_or_404(session, version)
    return render_template("meetings/dossier.html", **export.dossier_context(
        issued, current_user, photo_src=_photo_url, document=False))


@bp.route("/<int:session_id>/verslag", methods=["GET", "POST"])
@requires("meetings.prepare")
def minutes(session_id: int):
    """Record the minutes after the meeting."""
    session = _load(session_id, "meetings.prepare")
    form = MinutesForm(obj=session)
    form.present_ids.choices = [(p.id, f"{p.name} ({p.kind.label})") for p in session.participants]
    form.most_significant_story_id.choices = [(None, "— geen —")] + [
        (s.story_id, s.story_title) for s in session.stories]
    qualities = city_qualities()
    existing = {c.quality_id: c.text for c in session.conclusions}
    if request.method == "GET":
        form.present_ids.data = [p.id for p in session.participants if p.present]
        if session.held_on is None:
            form.held_on.data = session.scheduled_at.date() if session.scheduled_at else date.today()
    conclusions = {q.id: (request.form.get(f"conclusie-{q.id}", "")[:5000] if request.method == "POST"
                          else existing.get(q.id, "")) for q in qualities}
    council = council_views.minutes_context(session)
    if form.validate_on_submit():
        try:
            services.record_minutes(
                session, held_on=form.held_on.data, present_ids=form.present_ids.data or [],
                conclusions=conclusions, signals=council_views.signal_rows(request.form),
                answers=council_views.answers_from(request.form),
                most_significant_story_id=form.most_significant_story_id.data,
                most_significant_why=form.most_significant_why.data or "",
                dissenting_views=form.dissenting_views.data or "")
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Het verslag is opgeslagen.", "ok")
            return redirect(url_for("meetings.prepare", session_id=session.id))
    return render_template("meetings/minutes.html", meeting=session, form=form, qualities=qualities,
                           conclusions=conclusions, action_form=ActionForm(prefix="a"), council=council), (
        400 if request.method == "POST" else 200)


@bp.route("/<int:session_id>/acties", methods=["POST"])
@requires("meetings.prepare")
def action_add(session_id: int):
    """Agree an action."""
    session = _load(session_id, "meetings.prepare")
    form = ActionForm(prefix="a")
    if form.validate_on_submit():
        services.add_action(session, description=form.description.data, owner=form.owner.data,
                            due_on=form.due_on.data)
        flash("Actie toegevoegd.", "ok")
    else:
        flash("Vul de actie en de eigenaar in (en een geldige datum).", "error")
    return redirect(url_for("meetings.minutes", session_id=session.id) + "#acties")


@bp.route("/acties/<int:action_id>/afgerond", methods=["POST"])
@requires("meetings.prepare")
def action_done(action_id: int):
    """Mark an action done (also from a later session's page)."""
    action = services.get_action_or_404(action_id)
    require_object("meetings.prepare", action.session)
    form = ActionDoneForm(prefix="d")
    if form.validate_on_submit():
        services.complete_action(action, form.done_on.data, form.follow_up.data or "")
        flash("Actie afgerond.", "ok")
    else:
        flash("Vul een geldige datum van afronding in.", "error")
    back = arg_int("terug", source=request.form, minimum=1) or action.session_id
    return redirect(url_for("meetings.prepare", session_id=back) + "#acties")


# --- initiatives ---------------------------------------------------------------------

@bp.route("/initiatieven")
@requires("initiatives.view")
def initiatives():
    """The register of buurtinitiatieven."""
    wijk_id = arg_int("wijk", minimum=1)
    return render_template("meetings/initiatives.html",
                           initiatives=services.list_initiatives(None, wijk_id),
                           wijken=list_wijken(),
                           wijk_id=wijk_id)


def _initiative_form(initiative=None) -> InitiativeForm:
    form = InitiativeForm(obj=initiative)
    scope = wijk_ids_in_scope(current_user)
    form.buurt_id.choices = [(b.id, f"{b.name} ({b.wijk.name})") for b in list_buurten()
                             if b.active and (scope is None or b.wijk_id in scope)]
    form.supported_by_id.choices = [(None, "— geen —")] + [
        (o.id, o.name) for o in list_organisations(active_only=True)]
    form.quality_ids.choices = [(q.id, q.name) for q in city_qualities()]
    if initiative is not None and request.method == "GET":
        form.status.data = initiative.status.value
        form.quality_ids.data = [q.id for q in initiative.qualities]
    return form


@bp.route("/initiatieven/nieuw", methods=["GET", "POST"], defaults={"initiative_id": None})
@bp.route("/initiatieven/<int:initiative_id>", methods=["GET", "POST"])
@requires("initiatives.manage")
def initiative_edit(initiative_id: int | None):
    """Register or edit a buurtinitiatief."""
    initiative = services.get_initiative_or_404(initiative_id) if initiative_id else None
    if initiative is not None:
        require_object("initiatives.manage", initiative)
    form = _initiative_form(initiative)
    if form.validate_on_submit():
        require_object("initiatives.manage", services.get_buurt_or_404(form.buurt_id.data))
        try:
            services.save_initiative(
                initiative, buurt_id=form.buurt_id.data, title=form.title.data,
                description=form.description.data or "", contact_group=form.contact_group.data or "",
                started_on=form.started_on.data, ended_on=form.ended_on.data, status=form.status.data,
                supported_by_id=form.supported_by_id.data, quality_ids=form.quality_ids.data or [],
                by=current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Initiatief opgeslagen.", "ok")
            return redirect(url_for("meetings.initiatives"))
    return render_template("meetings/initiative_form.html", form=form, initiative=initiative), (
        400 if request.method == "POST" else 200)
