"""Forms of the outcomes module: shape only (services check the rules), messages in Dutch.

There is deliberately no free-text field: nothing typed here can name a client.
"""

from __future__ import annotations

from datetime import date

from flask_wtf.file import FileField
from wtforms import HiddenField
from wtforms.validators import NumberRange, Optional, ValidationError

from ..forms import BaseForm, NlDateField, NlIntegerField, NlRadioField, NlSelectField, optional_int
from ..http import parse_int
from .instruments import (
    NOT_APPLICABLE,
    NOT_DISCUSSED,
    ZRM_VERSIONS,
    ladder_steps,
    zrm_domains,
    zrm_labels,
)
from .models import CLOSING_REASON_LABELS, MeasurementKind
from .reports import GROUPINGS


def _required_date(form, field) -> None:
    if field.data is None and not field.errors:
        raise ValidationError("Vul een datum in (dd-mm-jjjj).")


class ClientForm(BaseForm):
    birth_year = NlIntegerField(
        "Geboortejaar", validators=[Optional(), NumberRange(1900, date.today().year,
                                                          "Vul een geboortejaar in tussen 1900 en nu.")],
        description="Alleen het jaar, voor leeftijdsgroepen. Mag leeg blijven.",
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    wijk_id = NlSelectField("Wijk", coerce=optional_int)
    buurt_id = NlSelectField("Buurt", coerce=optional_int, description="Mag leeg blijven.")


class TrajectoryForm(BaseForm):
    service_type_id = NlSelectField("Soort dienstverlening", coerce=optional_int)
    worker_id = NlSelectField("Verantwoordelijk sociaal werker", coerce=optional_int)
    instrument = NlRadioField(
        "Instrument", choices=[("zrm", "Zelfredzaamheid-Matrix (ZRM)"),
                               ("ladder", "Participatieladder")], default="zrm")
    zrm_version = NlSelectField(
        "Versie van de ZRM", choices=[(v, f"ZRM {v}" + (" (13 domeinen)" if v == "2017"
                                                         else " (11 domeinen)"))
                                      for v in ZRM_VERSIONS], default="2017",
        description="Alleen bij ZRM. Gebruik 2013 als uw organisatie nog de oudere matrix gebruikt.")
    started_on = NlDateField("Startdatum", validators=[_required_date], default=date.today)

    def validate_service_type_id(self, field) -> None:
        if field.data is None:
            raise ValidationError("Kies een soort dienstverlening.")


class CloseForm(BaseForm):
    ended_on = NlDateField("Einddatum", validators=[_required_date], default=date.today)
    closing_reason = NlRadioField(
        "Reden van afsluiten", choices=[(r.value, label) for r, label in CLOSING_REASON_LABELS.items()])


class DeleteForm(BaseForm):
    """Only the CSRF token: confirms a delete."""


def measurement_form(trajectory):
    """A scoring form for ``trajectory``: a radio group per ZRM domain, or the ladder.

    Every ZRM domain defaults to "niet besproken"; none is required.
    """

    class MeasurementForm(BaseForm):
        kind = NlRadioField("Soort meting", choices=[(k.value, k.label) for k in MeasurementKind])
        measured_on = NlDateField("Datum van de meting", validators=[_required_date],
                                  default=date.today)

    if trajectory.instrument == "ladder":
        MeasurementForm.ladder_step = NlRadioField(
            "Trede op de participatieladder",
            choices=[(str(k), f"{k} {v}") for k, v in ladder_steps().items()])
    else:
        version = trajectory.zrm_version or "2017"
        labels = zrm_labels(version)
        choices = [(NOT_DISCUSSED, "niet besproken"), (NOT_APPLICABLE, "n.v.t.")] + [
            (str(k), f"{k} {v}") for k, v in labels.items()]
        for d in zrm_domains(version):
            setattr(MeasurementForm, f"zrm_{d.code}",
                    NlRadioField(d.name, choices=choices, default=NOT_DISCUSSED))
    kinds = {m.kind.value for m in trajectory.measurements}
    default_kind = "begin" if "begin" not in kinds else (
        "eind" if trajectory.closed and "eind" not in kinds else "tussen")
    form = MeasurementForm()
    if not form.is_submitted():
        form.kind.data = default_kind
        if trajectory.ended_on:
            form.measured_on.data = trajectory.ended_on
    return form


def scores_from(form, trajectory) -> tuple[int | None, dict[str, int | None]]:
    """Read (ladder step, ZRM scores) from a validated measurement form."""
    if trajectory.instrument == "ladder":
        value = form.ladder_step.data
        return parse_int(value, minimum=1, maximum=6), {}
    scores: dict[str, int | None] = {}
    for d in zrm_domains(trajectory.zrm_version or "2017"):
        value = form[f"zrm_{d.code}"].data
        if value == NOT_APPLICABLE:
            scores[d.code] = None
        elif parse_int(value, minimum=1, maximum=5) is not None:
            scores[d.code] = int(value)
    return None, scores


class ImportForm(BaseForm):
    file = FileField("CSV-bestand met metingen")
    # The checked file's text travels back with the confirmation (nothing is stored
    # between preview and import).
    content = HiddenField()


class ReportForm(BaseForm):
    """The report filter; submitted with GET, so without a CSRF token."""

    class Meta:
        csrf = False

    first = NlSelectField("Van periode", coerce=optional_int)
    last = NlSelectField("Tot en met periode", coerce=optional_int)
    grouping = NlSelectField("Indeling", choices=list(GROUPINGS.items()), default="wijk")
    wijk_id = NlSelectField("Wijk", coerce=optional_int)
    organisation_id = NlSelectField("Organisatie", coerce=optional_int)
    service_type_id = NlSelectField("Soort dienstverlening", coerce=optional_int)
