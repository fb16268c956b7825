"""Screens of Tellen (thin: load, form, one service call, flash, redirect)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import DomainError
from ..formerrors import show_error
from ..http import arg_int, form_status, get_or_404
from ..models import Organisation, Period, Wijk
from ..periods import all_periods
from ..permissions import require_object, requires, wijk_ids_in_scope
from ..templating import format_number
from . import behind, dashboards, exports, imports, services
from .blueprint import bp
from .figures import clients_key, hours_key, scalars_for, year_complete
from .forms import (
    CatalogueForm,
    ImportOptionsForm,
    ReasonForm,
    TokenForm,
    UploadForm,
    as_text,
    field_name,
    initial_data,
    nr_name,
    raw_figures,
    return_form,
)
from .models import CITYWIDE, ApiToken, CountReturn
from .permissions import is_return_worker


@bp.route("/")
@requires("counts.index")
def index():
    """What Tellen offers this person."""
    if is_return_worker(current_user):
        return redirect(url_for("counts.board"))
    return render_template("counts/index.html")


# --- entering returns ------------------------------------------------------------------

def _own_org() -> Organisation:
    if current_user.organisation_id is None:
        abort(403)
    return get_or_404(Organisation, current_user.organisation_id)


@bp.route("/mijn-opgaven")
@requires("counts.enter")
def board():
    """The organisation's returns in my wijken: due, concept, submitted, returned, approved."""
    org = _own_org()
    years = services.board_years(org.id)
    year = arg_int("jaar")
    year = year if year in years else None
    rows = services.board(org.id, current_user.wijk_ids, year=year)
    return render_template("counts/board.html", org=org, rows=rows, today=date.today(), years=years, year=year)


def _load_entry(period_id: int, wijk_id: int) -> tuple[Organisation, Period, Wijk | None]:
    """Wijk id 0 is the organisation's city-wide return ("stedelijk")."""
    period = get_or_404(Period, period_id)
    wijk = None if wijk_id == CITYWIDE.id else get_or_404(Wijk, wijk_id)
    org = _own_org()
    require_object("counts.enter", SimpleNamespace(organisation_id=org.id, wijk_id=wijk.id if wijk else None))
    return org, period, wijk


@bp.route("/opgave/<int:period_id>/<int:wijk_id>", methods=["GET", "POST"])
@requires("counts.enter")
def edit(period_id: int, wijk_id: int):
    """Enter or correct the return of my organisation for a wijk and period."""
    org, period, wijk = _load_entry(period_id, wijk_id)
    area = wijk or CITYWIDE
    wijk_key = wijk.id if wijk else None
    ret = services.find_return(org.id, wijk_key, period.id)
    catalogue = services.catalogue_for(period)
    keys = catalogue.keys(period)
    if request.method == "POST":
        form = return_form(period, catalogue, formdata=request.form)
    else:
        current = services.figures_of(ret) if ret else {}
        data = initial_data(ret, {field_name(k): as_text(current.get(k)) for k in keys})
        form = return_form(period, catalogue, data=data)
    warnings: dict[str, str] = {}
    editable = ret is None or ret.status.editable
    if request.method == "POST" and editable and form.validate_on_submit():
        raw = raw_figures(form, keys)
        submit = request.form.get("action") == "submit"
        try:
            ret, checked = services.save_return(org, wijk, period, raw, explanation=form.explanation.data or "",
                                                submit=submit)
        except services.ValidationFailed as err:
            for key, message in err.checked.errors.items():
                name = field_name(key)
                if name in form:
                    form[name].errors = list(form[name].errors) + [message]
            warnings = err.checked.warnings
            if err.saved:  # only the explanation was missing: what was typed is kept as a concept
                ret = services.find_return(org.id, wijk_key, period.id)
            flash(err.message, "warning" if err.saved else "error")
        except DomainError as err:
            show_error(form, err)
        else:
            if submit:
                flash(f"Opgave {area.name}, {period.label} is ingediend.", "ok")
                return redirect(url_for("counts.board"))
            if checked.warnings:
                flash("Opgeslagen als concept. Er zijn waarschuwingen: bekijk ze voordat u indient.", "warning")
            else:
                flash("Opgeslagen als concept.", "ok")
            return redirect(url_for("counts.edit", period_id=period.id, wijk_id=area.id))
    elif request.method == "GET" and ret is not None and ret.status.editable:
        warnings = services.check_return(org.id, wijk_key, period, services.figures_of(ret), submit=False).warnings
    elif request.method == "POST" and not editable:
        flash(f"Deze opgave is {ret.status.label.lower()} en kan niet meer worden gewijzigd.", "error")
    reference = services.reference_figures(org.id, wijk_key, period)
    return render_template(
        "counts/edit.html", form=form, org=org, period=period, wijk=area, ret=ret, catalogue=catalogue,
        scalars=scalars_for(period), warnings=warnings, reference=reference, editable=editable,
        year_done=year_complete(period, date.today()),
        field_name=field_name, nr_name=nr_name, hours_key=hours_key, clients_key=clients_key, show=show,
    ), (400 if request.method == "POST" else 200)


def show(value) -> str:
    """A stored figure for display: ``—`` when empty, Dutch decimals."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    return format_number(value)


@bp.route("/opgaven/<int:return_id>")
@requires("counts.read_return")
def detail(return_id: int):
    """One return with its figures, its workflow actions and its audit trail."""
    ret = get_or_404(CountReturn, return_id)
    require_object("counts.read_return", ret)
    catalogue = services.catalogue_for(ret.period)
    return render_template("counts/detail.html", ret=ret, figures=services.figures_of(ret), catalogue=catalogue,
                           scalars=scalars_for(ret.period), history=services.history(ret), reason_form=ReasonForm(),
                           hours_key=hours_key, clients_key=clients_key, show=show, **services.review_context(ret))


@bp.route("/opgaven/<int:return_id>/indienen", methods=["POST"])
@requires("counts.enter")
def submit(return_id: int):
    """Submit a saved return as it is."""
    ret = get_or_404(CountReturn, return_id)
    require_object("counts.enter", ret)
    try:
        services.submit_return(ret)
    except services.ValidationFailed:
        flash("De opgave kan nog niet worden ingediend: verbeter de gemarkeerde velden.", "error")
        return redirect(url_for("counts.edit", period_id=ret.period_id, wijk_id=ret.area.id))
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash("De opgave is ingediend.", "ok")
    return redirect(url_for("counts.board"))


def _decide(return_id: int, action: str):
    ret = get_or_404(CountReturn, return_id)
    form = ReasonForm()
    try:
        if action == "approve":
            services.approve(ret, current_user)
            flash("De opgave is goedgekeurd.", "ok")
        elif action == "lock":
            services.lock(ret)
            flash("De opgave is vergrendeld.", "ok")
        else:
            if not form.validate_on_submit():
                flash("Schrijf de reden op; zonder reden gebeurt er niets.", "error")
                return render_template("counts/detail.html", ret=ret, figures=services.figures_of(ret),
                                       catalogue=services.catalogue_for(ret.period), scalars=scalars_for(ret.period),
                                       history=services.history(ret), reason_form=form, reason_action=action,
                                       hours_key=hours_key, clients_key=clients_key, show=show,
                                       **services.review_context(ret)), 400
            if action == "send_back":
                services.send_back(ret, form.reason.data, current_user)
                flash("De opgave is teruggestuurd naar de organisatie.", "ok")
            else:
                services.reopen(ret, form.reason.data, current_user)
                flash("De opgave is heropend en teruggestuurd naar de organisatie.", "ok")
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("counts.detail", return_id=ret.id))


@bp.route("/opgaven/<int:return_id>/goedkeuren", methods=["POST"])
@requires("counts.review")
def approve(return_id: int):
    """Approve a submitted return."""
    return _decide(return_id, "approve")


@bp.route("/opgaven/<int:return_id>/terugsturen", methods=["POST"])
@requires("counts.review")
def send_back(return_id: int):
    """Send a submitted return back with a reason."""
    return _decide(return_id, "send_back")


@bp.route("/opgaven/<int:return_id>/vergrendelen", methods=["POST"])
@requires("counts.review")
def lock(return_id: int):
    """Lock an approved return."""
    return _decide(return_id, "lock")


@bp.route("/opgaven/<int:return_id>/heropenen", methods=["POST"])
@requires("counts.review")
def reopen(return_id: int):
    """Reopen an approved or locked return, with a reason."""
    return _decide(return_id, "reopen")


@bp.route("/te-beoordelen")
@requires("counts.review")
def review_list():
    """Submitted returns waiting for a decision."""
    return render_template("counts/review.html", returns=services.awaiting_approval())


# --- completeness and dashboards ---------------------------------------------------------

def _period_arg(name: str, default: Period | None) -> Period | None:
    value = arg_int(name, minimum=1)
    if value is not None:
        period = services.find_period(value)
        if period is not None:
            return period
    return default


def _latest_period() -> Period | None:
    today = date.today()
    started = services.started_periods(today)
    return started[0] if started else (all_periods()[-1] if all_periods() else None)


@bp.route("/volledigheid")
@requires("counts.completeness")
def completeness():
    """Per period the organisation x wijk matrix with every return's status and what is overdue."""
    period = _period_arg("periode", _latest_period())
    if period is None:
        abort(404)
    matrix = services.completeness(period, wijk_ids_in_scope(current_user))
    return render_template("counts/completeness.html", matrix=matrix, periods=all_periods(), today=date.today())


def _filters() -> dashboards.Filters | None:
    periods = all_periods(descending=False)
    if not periods:
        return None
    latest = _latest_period() or periods[-1]
    default_from = next((p for p in periods if p.ordinal == latest.ordinal - 8), periods[0])
    first = _period_arg("van", default_from)
    last = _period_arg("tot", latest)

    def int_arg(name: str) -> int | None:
        return arg_int(name, minimum=1)

    perspective = request.args.get("perspectief", "wijk")
    if perspective not in dashboards.PERSPECTIVES:
        perspective = "wijk"
    wijk_id = int_arg("wijk")
    scope = wijk_ids_in_scope(current_user)
    if wijk_id is not None and scope is not None and wijk_id not in scope:
        wijk_id = None
    return dashboards.Filters(first, last, wijk_id, int_arg("organisatie"), int_arg("specialisme"), perspective)


@bp.route("/dashboard")
@requires("counts.dashboard")
def dashboard():
    """Trends and breakdowns of approved returns, each chart with the same figures as a table."""
    filters = _filters()
    if filters is None:
        abort(404)
    dash = dashboards.build(current_user, filters)
    scope = wijk_ids_in_scope(current_user)
    wijken = [w for w in services.all_wijken() if scope is None or w.id in scope]
    return render_template(
        "counts/dashboard.html", dash=dash, filters=filters, periods=all_periods(descending=False),
        wijken=wijken, organisations=services.welfare_organisations(),
        specialisms=services.catalogue_entries(services.Specialism), perspectives=dashboards.PERSPECTIVES,
        restricted=dashboards.restricted(current_user), query=request.args.to_dict(),
        charts_json=[c.config() for c in [*dash.breakdowns, *dash.charts]],
        stories=behind.stories_for(current_user, filters.wijk_id, filters.period_from, filters.period_to),
    )


def _download(tables, fmt: str, name: str) -> Response:
    if fmt == "xlsx":
        return Response(exports.to_xlsx(tables), headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(exports.to_csv(tables), headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
                    mimetype="text/csv")


@bp.route("/dashboard/export.<any(csv, xlsx):fmt>")
@requires("counts.dashboard")
def dashboard_export(fmt: str):
    """The dashboard's tables as CSV or XLSX (with the same suppression as on screen)."""
    filters = _filters()
    if filters is None:
        abort(404)
    dash = dashboards.build(current_user, filters)
    return _download(exports.dashboard_tables(dash), fmt, f"tellen-dashboard-{filters.perspective}")


@bp.route("/export/opgaven.<any(csv, xlsx):fmt>")
@requires("counts.export_raw")
def raw_export(fmt: str):
    """Every approved return in the chosen period range, as CSV or XLSX."""
    filters = _filters()
    if filters is None:
        abort(404)
    return _download([exports.raw_returns_table(filters.period_from, filters.period_to)], fmt, "tellen-opgaven")


# --- catalogues, planned hours, API tokens ------------------------------------------------

@bp.route("/catalogi")
@requires("counts.catalogue")
def catalogues():
    """The specialism and service-type catalogues with their validity."""
    return render_template("counts/catalogues.html",
                           specialisms=services.catalogue_entries(services.Specialism),
                           service_types=services.catalogue_entries(services.ServiceType))


@bp.route("/catalogi/<any(specialismen, dienstverlening):kind>/nieuw", methods=["GET", "POST"],
          defaults={"entry_id": None})
@bp.route("/catalogi/<any(specialismen, dienstverlening):kind>/<int:entry_id>", methods=["GET", "POST"])
@requires("counts.catalogue")
def catalogue_edit(kind: str, entry_id: int | None):
    """Add or change a catalogue entry (the code stays fixed once created)."""
    model = services.CATALOGUE_MODELS[kind]
    entry = get_or_404(model, entry_id) if entry_id else None
    form = CatalogueForm(obj=entry)
    if entry is None and request.method == "GET":
        form.valid_from.data = date(date.today().year, 1, 1)
    if entry is not None:
        form.code.render_kw = {"readonly": True}
        form.code.data = entry.code
    if form.validate_on_submit():
        try:
            services.save_catalogue_entry(model, entry, code=form.code.data, name=form.name.data,
                                          description=form.description.data, position=form.position.data,
                                          valid_from=form.valid_from.data, valid_until=form.valid_until.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Catalogus-item opgeslagen.", "ok")
            return redirect(url_for("counts.catalogues"))
    title = "Specialisme" if kind == "specialismen" else "Soort dienstverlening"
    return render_template("counts/simple_form.html", form=form, title=title, obj=entry,
                           back=url_for("counts.catalogues")), form_status()


@bp.route("/api-sleutels", methods=["GET", "POST"])
@requires("counts.tokens")
def tokens():
    """API keys per organisation: create (shown once) and revoke."""
    form = TokenForm()
    form.organisation_id.choices = [(o.id, o.name) for o in services.welfare_organisations() if o.active]
    plain = None
    if form.validate_on_submit():
        org = get_or_404(Organisation, form.organisation_id.data)
        try:
            token, plain = services.create_token(org, form.name.data, current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"API-sleutel voor {org.name} aangemaakt. Kopieer hem nu: hij wordt maar één keer getoond.", "ok")
    return render_template("counts/tokens.html", form=form, tokens=services.list_tokens(), plain=plain), \
        (400 if form.errors else 200)


@bp.route("/api-sleutels/<int:token_id>/intrekken", methods=["POST"])
@requires("counts.tokens")
def token_revoke(token_id: int):
    """Revoke an API key at once."""
    token = get_or_404(ApiToken, token_id)
    services.revoke_token(token)
    flash(f"API-sleutel {token.prefix}… van {token.organisation.name} is ingetrokken.", "ok")
    return redirect(url_for("counts.tokens"))


# --- import ------------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@requires("counts.import")
def import_upload():
    """Step 1: upload a CSV or XLSX export from the organisation's own system."""
    org = _own_org()
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            token = imports.store_upload(org.id, upload.filename or "", upload.read(imports.MAX_BYTES + 1))
        except DomainError as err:
            show_error(form, err)
        else:
            return redirect(url_for("counts.import_map", token=token))
    return render_template("counts/import_upload.html", form=form, org=org, targets=imports.import_targets()), form_status()


@bp.route("/import/<token>", methods=["GET", "POST"])
@requires("counts.import")
def import_map(token: str):
    """Step 2 and 3: map the columns, check every row (dry run) and store all rows or none."""
    org = _own_org()
    try:
        header, rows = imports.load_upload(org.id, token)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("counts.import_upload"))
    targets = imports.import_targets()
    options = ImportOptionsForm()
    if request.method == "POST":
        mapping = {key: request.form.get(f"map_{i}", "") for i, (key, _) in enumerate(targets)}
        mapping = {k: v for k, v in mapping.items() if v in header}
    else:
        mapping = imports.suggest_mapping(header, services.saved_mapping(org.id))
    preview = None
    status = 200
    if request.method == "POST" and options.validate_on_submit():
        commit = request.form.get("action") == "commit"
        try:
            preview = imports.run_import(org, header, rows, mapping, allowed_wijken=current_user.wijk_ids,
                                         commit=commit, submit=options.submit_returns.data)
        except DomainError as err:
            flash(err.message, "error")
            status = 400
        else:
            if commit and preview.ok:
                imports.discard_upload(org.id, token)
                flash(f"{len(preview.rows)} opgaven ingelezen. De kolomindeling is bewaard voor de volgende keer.", "ok")
                return redirect(url_for("counts.board"))
            if not preview.ok:
                status = 400
                flash(f"{preview.error_count} van de {len(preview.rows)} regels bevatten fouten. "
                      "Er is niets opgeslagen.", "error")
    return render_template("counts/import_map.html", org=org, header=header, rows=rows[:5], total=len(rows),
                           targets=targets, mapping=mapping, preview=preview, options=options, token=token), status
