"""Refused access (403): every refusal in the process log, aggregated ones in the audit trail.

A refusal is logged with who (user id and role, or the API token), what (endpoint, URL
rule, method, the permission and the object) and the address: never the query string or
the path itself, which can carry tokens (stakeholder links, story withdrawal links).
The audit trail (action ``access.denied``, read by admins at *Beheer → Auditlogboek*)
gets at most one record per (who, endpoint) per :data:`WINDOW` seconds and at most
:data:`PER_ACTOR` per actor in that window, so a script probing every URL cannot flood it;
the process log keeps every single refusal. Counting uses :func:`monitor.ratelimit.hit`.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_login import current_user

from . import ratelimit
from .extensions import db
from .models import AuditEvent

logger = logging.getLogger(__name__)

WINDOW = 600
PER_ACTOR = 20


def mark(permission: str | None, obj: Any = None) -> None:
    """Remember which permission (and object) the current request is refused for."""
    g.refused_permission, g.refused_object = permission, obj


def _object_ref(obj: Any) -> tuple[str | None, str | None]:
    if obj is None:
        return None, None
    object_id = getattr(obj, "id", None)
    return obj.__class__.__name__, (str(object_id) if object_id is not None else None)


def record_refusal(*, permission: str | None = None, obj: Any = None, actor_key: str | None = None,
                   actor_label: str | None = None, reason: str = "") -> None:
    """Log that the current request is refused; record it (aggregated) in the audit trail.

    Rolls back the request's session first: a refused request keeps none of its changes,
    and its connection (and on SQLite its lock) is free for the records written here, each
    on its own connection. Never raises: a failing record is itself logged.

    :param actor_key: who is refused when nobody is signed in (``"token:3"``).
    :param actor_label: how the audit trail names that actor (``"API: MEE (sleutel …)"``).
    """
    if not has_request_context():
        return
    if permission is None:
        permission = g.get("refused_permission")
        obj = g.get("refused_object") if obj is None else obj
    signed_in = current_user.is_authenticated
    user_id = current_user.id if signed_in else None
    role = current_user.role.value if signed_in else None
    label = f"{current_user.name} ({current_user.email})" if signed_in else actor_label or "anoniem"
    rule = request.url_rule.rule if request.url_rule is not None else None
    ids = {k: v for k, v in (request.view_args or {}).items() if isinstance(v, int)}
    object_type, object_id = _object_ref(obj)
    logger.warning(
        "Access refused (403): user=%s role=%s actor=%s endpoint=%s rule=%s method=%s "
        "permission=%s object=%s:%s address=%s%s",
        user_id, role, actor_key, request.endpoint, rule, request.method, permission,
        object_type, object_id, request.remote_addr, f" ({reason})" if reason else "")
    try:
        # Everything about the user is read above: after this the session holds no
        # connection while the counters and the record below take their own.
        db.session.rollback()
        who = f"user:{user_id}" if user_id is not None else actor_key or f"ip:{request.remote_addr}"
        if not ratelimit.hit("audit.access_denied", f"{who}|{request.endpoint}", 1, WINDOW):
            return
        flood = not ratelimit.hit("audit.access_denied_actor", who, PER_ACTOR, WINDOW)
        if flood and not ratelimit.hit("audit.access_denied_flood", who, 1, WINDOW):
            return
        summary = (f"Geen toegang: {request.method} {rule or request.endpoint}"
                   + (f" (recht {permission})" if permission else "") + (f"; {reason}" if reason else ""))
        if flood:
            summary = (f"Meer dan {PER_ACTOR} geweigerde verzoeken binnen {WINDOW // 60} minuten; "
                       "verdere staan alleen in het proceslog. Laatste: " + summary)
        with db.engine.begin() as conn:
            conn.execute(sa.insert(AuditEvent.__table__).values(
                actor_id=user_id, actor_label=label[:120], action="access.denied",
                object_type=object_type, object_id=object_id, summary=summary,
                new_values={"endpoint": request.endpoint, "method": request.method, "rule": rule,
                            "permission": permission, "role": role, "ids": ids or None},
                ip_address=(request.remote_addr or "")[:64] or None,
            ))
    except Exception:  # the refusal itself must still be answered
        logger.exception("Could not record a refused access in the audit trail")
