"""One database connection per run; every test inside a transaction that is rolled back.

How it works: the session opens one DBAPI connection to the test database (a seeded
SQLite file, or the PostgreSQL test database) and, for each test, begins a transaction
on it. Every engine the test creates for that database (the ``app`` fixture's, a second
app standing in for another worker, a "production" app on the same database) gets that
one connection from a ``StaticPool``, and its dialect turns SQLAlchemy's
``BEGIN``/``COMMIT``/``ROLLBACK`` into ``SAVEPOINT``/``RELEASE``/``ROLLBACK TO``. So a
service's commit, the rate limiter's own ``engine.begin()`` and a test's
``db.session.rollback()`` all behave as usual inside the test, and the test's rollback
at the end takes everything away: reference data stay, sequences aside nothing leaks.

A test that needs committed data seen from other connections, threads or processes
(gunicorn, forked workers, racing threads, backup and restore) is marked
``@pytest.mark.real_db`` and gets the full reset per test instead (see ``conftest.py``).
"""

from __future__ import annotations

import itertools
import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool


class SharedConnection:
    """The run's one DBAPI connection and the test transaction on it."""

    def __init__(self) -> None:
        self.url: sa.URL | None = None
        self.raw: Any = None
        self.active = False  # True while a savepoint test runs
        self._open: dict[int, tuple[int, str]] = {}  # id(pool connection) → (n, savepoint)
        self._names = itertools.count(1)
        self._released: list[tuple[int, int]] = []  # (n, id(pool connection)) "committed"
        self._keep: list[Any] = []  # the test's pool connections (no id is reused meanwhile)
        self.violations: list[str] = []
        self._engines: dict[str, sa.Engine] = {}

    def open(self, uri: str) -> None:
        self.url = sa.make_url(uri)
        engine = sa.create_engine(self.url)
        cargs, cparams = engine.dialect.create_connect_args(self.url)
        if engine.dialect.name == "sqlite":
            # pysqlite would commit or begin on its own; with isolation_level=None it
            # leaves every transaction statement to us (SQLAlchemy docs, "Serializable
            # isolation / Savepoints / Transactional DDL" for pysqlite).
            self.raw = sqlite3.connect(*cargs, **{**cparams, "isolation_level": None,
                                                  "check_same_thread": False})
        else:
            self.raw = engine.dialect.loaded_dbapi.connect(*cargs, **cparams)
            self.raw.autocommit = True  # BEGIN and ROLLBACK are ours too
        engine.dispose()

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        if self.raw is not None:
            self.raw.close()
            self.raw = None

    def _execute(self, sql: str) -> None:
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    def begin_test(self) -> None:
        self._open.clear()
        self._released.clear()
        self._keep.clear()
        self.violations.clear()
        self._execute("BEGIN")
        self.active = True

    def end_test(self) -> None:
        self.active = False
        self._open.clear()
        self._released.clear()
        self._keep.clear()
        self._execute("ROLLBACK")

    def shares(self, url: sa.URL) -> bool:
        return self.active and self.url is not None and url == self.url

    # --- the dialect hooks of a shared engine --------------------------------------

    def do_begin(self, conn) -> None:
        n = next(self._names)
        self._execute(f"SAVEPOINT test_tx_{n}")
        self._open[id(conn)] = (n, f"test_tx_{n}")
        self._keep.append(conn)

    def do_commit(self, conn) -> None:
        entry = self._open.pop(id(conn), None)
        if entry is not None:
            self._execute(f"RELEASE SAVEPOINT {entry[1]}")
            self._released.append((entry[0], id(conn)))

    def do_rollback(self, conn) -> None:
        entry = self._open.pop(id(conn), None)
        if entry is None:
            return
        n, name = entry
        # On one connection this rollback also undoes what another connection committed
        # after this transaction began (the rate limiter's count that must survive the
        # caller's rollback). A real database keeps it: such a test needs real_db.
        if any(m > n and other != id(conn) for m, other in self._released):
            self.violations.append(
                "a rollback undid a commit made meanwhile on another connection")
        self._execute(f"ROLLBACK TO SAVEPOINT {name}")
        self._execute(f"RELEASE SAVEPOINT {name}")

    def engine(self, options: dict[str, Any]) -> sa.Engine:
        """An engine whose every connection is the shared one, inside the test transaction.

        One engine per run (per set of options), handed to every app: SQLAlchemy keeps its
        cache of compiled statements per engine (and per dialect), so a new engine per test
        compiled every query again in every test. The engine holds no state of a test: its
        pool is the shared connection, and ``db.engine.dispose()`` leaves that open.
        """
        options = {k: v for k, v in options.items()
                   if k not in ("pool_pre_ping", "poolclass", "pool_size", "max_overflow")}
        key = repr(sorted(options.items(), key=lambda item: item[0]))
        if key not in self._engines:
            self._engines[key] = self._make_engine(options)
        return self._engines[key]

    def _make_engine(self, options: dict[str, Any]) -> sa.Engine:
        engine = sa.engine_from_config({**options, "poolclass": StaticPool,
                                        "creator": lambda: self.raw,
                                        "pool_reset_on_return": None}, prefix="")
        dialect = engine.dialect
        dialect.do_begin = self.do_begin
        dialect.do_commit = self.do_commit
        dialect.do_rollback = self.do_rollback
        dialect.do_close = lambda conn: None  # db.engine.dispose() must not close it
        return engine


SHARED = SharedConnection()


def install(db) -> None:
    """Route the engines Flask-SQLAlchemy makes for the shared database to the connection."""
    original = db._make_engine

    def make_engine(bind_key, options, app):
        if SHARED.shares(sa.make_url(options["url"])):
            return SHARED.engine(options)
        return original(bind_key, options, app)

    db._make_engine = make_engine


# --- full resets (tests marked real_db, module fixtures that commit) --------------------

def empty_tables(db) -> None:
    """PostgreSQL: remove every row and restart the identities (inside an app context)."""
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


def seed_reference_data(db) -> None:
    """The application's reference data with periods 2020–2027 (commits)."""
    from monitor.seed import seed_reference

    seed_reference(2020, 2027)
    db.session.commit()


class Baseline:
    """PostgreSQL: whether the test database still holds only the reference data.

    A fixture that commits to the shared PostgreSQL database (a real_db test, a live
    server, the 10,000-story archive) calls ``dirty()``; the next savepoint test first
    empties the tables and reseeds the reference data.
    """

    clean = True

    @classmethod
    def dirty(cls) -> None:
        cls.clean = False
