"""Use cases of Tellen: planned hours, catalogues, import mappings and small look-ups.

The returns workflow lives in :mod:`.returns`, boards and completeness in :mod:`.overview`
and API tokens in :mod:`.api_tokens`; their names are importable from here as before.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, OrganisationKind, Period, ServiceType, Specialism, User, Wijk
from ..timeutil import utcnow
from .api_tokens import authenticate_token, create_token, list_tokens, revoke_token
from .models import ImportMapping, PlannedHours
from .overview import (
    BoardRow,
    Completeness,
    active_wijken,
    awaiting_approval,
    board,
    board_years,
    completeness,
    expected_organisations,
    is_overdue,
    started_periods,
)
from .permissions import enters_returns
from .returns import (
    ValidationFailed,
    add_year_figure,
    apply_return,
    approve,
    catalogue_for,
    check_return,
    figures_of,
    find_return,
    guard_return,
    history,
    lock,
    lock_due_returns,
    period_by_ordinal,
    previous_figures,
    reference_figures,
    reopen,
    review_context,
    save_return,
    send_back,
    submit_return,
)

__all__ = [
    "CATALOGUE_FIELDS", "CATALOGUE_MODELS", "add_year_figure", "BoardRow", "Completeness", "PlannedHoursInvalid",
    "ServiceType", "Specialism", "ValidationFailed", "active_wijken", "all_wijken", "apply_return",
    "approve", "authenticate_token", "awaiting_approval", "board", "board_years", "catalogue_entries", "catalogue_for",
    "check_return", "completeness", "create_token", "expected_organisations", "figures_of", "find_period",
    "find_return", "guard_return", "history", "is_overdue", "list_tokens", "lock", "lock_due_returns",
    "period_by_ordinal", "planned_hours", "previous_figures", "reference_figures", "reopen", "review_context", "revoke_token",
    "save_catalogue_entry", "save_planned_hours", "save_return", "saved_mapping", "send_back",
    "started_periods", "submit_return", "user_may_enter", "welfare_organisations",
]


# --- planned hours -----------------------------------------------------------------------

def planned_hours(organisation_id: int, year: int) -> dict[int, Decimal]:
    """Hours per week per specialism id of an organisation in ``year``."""
    return {p.specialism_id: p.hours_per_week for p in db.session.scalars(sa.select(PlannedHours).where(
        PlannedHours.organisation_id == organisation_id, PlannedHours.year == year))}


class PlannedHoursInvalid(DomainError):
    """Some hours per week could not be read; ``errors`` holds a message per specialism id."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__("Niet opgeslagen: verbeter de gemarkeerde velden.")
        self.errors = errors


def save_planned_hours(organisation: Organisation, year: int, texts: dict[int, Any]) -> None:
    """Set (or clear, when empty) the hours per week per specialism id; audited.

    :raise PlannedHoursInvalid: a value is not a non-negative number.
    """
    from .figures import parse_number

    values: dict[int, Decimal | None] = {}
    errors: dict[int, str] = {}
    for spec_id, text in texts.items():
        try:
            number = parse_number(text, whole=False)
        except ValueError as err:
            errors[spec_id] = str(err)
        else:
            values[spec_id] = Decimal(number).quantize(Decimal("0.1")) if number is not None else None
    if errors:
        raise PlannedHoursInvalid(errors)
    existing = {p.specialism_id: p for p in db.session.scalars(sa.select(PlannedHours).where(
        PlannedHours.organisation_id == organisation.id, PlannedHours.year == year))}
    codes = {s.id: s.code for s in db.session.scalars(sa.select(Specialism))}
    old, new = {}, {}
    for spec_id, value in values.items():
        if spec_id not in codes:
            raise DomainError("Onbekend specialisme.")
        row = existing.get(spec_id)
        before = row.hours_per_week if row else None
        if value is None and row is not None:
            db.session.delete(row)
        elif value is not None and row is None:
            db.session.add(PlannedHours(organisation_id=organisation.id, specialism_id=spec_id,
                                        year=year, hours_per_week=value))
        elif value is not None:
            row.hours_per_week = value
        if (before is None) != (value is None) or (before is not None and Decimal(before) != value):
            old[codes[spec_id]], new[codes[spec_id]] = before, value
    if new:
        audit.record("planned_hours.update", organisation, old=old, new=new,
                     summary=f"Begrote uren {organisation.name} {year} gewijzigd")
    db.session.commit()


# --- catalogues -------------------------------------------------------------------------

CATALOGUE_MODELS = {"specialismen": Specialism, "dienstverlening": ServiceType}
CATALOGUE_FIELDS = ("code", "name", "description", "position", "valid_from", "valid_until")


def save_catalogue_entry(model, entry, *, code: str, name: str, description: str, position: int,
                         valid_from: date, valid_until: date | None):
    """Create or change a catalogue entry. Codes never change once used (history stays intact).

    :raise DomainError: duplicate code, or validity ending before it starts.
    """
    if valid_until is not None and valid_until < valid_from:
        raise DomainError("'Geldig tot' kan niet vóór 'geldig vanaf' liggen.", "valid_until")
    code = code.strip().lower()
    if entry is None:
        if db.session.scalar(sa.select(model.id).where(model.code == code)):
            raise DomainError("Deze code bestaat al.", "code")
        entry = model(code=code, name=name.strip(), description=description or "", position=position,
                      valid_from=valid_from, valid_until=valid_until)
        db.session.add(entry)
        audit.record(f"{model.__tablename__}.create", entry, new=audit.snapshot(entry, CATALOGUE_FIELDS))
    else:
        old = audit.snapshot(entry, CATALOGUE_FIELDS)
        entry.name, entry.description, entry.position = name.strip(), description or "", position
        entry.valid_from, entry.valid_until = valid_from, valid_until
        before, after = audit.changes(old, audit.snapshot(entry, CATALOGUE_FIELDS))
        if after:
            audit.record(f"{model.__tablename__}.update", entry, old=before, new=after)
    db.session.commit()
    return entry


def catalogue_entries(model) -> list:
    return list(db.session.scalars(sa.select(model).order_by(model.position, model.name)))


# --- import mappings ----------------------------------------------------------------------

# Prefixes of the saved mapping keys of imports other than the return import.
MAPPING_PREFIXES = ("registratie:",)


def saved_mapping(organisation_id: int) -> dict[str, str]:
    row = db.session.scalar(sa.select(ImportMapping).where(ImportMapping.organisation_id == organisation_id))
    return dict(row.mapping) if row else {}


def _store_mapping(organisation: Organisation, mapping: dict[str, str], prefix: str = "") -> None:
    """Save the column mapping of one import: the keys starting with ``prefix`` (``""``: the
    return import's keys, which have no ``name:`` prefix of an import); the other import's
    saved keys stay as they are."""
    row = db.session.scalar(sa.select(ImportMapping).where(ImportMapping.organisation_id == organisation.id))
    other = {k: v for k, v in (row.mapping if row else {}).items()
             if (not k.startswith(prefix) if prefix else k.startswith(MAPPING_PREFIXES))}
    mapping = {**other, **{prefix + k: v for k, v in mapping.items() if v}}
    if row is None:
        db.session.add(ImportMapping(organisation_id=organisation.id, mapping=mapping))
        audit.record("import_mapping.create", organisation, new={"mapping": mapping},
                     summary=f"Kolomindeling {organisation.name} opgeslagen")
    elif row.mapping != mapping:
        audit.record("import_mapping.update", organisation, old={"mapping": row.mapping},
                     new={"mapping": mapping}, summary=f"Kolomindeling {organisation.name} gewijzigd")
        row.mapping, row.updated_at = mapping, utcnow()


# --- small lookups for views ------------------------------------------------------------

def find_period(period_id: int) -> Period | None:
    return db.session.get(Period, period_id)




def welfare_organisations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.WELZIJN).order_by(Organisation.name)))


def all_wijken() -> list[Wijk]:
    return list(db.session.scalars(sa.select(Wijk).order_by(Wijk.name)))


def user_may_enter(user: User) -> bool:
    return enters_returns(user)
