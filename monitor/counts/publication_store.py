"""The protected publication tables, computed once per data change and shared by every process.

Protecting a table (:func:`monitor.disclosure.protect`) takes seconds for a year of a large
gemeente; a dashboard over ten years needs fifty tables. They are stored in
``count_publication_tables``, one row per measure and year, with a *fingerprint*: the SHA-256
of every input of the protection (the method's version and parameters, the dimensions and
the approved data at the finest level). A reader computes the fingerprint of the data as they
are now (one read of the year's rows, cheap) and uses the stored table only when it matches;
otherwise it protects the table itself and stores it. So a stored table is never used for
other data than it was computed from, whoever changed the data and however (approving,
reopening, an import, a restore), and correctness never depends on the job below.

What is stored is only what outsiders may see: the value of every *visible* published cell
and the state (``<5`` / ``×``) of every hidden one — never the value of a hidden or
unpublished cell (organisation × wijk). The exact figures insiders see are summed from the
live data (``Table.atoms``), never from the store.

Write path: the services that change approved data (approving, reopening, adding the year
figure to an approved return) ask for the job :data:`JOB` after their commit, which brings
every stale table up to date, so the next reader finds it ready; it also runs hourly.
After a restore the stored tables are dropped (:func:`forget_all`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import sqlalchemy as sa
from flask import g
from sqlalchemy.dialects import postgresql, sqlite

from .. import disclosure
from ..disclosure import Dim, State, Table
from ..extensions import db
from ..timeutil import utcnow
from .models import PublicationTable

logger = logging.getLogger(__name__)

JOB = "tellen: publicatietabellen bijwerken"
# Raise when protect() or the publication rule (outsider_cell) changes what it hides:
# every stored table is then computed again.
METHOD_VERSION = 1

# This process's tables by (measure, year, fingerprint): loaded or computed once.
_memory: dict[tuple[str, int, str], Table] = {}
_MEMORY_SIZE = 512


def fingerprint(measure: str, year: int, dims: tuple[Dim, ...], atoms: dict[tuple, int]) -> str:
    """SHA-256 over every input of the protection of this table."""
    parts = (METHOD_VERSION, disclosure.SMALL_CELL, disclosure.CANDIDATES_PER_DIM,
             disclosure.MAX_SUBSET_CONTRIBUTORS, measure, year,
             [(d.name, d.leaves, d.total, d.owner, sorted(map(sorted, d.groups))) for d in dims],
             sorted((k, v) for k, v in atoms.items()))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def dump(table: Table) -> str:
    """The protected table as JSON: the visible published cells with their value, the hidden
    ones with their state only. A blocked table (nothing may be shown) stores no cell."""
    cells: list[list[Any]] = []
    if not table.blocked:
        for key in sorted({*table.values, *table.states}, key=repr):
            if any(isinstance(level, frozenset) for level in key) or not table.published(key):
                continue
            state = table.states.get(key, State.VISIBLE)
            cells.append([list(key), None if state else table.values.get(key, 0), int(state)])
    return json.dumps({"blocked": table.blocked, "cells": cells}, separators=(",", ":"))


def load(text: str, dims: tuple[Dim, ...], atoms: dict[tuple, int], published) -> Table:
    """A table from :func:`dump`, with the live ``atoms`` for insiders' exact sums."""
    data = json.loads(text)
    values, states = {}, {}
    for key, value, state in data["cells"]:
        key = tuple(key)
        if state:
            states[key] = State(state)
        else:
            values[key] = value
    return Table(dims, values, states, published, dict(atoms), bool(data["blocked"]))


def _insert(dialect: str):
    return (postgresql if dialect == "postgresql" else sqlite).insert(PublicationTable.__table__)


def _store(conn: sa.Connection, measure: str, year: int, fp: str, cells: str) -> None:
    stmt = _insert(conn.dialect.name).values(measure=measure, year=year, fingerprint=fp, cells=cells,
                                             computed_at=utcnow())
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["measure", "year"],
        set_={"fingerprint": stmt.excluded.fingerprint, "cells": stmt.excluded.cells,
              "computed_at": stmt.excluded.computed_at}))


_PENDING = "counts_publication_tables_pending"


def store_pending(exc: BaseException | None = None) -> None:
    """At the end of the app context (``teardown_appcontext``): store the tables a reader
    computed, in a transaction of its own once the reader's session is closed (a GET never
    commits; a service's transaction is never committed half-way for this; on SQLite no
    second writer waits for the reader). A failure only means the next reader computes
    the table again."""
    pending = g.pop(_PENDING, None)
    if not pending:
        return
    db.session.remove()
    try:
        with db.engine.begin() as conn:
            for entry in pending:
                _store(conn, *entry)
    except sa.exc.SQLAlchemyError:
        logger.warning("Publication tables not stored: %s", [e[:2] for e in pending], exc_info=True)


def protected_table(measure: str, year: int, dims: tuple[Dim, ...], atoms: dict[tuple, int],
                    published) -> Table:
    """The protected table of these data: from this process, else the database when its
    fingerprint matches, else protected now (and stored when the app context ends)."""
    fp = fingerprint(measure, year, dims, atoms)
    found = _memory.get((measure, year, fp))
    if found is not None:
        return found
    cells = db.session.scalar(sa.select(PublicationTable.cells).where(
        PublicationTable.measure == measure, PublicationTable.year == year,
        PublicationTable.fingerprint == fp))
    if cells is None:
        cells = dump(disclosure.protect(dims, atoms, published))
        g.setdefault(_PENDING, []).append((measure, year, fp, cells))
    found = load(cells, dims, atoms, published)
    if len(_memory) >= _MEMORY_SIZE:
        _memory.clear()
    _memory[(measure, year, fp)] = found
    return found


def store_if_stale(measure: str, year: int, dims: tuple[Dim, ...], atoms: dict[tuple, int],
                   published) -> bool:
    """Store the table of these data unless the stored one is of them already; commits
    (the job's own session)."""
    fp = fingerprint(measure, year, dims, atoms)
    stored = db.session.scalar(sa.select(PublicationTable.fingerprint).where(
        PublicationTable.measure == measure, PublicationTable.year == year))
    if stored == fp:
        return False
    found = _memory.get((measure, year, fp))
    cells = dump(found if found is not None else disclosure.protect(dims, atoms, published))
    _store(db.session.connection(), measure, year, fp, cells)
    db.session.commit()
    return True


def forget_all() -> str:
    """Drop every stored table (after a restore: the data are others); commits."""
    _memory.clear()
    count = db.session.execute(sa.delete(PublicationTable)).rowcount
    db.session.commit()
    return f"{count} opgeslagen tabel(len) gewist; ze worden opnieuw berekend"
