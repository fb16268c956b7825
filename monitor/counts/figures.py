"""The figures of a return, Dutch number parsing and the validation rules (hard and soft)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ..models import Period, ServiceType, Specialism

# A full-time week counts 40 hours here: more hours than FTE x 40 x weeks is not plausible.
MAX_HOURS_PER_FTE_WEEK = 40
WARN_DEVIATION = Decimal("0.5")
MAX_WHOLE = 1_000_000
MAX_FTE = Decimal("999")


@dataclass(frozen=True)
class Figure:
    """A scalar figure of a return."""

    key: str
    label: str
    person: bool  # a count of persons (privacy rules apply outside the organisation)
    decimal: bool = False
    december_only: bool = False
    description: str = ""
    optional: bool = False  # not required on submission (added later; not every organisation has it)


SCALARS: tuple[Figure, ...] = (
    Figure("volunteers", "Actieve vrijwilligers", True),
    Figure("meldingen", "Nieuwe meldingen", True),
    Figure("meldingen_sociaal_plein", "Waarvan verwezen door het Sociaal Plein", True),
    Figure("closed_total", "Afgesloten trajecten", True),
    Figure("closed_within_six_months", "Waarvan afgesloten binnen zes maanden", True),
    Figure("closed_six_to_twelve_months", "Waarvan afgesloten na zes tot twaalf maanden", True, optional=True),
    Figure("closed_over_a_year", "Waarvan afgesloten na meer dan een jaar", True, optional=True,
           description="Samen met binnen zes maanden en zes tot twaalf maanden: alle afgesloten trajecten."),
    Figure("running_at_end", "Trajecten nog lopend aan het eind van de periode", True, optional=True),
    Figure("waiting_list", "Op de wachtlijst aan het eind van de periode", True, optional=True),
    Figure("closed_contact_moments", "Contactmomenten van de afgesloten trajecten (totaal)", False,
           description="Het totaal over alle afgesloten trajecten; het gemiddelde rekenen wij uit."),
    Figure("closed_hours", "Uren besteed aan de afgesloten trajecten (totaal)", False,
           description="Het totaal over alle afgesloten trajecten; het gemiddelde rekenen wij uit."),
    Figure("fte", "FTE sociaal werkers actief in de wijk", False, decimal=True,
           description="Bijvoorbeeld 2,4. Nodig om de caseload per FTE te berekenen."),
    Figure("unique_clients_year", "Unieke cliënten over het hele jaar", True, december_only=True,
           description="Alleen in de decemberopgave: iedere cliënt één keer geteld over januari–december."),
)
SCALAR_KEYS = tuple(f.key for f in SCALARS)
SCALAR_BY_KEY = {f.key: f for f in SCALARS}
HOURS_PREFIX = "uren:"
CLIENTS_PREFIX = "clienten:"


def hours_key(code: str) -> str:
    return HOURS_PREFIX + code


def clients_key(code: str) -> str:
    return CLIENTS_PREFIX + code


def scalars_for(period: Period) -> list[Figure]:
    """The scalar figures asked in ``period`` (unique clients only in December)."""
    return [f for f in SCALARS if not f.december_only or period.tertial == 3]


def weeks_in(period: Period) -> Decimal:
    """Weeks a tertial lasts: its days divided by seven."""
    return Decimal((period.end - period.start).days + 1) / Decimal(7)


_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def _normalise(text: str, whole: bool) -> str:
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:
        return text.replace(".", "").replace(",", ".")
    if whole and _THOUSANDS.match(text):
        return text.replace(".", "")
    return text


class NotRegistered:
    """The answer "onbekend / niet geregistreerd": the organisation does not keep this figure
    (distinct from 0, and from not filled in yet)."""

    def __repr__(self) -> str:
        return "NOT_REGISTERED"


NOT_REGISTERED = NotRegistered()
NOT_REGISTERED_TEXTS = frozenset({"niet geregistreerd", "onbekend", "ng", "n.g.", "nvt"})


class BothGiven(str):
    """A number typed *and* "niet geregistreerd" ticked: refused, the typed text kept."""


def parse_figure(value: Any, *, whole: bool = True) -> int | Decimal | NotRegistered | None:
    """:func:`parse_number`, or :data:`NOT_REGISTERED` for "niet geregistreerd"/"onbekend"."""
    if isinstance(value, BothGiven):
        raise ValueError("Vul een getal in óf vink ‘onbekend / niet geregistreerd’ aan, niet allebei.")
    if value is NOT_REGISTERED or (isinstance(value, str) and value.strip().lower() in NOT_REGISTERED_TEXTS):
        return NOT_REGISTERED
    return parse_number(value, whole=whole)


def parse_number(value: Any, *, whole: bool = True) -> int | Decimal | None:
    """Parse a figure typed the Dutch way (``1.234``, ``2,5``); ``None`` when empty.

    :raise ValueError: with a Dutch message when the value is no valid figure.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("Vul een getal in.")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value)
        if not text.strip():
            return None
        try:
            number = Decimal(_normalise(text, whole))
        except InvalidOperation:
            raise ValueError("Vul een getal in (bijvoorbeeld 12 of 2,5).") from None
    if not number.is_finite():
        raise ValueError("Vul een getal in (bijvoorbeeld 12 of 2,5).")
    if number < 0:
        raise ValueError("Het getal mag niet negatief zijn.")
    if whole:
        if number != number.to_integral_value():
            raise ValueError("Vul een heel getal in (zonder komma).")
        if number > MAX_WHOLE:
            raise ValueError("Dit getal is onwaarschijnlijk groot.")
        return int(number)
    if number > MAX_FTE:
        raise ValueError("Dit getal is onwaarschijnlijk groot.")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError("Gebruik hoogstens twee cijfers achter de komma.")
    return number.quantize(Decimal("0.01"))


@dataclass
class Catalogue:
    """The catalogue entries that apply to one period."""

    specialisms: list[Specialism]
    service_types: list[ServiceType]

    def keys(self, period: Period) -> list[str]:
        return ([f.key for f in scalars_for(period)]
                + [hours_key(s.code) for s in self.specialisms]
                + [clients_key(s.code) for s in self.service_types])

    def label(self, key: str) -> str:
        if key in SCALAR_BY_KEY:
            return SCALAR_BY_KEY[key].label
        for s in self.specialisms:
            if key == hours_key(s.code):
                return f"Uren {s.name}"
        for s in self.service_types:
            if key == clients_key(s.code):
                return f"Cliënten {s.name}"
        return key


@dataclass
class Checked:
    """The outcome of validating one return's figures."""

    values: dict[str, int | Decimal | None]
    errors: dict[str, str]
    warnings: dict[str, str]
    not_registered: set[str] = field(default_factory=set)  # scalar keys answered "niet geregistreerd"


def year_complete(period: Period, today: date) -> bool:
    """Whether the year a December return asks figures over has ended (issue 18)."""
    return today > date(period.year, 12, 31)


def validate(raw: dict[str, Any], period: Period, catalogue: Catalogue, *, submit: bool,
             previous: list[dict[str, Any]] | None = None, year_done: bool = True) -> Checked:
    """Apply the hard rules (errors) and the soft rules (warnings) to ``raw`` figures.

    :param raw: values by key (scalar name, ``uren:<code>``, ``clienten:<code>``); strings
        as typed or numbers. Unknown keys are reported as errors.
    :param submit: on submission every scalar asked in the period must be filled.
    :param previous: figures of the up to three previous periods (for warnings).
    :param year_done: the year is over; before that the year figures (unique clients over the
        year) are not required: they can be added once the year is complete.
    """
    keys = catalogue.keys(period)
    values: dict[str, int | Decimal | None] = {}
    errors: dict[str, str] = {}
    for key in raw:
        if key not in keys:
            errors[key] = "Dit veld is onbekend of geldt niet voor deze periode."
    not_registered: set[str] = set()
    for key in keys:
        figure = SCALAR_BY_KEY.get(key)
        try:
            parsed = parse_figure(raw.get(key), whole=not (figure and figure.decimal))
        except ValueError as err:
            errors[key] = str(err)
            values[key] = None
            continue
        if parsed is NOT_REGISTERED:
            if figure is None:  # hours and clients rows: leave empty when there are none
                errors[key] = "Alleen de cijfers bovenaan kunnen ‘niet geregistreerd’ zijn; laat dit leeg als er niets was."
            not_registered.add(key)
            parsed = None
        values[key] = parsed
        year_open = figure is not None and figure.december_only and not year_done
        if parsed is None and submit and figure is not None and not figure.optional and not year_open \
                and key not in not_registered:
            errors[key] = ("Vul dit getal in, of vink ‘onbekend / niet geregistreerd’ aan als uw organisatie "
                            "het niet bijhoudt (0 alleen als er echt niets was).")

    def v(key: str) -> Any:
        return values.get(key) if key not in errors else None

    if v("meldingen_sociaal_plein") is not None and v("meldingen") is not None \
            and v("meldingen_sociaal_plein") > v("meldingen"):
        errors["meldingen_sociaal_plein"] = "Er kunnen niet meer meldingen via het Sociaal Plein komen dan er nieuwe meldingen zijn."
    if v("closed_within_six_months") is not None and v("closed_total") is not None \
            and v("closed_within_six_months") > v("closed_total"):
        errors["closed_within_six_months"] = "Binnen zes maanden afgesloten kan niet meer zijn dan het aantal afgesloten trajecten."
    parts = [v(k) for k in ("closed_within_six_months", "closed_six_to_twelve_months", "closed_over_a_year")]
    closed = v("closed_total")
    if closed is not None and any(p is not None for p in parts[1:]):
        given = sum(p for p in parts if p is not None)
        if given > closed:
            errors["closed_over_a_year"] = (f"De doorlooptijden samen ({given}) zijn meer dan het aantal "
                                            f"afgesloten trajecten ({closed}).")
        elif all(p is not None for p in parts) and given != closed:
            errors["closed_over_a_year"] = (f"Binnen zes maanden, zes tot twaalf maanden en meer dan een jaar "
                                            f"samen ({given}) moeten gelijk zijn aan de afgesloten trajecten ({closed}).")
    total_hours = sum(values.get(k) or 0 for k in keys if k.startswith(HOURS_PREFIX) and k not in errors)
    fte = v("fte")
    if "fte" not in errors and "fte" not in not_registered and total_hours > 0:
        if not fte:
            errors["fte"] = f"Er zijn {total_hours} uren opgegeven: vul de FTE in die deze uren maakte."
        else:
            limit = fte * MAX_HOURS_PER_FTE_WEEK * weeks_in(period)
            if total_hours > limit:
                errors["fte"] = (
                    f"{total_hours} uren is niet mogelijk met {format_decimal(fte)} FTE in deze periode "
                    f"(hoogstens {int(limit)} uur: {MAX_HOURS_PER_FTE_WEEK} uur per week per FTE).")
    warnings = soft_warnings(values, errors, previous or [])
    return Checked(values, errors, warnings, not_registered)


def soft_warnings(values: dict[str, Any], errors: dict[str, str],
                  previous: list[dict[str, Any]]) -> dict[str, str]:
    """Figures that differ >50% from the mean of the previous three periods, or drop to zero."""
    warnings: dict[str, str] = {}
    if not previous:
        return warnings
    for key, value in values.items():
        if value is None or key in errors or key == "unique_clients_year":
            continue
        earlier = [p[key] for p in previous if p.get(key) is not None]
        if not earlier:
            continue
        mean = sum(Decimal(str(e)) for e in earlier) / len(earlier)
        if value == 0 and any(e > 0 for e in earlier):
            warnings[key] = "0, terwijl er in de vorige perioden wel activiteit was. Klopt dit?"
        elif mean > 0 and abs(Decimal(str(value)) - mean) > WARN_DEVIATION * mean:
            warnings[key] = (f"Wijkt meer dan 50% af van het gemiddelde van de vorige perioden "
                             f"({format_decimal(mean.quantize(Decimal('0.1')))}). Klopt dit?")
    return warnings


def format_decimal(value: Decimal | int | float) -> str:
    """``2.50`` → ``2,5`` (Dutch, without trailing zeros)."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",")
