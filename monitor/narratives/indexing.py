"""The search-index queue: every story change is queued in its own transaction; the
engine (:mod:`.engines`) applies it: PostgreSQL in that same transaction, Whoosh after the
commit under the index's file lock. Reindex, drift checks and the worker's index jobs.

An operation only says "look at story X again": the database decides whether X is
(re)indexed or removed, so applying late or twice is harmless and nothing is lost when
another worker holds the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from .. import photos, storage
from ..extensions import db
from ..timeutil import utcnow
from . import engines
from .models import Story, StoryIndexOp, StoryPhoto, StoryStatus
from .text import plain_text

logger = logging.getLogger(__name__)


def queue_index(story_id: int) -> None:
    """Queue a look at ``story_id`` in the current transaction (the caller commits)."""
    db.session.add(StoryIndexOp(story_id=story_id))


def touch(story: Story) -> None:
    """Mark a story changed: a new revision, so `search check` can spot a stale index."""
    story.revision = (story.revision or 0) + 1
    story.updated_at = utcnow()


def indexable(story: Story | None) -> bool:
    """Only published stories are in the index."""
    return story is not None and story.status == StoryStatus.GEPUBLICEERD


def document(story: Story) -> dict[str, Any]:
    """The search-index document of a published story."""
    from .services.media_files import media_text

    captions = " ".join(f"{p.alt_text} {p.caption}" for p in story.photos)
    # Only a Dutch story goes through the Dutch stemmer; any other language keeps its
    # words as written (lower case, accents folded) in the plain fields.
    suffix = "" if (story.language or "nl") == "nl" else "_plain"
    # What the recordings say (titles, transcripts, captions) is story text too: every
    # search engine built from this document finds it.
    captions = f"{captions} {media_text(story)}".strip()
    return {
        "id": story.id,
        "revision": story.revision,
        f"title{suffix}": story.title,
        f"summary{suffix}": story.summary,
        f"text{suffix}": f"{plain_text(story.body)} {captions}".strip(),
        "tags": " ".join(story.tag_list),
        "wijk": story.wijk.name,
        "buurt": story.buurt.name if story.buurt else "",
        "qualities": " ".join(f"{q.code} {q.name}" for q in story.qualities),
        "f_wijk": str(story.wijk_id),
        "f_quality": ",".join(q.code for q in story.qualities),
        "f_year": str(story.about_date.year),
        "f_form": story.form.value,
        "f_lang": story.language or "nl",
        "visibility": story.visibility.value,
        "date": datetime.combine(story.about_date, time()),
    }


def load_stories(ids: Iterable[int]) -> dict[int, Story]:
    """Stories by id, with what their index documents need loaded eagerly."""
    # The wijk and buurt in the same query (many-to-one); qualities and photos in one
    # query each.
    query = (sa.select(Story).where(Story.id.in_(list(ids)))
             .options(selectinload(Story.qualities), selectinload(Story.photos),
                      selectinload(Story.media),
                      joinedload(Story.wijk), joinedload(Story.buurt)))
    return {s.id: s for s in db.session.scalars(query)}


def apply_pending(timeout: float | None = None, batch: int = 500) -> int:
    """Apply queued index operations (any worker may; the Whoosh engine serialises them by
    its file lock; the PostgreSQL engine has none left after a commit).

    Each operation means "look at story X again": the current database state decides
    whether X is (re)indexed or removed, so applying late or twice is harmless.
    :return: the number of operations applied; 0 when the lock was busy (left queued).
    """
    if timeout is None:
        timeout = current_app.config["SEARCH_LOCK_TIMEOUT"]
    return engines.current().apply_pending(timeout, batch)


def sync_index() -> None:
    """After a commit: bring the index up to date; never bother the user with failures."""
    try:
        apply_pending()
    except Exception:  # the ops stay queued; the next worker or `search check` applies them
        db.session.rollback()
        logger.exception("Applying search-index updates failed; they stay queued")


def pending_count() -> int:
    """How many index operations are still queued."""
    return db.session.scalar(sa.select(sa.func.count(StoryIndexOp.id))) or 0


def apply_job(now=None) -> str:
    """Job ``zoekindex bijwerken`` (every minute, and asked for after a commit): apply what
    a request left queued (its own apply failed or it was killed). Cheap when nothing is.

    An index this version cannot use (made anew empty after an upgrade) is rebuilt here, so
    the archive is whole again within a minute or so, not at the hourly repair."""
    rebuilt = ""
    if engines.current().outdated():
        rebuilt = f"index opnieuw opgebouwd ({reindex_all()} verhalen), "
    if not pending_count():
        return f"{rebuilt}niets openstaand"
    return f"{rebuilt}{apply_pending(timeout=30)} update(s) toegepast"


def repair_job(now=None) -> str:
    """Job ``zoekindex controleren`` (hourly, in the worker; web workers never run it):
    apply what is queued, repair drift, upkeep of the engine, remove orphans.

    Safe in several workers at once: applying an operation twice is harmless, and Whoosh's
    writers are serialised by the index's file lock.
    """
    engine = engines.current()
    rebuilt = ""
    if engine.outdated():
        rebuilt = f"index opnieuw opgebouwd ({reindex_all()} verhalen), "
    report = check_index(repair=True)
    drift = len(report.missing) + len(report.stale) + len(report.extra)
    upkeep = engine.maintain()
    return (f"{rebuilt}{report.pending} openstaande update(s) toegepast, {drift} afwijking(en) "
            f"hersteld, {report.orphan_files} los(se) fotobestand(en) verwijderd"
            + (f", {upkeep}" if upkeep else ""))


def reindex_all(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database (published stories only)."""
    return engines.current().rebuild(progress)


@dataclass
class IndexReport:
    """Drift between database and index found (and repaired) by :func:`check_index`."""

    missing: list[int]
    stale: list[int]
    extra: list[int]
    pending: int
    orphan_files: int
    repaired: bool

    @property
    def in_sync(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def check_index(repair: bool = True) -> IndexReport:
    """Compare the index with the database; queue and apply repairs when ``repair``.

    Also removes photo files that belong to no photo record and temporary files of
    writes that never finished (an interrupted upload), once they are an hour old.
    """
    pending = pending_count()
    if repair and pending:
        apply_pending(timeout=30)
    expected = dict(db.session.execute(
        sa.select(Story.id, Story.revision).where(Story.status == StoryStatus.GEPUBLICEERD)).all())
    indexed = engines.current().indexed_revisions()
    missing = sorted(set(expected) - set(indexed))
    extra = sorted(set(indexed) - set(expected))
    stale = sorted(i for i in set(expected) & set(indexed) if expected[i] != indexed[i])
    files = storage.current()
    known = set(db.session.scalars(sa.select(StoryPhoto.file_key)))
    orphan_keys = photos.stored_keys(files, older_than=3600) - known
    stray = files.stray(older_than=3600)
    if repair:
        for story_id in missing + extra + stale:
            queue_index(story_id)
        db.session.commit()
        apply_pending(timeout=30)
        for key in orphan_keys:
            try:
                photos.remove(files, key)
            except (OSError, storage.StorageError):
                logger.exception("Could not remove orphan photo files %s", key)
        files.discard_stray(stray)
    return IndexReport(missing, stale, extra, pending, len(orphan_keys) + len(stray), repair)
