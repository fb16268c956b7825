"""The registration-export import: upload, map the columns, choose the period, check, store."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import DomainError
from ..extensions import db
from ..formerrors import show_error
from ..http import form_status
from ..models import Period
from ..permissions import requires
from . import imports, registration, services
from .blueprint import bp
from .forms import UploadForm
from .views import _own_org


def _periods() -> list[Period]:
    """Periods that have begun, the latest first (a period not begun has nothing to count)."""
    periods = db.session.scalars(sa.select(Period).order_by(Period.year.desc(), Period.tertial.desc()))
    return [p for p in periods if p.start <= date.today()][:9]


@bp.route("/registratie", methods=["GET", "POST"])
@requires("counts.import")
def registration_upload():
    """Step 1: an export with one row per melding or trajectory from the own system."""
    org = _own_org()
    form = UploadForm()
    form.file.description = ("Eén regel per melding of traject, met in elk geval de melddatum en de wijk. "
                             "CSV met ; of , als scheidingsteken, of XLSX.")
    if form.validate_on_submit():
        upload = form.file.data
        try:
            token = imports.store_upload(org.id, upload.filename or "", upload.read(imports.MAX_BYTES + 1))
        except DomainError as err:
            show_error(form, err)
        else:
            return redirect(url_for("counts.registration_map", token=token))
    return render_template("counts/registration_upload.html", form=form, org=org,
                           targets=registration.TARGETS), form_status()


@bp.route("/registratie/<token>", methods=["GET", "POST"])
@requires("counts.import")
def registration_map(token: str):
    """Step 2 and 3: map the columns, choose the period, see the counted figures, store them."""
    org = _own_org()
    try:
        header, rows = imports.load_upload(org.id, token)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("counts.registration_upload"))
    periods = _periods()
    saved = services.saved_mapping(org.id)
    if request.method == "POST":
        mapping = {key: request.form.get(f"map_{key}", "") for key, _ in registration.TARGETS}
        mapping = {k: v for k, v in mapping.items() if v in header}
        chosen = request.form.get("period", type=int)
    else:
        mapping, chosen = registration.suggest(header, saved), periods[0].id if periods else None
    period = next((p for p in periods if p.id == chosen), None)
    result, status = None, 200
    if request.method == "POST":
        try:
            if period is None:
                raise DomainError("Kies een periode die al begonnen is.", "period")
            result = registration.aggregate(org, period, header, rows, mapping, current_user.wijk_ids)
            if request.form.get("action") == "commit":
                count = registration.commit(org, result, mapping)
                imports.discard_upload(org.id, token)
                flash(f"De cijfers van {count} wijk(en) staan in de opgaven van {period.label} (concept). "
                      "Het bestand is verwijderd; de kolomindeling is bewaard.", "ok")
                return redirect(url_for("counts.board"))
        except DomainError as err:
            flash(err.message, "error")
            status = 400
        else:
            if result is not None and not result.ok:
                status = 400
    labels = {}
    if result is not None:
        catalogue = services.catalogue_for(result.period)
        labels = {k: catalogue.label(k) for w in result.wijken for k in w.figures}
    return render_template("counts/registration_map.html", org=org, header=header, rows=rows[:5],
                           total=len(rows), targets=registration.TARGETS, mapping=mapping, periods=periods,
                           period=period, result=result, token=token, labels=labels), status
