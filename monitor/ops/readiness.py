"""``/gereed``: is this server ready to take requests (database, file store, job queue)?

``/gezondheid`` (monitor.main) stays the cheap liveness answer: the process runs. A load
balancer or Kubernetes readiness probe asks ``/gereed`` instead, which checks what every
request may need and answers ``200`` or ``503`` with per part ``"ok"`` or ``"fout"``::

    {"status": "gereed", "onderdelen": {"database": "ok", "opslag": "ok", "wachtrij": "ok"}}

The answer names no host, address, exception or setting (it is public); the reason of a
failure is in the process log. Nothing here counts against any rate limit.
"""

from __future__ import annotations

import logging
import secrets

import sqlalchemy as sa
from flask import Blueprint, jsonify

from .. import storage
from ..extensions import db
from ..permissions import public

logger = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)

PROBE_PREFIX = "gereed"


def check_database() -> None:
    try:
        db.session.execute(sa.text("SELECT 1"))
    finally:
        db.session.rollback()


def check_storage() -> None:
    """Write and delete a small probe: the store is reachable and writable."""
    store = storage.current()
    key = f"{PROBE_PREFIX}/{secrets.token_hex(8)}"
    store.put(key, b"ok", "text/plain")
    try:
        if not store.exists(key):
            raise RuntimeError("probe written but not found")
    finally:
        store.delete(key)


def check_queue() -> None:
    """Redis: a PING; the SQLite queue: a count of waiting tasks (opens the file)."""
    from ..jobs import queue

    huey = queue()
    conn = getattr(huey.storage, "conn", None)
    if hasattr(conn, "ping"):
        conn.ping()
    else:
        huey.storage.queue_size()


CHECKS = {"database": check_database, "opslag": check_storage, "wachtrij": check_queue}


def readiness() -> tuple[bool, dict[str, str]]:
    parts = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # noqa: BLE001 - every failure means "not ready"
            logger.warning("Readiness check %s failed", name, exc_info=True)
            parts[name] = "fout"
        else:
            parts[name] = "ok"
    return all(v == "ok" for v in parts.values()), parts


@bp.route("/gereed")
@public
def ready():
    """Readiness for load balancers: 200 when database, store and queue answer, else 503."""
    ok, parts = readiness()
    response = jsonify(status="gereed" if ok else "niet gereed", onderdelen=parts)
    response.status_code = 200 if ok else 503
    return response


def register(app) -> None:
    app.register_blueprint(bp)
