"""Client outcome screens: clients, trajectories, scoring, import and the reports."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import DomainError
from ..formerrors import show_error
from ..http import flash_undo, form_status, get_or_404
from ..permissions import require_object, requires
from ..timeutil import format_date
from . import importer, services
from .charts import overview_chart
from .forms import (
    ClientForm,
    CloseForm,
    DeleteForm,
    ImportForm,
    ReportForm,
    TrajectoryForm,
    measurement_form,
    scores_from,
)
from .instruments import LADDER_ATTRIBUTION, ZRM_ATTRIBUTION
from .models import Client, Measurement, Trajectory
from .permissions import reports_on_own_organisation
from .reports import DEFINITIONS, GROUPINGS, Filters, period_bounds

bp = Blueprint("outcomes", __name__, url_prefix="/uitkomsten")


@bp.context_processor
def attribution() -> dict:
    return {"zrm_attribution": ZRM_ATTRIBUTION, "ladder_attribution": LADDER_ATTRIBUTION}






def _load_client(client_id: int, perm: str = "outcomes.client_view",
                 logged_as: str | None = None) -> Client:
    """Load → 404, check the organisation → 403; a GET of a form is logged as a view."""
    client = get_or_404(Client, client_id)
    require_object(perm, client)
    if logged_as and request.method == "GET":
        services.view_client(client, current_user, logged_as)
    return client


def _load_trajectory(trajectory_id: int, logged_as: str) -> Trajectory:
    trajectory = get_or_404(Trajectory, trajectory_id)
    require_object("outcomes.client_edit", trajectory)
    if request.method == "GET":
        services.view_client(trajectory.client, current_user, logged_as)
    return trajectory


# --- clients ----------------------------------------------------------------------------

@bp.route("/clienten")
@requires("outcomes.client_view")
def clients():
    """List the clients of the own organisation."""
    code = request.args.get("code", "", type=str)[:20]
    return render_template("outcomes/clients.html", code=code,
                           clients=services.list_clients(current_user, code))


def _client_form(client: Client | None = None) -> ClientForm:
    form = ClientForm(obj=client)
    wijken = services.list_wijken()
    form.wijk_id.choices = [(None, "— onbekend —")] + [(w.id, w.name) for w in wijken]
    form.buurt_id.choices = [(None, "— onbekend —")] + [
        (b.id, f"{b.name} ({w.name})") for w in wijken for b in w.buurten if b.active]
    return form


@bp.route("/clienten/nieuw", methods=["GET", "POST"])
@requires("outcomes.client_edit")
def client_new():
    """Register a client with a generated code (no name or other identifying data)."""
    form = _client_form()
    if form.validate_on_submit():
        try:
            client = services.register_client(
                current_user, birth_year=form.birth_year.data, wijk_id=form.wijk_id.data,
                buurt_id=form.buurt_id.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Cliënt geregistreerd met code {client.code}. Noteer deze code in uw eigen "
                  "dossier; namen worden hier nooit opgeslagen.", "ok")
            return redirect(url_for("outcomes.client", client_id=client.id))
    return render_template("outcomes/client_form.html", form=form, client=None), form_status()


@bp.route("/clienten/<int:client_id>")
@requires("outcomes.client_view")
def client(client_id: int):
    """Show a client's trajectories and progress (the view is logged)."""
    client = services.view_client(_load_client(client_id), current_user)
    return render_template(
        "outcomes/client.html", client=client,
        progress=[services.progress(t) for t in client.trajectories],
        access=services.recent_access(client), undo_until=services.undo_until)


@bp.route("/clienten/<int:client_id>/bewerken", methods=["GET", "POST"])
@requires("outcomes.client_edit")
def client_edit(client_id: int):
    """Change a client's year of birth, wijk or buurt."""
    client = _load_client(client_id, "outcomes.client_edit", "wijzigformulier geopend")
    form = _client_form(client)
    if form.validate_on_submit():
        try:
            services.update_client(client, current_user, birth_year=form.birth_year.data,
                                   wijk_id=form.wijk_id.data, buurt_id=form.buurt_id.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Gegevens opgeslagen.", "ok")
            return redirect(url_for("outcomes.client", client_id=client.id))
    return render_template("outcomes/client_form.html", form=form, client=client), form_status()


# --- trajectories -----------------------------------------------------------------------

@bp.route("/clienten/<int:client_id>/trajecten/nieuw", methods=["GET", "POST"])
@requires("outcomes.client_edit")
def trajectory_new(client_id: int):
    """Open a trajectory and choose its instrument."""
    client = _load_client(client_id, "outcomes.client_edit", "trajectformulier geopend")
    form = TrajectoryForm()
    form.service_type_id.choices = [(None, "— kies —")] + [
        (s.id, s.name) for s in services.service_types()]
    form.worker_id.choices = [(None, "— niemand in het bijzonder —")] + [
        (w.id, w.name) for w in services.workers_of(client.organisation_id)]
    if request.method == "GET":
        form.worker_id.data = current_user.id
    if form.validate_on_submit():
        try:
            trajectory = services.open_trajectory(
                client, current_user, service_type_id=form.service_type_id.data,
                worker_id=form.worker_id.data, instrument=form.instrument.data,
                zrm_version=form.zrm_version.data, started_on=form.started_on.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Traject geopend. Leg nu de beginmeting vast.", "ok")
            return redirect(url_for("outcomes.measurement_new", trajectory_id=trajectory.id))
    return render_template("outcomes/trajectory_form.html", form=form, client=client), form_status()


@bp.route("/trajecten/<int:trajectory_id>/afsluiten", methods=["GET", "POST"])
@requires("outcomes.client_edit")
def trajectory_close(trajectory_id: int):
    """Close a trajectory with an end date and a reason."""
    trajectory = _load_trajectory(trajectory_id, "afsluitformulier geopend")
    form = CloseForm()
    if form.validate_on_submit():
        try:
            services.close_trajectory(trajectory, current_user, ended_on=form.ended_on.data,
                                      reason=form.closing_reason.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Traject afgesloten.", "ok")
            return redirect(url_for("outcomes.client", client_id=trajectory.client_id))
    return render_template("outcomes/close_form.html", form=form, trajectory=trajectory), form_status()


# --- measurements -----------------------------------------------------------------------

@bp.route("/trajecten/<int:trajectory_id>/meting", methods=["GET", "POST"])
@requires("outcomes.client_edit")
def measurement_new(trajectory_id: int):
    """Score a begin, intermediate or end measurement."""
    trajectory = _load_trajectory(trajectory_id, "scoringsformulier geopend")
    form = measurement_form(trajectory)
    if form.validate_on_submit():
        step, scores = scores_from(form, trajectory)
        try:
            measurement = services.record_measurement(
                trajectory, current_user, kind=form.kind.data, measured_on=form.measured_on.data,
                ladder_step=step, scores=scores)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"{measurement.kind.label} opgeslagen.", "ok")
            return redirect(url_for("outcomes.client", client_id=trajectory.client_id))
    return render_template("outcomes/measurement_form.html", form=form,
                           trajectory=trajectory), form_status()


def _measurement(measurement_id: int, *, deleted: bool = False) -> Measurement:
    """A measurement that counts (or, ``deleted``, one that can still be restored): 404,
    then 403 for anyone outside its organisation, then 404 when it is not in that state."""
    measurement = get_or_404(Measurement, measurement_id)
    require_object("outcomes.client_edit", measurement)
    if (measurement.deleted_at is not None) != deleted:
        abort(404)
    return measurement


@bp.route("/metingen/<int:measurement_id>/verwijderen", methods=["GET"])
@requires("outcomes.client_edit")
def measurement_delete_confirm(measurement_id: int):
    """The confirmation step (works without JavaScript) before a measurement is removed."""
    measurement = _measurement(measurement_id)
    trajectory = measurement.trajectory
    services.view_client(trajectory.client, current_user, "verwijderen van een meting overwogen")
    days = current_app.config["OUTCOMES_UNDO_DAYS"]
    action = url_for("outcomes.measurement_delete", measurement_id=measurement.id)
    return render_template(
        "_confirm.html", title="Meting verwijderen",
        question=f"Wilt u de {measurement.kind.label.lower()} van {format_date(measurement.measured_on)} "
                 f"({trajectory.instrument.label}, cliënt {trajectory.client.code}) verwijderen?",
        consequences=["De meting telt meteen nergens meer mee: niet in de overzichten, de rapportage "
                      "en de dossiers.",
                      f"Daarna wordt hij nog {days} dagen bewaard; in die tijd kunt u hem terugzetten. "
                      "Daarna worden de scores voorgoed gewist."],
        permanent=False, undo=f"Dit kunt u {days} dagen ongedaan maken, onder 'Recent verwijderd' "
                              "bij de cliënt.",
        button="Ja, meting verwijderen", action=action,
        cancel=url_for("outcomes.client", client_id=trajectory.client_id),
        alternative={"title": "Meteen voorgoed wissen",
                     "text": "Moeten de scores nu al weg? Dan worden ze meteen gewist.",
                     "button": "Meting meteen voorgoed wissen", "fields": {"wissen": "meteen"},
                     "action": action})


@bp.route("/metingen/<int:measurement_id>/verwijderen", methods=["POST"])
@requires("outcomes.client_edit")
def measurement_delete(measurement_id: int):
    """Remove a measurement entered by mistake (restorable for a while, or erased at once)."""
    measurement = _measurement(measurement_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        flash("Het formulier is verlopen; probeer het opnieuw.", "error")
        return redirect(url_for("outcomes.client", client_id=measurement.trajectory.client_id))
    at_once = request.form.get("wissen") == "meteen"
    trajectory = services.delete_measurement(measurement, current_user, at_once=at_once)
    if at_once:
        flash("Meting voorgoed gewist.", "ok")
    else:
        flash_undo("Meting verwijderd.", url_for("outcomes.measurement_restore", measurement_id=measurement_id),
                   services.undo_until(measurement))
    return redirect(url_for("outcomes.client", client_id=trajectory.client_id))


@bp.route("/metingen/<int:measurement_id>/terugzetten", methods=["POST"])
@requires("outcomes.client_edit")
def measurement_restore(measurement_id: int):
    """Undo the deletion of a measurement within the undo window ("Ongedaan maken")."""
    measurement = _measurement(measurement_id, deleted=True)
    client_id = measurement.trajectory.client_id
    if not DeleteForm().validate_on_submit():
        flash("Het formulier is verlopen; probeer het opnieuw.", "error")
        return redirect(url_for("outcomes.client", client_id=client_id))
    try:
        services.restore_measurement(measurement, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash("Meting teruggezet.", "ok")
    return redirect(url_for("outcomes.client", client_id=client_id))


# --- import -----------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@requires("outcomes.import")
def import_measurements():
    """Upload a CSV of measurements: first a dry run with row errors, then import all."""
    form = ImportForm()
    preview = None
    if form.validate_on_submit():
        if request.form.get("action") == "import" and form.content.data:
            try:
                preview = importer.apply(current_user, form.content.data)
            except DomainError as err:
                flash(err.message, "error")
                preview = importer.parse(current_user.organisation_id, form.content.data)
            else:
                flash(f"{len(preview.rows)} metingen geïmporteerd.", "ok")
                return redirect(url_for("outcomes.clients"))
        elif form.file.data:
            data = form.file.data.read(importer.MAX_BYTES + 1)
            if len(data) > importer.MAX_BYTES:
                form.file.errors.append("Het bestand is groter dan 2 MB.")
            else:
                text = importer.decode(data)
                preview = importer.parse(current_user.organisation_id, text)
                form.content.data = text if preview.ok else ""
        else:
            form.file.errors.append("Kies een CSV-bestand.")
    return render_template("outcomes/import.html", form=form, preview=preview,
                           domain_codes=importer.all_domain_codes())


# --- reports ----------------------------------------------------------------------------

@bp.route("/")
@requires("outcomes.report")
def report():
    """Outcomes against the targets per wijk, organisation or service type."""
    periods = services.report_periods()
    form = ReportForm(request.args)
    form.first.choices = form.last.choices = [(p.id, f"{p.label} ({p.covers})") for p in periods]
    form.wijk_id.choices = [(None, "Alle wijken")] + [(w.id, w.name) for w in services.list_wijken()]
    form.organisation_id.choices = [(None, "Alle organisaties")] + [
        (o.id, o.name) for o in services.organisations_with_clients()]
    form.service_type_id.choices = [(None, "Alle soorten")] + [
        (s.id, s.name) for s in services.service_types()]
    first, last = services.default_report_range(periods)
    if form.first.data is None and first is not None:
        form.first.data = first.id
    if form.last.data is None and last is not None:
        form.last.data = last.id
    if not request.args and reports_on_own_organisation(current_user):
        # A social worker starts with the own organisation's (unsuppressed) figures.
        form.organisation_id.data = current_user.organisation_id
    valid = form.validate() if request.args else True
    by_id = {p.id: p for p in periods}
    report = None
    if valid and form.first.data in by_id and form.last.data in by_id:
        start, end = period_bounds(by_id[form.first.data], by_id[form.last.data])
        filters = Filters(first=start, last=end, wijk_id=form.wijk_id.data,
                          organisation_id=form.organisation_id.data,
                          service_type_id=form.service_type_id.data)
        report = services.outcome_report(current_user, filters, form.grouping.data or "wijk")
    return render_template("outcomes/report.html", form=form, report=report, chart=overview_chart(report),
                           definitions=DEFINITIONS, groupings=GROUPINGS), (200 if valid else 400)
