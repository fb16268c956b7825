"""Admin forms: shape only; cross-record rules live in the services."""

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import BaseForm, MultiCheckboxField, optional_int
from ..models import ROLE_LABELS, OrganisationKind, Role


class UserForm(BaseForm):
    name = StringField("Naam", validators=[DataRequired("Vul een naam in."), Length(max=120)])
    email = EmailField(
        "E-mailadres",
        validators=[DataRequired("Vul een e-mailadres in."),
                    Email("Dit is geen geldig e-mailadres.", check_deliverability=False),
                    Length(max=254)],
    )
    role = SelectField("Rol", choices=[(r.value, ROLE_LABELS[r]) for r in Role],
                       validators=[DataRequired("Kies een rol.")])
    organisation_id = SelectField(
        "Organisatie", coerce=optional_int, validators=[Optional()],
        description="Verplicht voor sociaal werkers: zij zien alleen gegevens van hun eigen organisatie.",
    )
    wijk_ids = MultiCheckboxField(
        "Wijken", coerce=int,
        description="Verplicht voor buurtcoördinatoren en sociaal werkers.",
    )


class OrganisationForm(BaseForm):
    name = StringField("Naam", validators=[DataRequired("Vul een naam in."), Length(max=120)])
    kind = SelectField("Soort", choices=[(k.value, k.label) for k in OrganisationKind])
    description = TextAreaField("Omschrijving", validators=[Optional(), Length(max=2000)])
    wijk_ids = MultiCheckboxField(
        "Werkgebied", coerce=int,
        description="De wijken waar de organisatie werkt. Via de API kan zij alleen voor deze "
                    "wijken opgaven aanleveren.",
    )


class WijkForm(BaseForm):
    name = StringField("Naam", validators=[DataRequired("Vul een naam in."), Length(max=100)])
    code = StringField("Code (CBS)", validators=[Optional(), Length(max=20)])


class BuurtForm(BaseForm):
    name = StringField("Naam", validators=[DataRequired("Vul een naam in."), Length(max=100)])
    wijk_id = SelectField("Wijk", coerce=int, validators=[DataRequired("Kies een wijk.")])
    verified = BooleanField("Geverifieerd (staat in de officiële indeling)")


class PeriodForm(BaseForm):
    deadline = DateField("Deadline opgave", validators=[DataRequired("Vul een geldige datum in (dd-mm-jjjj).")])
    lock_date = DateField("Datum vergrendeling", validators=[Optional()],
                          description="Na deze datum kunnen goedgekeurde opgaven niet meer worden heropend zonder reden.")
