"""Forms of the programme pages: shape only; the rules live in services.py."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import BaseForm, NlDateField, NlIntegerField, NlSelectField, optional_int

_COUNT = [Optional(), NumberRange(min=0, max=1_000_000, message="Vul een aantal van 0 of meer in.")]
_REQUIRED_COUNT = [InputRequired("Vul een aantal in (0 als het er geen waren)."),
                   NumberRange(min=0, max=1_000_000, message="Vul een aantal van 0 of meer in.")]


class AmountField(StringField):
    """A euro amount as typed (parsed by :func:`services.parse_amount`, so the text stays)."""

    def __init__(self, label, description="", **kw):
        super().__init__(label, validators=[Optional(), Length(max=30)], description=description,
                         render_kw={"inputmode": "decimal", "autocomplete": "off"}, **kw)


class DecimalText(StringField):
    def __init__(self, label, description="", **kw):
        super().__init__(label, validators=[Optional(), Length(max=12)], description=description,
                         render_kw={"inputmode": "decimal", "autocomplete": "off"}, **kw)


class ProgrammeForm(BaseForm):
    name = StringField("Naam", validators=[DataRequired("Geef het programma een naam."), Length(max=150)])
    description = TextAreaField("Omschrijving", validators=[Optional(), Length(max=5000)])
    start_date = NlDateField("Gestart op", validators=[DataRequired("Vul de startdatum in.")])
    end_date = NlDateField("Loopt tot en met", validators=[Optional()],
                           description="Leeg laten zolang het programma loopt.")


class WijkForm(BaseForm):
    wijk_id = NlSelectField("Wijk", coerce=optional_int, validators=[DataRequired("Kies een wijk.")])
    start_date = NlDateField("In deze wijk vanaf", validators=[DataRequired("Vul de startdatum in.")])


class OrganisationForm(BaseForm):
    organisation_id = NlSelectField("Organisatie", coerce=optional_int,
                                    validators=[DataRequired("Kies een organisatie.")])
    start_date = NlDateField("Doet mee vanaf", validators=[Optional()])
    end_date = NlDateField("Doet mee tot en met", validators=[Optional()])
    role = StringField("Rol in het programma", validators=[Optional(), Length(max=200)])


class ResultForm(BaseForm):
    organisation_id = NlSelectField("Organisatie", coerce=optional_int, validators=[Optional()])
    party = StringField("Of: partijen die samen rapporteren", validators=[Optional(), Length(max=150)],
                        description="Bijvoorbeeld 'Kwintes en Sherpa samen', als de cijfers niet per "
                                    "organisatie bekend zijn.")
    date_from = NlDateField("Van", validators=[DataRequired("Vul de begindatum in.")])
    date_to = NlDateField("Tot en met", validators=[DataRequired("Vul de einddatum in.")])
    meldingen = NlIntegerField("Meldingen (ondersteuningsvragen) opgepakt", validators=_REQUIRED_COUNT)
    via_sociaal_plein = NlIntegerField("Waarvan via het Sociaal Plein", validators=_COUNT,
                                       description="Leeg als dit niet geregistreerd is.")
    closed = NlIntegerField("Trajecten afgesloten", validators=_COUNT)
    closed_within_six_months = NlIntegerField("Waarvan binnen zes maanden", validators=_COUNT)
    hours_per_closed = DecimalText("Gemiddelde uren per afgesloten traject",
                                   description="Zoals de organisatie het rapporteert, bijvoorbeeld 6 of 6,5.")
    contacts_per_closed = DecimalText("Gemiddeld aantal contactmomenten per afgesloten traject")
    note = TextAreaField("Toelichting", validators=[Optional(), Length(max=2000)])


class MoneyForm(BaseForm):
    year = NlIntegerField("Jaar", validators=[InputRequired("Vul het jaar in."),
                                              NumberRange(min=2000, max=2100, message="Vul een jaar in.")])
    description = StringField("Omschrijving", validators=[DataRequired("Geef een omschrijving."),
                                                          Length(max=300)])
    organisation_id = NlSelectField("Organisatie (als het bedrag aan één organisatie is)",
                                    coerce=optional_int, validators=[Optional()])
    budget = AmountField("Begroting of toegekende subsidie (€)")
    forecast = AmountField("Prognose (€)")
    substitution = AmountField("Waarvan substitutie (€)",
                               description="Het deel dat elders (bijv. op de Wmo) wordt bespaard.")
    spent = AmountField("Gerealiseerde uitgaven (€)")


class ReviewForm(BaseForm):
    date_from = NlDateField("Van", validators=[DataRequired("Vul de begindatum in.")])
    date_to = NlDateField("Tot en met", validators=[DataRequired("Vul de einddatum in.")])
    reviewed = NlIntegerField("Meldingen aan het eind van een indicatieperiode bekeken",
                              validators=_REQUIRED_COUNT)
    discussed = NlIntegerField("Waarvan met de wijk besproken", validators=_REQUIRED_COUNT)
    combined_offer = NlIntegerField("Combinatie van ondersteuning op indicatie en in de wijk", validators=_COUNT)
    not_suitable = NlIntegerField("Niet geschikt om in de wijk op te pakken", validators=_COUNT)
    scaled_down_later = NlIntegerField("Worden binnen zes maanden afgeschaald naar de wijk", validators=_COUNT)
    scaled_down_now = NlIntegerField("Geen nieuwe indicatie, afgeschaald naar de wijk", validators=_COUNT)
    reduced_indications = NlIntegerField("Indicaties naar beneden bijgesteld in uren", validators=_COUNT)
    hours_saved = DecimalText("Uren minder toegekend (winst)")
    wmo_and_wijk = NlIntegerField("Inzet van Wmo en wijk samen", validators=_COUNT)
    not_extended = NlIntegerField("Indicatieperiode niet verlengd", validators=_COUNT)
    note = TextAreaField("Toelichting", validators=[Optional(), Length(max=2000)])


class ConfirmForm(BaseForm):
    """A bare POST with only the CSRF token (removing a line)."""


