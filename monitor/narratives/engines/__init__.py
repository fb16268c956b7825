"""The story archive's search engines behind one interface, chosen by configuration.

``MONITOR_SEARCH_BACKEND`` (``SEARCH_BACKEND``):

- ``whoosh`` (default): the embedded Whoosh index in ``SEARCH_INDEX_DIR`` (:mod:`.whoosh`),
  for one host. Changes are queued in the story's transaction (``story_index_ops``) and
  applied after the commit; the job worker applies what a request left queued and repairs
  drift (``zoekindex`` jobs).
- ``postgresql``: PostgreSQL full-text search (:mod:`.postgres`): the index is a table in
  the database, written in the same transaction as the story change, so every host sees a
  change at once and none needs a repair pass. Only on PostgreSQL.

Both engines pass the same contract tests (``tests/narratives/test_search_contract.py``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from flask import Flask, current_app

from ...search_query import SearchResult
from . import models  # noqa: F401  (the PostgreSQL engine's tables)

BACKENDS = ("whoosh", "postgresql")


class SearchEngine(Protocol):
    """What the archive asks of a search engine (all inside an app context)."""

    name: str
    #: the index is written in the story's own transaction (nothing to apply afterwards)
    same_transaction: bool

    def search(self, text: str, *, visibilities: Iterable[str], filters: dict[str, list[str]],
               sort: str, page: int, per_page: int, max_chars: int, max_terms: int,
               time_limit: float) -> SearchResult:
        """Hits, total and facet counts over the visible stories only.
        :raise QueryRefused: :raise SearchTimeout:"""

    def related(self, story_id: int, *, visibilities: Iterable[str], limit: int) -> list[int]:
        """Ids of visible stories like ``story_id``."""

    def vocabulary(self) -> tuple[Callable[[str], bool], Callable[[str], list[str]]]:
        """The index's own words: ``known(word)`` and ``candidates(word)`` (look-alikes)."""

    def write(self, story_ids: Iterable[int]) -> None:
        """Bring these stories' index entries up to the database (PostgreSQL: in the
        current transaction; Whoosh: under its lock, the caller holds it)."""

    def apply_pending(self, timeout: float, batch: int) -> int:
        """Apply queued operations; the number applied."""

    def rebuild(self, progress: Callable[[int], None] | None) -> int:
        """Replace the whole index from the database; the number of stories indexed."""

    def indexed_revisions(self) -> dict[int, Any]:
        """Every indexed story id with the revision it was indexed at."""

    def outdated(self) -> bool:
        """The index lacks something this version needs (then :meth:`rebuild`)."""

    def rebuilding(self) -> bool:
        """The index was emptied and waits to be filled again (readers are told; cheap)."""

    def maintain(self) -> str:
        """Periodic upkeep beside the drift repair (a Dutch summary, may be empty)."""


_ENGINES: weakref.WeakKeyDictionary[Flask, SearchEngine] = weakref.WeakKeyDictionary()


class BackendError(RuntimeError):
    """The configured search engine cannot run here (raised by ``create_app``)."""


def configure(app: Flask) -> None:
    """Check ``SEARCH_BACKEND`` against the database; a clear error at start-up otherwise."""
    name = (app.config.get("SEARCH_BACKEND") or "whoosh").strip().lower()
    if name not in BACKENDS:
        raise BackendError(f"MONITOR_SEARCH_BACKEND={name!r}: kies 'whoosh' of 'postgresql'.")
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    if name == "postgresql" and not url.startswith("postgresql"):
        raise BackendError("MONITOR_SEARCH_BACKEND=postgresql werkt alleen met een PostgreSQL-"
                           "database (DATABASE_URL=postgresql://…); deze installatie gebruikt "
                           f"{url.split(':', 1)[0] or 'geen database'}. Kies 'whoosh' of PostgreSQL.")
    app.config["SEARCH_BACKEND"] = name
    _ENGINES.pop(app, None)


def current(app: Flask | None = None) -> SearchEngine:
    """The engine of ``app`` (default: the current app)."""
    app = app or current_app._get_current_object()
    engine = _ENGINES.get(app)
    if engine is None or engine.name != app.config.get("SEARCH_BACKEND", "whoosh"):
        if app.config.get("SEARCH_BACKEND") == "postgresql":
            from .postgres import PostgresEngine
            engine = PostgresEngine()
        else:
            from .whoosh import WhooshEngine
            engine = WhooshEngine(app)
        _ENGINES[app] = engine
    return engine


def _collect_ops(session, flush_context) -> None:
    from ..models import StoryIndexOp

    ops = [(o.id, o.story_id) for o in session.new if isinstance(o, StoryIndexOp)]
    if ops:
        session.info.setdefault("search_ops", []).extend(ops)


def _before_commit(session) -> None:
    from flask import has_app_context

    if has_app_context() and current_app.config.get("SEARCH_BACKEND") == "postgresql":
        from .postgres import write_in_transaction

        write_in_transaction(session)


def _after_rollback(session) -> None:
    session.info.pop("search_ops", None)


def init_app(app: Flask) -> None:
    """Check the configured engine and write the PostgreSQL index in each story's commit."""
    import sqlalchemy as sa

    from ...extensions import db

    configure(app)
    if not sa.event.contains(db.session, "before_commit", _before_commit):
        sa.event.listen(db.session, "after_flush", _collect_ops)
        sa.event.listen(db.session, "before_commit", _before_commit)
        sa.event.listen(db.session, "after_rollback", _after_rollback)
