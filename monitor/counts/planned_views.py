"""Planned hours per week per specialism of an organisation, and their split per wijk."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from ..extensions import db
from ..forms import BaseForm
from ..http import form_status, get_or_404
from ..models import Organisation, Wijk
from ..permissions import requires
from . import planned_wijk, services
from .blueprint import bp
from .forms import PlanYearForm, as_text, planned_form


@bp.route("/begroting", methods=["GET", "POST"])
@requires("counts.plan")
def planned():
    """Planned hours per week per specialism of an organisation for a year (from its budget)."""
    orgs = services.welfare_organisations()
    if not orgs:  # an installation without welfare organisations yet: say so, do not answer 404
        return render_template("counts/planned_none.html")
    chooser = PlanYearForm(request.args)
    chooser.organisatie.choices = [(o.id, o.name) for o in orgs]
    if not request.args or not chooser.validate():
        chooser = PlanYearForm(data={"organisatie": orgs[0].id, "jaar": date.today().year})
        chooser.organisatie.choices = [(o.id, o.name) for o in orgs]
    org = get_or_404(Organisation, chooser.organisatie.data)
    year = chooser.jaar.data
    specs = services.catalogue_entries(services.Specialism)
    current = services.planned_hours(org.id, year)
    form = planned_form(specs, data={f"spec_{s.id}": as_text(current.get(s.id)) for s in specs})
    wijken = _split_wijken(org, year)
    split = planned_wijk.split_of(org.id, year)
    typed = {(w.id, s.id): request.form.get(f"w_{w.id}_{s.id}", "")[:20] if request.method == "POST"
             else as_text(split.get((w.id, s.id))) for w in wijken for s in specs}
    split_errors: dict[tuple[int, int], str] = {}
    if request.method == "POST" and request.form.get("deel") == "wijken":
        if not BaseForm().validate_on_submit():  # the CSRF token of the split form
            flash("Het formulier is verlopen. Probeer het opnieuw.", "error")
        else:
            try:
                planned_wijk.save_split(org, year, typed, current)
            except planned_wijk.SplitInvalid as err:
                split_errors = err.errors
                flash(err.message, "error")
            else:
                flash(f"Begrote uren per wijk van {org.name} voor {year} opgeslagen.", "ok")
                return redirect(url_for("counts.planned", organisatie=org.id, jaar=year))
    elif form.validate_on_submit():
        try:
            services.save_planned_hours(org, year, {s.id: form[f"spec_{s.id}"].data for s in specs})
        except services.PlannedHoursInvalid as err:
            for spec_id, message in err.errors.items():
                form[f"spec_{spec_id}"].errors = [message]
            flash(err.message, "error")
        else:
            flash(f"Begrote uren van {org.name} voor {year} opgeslagen.", "ok")
            return redirect(url_for("counts.planned", organisatie=org.id, jaar=year))
    return render_template("counts/planned.html", chooser=chooser, org=org, year=year, specs=specs,
                           form=form, wijken=wijken, typed=typed, split_errors=split_errors), form_status()


def _split_wijken(org: Organisation, year: int) -> list[Wijk]:
    """The wijken of the organisation's werkgebied in ``year`` (for the budget per wijk)."""
    from .werkgebied import areas_of

    ids = {a.wijk_id for a in areas_of(org) if a.wijk_id is not None
           and a.covers(date(year, 1, 1), date(year, 12, 31))}
    return [w for w in db.session.scalars(sa.select(Wijk).order_by(Wijk.name)) if w.id in ids]
