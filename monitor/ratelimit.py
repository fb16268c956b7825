"""A small database-backed rate limiter shared by every gunicorn worker.

``hit(bucket, key, limit, window_seconds)`` counts one event for ``key`` (an address,
a token, an e-mail address, ...) in ``bucket`` (``"stories.submit"``, ...) and says
whether it is still within ``limit`` events per fixed window of ``window_seconds``.
The counter is one row per (bucket, key, window), bumped with a single atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, so concurrent workers and
processes never lose a count. Expired rows are pruned on the way.

``release`` gives an event back (a reservation that turned out not to count) and
``claim`` uses a single-use token once (a form's nonce), both atomic in the same table.
"""

from __future__ import annotations

import hashlib
import logging
import time

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db

logger = logging.getLogger(__name__)

KEY_MAX = 128


class RateLimitCounter(db.Model):
    """How many events ``key`` caused in ``bucket`` during one fixed window."""

    __tablename__ = "rate_limit_counters"

    bucket: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(KEY_MAX), primary_key=True)
    window_start: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    # Epoch second after which the row no longer matters (pruned then).
    expires_at: Mapped[int] = mapped_column(sa.BigInteger, index=True)

    def __repr__(self) -> str:
        return f"<RateLimitCounter {self.bucket} {self.key} {self.window_start}: {self.count}>"


def _normalise_key(key: str) -> str:
    """Keep short keys readable; hash long or odd ones to a fixed length."""
    if len(key) <= KEY_MAX and key.isprintable():
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _insert(dialect: str):
    if dialect == "postgresql":
        return postgresql.insert(RateLimitCounter.__table__)
    if dialect == "sqlite":
        return sqlite.insert(RateLimitCounter.__table__)
    raise RuntimeError(f"rate limiting is not implemented for {dialect}")


def _bump(bucket: str, key: str, window_start: int, expires_at: int, now_s: int) -> int:
    """Add one to the counter row (creating it) in one atomic statement; return the new count."""
    table = RateLimitCounter.__table__
    with db.engine.begin() as conn:
        stmt = _insert(conn.dialect.name).values(
            bucket=bucket[:60], key=_normalise_key(key), window_start=window_start, count=1,
            expires_at=expires_at,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.bucket, table.c.key, table.c.window_start],
            set_={"count": table.c.count + 1},
        ).returning(table.c.count)
        count = conn.execute(stmt).scalar_one()
        conn.execute(sa.delete(table).where(table.c.expires_at < now_s))
    return count


def hit(bucket: str, key: str, limit: int, window_seconds: int, *, now: float | None = None) -> bool:
    """Count one event and say whether it is allowed.

    Runs in its own short transaction on its own connection, so the count stays even
    when the caller's work is rolled back (a refused or failed attempt still counts).
    Call it before the request writes anything (SQLite allows one writer at a time).

    :param bucket: what is limited, e.g. ``"stories.submit"`` (at most 60 characters).
    :param key: who is limited, e.g. ``request.remote_addr`` or a link token.
    :param limit: events allowed per window (the ``limit``-th is still allowed).
    :param window_seconds: length of the fixed window.
    :param now: epoch seconds (tests); defaults to the current time.
    :return: ``True`` while within the limit, ``False`` once it is exceeded.
    """
    if limit < 1 or window_seconds < 1:
        raise ValueError("limit and window_seconds must be positive")
    now_s = int(time.time() if now is None else now)
    window_start = now_s - now_s % window_seconds
    count = _bump(bucket, key, window_start, window_start + window_seconds, now_s)
    if count > limit:
        logger.info("Rate limit %s exceeded by %s (%d in %ds)", bucket, key[:40], count, window_seconds)
    return count <= limit


def release(bucket: str, key: str, window_seconds: int, *, now: float | None = None) -> None:
    """Give back one event counted by :func:`hit` (an attempt that turned out not to count).

    Pass the same ``now`` as to :func:`hit`, so the event leaves the window it was counted
    in. Atomic like :func:`hit`; a count never goes below zero.
    """
    now_s = int(time.time() if now is None else now)
    window_start = now_s - now_s % window_seconds
    table = RateLimitCounter.__table__
    with db.engine.begin() as conn:
        conn.execute(sa.update(table).where(
            table.c.bucket == bucket[:60], table.c.key == _normalise_key(key),
            table.c.window_start == window_start, table.c.count > 0,
        ).values(count=table.c.count - 1))


def claim(bucket: str, key: str, valid_seconds: int, *, now: float | None = None) -> bool:
    """Use the single-use token ``key`` once: ``True`` the first time, ``False`` ever after.

    One atomic statement (as :func:`hit`), so of several requests racing with the same
    token exactly one wins. Kept ``valid_seconds`` (the token must be refused by its own
    expiry after that), then pruned.
    """
    now_s = int(time.time() if now is None else now)
    return _bump(bucket, key, 0, now_s + valid_seconds, now_s) == 1


def prune(now: float | None = None) -> int:
    """Delete every expired counter; returns how many rows went."""
    now_s = int(time.time() if now is None else now)
    table = RateLimitCounter.__table__
    with db.engine.begin() as conn:
        return conn.execute(sa.delete(table).where(table.c.expires_at < now_s)).rowcount or 0


def limit_request(bucket: str, limit: int, window_seconds: int, key: str | None = None) -> None:
    """Count this request and answer 429 (the Dutch "Te veel pogingen" page) over the limit.

    :param key: defaults to the client's address (``request.remote_addr``; behind a proxy
        set ``MONITOR_TRUSTED_PROXIES``).
    """
    from flask import abort, request

    if not hit(bucket, key if key is not None else (request.remote_addr or "onbekend"),
               limit, window_seconds):
        abort(429)
