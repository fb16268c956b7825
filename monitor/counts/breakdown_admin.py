"""The beheerder's catalogue of breakdowns: define them, their categories, who is asked."""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..formerrors import show_error
from ..forms import BaseForm, MultiCheckboxField, NlRadioField
from ..http import form_status, get_or_404
from ..models import Organisation, OrganisationKind
from ..permissions import requires
from .blueprint import bp
from .breakdowns import UNKNOWN, BreakdownCategory, BreakdownDimension


class DimensionForm(BaseForm):
    label = StringField("Naam van de uitsplitsing", validators=[DataRequired("Geef de uitsplitsing een naam."),
                                                                 Length(max=80)])
    question = StringField("Vraag in de opgave", validators=[DataRequired("Schrijf de vraag zoals de "
                                                                          "organisatie hem ziet."), Length(max=300)])
    categories = TextAreaField("Categorieën, één per regel", validators=[DataRequired("Geef minstens één categorie.")],
                               description="'Onbekend' komt er altijd bij. Een categorie die u weghaalt, wordt "
                                           "gedeactiveerd: wat er al mee is opgegeven blijft bewaard.")
    multi = BooleanField("Een melding kan in meer categorieën tellen (de aantallen tellen dan niet op)")
    asked = NlRadioField("Wie vult deze uitsplitsing in?", choices=[
        ("alle", "Alle welzijnsorganisaties"), ("gekozen", "Alleen de organisaties hieronder")], default="alle")
    organisation_ids = MultiCheckboxField("Organisaties", coerce=int)
    active = BooleanField("Actief (wordt gevraagd in de opgaven)", default=True)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:40] or "categorie"


def _save(row: BreakdownDimension | None, form: DimensionForm) -> BreakdownDimension:
    labels = [line.strip()[:120] for line in (form.categories.data or "").splitlines() if line.strip()]
    labels = [lab for lab in labels if _slug(lab) != UNKNOWN[0]]
    if not labels:
        raise DomainError("Geef minstens één categorie naast 'Onbekend'.", "categories")
    if len({_slug(lab) for lab in labels}) != len(labels):
        raise DomainError("Twee categorieën hebben (bijna) dezelfde naam.", "categories")
    orgs = list(db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(form.organisation_ids.data or []))))
    if form.asked.data == "gekozen" and not orgs:
        raise DomainError("Kies de organisaties die deze uitsplitsing invullen.", "organisation_ids")
    new = row is None
    if new:
        key = _slug(form.label.data)[:30]
        if db.session.scalar(sa.select(BreakdownDimension.id).where(BreakdownDimension.key == key)):
            raise DomainError("Er is al een uitsplitsing met deze naam.", "label")
        position = (db.session.scalar(sa.select(sa.func.max(BreakdownDimension.position))) or 0) + 1
        row = BreakdownDimension(key=key, position=position)
        db.session.add(row)
    row.label, row.question = form.label.data.strip(), form.question.data.strip()
    row.multi, row.active = bool(form.multi.data), bool(form.active.data)
    row.asked_of_all = form.asked.data != "gekozen"
    row.organisations = [] if row.asked_of_all else orgs
    existing = {c.code: c for c in row.categories}
    wanted = []
    for position, label in enumerate(labels, start=1):
        code = _slug(label)
        match = existing.get(code) or next((c for c in existing.values() if c.label.lower() == label.lower()), None)
        if match is None:
            match = BreakdownCategory(code=code, label=label)
            row.categories.append(match)
        match.label, match.position, match.active = label, position, True
        wanted.append(match)
    for category in row.categories:
        if category not in wanted:
            category.active = False  # kept: returns may have used it
    db.session.flush()
    audit.record("uitsplitsing.aanmaken" if new else "uitsplitsing.wijzigen", row, summary=(
        f"Uitsplitsing {row.label}: {', '.join(labels)}"), new={"categorieën": labels, "actief": row.active})
    db.session.commit()
    return row


@bp.route("/uitsplitsingen")
@requires("counts.catalogue")
def breakdown_catalogue():
    """Every breakdown with its categories and who is asked."""
    rows = list(db.session.scalars(sa.select(BreakdownDimension).order_by(BreakdownDimension.position)))
    return render_template("counts/breakdown_catalogue.html", rows=rows)


@bp.route("/uitsplitsingen/nieuw", methods=["GET", "POST"], defaults={"dimension_id": None})
@bp.route("/uitsplitsingen/<int:dimension_id>", methods=["GET", "POST"])
@requires("counts.catalogue")
def breakdown_edit(dimension_id: int | None):
    row = get_or_404(BreakdownDimension, dimension_id) if dimension_id else None
    form = DimensionForm(obj=row)
    form.organisation_ids.choices = [(o.id, o.name) for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == OrganisationKind.WELZIJN).order_by(Organisation.name))]
    if row is not None and not form.is_submitted():
        form.categories.data = "\n".join(c.label for c in row.categories if c.active)
        form.asked.data = "alle" if row.asked_of_all else "gekozen"
        form.organisation_ids.data = [o.id for o in row.organisations]
    if form.validate_on_submit():
        try:
            saved = _save(row, form)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Uitsplitsing {saved.label} opgeslagen.", "ok")
            return redirect(url_for("counts.breakdown_catalogue"))
    return render_template("counts/breakdown_edit.html", form=form, row=row), form_status()
