"""The embedded engine: the Whoosh index of :mod:`monitor.search` in ``SEARCH_INDEX_DIR``.

Changes are queued (``story_index_ops``) in the story's transaction and applied after the
commit under the index's file lock; one host only (the index is a folder on its disk).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from ... import search
from ...extensions import db
from ..models import Story, StoryIndexOp, StoryStatus

logger = logging.getLogger(__name__)


class WhooshEngine:
    name = "whoosh"
    same_transaction = False

    def __init__(self, app: Flask) -> None:
        self.app = app
        from ... import search_fast

        # One cache per process: the last app made sets its size (there is one in production).
        search_fast.POSTINGS.resize(app.config["SEARCH_POSTINGS_CACHE_MB"] * 1024 * 1024)

    @property
    def dirname(self) -> str:
        return current_app.config["SEARCH_INDEX_DIR"]

    def search(self, text: str, **kwargs) -> search.SearchResult:
        try:
            return search.search(self.dirname, text, **kwargs)
        except search.IndexBusy:
            # No index yet, and the first writer is creating it: nothing indexed to find.
            if text.strip():  # a query it would refuse is still refused
                search.parse(text, max_chars=kwargs.get("max_chars", search.MAX_QUERY_CHARS),
                             max_terms=kwargs.get("max_terms", search.MAX_TERMS))
            return search.SearchResult([], 0, 1, kwargs.get("per_page", 10))

    def related(self, story_id: int, *, visibilities: Iterable[str], limit: int) -> list[int]:
        try:
            return search.related(self.dirname, story_id, visibilities=visibilities, limit=limit)
        except search.IndexBusy:
            return []

    def vocabulary(self):
        try:
            return search.vocabulary(self.dirname)
        except search.IndexBusy:
            return (lambda word: True), (lambda word: [])

    def write(self, story_ids: Iterable[int]) -> None:
        from ..indexing import document, indexable, load_stories

        story_ids = set(story_ids)
        stories = load_stories(story_ids)
        upserts = [document(s) for s in stories.values() if indexable(s)]
        deletes = [i for i in story_ids if not indexable(stories.get(i))]
        search.write(self.dirname, upserts, deletes)

    def apply_pending(self, timeout: float, batch: int) -> int:
        applied = 0
        try:
            with search.writer_lock(self.dirname, timeout):
                while True:
                    ops = db.session.execute(
                        sa.select(StoryIndexOp.id, StoryIndexOp.story_id)
                        .order_by(StoryIndexOp.id).limit(batch)).all()
                    if not ops:
                        break
                    self.write({story_id for _, story_id in ops})
                    # Delete exactly the ops read: one committed later with a lower id stays.
                    db.session.execute(sa.delete(StoryIndexOp).where(
                        StoryIndexOp.id.in_([op_id for op_id, _ in ops])))
                    db.session.commit()
                    applied += len(ops)
        except search.IndexBusy:
            db.session.rollback()
            logger.warning("Search index busy; the queued operations stay for the next worker")
        return applied

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        from ..indexing import document, indexable, load_stories

        with search.writer_lock(self.dirname, timeout=60):
            # Only ops already committed now are covered by the rebuild (it reads after
            # this); one committed meanwhile, even with a lower id, stays queued.
            seen = list(db.session.scalars(sa.select(StoryIndexOp.id)))
            db.session.commit()  # end the snapshot so the rebuild reads the newest state
            ids = list(db.session.scalars(
                sa.select(Story.id).where(Story.status == StoryStatus.GEPUBLICEERD).order_by(Story.id)))

            def docs():
                for start in range(0, len(ids), 500):
                    for story in load_stories(ids[start:start + 500]).values():
                        if indexable(story):
                            yield document(story)

            count = search.rebuild(self.dirname, docs(), progress,
                                   memory_mb=current_app.config["SEARCH_REBUILD_MEMORY_MB"])
            for start in range(0, len(seen), 500):
                db.session.execute(sa.delete(StoryIndexOp).where(
                    StoryIndexOp.id.in_(seen[start:start + 500])))
            db.session.commit()
        return count

    def indexed_revisions(self) -> dict[int, Any]:
        return search.indexed_revisions(self.dirname)

    def outdated(self) -> bool:
        return not search.schema_current(self.dirname)

    def rebuilding(self) -> bool:
        return search.rebuild_pending(self.dirname)

    def maintain(self) -> str:
        return ""
