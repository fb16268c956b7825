"""Jaarrapportage screens: list, start, draft, submit, return, settle; the drafting right.

On the ``meetings`` blueprint (``/monitorgesprekken/jaarrapportages/…``); the PDF and Word
downloads are in :mod:`.views_documents`.
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..admin.services import list_organisations, list_wijken
from ..errors import DomainError
from ..formerrors import show_error
from ..permissions import can, require_object, requires
from . import services
from .blueprint import bp
from .forms import AuthorRightForm, OwnReportForm, ReportForm, ReportTextForm, ReturnReportForm, SettleReportForm
from .models import ReportScope
from .permissions import holds_author_right, reads_exact_report
from .views import _photo_url


def _report_form() -> ReportForm:
    form = ReportForm()
    wijken, orgs = list_wijken(), list_organisations()
    form.subject.choices = [(f"wijk-{w.id}", f"Wijk {w.name}") for w in wijken] + [
        (f"organisatie-{o.id}", o.name) for o in orgs]
    if request.method == "GET":
        form.year.data = date.today().year
    return form


def _own_form() -> OwnReportForm:
    form = OwnReportForm(prefix="eigen")
    if request.method == "GET":
        form.year.data = date.today().year - (1 if date.today().month < 7 else 0)
    return form


def _render_list(form=None, own_form=None, status: int = 200):
    return render_template(
        "meetings/reports.html", reports=services.reports_for(current_user), form=form or _report_form(),
        own_form=own_form or _own_form(),
        may_draft=holds_author_right(current_user, current_user.organisation_id)), status


@bp.route("/jaarrapportages")
@requires("reports.view")
def reports():
    """The annual reports the user may read; the municipality and the drafters start new ones here."""
    return _render_list()


@bp.route("/jaarrapportages", methods=["POST"])
@requires("reports.manage")
def report_create():
    """Start (or open) the annual report of a wijk or organisation."""
    form = _report_form()
    if form.validate_on_submit():
        try:
            scope, subject_id = form.subject_parts()
            annual = services.create_report(year=form.year.data, scope=scope, subject_id=subject_id,
                                            by=current_user)
        except (DomainError, ValueError):
            form.subject.errors = list(form.subject.errors) + ["Kies een bestaande wijk of organisatie."]
        else:
            return redirect(url_for("meetings.report", report_id=annual.id))
    return _render_list(form=form, status=400)


@bp.route("/jaarrapportages/eigen", methods=["POST"])
@requires("reports.draft")
def report_create_own():
    """A drafter starts (or opens) the annual report of their own organisation."""
    form = _own_form()
    if form.validate_on_submit():
        require_object("reports.draft", current_user.organisation)
        annual = services.create_report(year=form.year.data, scope=ReportScope.ORGANISATIE.value,
                                        subject_id=current_user.organisation_id, by=current_user)
        return redirect(url_for("meetings.report", report_id=annual.id))
    return _render_list(own_form=form, status=400)


def _load(report_id: int, permission: str = "reports.view"):
    annual = services.get_report_or_404(report_id)
    require_object(permission, annual)
    return annual


def _render_report(annual, form=None, return_form=None, settle_form=None, status: int = 200):
    return render_template(
        "meetings/report.html", report=annual, form=form or ReportTextForm(obj=annual),
        return_form=return_form or ReturnReportForm(prefix="terug"),
        settle_form=settle_form or SettleReportForm(prefix="vast"),
        data=services.report_data_for(current_user, annual),
        insider=reads_exact_report(current_user, annual),
        may_write=can(current_user, "reports.write", annual),
        may_review=can(current_user, "reports.review", annual),
        document=False, layout="base.html", photo_src=_photo_url), status


@bp.route("/jaarrapportages/<int:report_id>")
@requires("reports.view")
def report(report_id: int):
    """Read an annual report (its drafters also edit and compile it here; reviewers review it)."""
    return _render_report(_load(report_id))


@bp.route("/jaarrapportages/<int:report_id>", methods=["POST"])
@requires("reports.write")
def report_save(report_id: int):
    """Save the introduction and conclusions; compile when asked."""
    annual = _load(report_id, "reports.write")
    form = ReportTextForm()
    if form.validate_on_submit():
        try:
            services.update_report_text(annual, form.introduction.data or "", form.conclusions.data or "",
                                        by=current_user)
            if request.form.get("samenstellen"):
                services.compile_report(annual, by=current_user)
                flash("De jaarrapportage is opnieuw samengesteld uit de dossiers, verslagen en cijfers.", "ok")
            else:
                flash("Tekst opgeslagen.", "ok")
        except DomainError as err:
            show_error(form, err)
        else:
            return redirect(url_for("meetings.report", report_id=annual.id))
    return _render_report(annual, form=form, status=400)


@bp.route("/jaarrapportages/<int:report_id>/indienen", methods=["POST"])
@requires("reports.write")
def report_submit(report_id: int):
    """The organisation submits its report: compiled afresh and frozen for the accounthouder."""
    annual = _load(report_id, "reports.write")
    try:
        services.submit_report(annual, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash("De jaarrapportage is ingediend. De cijfers liggen vast tot de accounthouder haar vaststelt "
              "of terugstuurt.", "ok")
    return redirect(url_for("meetings.report", report_id=annual.id))


@bp.route("/jaarrapportages/<int:report_id>/terugsturen", methods=["POST"])
@requires("reports.review")
def report_return(report_id: int):
    """The accounthouder returns a submitted report with remarks."""
    annual = _load(report_id)
    form = ReturnReportForm(prefix="terug")
    if form.validate_on_submit():
        try:
            services.return_report(annual, current_user, form.remarks.data or "")
        except DomainError as err:
            show_error(form, err)
        else:
            flash("De jaarrapportage is teruggestuurd; de organisatie ziet uw opmerkingen.", "ok")
            return redirect(url_for("meetings.report", report_id=annual.id))
    return _render_report(annual, return_form=form, status=400)


@bp.route("/jaarrapportages/<int:report_id>/vaststellen", methods=["POST"])
@requires("reports.review")
def report_settle(report_id: int):
    """The accounthouder settles the report: read-only from now on."""
    annual = _load(report_id)
    form = SettleReportForm(prefix="vast")
    if form.validate_on_submit():
        try:
            services.settle_report(annual, current_user, form.remarks.data or "")
        except DomainError as err:
            show_error(form, err)
        else:
            flash("De jaarrapportage is vastgesteld.", "ok")
            return redirect(url_for("meetings.report", report_id=annual.id))
    return _render_report(annual, settle_form=form, status=400)


@bp.route("/jaarrapportages/schrijvers")
@requires("reports.grant")
def report_authors():
    """The beheerder gives sociaal werkers the right to draft their organisation's report."""
    return render_template("meetings/report_authors.html", candidates=services.author_candidates(),
                           form=AuthorRightForm())


@bp.route("/jaarrapportages/schrijvers/<int:user_id>", methods=["POST"])
@requires("reports.grant")
def report_author_set(user_id: int):
    """Grant or revoke the drafting right of one person."""
    person = services.get_user_or_404(user_id)
    form = AuthorRightForm()
    if form.validate_on_submit():
        try:
            services.set_author_right(person, bool(form.granted.data), current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            organisation = person.organisation.name if person.organisation else "de organisatie"
            flash(f"{person.name} mag de jaarrapportage van {organisation} "
                  f"{'nu' if form.granted.data else 'niet meer'} opstellen.", "ok")
    return redirect(url_for("meetings.report_authors"))
