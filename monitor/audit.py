"""The audit trail helper every module uses: ``record(action, obj, old=..., new=...)``."""

from __future__ import annotations

import enum
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
