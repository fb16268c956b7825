"""Admin forms: shape only; cross-record rules live in the services."""

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from ..forms import BaseForm, MultiCheckboxField, NlIntegerField, NlRadioField, optional_int
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


class PeriodYearForm(BaseForm):
    """A year's three tertials from a rule; the preview shows the dates before saving."""

    year = NlIntegerField("Jaar", validators=[DataRequired("Vul een jaar in."),
                                              NumberRange(2000, 2100, "Kies een jaar tussen 2000 en 2100.")])
    mode = NlRadioField("Deadline van de opgave", default="vast", choices=[
        ("vast", "Een vaste dag in de maand van het monitorgesprek (mei, september, december)"),
        ("na_einde", "Een aantal dagen na het einde van de periode"),
    ])
    day = NlIntegerField("Dag van de maand", default=15,
                         validators=[Optional(), NumberRange(1, 31, "Kies een dag tussen 1 en 31.")],
                         description="Bij een vaste dag: 15 betekent 15 mei, 15 september en 15 december.")
    days_after_end = NlIntegerField(
        "Dagen na het einde van de periode", default=14,
        validators=[Optional(), NumberRange(0, 120, "Kies tussen 0 en 120 dagen.")],
        description="Bij 'na het einde': 14 betekent 14 mei, 14 september en 14 januari.")
    lock_days = NlIntegerField(
        "Vergrendeling: dagen na de deadline", default=42,
        validators=[InputRequired("Vul een aantal dagen in (0 of meer)."),
                    NumberRange(0, 365, "Kies tussen 0 en 365 dagen.")],
        description="Daarna kunnen goedgekeurde opgaven niet meer worden heropend zonder reden.")


class QualityForm(BaseForm):
    code = StringField("Code", validators=[DataRequired("Vul een code in."), Length(max=20)],
                       description="Kort en blijvend, bijvoorbeeld K8. Een code die al gebruikt is, "
                                   "verandert niet meer.")
    name = StringField("Naam", validators=[DataRequired("Vul een naam in."), Length(max=200)])
    description = TextAreaField("Wat is goed", validators=[Optional(), Length(max=2000)])
    goal_ids = MultiCheckboxField("Maatschappelijke doelen die zij dient", coerce=int,
                                  description="Een kwaliteit is een essentie van een of meer doelen.")


class GoalForm(BaseForm):
    code = StringField("Code", validators=[DataRequired("Vul een code in."), Length(max=10)],
                       description="Kort en blijvend, bijvoorbeeld D6.")
    name = StringField("Naam", validators=[DataRequired("Vul een naam in."), Length(max=200)])


class InstallationForm(BaseForm):
    municipality_name = StringField(
        "Naam van de gemeente", validators=[Optional(), Length(max=100)],
        description="Zoals op de pagina's en in de documenten: 'gemeente Hilversum'. Leeg: de "
                    "standaard van de installatie (MONITOR_MUNICIPALITY_NAME).")
    short_name = StringField(
        "Korte naam", validators=[Optional(), Length(max=40)],
        description="Voor de authenticator-app en kleine ruimtes. Leeg: de naam van de gemeente.")
    municipality_code = StringField(
        "CBS-gemeentecode", validators=[Optional(), Regexp(r"^[Gg][Mm]\d{4}$", message=
                                                           "Een CBS-gemeentecode is GM en vier cijfers, zoals GM0402.")],
        description="Zoals GM0402 (Hilversum). Bij het importeren van wijken horen de wijken "
                    "zonder code bij deze gemeente.")
    theme = SelectField("Thema (huisstijl)", validators=[Optional()])
    logo = FileField("Logo (PNG of JPEG, hoogstens 1 MB)", validators=[Optional()],
                     description="Leeg laten: het huidige logo blijft.")
    remove_logo = BooleanField("Het huidige logo weghalen")


class PlacesImportForm(BaseForm):
    file = FileField("CSV-bestand", validators=[Optional()],
                     description="Met de kolommen wijkcode, wijknaam, buurtcode en buurtnaam "
                                 "(gemeentecode mag); ; of , als scheidingsteken.")
    text = TextAreaField("Of plak de regels hier", validators=[Optional(), Length(max=2 * 1024 * 1024)])
