"""Forms of the monitorgesprek module (shape only)."""

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..forms import BaseForm, MultiCheckboxField, NlIntegerField, optional_int
from .models import PARTICIPANT_LABELS, InitiativeStatus, ReportScope


class NewSessionForm(BaseForm):
    wijk_id = SelectField("Wijk", coerce=int, validators=[DataRequired("Kies een wijk.")])
    period_id = SelectField("Periode", coerce=int, validators=[DataRequired("Kies een periode.")])


class SessionDetailsForm(BaseForm):
    scheduled_at = DateTimeLocalField("Datum en tijd", format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                      description="Bijvoorbeeld 14-05-2026 15:00.")
    place = StringField("Plaats", validators=[Optional(), Length(max=200)])
    facilitator = StringField("Gespreksleider", validators=[Optional(), Length(max=200)])
    introduction = TextAreaField("Inleiding", validators=[Optional(), Length(max=5000)],
                                 description="Wordt bovenaan het dossier geplaatst.")
    discussion_questions = TextAreaField("Gespreksvragen", validators=[Optional(), Length(max=5000)],
                                         description="Eén vraag per regel.")


class ParticipantForm(BaseForm):
    name = StringField("Naam of omschrijving", validators=[DataRequired("Vul een naam in."), Length(max=200)])
    kind = SelectField("Rol in het gesprek", choices=[(k.value, v) for k, v in PARTICIPANT_LABELS.items()])
    organisation = StringField("Organisatie", validators=[Optional(), Length(max=200)])
    email = EmailField("E-mailadres (voor de uitnodiging, niet verplicht)", validators=[
        Optional(), Length(max=320, message="Dit e-mailadres is te lang."),
        Email("Dit is geen geldig e-mailadres.", check_deliverability=False)],
        description="Alleen voor de uitnodiging, wijzigingen, het dossier en het verslag. Het adres "
                    "komt niet in het dossier.")


class StoryChoiceForm(BaseForm):
    story_id = SelectField("Verhaal", coerce=optional_int,
                           validators=[DataRequired("Kies een verhaal.")])
    storyteller_present = BooleanField("De verteller is aanwezig")


class MinutesForm(BaseForm):
    held_on = DateField("Gehouden op", validators=[DataRequired("Vul de datum van het gesprek in.")])
    present_ids = MultiCheckboxField("Aanwezig", coerce=int)
    most_significant_story_id = SelectField("Meest betekenisvolle verhaal", coerce=optional_int,
                                            validators=[Optional()])
    most_significant_why = TextAreaField("Waarom dit verhaal?", validators=[Optional(), Length(max=5000)],
                                         description="Dit wordt via de persoonlijke link teruggekoppeld aan de verteller.")
    dissenting_views = TextAreaField("Andere geluiden", validators=[Optional(), Length(max=5000)])


class ActionForm(BaseForm):
    description = TextAreaField("Actie", validators=[DataRequired("Beschrijf de actie."), Length(max=2000)])
    owner = StringField("Eigenaar", validators=[DataRequired("Wie pakt dit op?"), Length(max=200)])
    due_on = DateField("Uiterlijk", validators=[Optional()])


class ActionDoneForm(BaseForm):
    done_on = DateField("Afgerond op", validators=[DataRequired("Vul een datum in.")])
    follow_up = TextAreaField("Wat is ervan gekomen?", validators=[Optional(), Length(max=2000)])


class InitiativeForm(BaseForm):
    buurt_id = SelectField("Buurt", coerce=int, validators=[DataRequired("Kies een buurt.")])
    title = StringField("Naam van het initiatief", validators=[DataRequired("Vul een naam in."), Length(max=200)])
    description = TextAreaField("Wat doen de bewoners?", validators=[Optional(), Length(max=5000)])
    contact_group = StringField(
        "Contactgroep", validators=[Optional(), Length(max=200)],
        description="Een groep, bijvoorbeeld 'bewonerscommissie'. Geen namen of telefoonnummers van personen.")
    started_on = DateField("Sinds", validators=[DataRequired("Vul een geldige startdatum in.")])
    ended_on = DateField("Tot", validators=[Optional()])
    status = SelectField("Status", choices=[(s.value, s.label) for s in InitiativeStatus])
    supported_by_id = SelectField("Ondersteund door", coerce=optional_int, validators=[Optional()])
    quality_ids = MultiCheckboxField("Kwaliteiten", coerce=int)


class ReportForm(BaseForm):
    year = NlIntegerField("Jaar", validators=[DataRequired("Vul een jaar in."), NumberRange(2000, 2100, "Kies een jaar tussen 2000 en 2100.")])
    subject = SelectField("Wijk of organisatie", validators=[DataRequired("Kies een wijk of organisatie.")],
                          description="Een jaarrapportage per wijk of per organisatie.")

    def subject_parts(self) -> tuple[str, int]:
        """``("wijk", 3)`` or ``("organisatie", 2)`` from the chosen option."""
        scope, _, ident = (self.subject.data or "").partition("-")
        return ReportScope(scope).value, int(ident)


class ReportTextForm(BaseForm):
    introduction = TextAreaField("Inleiding", validators=[Optional(), Length(max=20000)])
    conclusions = TextAreaField("Conclusies", validators=[Optional(), Length(max=20000)])


class OwnReportForm(BaseForm):
    year = NlIntegerField("Jaar", validators=[DataRequired("Vul een jaar in."), NumberRange(2000, 2100, "Kies een jaar tussen 2000 en 2100.")])


class ReturnReportForm(BaseForm):
    remarks = TextAreaField("Opmerkingen voor de organisatie", validators=[
        DataRequired("Schrijf op wat de organisatie moet aanvullen of verbeteren."), Length(max=10000)])


class SettleReportForm(BaseForm):
    remarks = TextAreaField("Toelichting bij de vaststelling (optioneel)", validators=[Optional(), Length(max=10000)])


class AuthorRightForm(BaseForm):
    granted = BooleanField("Mag de jaarrapportage van de organisatie opstellen")


class QuestionForm(BaseForm):
    wijk_id = SelectField("Wijk", coerce=optional_int, validators=[DataRequired("Kies een wijk.")])
    text = TextAreaField("Uw vraag", validators=[DataRequired("Schrijf uw vraag op."), Length(max=2000)],
                         description="De buurtcoördinator neemt de vraag mee naar het volgende monitorgesprek "
                                     "van de wijk; het antwoord komt in het verslag en op deze pagina.")
