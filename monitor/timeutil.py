"""Time helpers: the database stores naive UTC; people see Europe/Amsterdam."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

MONTHS_NL = [
    "januari", "februari", "maart", "april", "mei", "juni", "juli",
    "augustus", "september", "oktober", "november", "december",
]


def utcnow() -> datetime:
    """Return the current time as naive UTC, the form every timestamp column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def local(dt: datetime | None) -> datetime | None:
    """Convert a stored naive-UTC timestamp to Amsterdam local time."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC).astimezone(AMSTERDAM)


def format_date(value: date | datetime | None) -> str:
    """Format a date the Dutch way: ``3 mei 2026``."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = local(value)
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """Format a stored timestamp in local time: ``3 mei 2026, 14:05``."""
    if value is None:
        return "—"
    loc = local(value)
    return f"{format_date(loc.date())}, {loc:%H:%M}"


def format_wall_clock(value: datetime | None) -> str:
    """Format a wall-clock time entered by a person (stored without time zone) as is."""
    if value is None:
        return "—"
    return f"{format_date(value.date())}, {value:%H:%M}"
