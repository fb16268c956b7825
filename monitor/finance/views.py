"""Programme pages: the list, one programme's view, and the accounthouder's entry forms."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..errors import DomainError
from ..formerrors import show_error
from ..http import form_status, get_or_404
from ..models import Organisation, Wijk
from ..permissions import can, requires
from . import services
from .figures import programme_figures
from .forms import ConfirmForm, MoneyForm, OrganisationForm, ProgrammeForm, ResultForm, ReviewForm, WijkForm
from .models import Programme
from .permissions import sees_unsuppressed

bp = Blueprint("finance", __name__, url_prefix="/programmas")


def _organisation_choices(form_field, optional: bool) -> None:
    first = [(None, "— geen / samen —")] if optional else [(None, "— kies —")]
    form_field.choices = first + [(o.id, o.name) for o in services.organisation_choices()]


def _chosen_organisation(data: dict) -> Organisation | None:
    return get_or_404(Organisation, data["organisation_id"]) if data.get("organisation_id") else None


@bp.route("/")
@requires("finance.view")
def index():
    """All programmes with their running time."""
    return render_template("finance/index.html", programmes=services.list_programmes())


@bp.route("/<int:programme_id>")
@requires("finance.view")
def show(programme_id: int):
    """One programme over its whole running time: wijken, parties, results, money, effect."""
    programme = get_or_404(Programme, programme_id)
    figures = programme_figures(programme, protected=not sees_unsuppressed(current_user))
    return render_template("finance/show.html", programme=programme, figures=figures,
                           may_edit=can(current_user, "finance.edit"), confirm=ConfirmForm())


@bp.route("/nieuw", methods=["GET", "POST"], defaults={"programme_id": None})
@bp.route("/<int:programme_id>/bewerken", methods=["GET", "POST"])
@requires("finance.edit")
def edit(programme_id: int | None):
    """Create or edit a programme."""
    programme = get_or_404(Programme, programme_id) if programme_id else None
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit():
        try:
            programme = services.save_programme(programme, form.data, current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Programma {programme.name} opgeslagen.", "ok")
            return redirect(url_for("finance.show", programme_id=programme.id))
    return render_template("finance/programme_form.html", form=form, programme=programme), form_status()


def _entry(programme_id: int, form, template: str, title: str, save) -> tuple:
    programme = get_or_404(Programme, programme_id)
    if form.validate_on_submit():
        try:
            save(programme, form)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"{title}: opgeslagen.", "ok")
            return redirect(url_for("finance.show", programme_id=programme.id))
    return render_template(template, form=form, programme=programme, title=title), form_status()


@bp.route("/<int:programme_id>/wijk", methods=["GET", "POST"])
@requires("finance.edit")
def add_wijk(programme_id: int):
    form = WijkForm()
    form.wijk_id.choices = [(None, "— kies —")] + [(w.id, w.name) for w in services.wijk_choices()]

    def save(programme, form):
        services.add_wijk(programme, get_or_404(Wijk, form.wijk_id.data), form.start_date.data, current_user)

    return _entry(programme_id, form, "finance/entry_form.html", "Wijk toevoegen", save)


@bp.route("/<int:programme_id>/deelnemer", methods=["GET", "POST"])
@requires("finance.edit")
def add_organisation(programme_id: int):
    form = OrganisationForm()
    _organisation_choices(form.organisation_id, optional=False)

    def save(programme, form):
        services.add_organisation(programme, get_or_404(Organisation, form.organisation_id.data),
                                  form.data, current_user)

    return _entry(programme_id, form, "finance/entry_form.html", "Deelnemende organisatie toevoegen", save)


@bp.route("/<int:programme_id>/resultaat", methods=["GET", "POST"])
@requires("finance.edit")
def add_result(programme_id: int):
    form = ResultForm()
    _organisation_choices(form.organisation_id, optional=True)

    def save(programme, form):
        data = dict(form.data)
        data["organisation"] = _chosen_organisation(data)
        data["hours_per_closed"] = services.parse_tenths(form.hours_per_closed.data, "hours_per_closed")
        data["contacts_per_closed"] = services.parse_tenths(form.contacts_per_closed.data, "contacts_per_closed")
        services.add_result(programme, data, current_user)

    return _entry(programme_id, form, "finance/entry_form.html", "Resultaten invoeren", save)


@bp.route("/<int:programme_id>/geld", methods=["GET", "POST"])
@requires("finance.edit")
def add_money(programme_id: int):
    form = MoneyForm()
    _organisation_choices(form.organisation_id, optional=True)

    def save(programme, form):
        data = dict(form.data)
        data["organisation"] = _chosen_organisation(data)
        for key in ("budget", "forecast", "substitution", "spent"):
            data[key] = services.parse_amount(form[key].data, key)
        services.add_money(programme, data, current_user)

    return _entry(programme_id, form, "finance/entry_form.html", "Bedrag invoeren", save)


@bp.route("/<int:programme_id>/sociaal-plein", methods=["GET", "POST"])
@requires("finance.edit")
def add_review(programme_id: int):
    form = ReviewForm()

    def save(programme, form):
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        data["hours_saved"] = services.parse_tenths(form.hours_saved.data, "hours_saved")
        data["note"] = (data.get("note") or "").strip()
        services.add_review(programme, data, current_user)

    return _entry(programme_id, form, "finance/entry_form.html",
                  "Sociaal Plein: indicaties aan het eind van hun periode", save)


@bp.route("/<int:programme_id>/<any(resultaat, bedrag, beoordeling, wijk, deelnemer):kind>/<int:entry_id>"
          "/verwijderen", methods=["POST"])
@requires("finance.edit")
def remove(programme_id: int, kind: str, entry_id: int):
    programme = get_or_404(Programme, programme_id)
    if not ConfirmForm().validate_on_submit():
        flash("Het formulier is verlopen. Probeer het opnieuw.", "error")
    else:
        try:
            services.remove_entry(programme, kind, entry_id, current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash("Regel verwijderd.", "ok")
    return redirect(url_for("finance.show", programme_id=programme.id))
