"""Forms of the story archive: shape only; references and consent rules live in services."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..forms import BaseForm, MultiCheckboxField, NlIntegerField, NlSelectField, optional_int
from ..i18n import LANGUAGES
from .media_forms import attach_media_slot
from .models import ConsentMethod, ReportReason, StoryForm, Teller, TellingWay, Visibility

PHOTO_SLOTS = 3



class PhotoSubForm(Form):
    """One photo slot: the file, its alt text and the portrait-right consent."""

    file = FileField("Foto", description="JPEG, PNG, WebP of HEIC (iPhone); maximaal 10 MB.")
    alt_text = StringField("Wat is er op de foto te zien? (alt-tekst)",
                           validators=[Optional(), Length(max=300)],
                           description="Verplicht bij een foto: voor wie de foto niet kan zien.")
    caption = StringField("Onderschrift", validators=[Optional(), Length(max=300)])
    recognisable_people = BooleanField("Er staan herkenbare mensen op deze foto")
    portrait_consent = BooleanField("Iedereen die herkenbaar is, geeft toestemming om de foto te publiceren")


class _StoryFields(BaseForm):
    title = StringField("Titel", validators=[DataRequired("Geef het verhaal een titel."),
                                             Length(max=200, message="Maximaal 200 tekens.")])
    summary = TextAreaField("Korte samenvatting", validators=[
        DataRequired("Vat het verhaal in een paar zinnen samen."),
        Length(max=600, message="Maximaal 600 tekens.")])
    body = TextAreaField("Het verhaal", validators=[
        DataRequired("Vertel het verhaal."), Length(max=20000, message="Maximaal 20.000 tekens.")],
        description="U kunt Markdown gebruiken: *schuin*, **vet**, lijstjes met - en koppen met ##.")
    wijk_id = SelectField("Wijk", coerce=optional_int,
                          validators=[InputRequired("Kies een wijk.")])
    buurt_id = SelectField("Buurt", coerce=optional_int, validators=[Optional()])
    about_date = DateField("Wanneer speelde het verhaal zich af?",
                           validators=[DataRequired("Vul een geldige datum in.")],
                           default=date.today)
    form = SelectField("Vorm", choices=[(f.value, f.label) for f in StoryForm])
    quality_ids = MultiCheckboxField(
        "Kwaliteiten", coerce=int,
        validators=[DataRequired("Kies minstens één kwaliteit waar dit verhaal over gaat.")],
        description="Elk verhaal laat iets zien van minstens één van de kwaliteiten van de buurt.")
    tags = StringField("Trefwoorden", validators=[Optional(), Length(max=300)],
                       description="Gescheiden door komma's, bijvoorbeeld: ontmoeting, ouderen")


# Who may read the story, in the resident's words (mapped to the visibility values).
AUDIENCE_CHOICES = [
    (Visibility.OPENBAAR.value, _l("Iedereen. Het verhaal komt op de website van de gemeente.")),
    (Visibility.RAAD.value, _l("Alleen de gemeenteraad en de medewerkers van de gemeente.")),
    (Visibility.INTERN.value, _l("Alleen de gemeente: de medewerkers die in de wijk werken.")),
]
# The same choice, short, as the consent sentence names it.
AUDIENCE_SHORT = {
    Visibility.OPENBAAR.value: _l("iedereen (op de website)"),
    Visibility.RAAD.value: _l("de gemeenteraad en de medewerkers van de gemeente"),
    Visibility.INTERN.value: _l("alleen de medewerkers van de gemeente"),
}


class PublicPhotoSubForm(Form):
    """One photo slot of the public form, in plain words."""

    file = FileField(_l("Kies een foto"), description=_l("Een foto van uw telefoon of computer "
                                                "(JPEG, PNG of WebP), niet groter dan 10 MB."))
    alt_text = StringField(_l("Wat is er op de foto te zien?"),
                           validators=[Optional(), Length(max=300, message=_l("Maximaal 300 tekens."))],
                           description=_l("Verplicht als u een foto kiest. Zo weet ook iemand die "
                                          "niet goed ziet wat er op de foto staat."))
    caption = StringField(_l("Tekst onder de foto (mag leeg blijven)"),
                          validators=[Optional(), Length(max=300, message=_l("Maximaal 300 tekens."))])
    recognisable_people = BooleanField(_l("Er staan mensen op deze foto die je kunt herkennen"))
    portrait_consent = BooleanField(_l("Iedereen die je kunt herkennen, vindt het goed dat de "
                                       "foto op de site komt"))


class PublicStoryForm(BaseForm):
    """The public form residents use, without an account (plain words; translated)."""

    title = StringField(_l("Titel"), validators=[
        DataRequired(_l("Geef uw verhaal een titel.")),
        Length(max=200, message=_l("Maximaal 200 tekens."))],
        description=_l("Een paar woorden waar het verhaal over gaat."))
    summary = TextAreaField(_l("Waar gaat het over? In het kort"), validators=[
        DataRequired(_l("Schrijf in een paar zinnen waar het verhaal over gaat.")),
        Length(max=600, message=_l("Maximaal 600 tekens."))],
        description=_l("Twee of drie zinnen. Deze zinnen staan in het overzicht van de verhalen."))
    body = TextAreaField(_l("Uw verhaal"), validators=[
        DataRequired(_l("Vertel uw verhaal.")),
        Length(max=20000, message=_l("Maximaal 20.000 tekens."))],
        description=_l("Schrijf zoals u het zou vertellen. Een lege regel begint een nieuwe alinea."))
    language = SelectField(_l("In welke taal schrijft u?"), choices=[(lang.code, lang.name) for lang in LANGUAGES],
                           validators=[InputRequired(_l("Kies een taal."))])
    wijk_id = SelectField(_l("In welke wijk gebeurde het?"), coerce=optional_int,
                          validators=[InputRequired(_l("Kies een wijk."))])
    buurt_id = SelectField(_l("Buurt (mag leeg blijven)"), coerce=optional_int,
                           validators=[Optional()])
    about_date = DateField(_l("Wanneer gebeurde het?"),
                           validators=[DataRequired(_l("Vul een datum in, bijvoorbeeld 12-03-2026."))],
                           default=date.today,
                           description=_l("Weet u de dag niet precies? Kies dan een dag in die maand."))
    form = SelectField(_l("Wat voor verhaal is het?"), choices=[
        (StoryForm.TEKST.value, _l("Een tekst")), (StoryForm.FOTOSERIE.value, _l("Foto's met tekst")),
        (StoryForm.INTERVIEW.value, _l("Een gesprek of interview")),
        (StoryForm.HOORSPEL.value, _l("Een hoorspel")), (StoryForm.THEATER.value, _l("Theater")),
        (StoryForm.ANDERS.value, _l("Iets anders"))])
    quality_ids = MultiCheckboxField(
        _l("Waar gaat uw verhaal over? (mag leeg blijven)"), coerce=int, validators=[Optional()],
        description=_l("Kies wat past. Weet u het niet? Laat het dan leeg: de gemeente kiest het "
                       "later zelf."))
    tags = StringField(_l("Een paar woorden om het verhaal te vinden (mag leeg blijven)"),
                       validators=[Optional(), Length(max=300, message=_l("Maximaal 300 tekens."))],
                       description=_l("Zet een komma tussen de woorden, bijvoorbeeld: ontmoeting, ouderen"))
    visibility = RadioField(_l("Wie mag uw verhaal lezen?"), choices=AUDIENCE_CHOICES,
                            validators=[InputRequired(_l("Kies wie uw verhaal mag lezen."))],
                            description=_l("U kiest het zelf. De gemeente maakt die groep nooit groter."))
    teller_name = StringField(_l("Uw naam of voornaam (mag leeg blijven)"),
                              validators=[Optional(), Length(max=120, message=_l("Maximaal 120 tekens."))],
                              description=_l("Deze naam komt bij uw verhaal te staan. Laat het leeg "
                                             "als u dat niet wilt."))
    email = EmailField(
        _l("Uw e-mailadres (mag leeg blijven)"), render_kw={"autocomplete": "email"},
        validators=[Optional(), Length(max=320, message=_l("Dit e-mailadres is te lang.")),
                    Email(_l("Dit is geen geldig e-mailadres. Of laat het veld leeg."),
                          check_deliverability=False)],
        description=_l("Wilt u bericht over uw verhaal? Vul dan uw e-mailadres in. U krijgt dan uw "
                       "eigen link per e-mail. En u krijgt bericht als de gemeente uw verhaal "
                       "terugstuurt, op de site zet of bespreekt. We gebruiken uw adres alleen "
                       "daarvoor. Trekt u uw verhaal in? Dan wissen we ook uw e-mailadres."))
    consent_given = BooleanField(_l("Ik geef toestemming"))
    # Spam resistance without third parties: a field people never see, and a signed time.
    website = StringField("Laat dit veld leeg", validators=[Optional()])
    started = HiddenField()


class _NoneIsEmptyRadio(RadioField):
    """A radio group whose empty choice ("") stands for ``None`` on the object."""

    def process_data(self, value) -> None:
        super().process_data("" if value is None else str(value))


class StaffStoryForm(_StoryFields):
    """A social worker or coordinator writes down a story."""

    teller = RadioField("Wie vertelt?", choices=[(t.value, t.label) for t in Teller],
                        default=Teller.PROFESSIONAL.value)
    teller_name = StringField("Naam van de verteller (alleen met toestemming)",
                              validators=[Optional(), Length(max=120)])
    told_how = _NoneIsEmptyRadio(
        "Schrijft u dit op namens een inwoner?",
        choices=[("", "Nee, het is mijn eigen verslag (ik ben de verteller)")]
        + [(t.value, f"Ja: {t.label[0].lower()}{t.label[1:]}") for t in TellingWay],
        default="",
        description="Schrijft u het verhaal op namens een inwoner, dan leest de verteller het eerst "
                    "via de persoonlijke link of het strookje met de QR-code, en bevestigt het of "
                    "vraagt om een correctie. Pas daarna kan het worden gepubliceerd.")
    told_in = StringField("In welke taal vertelde de verteller het?", validators=[Optional(), Length(max=60)],
                          description="Alleen als u (of een tolk) het verhaal vertaalde, bijvoorbeeld: Arabisch.")
    consent_given = BooleanField("De verteller heeft toestemming gegeven voor publicatie")
    consent_method = SelectField("Hoe is de toestemming gegeven?",
                                 choices=[(m.value, m.label) for m in ConsentMethod],
                                 default=ConsentMethod.SCHRIFTELIJK.value)
    consent_date = DateField("Datum van de toestemming", validators=[Optional()])


class StaffNewForm(StaffStoryForm):
    """A new story with its first photos."""


for _i in range(1, PHOTO_SLOTS + 1):
    setattr(PublicStoryForm, f"photo_{_i}",
            FormField(PublicPhotoSubForm, label=_l("Foto %(number)s", number=_i)))
    setattr(StaffNewForm, f"photo_{_i}", FormField(PhotoSubForm, label=f"Foto {_i}"))


attach_media_slot(PublicStoryForm, StaffNewForm)  # the recording slot (media_forms.py)


class AddPhotoForm(BaseForm):
    """Add one photo to an existing story."""

    photo = FormField(PhotoSubForm, label="Foto toevoegen")


class ResidentReviseForm(BaseForm):
    """The resident revises a returned story (on the resident's page: translated)."""

    title = StringField(_l("Titel"), validators=[DataRequired(_l("Geef het verhaal een titel.")),
                                                 Length(max=200, message=_l("Maximaal 200 tekens."))])
    summary = TextAreaField(_l("Korte samenvatting"), validators=[
        DataRequired(_l("Vat het verhaal samen.")), Length(max=600, message=_l("Maximaal 600 tekens."))])
    body = TextAreaField(_l("Het verhaal"), validators=[
        DataRequired(_l("Vertel het verhaal.")), Length(max=20000, message=_l("Maximaal 20.000 tekens."))])


class PublishForm(BaseForm):
    visibility = RadioField("Zichtbaarheid", choices=[(v.value, v.label) for v in Visibility],
                            validators=[InputRequired("Kies wie het verhaal mag lezen.")])


class ReturnForm(BaseForm):
    remarks = TextAreaField("Opmerkingen voor de schrijver", validators=[
        DataRequired("Schrijf op wat er moet veranderen."), Length(max=4000)])


class RejectForm(BaseForm):
    reason = TextAreaField("Reden van afwijzing", validators=[
        DataRequired("Geef een reden voor de afwijzing."), Length(max=4000)])


class AnonymiseForm(BaseForm):
    names = TextAreaField("Namen die uit het verhaal moeten verdwijnen", validators=[
        Optional(), Length(max=2000)],
        description="Eén naam per regel of gescheiden door komma's. Ze worden overal vervangen "
                    "door [naam]; de naam van de verteller verdwijnt ook.")


class TellerCorrectionForm(BaseForm):
    """The teller of a story a worker wrote down says what is not right."""

    correction = TextAreaField(_l("Wat klopt er niet?"), validators=[
        DataRequired(_l("Schrijf op wat er niet klopt.")), Length(max=4000, message=_l("Maximaal 4.000 tekens."))],
        description=_l("Schrijf het in uw eigen woorden, in uw eigen taal mag ook. De medewerker die uw "
                       "verhaal opschreef, leest het en past het verhaal aan. Daarna leest u het opnieuw."))


class LocationForm(BaseForm):
    """Register a trusted location (a buurthuis) whose device may send more stories."""

    name = StringField("Naam van de locatie", validators=[DataRequired("Geef de locatie een naam."),
                                                          Length(max=120)],
                       description="Bijvoorbeeld: Buurthuis De Vaart, tablet bij de balie.")
    wijk_id = NlSelectField("Wijk", coerce=optional_int)
    max_per_hour = NlIntegerField("Hoogstens verhalen per uur", default=20,
                                  validators=[InputRequired("Vul een aantal in.")])
    max_per_day = NlIntegerField("Hoogstens verhalen per dag", default=60,
                                 validators=[InputRequired("Vul een aantal in.")])


class ReportForm(BaseForm):
    """A reader reports a published story ("melden")."""

    # The reasons' labels are marked in .labels; lazy, so the page shows them in its language.
    reason = RadioField(_l("Waarom meldt u dit verhaal?"), choices=[(r.value, _l(r.label)) for r in ReportReason],
                        validators=[InputRequired(_l("Kies waarom u dit verhaal meldt."))])
    message = TextAreaField(_l("Toelichting (niet verplicht)"), validators=[
        Optional(), Length(max=2000, message=_l("Maximaal 2.000 tekens."))],
        description=_l("Wat moet de moderator weten? Noem geen namen als dat niet nodig is."))
    contact_email = EmailField(_l("Uw e-mailadres (niet verplicht)"), validators=[
        Optional(), Email(_l("Vul een geldig e-mailadres in, of laat het veld leeg.")),
        Length(max=320, message=_l("Maximaal 320 tekens."))],
        description=_l("Alleen als u antwoord wilt. Alleen de moderator ziet het; we wissen het als uw "
                       "melding is afgehandeld."))


class ConfirmForm(BaseForm):
    """A bare POST with only the CSRF token (withdraw, delete, submit)."""


class SearchForm(BaseForm):
    """The archive's search box (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Zoek in de verhalen", validators=[Optional(), Length(max=200)])
    sort = SelectField("Sorteren op", choices=[("relevance", "Relevantie"), ("date", "Datum (nieuwste eerst)")],
                       validate_choice=False)
