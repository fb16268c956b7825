"""Forms of Tellen: shape only; the rules of a return live in figures.py and services.py."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..forms import BaseForm, NlIntegerField
from ..models import Period
from .figures import NOT_REGISTERED, BothGiven, Catalogue, clients_key, hours_key, scalars_for


def field_name(key: str) -> str:
    """Form field name for a figure key (``uren:buurtwerk`` → ``uren__buurtwerk``)."""
    return key.replace(":", "__")


def as_text(value) -> str:
    """A stored figure as the form shows it: empty, ``12`` or ``2,4``."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    return str(value)


def nr_name(key: str) -> str:
    """The "niet geregistreerd" checkbox of a scalar figure."""
    return "ng__" + field_name(key)


def initial_data(ret, texts: dict[str, str]) -> dict:
    """The form's data for a stored return: the figures as text, the "niet geregistreerd" boxes."""
    data: dict = dict(texts, explanation=ret.explanation if ret else "")
    for key in (ret.not_registered or []) if ret else []:
        data[nr_name(key)] = True
    return data


def raw_figures(form, keys: list[str]) -> dict:
    """The figures as typed; a ticked "niet geregistreerd" box wins over an empty box."""
    raw = {}
    for key in keys:
        box = form._fields.get(nr_name(key))
        text = form[field_name(key)].data
        if box is not None and box.data:
            raw[key] = BothGiven(text) if (text or "").strip() else NOT_REGISTERED
        else:
            raw[key] = text
    return raw


class ReturnFormBase(BaseForm):
    explanation = TextAreaField(
        "Toelichting", validators=[Optional(), Length(max=5000, message="Hoogstens 5000 tekens.")],
        description="Verplicht bij indienen als er waarschuwingen zijn: leg uit waarom een cijfer sterk afwijkt.")


def return_form(period: Period, catalogue: Catalogue, formdata=None, data: dict | None = None):
    """A form with a text box per figure of ``period`` (typed text is kept as typed)."""

    class ReturnForm(ReturnFormBase):
        pass

    for figure in scalars_for(period):
        setattr(ReturnForm, field_name(figure.key), StringField(
            figure.label, validators=[Optional(), Length(max=20)], description=figure.description,
            render_kw={"inputmode": "decimal" if figure.decimal else "numeric", "autocomplete": "off"}))
        setattr(ReturnForm, nr_name(figure.key), BooleanField(
            f"{figure.label}: onbekend / niet geregistreerd",
            description="Aanvinken als uw organisatie dit niet bijhoudt (dat is iets anders dan 0)."))
    for s in catalogue.specialisms:
        setattr(ReturnForm, field_name(hours_key(s.code)), StringField(
            s.name, validators=[Optional(), Length(max=20)], render_kw={"inputmode": "numeric", "autocomplete": "off"}))
    for s in catalogue.service_types:
        setattr(ReturnForm, field_name(clients_key(s.code)), StringField(
            s.name, validators=[Optional(), Length(max=20)], render_kw={"inputmode": "numeric", "autocomplete": "off"}))
    form = ReturnForm(formdata=formdata, data=data) if formdata is not None else ReturnForm(data=data)
    return form


class ReasonForm(BaseForm):
    reason = TextAreaField("Reden of vraag aan de organisatie",
                           validators=[DataRequired("Schrijf de reden op."), Length(max=5000)])


class CatalogueForm(BaseForm):
    code = StringField("Code", validators=[
        DataRequired("Vul een code in."), Length(max=40),
        Regexp(r"^[a-z0-9_]+$", message="Alleen kleine letters, cijfers en _ (bijvoorbeeld buurtwerk).")],
        description="Vast na aanmaken: de code verbindt oude opgaven, imports en de API met dit item.")
    name = StringField("Naam", validators=[DataRequired("Vul een naam in."), Length(max=120)])
    description = TextAreaField("Omschrijving", validators=[Optional(), Length(max=2000)])
    position = NlIntegerField("Volgorde", default=0, validators=[
        InputRequired("Vul een heel getal in."), NumberRange(0, 999, "Kies 0 tot en met 999.")])
    valid_from = DateField("Geldig vanaf", validators=[DataRequired("Vul een geldige datum in.")])
    valid_until = DateField("Geldig tot en met", validators=[Optional()],
                            description="Leeg laten zolang het item geldt. Oude opgaven blijven ongewijzigd.")


class TokenForm(BaseForm):
    organisation_id = SelectField("Organisatie", coerce=int, validators=[DataRequired("Kies een organisatie.")])
    name = StringField("Omschrijving", validators=[DataRequired("Geef de sleutel een naam."), Length(max=120)],
                       description="Bijvoorbeeld het systeem dat de sleutel gebruikt.")


class UploadForm(BaseForm):
    file = FileField("Bestand (CSV of XLSX)", validators=[FileRequired("Kies een bestand.")],
                     description="Eén regel per wijk en periode. CSV met ; of , als scheidingsteken; "
                                 "UTF-8 of Windows-1252; decimale komma mag.")


class ImportOptionsForm(BaseForm):
    submit_returns = BooleanField("De opgaven meteen indienen (anders blijven ze concept)")


class PlanYearForm(BaseForm):
    class Meta:
        csrf = False

    organisatie = SelectField("Organisatie", coerce=int, validate_choice=True)
    jaar = NlIntegerField("Jaar", validators=[NumberRange(2000, 2100, "Kies een jaar tussen 2000 en 2100.")])


def planned_form(specialisms, data: dict | None = None):
    """Hours per week per specialism, as typed (``97,3``)."""

    class PlannedForm(BaseForm):
        pass

    for s in specialisms:
        setattr(PlannedForm, f"spec_{s.id}", StringField(
            s.name, validators=[Optional(), Length(max=20)], render_kw={"inputmode": "decimal"}))
    return PlannedForm(data=data)
