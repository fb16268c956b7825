"""No double entry: a registration system's client-level export, aggregated into the returns.

One row per melding or trajectory (columns mapped once, the mapping saved per
organisation): melddatum, wijk, optional dienst (service type), afsluitdatum, uren,
contactmomenten, via Sociaal Plein / verwijzer and a client column for distinct counts.
For one chosen period the app counts, per wijk:

- ``meldingen``: rows whose melddatum falls in the period; ``meldingen_sociaal_plein`` those
  among them referred by the Sociaal Plein;
- ``closed_total``: rows whose afsluitdatum falls in the period; ``closed_within_six_months``
  those closed at most six months after their melddatum, ``closed_six_to_twelve_months`` and
  ``closed_over_a_year`` the others; ``running_at_end`` rows begun and not closed by the
  period's end (the waiting list is not in such an export and keeps what was entered); ``closed_hours`` and
  ``closed_contact_moments`` the sums of hours and contact moments of those closed rows;
- ``clienten:<dienst>``: clients with a running trajectory of that service type during the
  period (distinct by the client column when mapped, otherwise one per row).

The figures are merged into the return (a concept, other figures kept as they were) and the
file is deleted afterwards: no row-level data stays on the platform. Rows that cannot be
read are listed with their line number and the Dutch reason; nothing is stored while any
row has an error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import sqlalchemy as sa

from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, Period, ServiceType, Wijk
from .figures import clients_key
from .imports import _norm, match_columns
from .returns import apply_return, catalogue_for, check_return, figures_of, find_return, guard_return
from .services import MAPPING_PREFIXES, _store_mapping

TARGETS = (
    ("melddatum", "Datum van de melding (start)"),
    ("wijk", "Wijk"),
    ("dienst", "Soort dienstverlening"),
    ("afsluitdatum", "Datum afgesloten"),
    ("uren", "Uren besteed"),
    ("contactmomenten", "Contactmomenten"),
    ("via_sociaal_plein", "Via het Sociaal Plein (ja/nee)"),
    ("verwijzer", "Verwijzer"),
    ("client", "Cliënt (nummer in uw systeem; alleen om dubbel tellen te voorkomen)"),
)
REQUIRED = ("melddatum", "wijk")
PREFIX = MAPPING_PREFIXES[0]  # saved mapping keys of this import, beside the return import's
YES = {"ja", "j", "yes", "y", "1", "x", "waar", "true"}
NO = {"nee", "n", "no", "0", "", "onwaar", "false"}


SYNONYMS = {
    "melddatum": ("startdatum", "begindatum", "aanmelddatum", "datummelding", "datum"),
    "afsluitdatum": ("einddatum", "datumafgesloten", "afgesloten", "afsluiting"),
    "dienst": ("soortdienstverlening", "dienstverlening", "product"),
    "uren": ("tijdsbesteding", "urentotaal"),
    "contactmomenten": ("contacten", "aantalcontacten"),
    "via_sociaal_plein": ("viasp", "sociaalplein"),
    "verwijzer": ("verwezendoor", "aanmelder"),
    "client": ("clientnr", "clientnummer", "clientid"),
}


def _date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _number(text: str) -> Decimal | None:
    text = text.strip().replace(" ", "")
    if not text:
        return Decimal(0)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 <= value <= 100_000 else None


def _plus_months(day: date, months: int) -> date:
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def suggest(header: list[str], saved: dict[str, str]) -> dict[str, str]:
    """Target → column: the saved mapping where its column still exists, else a name match."""
    return match_columns(header, [(key, (key, label, *SYNONYMS.get(key, ()))) for key, label in TARGETS],
                         {key: saved[PREFIX + key] for key, _ in TARGETS if PREFIX + key in saved})


@dataclass
class WijkFigures:
    wijk: Wijk
    figures: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    existing: bool = False


@dataclass
class Aggregate:
    period: Period
    wijken: list[WijkFigures]
    row_errors: list[tuple[int, str]]
    rows: int
    outside: int  # rows with nothing in this period

    @property
    def ok(self) -> bool:
        return not self.row_errors and bool(self.wijken) and not any(w.errors for w in self.wijken)


def aggregate(organisation: Organisation, period: Period, header: list[str], rows: list[list[str]],
              mapping: dict[str, str], allowed_wijken: set[int] | None) -> Aggregate:
    """Count the period's figures per wijk from the rows; change nothing."""
    for key in REQUIRED:
        if not mapping.get(key):
            raise DomainError("Koppel in elk geval de kolommen melddatum en wijk.", key)
    if any(col not in header for col in mapping.values()):
        raise DomainError("De kolomindeling noemt een kolom die niet in het bestand staat.")
    index = {h: i for i, h in enumerate(header)}
    wijken: dict[str, Wijk] = {}
    for w in db.session.scalars(sa.select(Wijk)):
        wijken[_norm(w.name)] = w
        if w.code:
            wijken[_norm(w.code)] = w
    services: dict[str, ServiceType] = {}
    for s in db.session.scalars(sa.select(ServiceType)):
        services[_norm(s.code)] = services[_norm(s.name)] = s
    errors: list[tuple[int, str]] = []
    counts: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    clients: dict[tuple[int, str], set[str]] = defaultdict(set)
    seen_wijken: dict[int, Wijk] = {}
    outside = 0
    for n, row in enumerate(rows, start=2):
        def value(key: str, row=row) -> str:
            col = mapping.get(key)
            return row[index[col]].strip() if col and index[col] < len(row) else ""

        start, wijk_text = _date(value("melddatum")), value("wijk")
        wijk = wijken.get(_norm(wijk_text))
        closed = _date(value("afsluitdatum")) if value("afsluitdatum") else None
        problems = []
        if start is None:
            problems.append(f"melddatum '{value('melddatum')}' is geen datum (dd-mm-jjjj)")
        if wijk is None:
            problems.append(f"onbekende wijk '{wijk_text}'")
        elif allowed_wijken is not None and wijk.id not in allowed_wijken:
            problems.append(f"u werkt niet in wijk {wijk.name}")
        if value("afsluitdatum") and closed is None:
            problems.append(f"afsluitdatum '{value('afsluitdatum')}' is geen datum")
        if start and closed and closed < start:
            problems.append("afgesloten vóór de melddatum")
        hours, contacts = _number(value("uren")), _number(value("contactmomenten"))
        if hours is None:
            problems.append(f"uren '{value('uren')}' is geen getal")
        if contacts is None or (contacts is not None and contacts != contacts.to_integral_value()):
            problems.append(f"contactmomenten '{value('contactmomenten')}' is geen heel getal")
        via_raw = value("via_sociaal_plein").lower()
        if via_raw not in YES | NO:
            problems.append(f"via Sociaal Plein '{value('via_sociaal_plein')}' is geen ja of nee")
        service = None
        if value("dienst"):
            service = services.get(_norm(value("dienst")))
            if service is None:
                problems.append(f"onbekende dienst '{value('dienst')}'")
        if problems:
            errors.append((n, "; ".join(problems) + "."))
            continue
        c = counts[wijk.id]
        seen_wijken[wijk.id] = wijk
        touched = False
        if period.start <= start <= period.end:
            touched = True
            c["meldingen"] += 1
            if via_raw in YES or "sociaalplein" in _norm(value("verwijzer")):
                c["meldingen_sociaal_plein"] += 1
        if closed and period.start <= closed <= period.end:
            touched = True
            c["closed_total"] += 1
            if closed <= _plus_months(start, 6):
                c["closed_within_six_months"] += 1
            elif closed <= _plus_months(start, 12):
                c["closed_six_to_twelve_months"] += 1
            else:
                c["closed_over_a_year"] += 1
            c["closed_hours"] += hours
            c["closed_contact_moments"] += contacts
        if start <= period.end and (closed is None or closed > period.end):
            c["running_at_end"] += 1
        if service and start <= period.end and (closed is None or closed >= period.start):
            touched = True
            clients[(wijk.id, service.code)].add(value("client") or f"regel {n}")
        outside += not touched
    result = []
    for wijk_id, wijk in sorted(seen_wijken.items(), key=lambda kv: kv[1].name):
        figures = {k: int(v.quantize(Decimal(1), ROUND_HALF_UP)) for k, v in counts[wijk_id].items()}
        for key in ("meldingen", "meldingen_sociaal_plein", "closed_total", "closed_within_six_months",
                    "closed_six_to_twelve_months", "closed_over_a_year", "running_at_end"):
            figures.setdefault(key, 0)
        if mapping.get("uren"):
            figures.setdefault("closed_hours", 0)
        if mapping.get("contactmomenten"):
            figures.setdefault("closed_contact_moments", 0)
        for (w, code), members in clients.items():
            if w == wijk_id:
                figures[clients_key(code)] = len(members)
        result.append(_check(organisation, period, wijk, figures))
    return Aggregate(period, result, errors, len(rows), outside)


def _check(organisation: Organisation, period: Period, wijk: Wijk, figures: dict[str, int]) -> WijkFigures:
    item = WijkFigures(wijk, figures)
    try:
        ret = guard_return(organisation, wijk, period)
    except DomainError as err:
        item.errors.append(err.message)
        return item
    item.existing = ret is not None
    catalogue = catalogue_for(period)
    keys = set(catalogue.keys(period))
    for key in sorted(set(figures) - keys):
        item.errors.append(f"{catalogue.label(key)} hoort niet bij de opgave van {period.label}.")
    merged = _merged(ret, figures, keys)
    checked = check_return(organisation.id, wijk.id, period, merged, submit=False)
    item.errors += [f"{catalogue.label(k)}: {m}" for k, m in checked.errors.items()]
    item.warnings = [f"{catalogue.label(k)}: {m}" for k, m in checked.warnings.items()]
    return item


def _merged(ret, figures: dict[str, int], keys: set[str]) -> dict:
    """The return's current figures of this period with the counted ones over them."""
    return {k: v for k, v in {**(figures_of(ret) if ret else {}), **figures}.items() if k in keys}


def commit(organisation: Organisation, result: Aggregate, mapping: dict[str, str],
           actor_label: str | None = None) -> int:
    """Merge every wijk's figures into its return (concept) and keep the column mapping; all
    or nothing. Returns the number of returns."""
    if not result.ok:
        raise DomainError("Het bestand of de cijfers bevatten fouten; er is niets opgeslagen.")
    try:
        for item in result.wijken:
            ret = find_return(organisation.id, item.wijk.id, result.period.id)
            merged = _merged(ret, item.figures, set(catalogue_for(result.period).keys(result.period)))
            apply_return(organisation, item.wijk, result.period, merged,
                         explanation=ret.explanation if ret else "", actor_label=actor_label)
        _store_mapping(organisation, mapping, PREFIX)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise DomainError(f"Er is niets opgeslagen: {err.message}") from err
    except Exception:
        db.session.rollback()
        raise
    return len(result.wijken)
