"""Secrets shown once, kept out of the session cookie.

Flask's session is a signed cookie, readable by anyone who holds it. A secret that must
survive the redirect after a POST (a resident's private withdrawal link, a new account's
first password) is therefore kept here instead: the cookie carries only a random handle,
the database only the secret masked with a key derived from that handle (HMAC-SHA256 in
counter mode; the handle is random, 256 bits, and used once). Neither alone reveals the
secret. :func:`take` deletes the row, so the secret is shown once: a replayed cookie or a
second visit finds nothing. Rows not taken expire after :data:`LIFETIME`.

Like :mod:`monitor.ratelimit`, this is infrastructure that commits its own small writes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import session
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .timeutil import utcnow

LIFETIME = timedelta(minutes=15)
_SESSION_PREFIX = "once:"


class OneTimeSecret(db.Model):
    """A secret waiting to be shown once, masked; found by the hash of a random handle."""

    __tablename__ = "one_time_secrets"

    handle_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(40))
    sealed: Mapped[str] = mapped_column(sa.Text)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<OneTimeSecret {self.purpose} {self.handle_hash[:6]}…>"


def _digest(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()


def _mask(handle: str, data: bytes) -> bytes:
    key = handle.encode()
    stream = b"".join(hmac.new(key, i.to_bytes(4, "big"), hashlib.sha256).digest()
                      for i in range(len(data) // 32 + 1))
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))


def _prune() -> None:
    db.session.execute(sa.delete(OneTimeSecret).where(OneTimeSecret.expires_at < utcnow()))


def keep(purpose: str, payload: dict[str, Any]) -> None:
    """Keep ``payload`` for the next request of this browser (commits).

    :param purpose: short name, e.g. ``"narratives.receipt"``; one per purpose per browser.
    """
    handle = secrets.token_urlsafe(32)
    sealed = base64.b64encode(_mask(handle, json.dumps(payload).encode())).decode()
    _prune()
    previous = session.get(_SESSION_PREFIX + purpose)
    if previous:
        db.session.execute(sa.delete(OneTimeSecret).where(OneTimeSecret.handle_hash == _digest(previous)))
    db.session.add(OneTimeSecret(handle_hash=_digest(handle), purpose=purpose, sealed=sealed,
                                 expires_at=utcnow() + LIFETIME))
    db.session.commit()
    session[_SESSION_PREFIX + purpose] = handle


def take(purpose: str) -> dict[str, Any] | None:
    """The payload kept for this browser, removed at once; ``None`` when gone (commits)."""
    handle = session.pop(_SESSION_PREFIX + purpose, None)
    if not isinstance(handle, str) or not handle:
        return None
    row = db.session.get(OneTimeSecret, _digest(handle))
    payload = None
    if row is not None:
        if row.purpose == purpose and row.expires_at >= utcnow():
            payload = json.loads(_mask(handle, base64.b64decode(row.sealed)).decode())
        db.session.delete(row)
    _prune()
    db.session.commit()
    return payload


_FLASH = "flash"


def flash_secret(message: str, category: str = "ok") -> None:
    """Like :func:`flask.flash`, for a message holding a secret: shown once on the next page."""
    kept = take(_FLASH) or {"messages": []}
    keep(_FLASH, {"messages": kept["messages"] + [[category, message]]})


def secret_flashes() -> list[tuple[str, str]]:
    """The messages of :func:`flash_secret` for this page, taken (the base template shows them)."""
    if _SESSION_PREFIX + _FLASH not in session:  # no database access on ordinary pages
        return []
    kept = take(_FLASH) or {"messages": []}
    return [(category, message) for category, message in kept["messages"]]
