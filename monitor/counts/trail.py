"""The audit trail of a return as people read it (issue 18 §5): Dutch names for the steps
and the figures, Dutch numbers (``2,4`` FTE, ``1.250`` uren), "niet geregistreerd" in words.
The stored events keep their machine keys; only the page translates them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import AuditEvent, ServiceType, Specialism
from ..templating import format_number
from .figures import CLIENTS_PREFIX, HOURS_PREFIX, SCALAR_BY_KEY, format_decimal
from .models import ReturnStatus

ACTIONS = {
    "count_return.create": "Aangemaakt",
    "count_return.update": "Gewijzigd",
    "count_return.submit": "Ingediend",
    "count_return.approve": "Goedgekeurd",
    "count_return.send_back": "Teruggestuurd",
    "count_return.lock": "Vergrendeld",
    "count_return.reopen": "Heropend",
    "count_return.year_figure": "Jaarcijfer aangevuld",
}
FIELDS = {"status": "Status", "explanation": "Toelichting", "return_reason": "Reden of vraag van de gemeente",
          "not_registered": "Niet geregistreerd"}


@dataclass
class TrailRow:
    event: AuditEvent
    action: str
    old: list[tuple[str, str]]
    new: list[tuple[str, str]]


def _names() -> dict[str, str]:
    names = {key: f.label for key, f in SCALAR_BY_KEY.items()} | FIELDS
    names |= {HOURS_PREFIX + s.code: f"Uren {s.name}" for s in db.session.scalars(sa.select(Specialism))}
    names |= {CLIENTS_PREFIX + s.code: f"Cliënten {s.name}" for s in db.session.scalars(sa.select(ServiceType))}
    return names


def _text(key: str, value: Any, names: dict[str, str]) -> str:
    if value is None or value == "":
        return "—"
    if key == "status":
        try:
            return ReturnStatus(value).label
        except ValueError:
            return str(value)
    if key == "not_registered":
        return ", ".join(names.get(k, k) for k in value) if value else "—"
    if key in FIELDS or isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return format_number(int(number))
    return format_decimal(number)


def _values(values: dict | None, names: dict[str, str]) -> list[tuple[str, str]]:
    return [(names.get(k, k), _text(k, v, names)) for k, v in (values or {}).items()]


def trail_rows(events: list[AuditEvent]) -> list[TrailRow]:
    """The events of :func:`monitor.counts.returns.history` with Dutch labels and numbers."""
    names = _names()
    return [TrailRow(e, ACTIONS.get(e.action, e.action), _values(e.old_values, names), _values(e.new_values, names))
            for e in events]
