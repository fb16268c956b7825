"""The audit trail helper every module uses: ``record(action, obj, old=..., new=...)``.

The trail records that something happened, not content that was erased since:
:func:`redact_subject` (called through :func:`monitor.erasure.erase`) replaces the stored
values of every earlier event about an erased object, keeping who, what, when and which.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from .extensions import db
from .models import AuditEvent, User


def _plain(value: Any) -> Any:
    """Make a value JSON-safe for the old/new columns."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Read ``fields`` of ``obj`` into a JSON-safe dict (for old/new values)."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict, dict]:
    """Keep only the keys whose value differs between ``old`` and ``new``."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}


def record(
    action: str,
    obj: Any = None,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    summary: str = "",
    actor: User | None = None,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: Any = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller's service commits it.

    :param action: dotted verb, e.g. ``"user.create"`` or ``"return.approve"``.
    :param obj: the model the action concerns (type and id are read from it).
    :param old: values before the change. :param new: values after the change.
    :param actor: defaults to the signed-in user; ``actor_label`` names others
        (``"systeem"``, ``"inwoner"``, ``"API: Versa Welzijn"``).
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()  # type: ignore[attr-defined]
    if obj is not None:
        if getattr(obj, "id", 0) is None:
            db.session.flush()  # give a new object its id before it is referenced
        object_type = object_type or obj.__class__.__name__
        if object_id is None:
            object_id = getattr(obj, "id", None)
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (f"{actor.name} ({actor.email})" if actor else "systeem"),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        summary=summary,
        old_values=_plain(old) if old else None,
        new_values=_plain(new) if new else None,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


REDACTED = "[verwijderd]"

# Values that state a fact about an event (a state, a place, a reference, a count), never
# what a person wrote or who they are. Everything else is content and goes on erasure.
FACT_KEYS = frozenset({
    "status", "visibility", "active", "role", "kind", "version", "reference",
    "wijk_id", "buurt_id", "organisation_id", "period_id", "story_id", "photo",
    "photos", "photos_removed", "replaced", "names", "form", "teller",
    "consent_given", "consent_method", "consent_date",
})


def _redact_values(values: dict[str, Any] | None, keep: frozenset[str],
                   erased: list[str]) -> dict[str, Any] | None:
    if not values:
        return values
    result = {}
    for key, value in values.items():
        fact = key in keep and not isinstance(value, dict | list)
        if fact or value is None or value == "" or value == REDACTED:
            result[key] = value
            continue
        erased.extend(_strings(value))
        result[key] = REDACTED
    return result


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def redact_subject(object_type: str, object_id: Any, *, keep: Iterable[str] = ()) -> int:
    """Erase the stored content of every audit event about one object (caller commits).

    Old and new values keep their keys (which fields changed) and the values listed in
    :data:`FACT_KEYS` (and ``keep``); every other value becomes ``[verwijderd]``, and the
    summary loses any erased text it quoted. Actor, action, object and time stay.

    :return: the number of events changed.
    """
    facts = FACT_KEYS | frozenset(keep)
    events = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id)))
    changed = 0
    for event in events:
        erased: list[str] = []
        old = _redact_values(event.old_values, facts, erased)
        new = _redact_values(event.new_values, facts, erased)
        summary = event.summary or ""
        for text in sorted({t.strip() for t in erased if len(t.strip()) >= 3}, key=len, reverse=True):
            summary = summary.replace(text, REDACTED)
        if old != event.old_values or new != event.new_values or summary != event.summary:
            # New dict objects: the JSON columns do not track changes made in place.
            event.old_values, event.new_values, event.summary = old, new, summary
            changed += 1
    return changed
