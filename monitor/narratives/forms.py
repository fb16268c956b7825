"""Forms of the story archive: shape only; references and consent rules live in services."""

from __future__ import annotations

from datetime import date

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

from ..forms import BaseForm, MultiCheckboxField, optional_int
from .media_forms import attach_media_slot
from .models import ConsentMethod, StoryForm, Teller, Visibility

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


class PublicStoryForm(_StoryFields):
    """The public form residents use, without an account."""

    teller_name = StringField("Uw naam of voornaam (mag leeg blijven)",
                              validators=[Optional(), Length(max=120)])
    email = EmailField(
        "Uw e-mailadres (mag leeg blijven)", render_kw={"autocomplete": "email"},
        validators=[Optional(), Length(max=320, message="Dit e-mailadres is te lang."),
                    Email("Dit is geen geldig e-mailadres. Of laat het veld leeg.",
                          check_deliverability=False)],
        description="Wilt u bericht over uw verhaal? Vul dan uw e-mailadres in. U krijgt dan uw "
                    "persoonlijke link per e-mail, en een bericht als uw verhaal is teruggestuurd, "
                    "gepubliceerd of besproken. We gebruiken het adres alleen daarvoor. Trekt u uw "
                    "verhaal in, dan wissen we ook uw e-mailadres.")
    consent_given = BooleanField(
        "Ik geef toestemming om mijn verhaal (en de foto's) te publiceren volgens de gekozen "
        "zichtbaarheid. Ik kan deze toestemming altijd intrekken met mijn persoonlijke link.")
    # Spam resistance without third parties: a field people never see, and a signed time.
    website = StringField("Laat dit veld leeg", validators=[Optional()])
    started = HiddenField()


class StaffStoryForm(_StoryFields):
    """A social worker or coordinator writes down a story."""

    teller = RadioField("Wie vertelt?", choices=[(t.value, t.label) for t in Teller],
                        default=Teller.PROFESSIONAL.value)
    teller_name = StringField("Naam van de verteller (alleen met toestemming)",
                              validators=[Optional(), Length(max=120)])
    consent_given = BooleanField("De verteller heeft toestemming gegeven voor publicatie")
    consent_method = SelectField("Hoe is de toestemming gegeven?",
                                 choices=[(m.value, m.label) for m in ConsentMethod],
                                 default=ConsentMethod.SCHRIFTELIJK.value)
    consent_date = DateField("Datum van de toestemming", validators=[Optional()])


class StaffNewForm(StaffStoryForm):
    """A new story with its first photos."""


for _i in range(1, PHOTO_SLOTS + 1):
    setattr(PublicStoryForm, f"photo_{_i}", FormField(PhotoSubForm, label=f"Foto {_i}"))
    setattr(StaffNewForm, f"photo_{_i}", FormField(PhotoSubForm, label=f"Foto {_i}"))


attach_media_slot(PublicStoryForm, StaffNewForm)  # the recording slot (media_forms.py)


class AddPhotoForm(BaseForm):
    """Add one photo to an existing story."""

    photo = FormField(PhotoSubForm, label="Foto toevoegen")


class ResidentReviseForm(BaseForm):
    """The resident revises a returned story."""

    title = StringField("Titel", validators=[DataRequired("Geef het verhaal een titel."), Length(max=200)])
    summary = TextAreaField("Korte samenvatting", validators=[DataRequired("Vat het verhaal samen."),
                                                              Length(max=600)])
    body = TextAreaField("Het verhaal", validators=[DataRequired("Vertel het verhaal."),
                                                    Length(max=20000)])


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


class ConfirmForm(BaseForm):
    """A bare POST with only the CSRF token (withdraw, delete, submit)."""


class SearchForm(BaseForm):
    """The archive's search box (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Zoek in de verhalen", validators=[Optional(), Length(max=200)])
    sort = SelectField("Sorteren op", choices=[("relevance", "Relevantie"), ("date", "Datum (nieuwste eerst)")],
                       validate_choice=False)
