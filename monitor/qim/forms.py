"""QIM forms: shape only; cross-record rules live in the services."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..catalogues import Quality
from ..forms import BaseForm, MultiCheckboxField, optional_int
from .models import TargetKind
from .services.rounds import DEFAULT_LINK_DAYS, MAX_LINK_DAYS, MAX_LINKS_PER_BATCH

CHOOSE_FROM_LIST = "Kies alleen uit de getoonde mogelijkheden."


class CheckboxList(MultiCheckboxField):
    """Checkboxes whose bad input gets a Dutch message instead of an English one."""

    def process_formdata(self, valuelist):
        try:
            self.data = [self.coerce(x) for x in valuelist]
        except (TypeError, ValueError):
            self.data = []
            raise ValueError(CHOOSE_FROM_LIST) from None

    def pre_validate(self, form):
        allowed = {value for value, _ in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(CHOOSE_FROM_LIST)


class Choice(SelectField):
    """A select whose bad input gets a Dutch message."""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = self.coerce(valuelist[0])
            except (TypeError, ValueError):
                self.data = None
                raise ValueError(CHOOSE_FROM_LIST) from None

    def pre_validate(self, form):
        if self.data is not None and self.data not in {value for value, _ in self.choices}:
            raise ValidationError(CHOOSE_FROM_LIST)


class WholeNumber(IntegerField):
    """An integer field with a Dutch message for text that is not a number."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] not in ("", None):
            try:
                self.data = int(valuelist[0])
            except (TypeError, ValueError):
                self.data = None
                raise ValueError("Vul een heel getal in.") from None
        elif valuelist:
            self.data = None


class ConfirmForm(BaseForm):
    """An action button: only the CSRF token."""


class NewPlanForm(BaseForm):
    buurt_id = Choice("Buurt", coerce=int, validators=[DataRequired("Kies een buurt.")])
    year = WholeNumber("Jaar", validators=[
        InputRequired("Vul een jaar in."),
        NumberRange(2000, 2100, "Vul een jaar tussen 2000 en 2100 in.")])


class QualitiesForm(BaseForm):
    quality_ids = CheckboxList("Beoogde kwaliteiten", coerce=int)


class OrganisationQualitiesForm(BaseForm):
    organisation_id = Choice("Uitvoerende organisatie", coerce=int,
                                  validators=[DataRequired("Kies een organisatie.")])
    quality_ids = CheckboxList("Kwaliteiten die de organisatie wil realiseren", coerce=int)


class OwnQualityForm(BaseForm):
    name = StringField("Naam van de eigen kwaliteit",
                       validators=[DataRequired("Vul een naam in."), Length(max=200)])
    description = TextAreaField(
        "Wat is 'goed'?", validators=[DataRequired("Beschrijf hoe het eruitziet als het goed gaat."),
                                      Length(max=2000)],
        description="Beschrijf hoe de buurt eruitziet als deze kwaliteit gerealiseerd is.")


class StakeholderForm(BaseForm):
    organisation_id = Choice("Organisatie", coerce=int, validators=[Optional()])
    name = StringField("Stakeholdergroep", validators=[DataRequired("Vul een naam in."),
                                                       Length(max=120)],
                       description="Bijvoorbeeld: bewoners 75+, jongeren, huisartsen, woningcorporatie.")
    description = TextAreaField("Wie zijn het?", validators=[
        DataRequired("Beschrijf wie tot deze groep horen."), Length(max=2000)])
    out_of_reach = BooleanField("Deze groep is nu nog buiten bereik (ambitie)")


class MonitoredForm(BaseForm):
    pairs = CheckboxList("Gemonitorde combinaties")


class TargetForm(BaseForm):
    kind = Choice("Soort", choices=[(k.value, k.label) for k in TargetKind])
    text = TextAreaField("Omschrijving", validators=[DataRequired("Vul een omschrijving in."),
                                                     Length(max=2000)])


class OpenRoundForm(BaseForm):
    period_id = Choice("Periode", coerce=int, validators=[DataRequired("Kies een periode.")])


class LinksForm(BaseForm):
    stakeholder_id = Choice("Stakeholdergroep", coerce=int,
                                 validators=[DataRequired("Kies een groep.")])
    count = WholeNumber("Aantal links", default=3, validators=[
        InputRequired("Vul een aantal in."),
        NumberRange(1, MAX_LINKS_PER_BATCH, f"Kies een aantal van 1 tot en met {MAX_LINKS_PER_BATCH}.")],
        description="Eén link per persoon: elke link kan één keer worden gebruikt.")
    days = WholeNumber("Geldig (dagen)", default=DEFAULT_LINK_DAYS, validators=[
        InputRequired("Vul een aantal dagen in."),
        NumberRange(1, MAX_LINK_DAYS, f"Kies 1 tot en met {MAX_LINK_DAYS} dagen.")])


class MailLinksForm(BaseForm):
    stakeholder_id = Choice("Stakeholdergroep", coerce=int,
                            validators=[DataRequired("Kies een groep.")])
    addresses = TextAreaField(
        "E-mailadressen", validators=[DataRequired("Vul minstens één e-mailadres in."),
                                      Length(max=20000, message="Dit zijn te veel adressen.")],
        description="Eén adres per regel. Iedereen krijgt een eigen link. De adressen worden niet "
                    "bewaard, tenzij u hieronder kiest voor een herinnering.")
    days = WholeNumber("Geldig (dagen)", default=DEFAULT_LINK_DAYS, validators=[
        InputRequired("Vul een aantal dagen in."),
        NumberRange(1, MAX_LINK_DAYS, f"Kies 1 tot en met {MAX_LINK_DAYS} dagen.")])
    keep_for_reminder = BooleanField(
        "Bewaar de adressen voor één herinnering",
        description="Wie drie dagen voordat de link verloopt nog niet heeft gereageerd, krijgt één "
                    "herinnering. Daarna, of zodra de link is gebruikt, wordt het adres gewist. Niemand "
                    "kan zien wat iemand heeft geantwoord.")


SCORE_CHOICES = [("", "— geen oordeel —")] + [(str(i), str(i)) for i in range(1, 11)]


class JudgementBaseForm(BaseForm):
    """Base of the per-group judgement form; fields are added per quality."""

    qualities: list[Quality] = []

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        answered = 0
        for quality in self.qualities:
            score = self[f"score_{quality.id}"]
            motivation = self[f"motivation_{quality.id}"]
            if score.data is not None:
                answered += 1
                if not (motivation.data or "").strip():
                    motivation.errors = list(motivation.errors) + [
                        "Vertel kort wat u zag gebeuren (de toelichting hoort bij het cijfer)."]
                    ok = False
        if answered == 0 and self.qualities:
            first = self[f"score_{self.qualities[0].id}"]
            first.errors = list(first.errors) + ["Geef voor minstens één kwaliteit een cijfer."]
            ok = False
        return ok

    def answers(self) -> dict[int, tuple[int | None, str]]:
        return {q.id: (self[f"score_{q.id}"].data, self[f"motivation_{q.id}"].data or "")
                for q in self.qualities}


def judgement_form(qualities: list[Quality], **kwargs) -> JudgementBaseForm:
    """A form with a 1–10 score and a motivation per quality."""

    class JudgementForm(JudgementBaseForm):
        pass

    for quality in qualities:
        setattr(JudgementForm, f"score_{quality.id}", SelectField(
            f"Cijfer voor {quality.name}", choices=SCORE_CHOICES, coerce=optional_int,
            validate_choice=False, validators=[Optional(), NumberRange(1, 10, "Kies een cijfer van 1 tot en met 10.")],
            description="1 = heel slecht, 10 = uitstekend."))
        setattr(JudgementForm, f"motivation_{quality.id}", TextAreaField(
            f"Toelichting bij {quality.name}", validators=[Optional(), Length(max=2000)],
            description="Wat zag u de afgelopen vier maanden gebeuren?"))
    JudgementForm.qualities = qualities
    return JudgementForm(**kwargs)
