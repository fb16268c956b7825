"""Screens for the werkgebied of Tellen: which wijken (and city-wide) each organisation
reports for, from which date to which date (beheerder, accounthouder)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from wtforms import BooleanField
from wtforms.validators import Optional

from ..errors import DomainError
from ..formerrors import show_error
from ..forms import BaseForm, NlDateField
from ..http import get_or_404
from ..models import Organisation, OrganisationKind
from ..permissions import requires
from . import services
from .blueprint import bp
from .models import CITYWIDE
from .werkgebied import AreaInput, areas_of, save_werkgebied


def _areas():
    """The rows of the form: every active wijk, then "stedelijk" (id 0)."""
    return services.active_wijken() + [CITYWIDE]


def werkgebied_form(areas, data=None, formdata=None):
    class WerkgebiedForm(BaseForm):
        pass

    for area in areas:
        setattr(WerkgebiedForm, f"werkt_{area.id}", BooleanField(
            f"{area.name}: werkt hier" if area.id else "Stedelijk: levert een stedelijke opgave"))
        setattr(WerkgebiedForm, f"vanaf_{area.id}", NlDateField(f"{area.name}: vanaf", validators=[Optional()]))
        setattr(WerkgebiedForm, f"tot_{area.id}", NlDateField(f"{area.name}: tot en met", validators=[Optional()]))
    return WerkgebiedForm(formdata=formdata, data=data) if formdata is not None else WerkgebiedForm(data=data)


@bp.route("/werkgebied")
@requires("counts.werkgebied")
def werkgebied_list():
    """Every welfare organisation with its werkgebied."""
    orgs = [o for o in services.welfare_organisations()]
    names = {w.id: w.name for w in services.all_wijken()} | {None: CITYWIDE.name}
    rows = [(o, [(names.get(a.wijk_id, "?"), a.span) for a in areas_of(o)]) for o in orgs]
    return render_template("counts/werkgebied_list.html", rows=rows)


@bp.route("/werkgebied/<int:organisation_id>", methods=["GET", "POST"])
@requires("counts.werkgebied")
def werkgebied_edit(organisation_id: int):
    """Change where, and from when to when, an organisation works."""
    org = get_or_404(Organisation, organisation_id)
    areas = _areas()
    if request.method == "POST":
        form = werkgebied_form(areas, formdata=request.form)
    else:
        data = {}
        for a in areas_of(org):
            key = a.wijk_id or CITYWIDE.id
            data |= {f"werkt_{key}": True, f"vanaf_{key}": a.starts_on, f"tot_{key}": a.ends_on}
        form = werkgebied_form(areas, data=data)
    if org.kind != OrganisationKind.WELZIJN:
        flash("Alleen welzijnsorganisaties leveren opgaven aan en hebben hier een werkgebied.", "error")
    elif request.method == "POST" and form.validate_on_submit():
        inputs = [AreaInput(a.id or None, bool(form[f"werkt_{a.id}"].data), form[f"vanaf_{a.id}"].data,
                            form[f"tot_{a.id}"].data) for a in areas]
        try:
            save_werkgebied(org, inputs)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Werkgebied van {org.name} opgeslagen.", "ok")
            return redirect(url_for("counts.werkgebied_list"))
    return render_template("counts/werkgebied_edit.html", org=org, form=form, areas=areas), (
        400 if request.method == "POST" else 200)
