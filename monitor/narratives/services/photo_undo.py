"""Removing a story's photo with an undo window, restoring it, and erasing it for good.

A removed photo is hidden at once (``deleted_at`` set: it leaves ``Story.photos``, so every
page, the search index, the dossiers and the photo URL, which answers 410); its files stay
for ``NARRATIVES_UNDO_DAYS`` so the people who could remove it can restore it. The job
``verwijderde foto's wissen`` then erases the files and the row (``monitor.erasure``).
"Meteen voorgoed wissen" (a portrait-right problem), a withdrawal and a deletion of the
story erase at once. Which actions can be undone and why: ``docs/privacy.md``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import abort, current_app

from ... import audit, erasure
from ...errors import DomainError
from ...extensions import db
from ...models import User
from ...timeutil import utcnow
from .. import indexing
from ..models import Story, StoryPhoto, StoryStatus
from ._shared import _sync_index
from .photo_files import _erase_photo_keys, _remove_files

PURGE_JOB = "verwijderde foto's wissen"
KEPT = ("at_once", "undo_until")  # facts of the photo's events that erasing keeps


def undo_days() -> int:
    return current_app.config["NARRATIVES_UNDO_DAYS"]


def undo_until(photo: StoryPhoto) -> datetime | None:
    """Until when a removed photo can be restored (naive UTC), ``None`` when not removed."""
    return photo.deleted_at + timedelta(days=undo_days()) if photo.deleted_at else None


def get_removed_photo_or_404(key: str) -> StoryPhoto:
    """A removed photo that can still be restored (its window not over)."""
    if not key or len(key) > 64 or not key.isalnum() or not key.isascii():
        abort(404)
    photo = db.session.scalar(sa.select(StoryPhoto).where(
        StoryPhoto.file_key == key, StoryPhoto.deleted_at.is_not(None)))
    if photo is None:
        abort(404)
    return photo


def _event(action: str, photo: StoryPhoto, by: User | None, summary: str, **values) -> None:
    # On the photo itself, so erasing it (purge, withdrawal) also blanks its description here.
    audit.record(action, object_type="StoryPhoto", object_id=photo.id, actor=by,
                 actor_label=None if by else "systeem", summary=summary,
                 new={"story_id": photo.story_id, **values})


def remove_photo(photo: StoryPhoto, by: User, *, at_once: bool = False) -> Story:
    """Remove one photo: hidden at once, restorable for a while unless ``at_once``.

    With ``at_once`` the record goes first, then the files; the URL answers 410 for ever.
    """
    story = photo.story
    key = photo.file_key
    if at_once:
        _event("story.photo_remove", photo, by, f"Foto van verhaal {story.reference} meteen gewist",
               at_once=True)
        story.photos.remove(photo)
        _erase_photo_keys([key])
        db.session.flush()
        erasure.erase("StoryPhoto", photo.id, keep=KEPT)
    else:
        photo.deleted_at, photo.deleted_by_id = utcnow(), by.id
        db.session.flush()
        db.session.expire(story, ["photos", "removed_photos"])
        _event("story.photo_remove", photo, by, f"Foto van verhaal {story.reference} verwijderd",
               alt_text=photo.alt_text, undo_until=undo_until(photo))
    indexing.touch(story)
    indexing.queue_index(story.id)
    db.session.commit()
    if at_once:
        _remove_files([key])
    _sync_index()
    return story


def restore_photo(photo: StoryPhoto, by: User) -> Story:
    """Undo a removal within the window. :raise DomainError: window over, story withdrawn."""
    story = photo.story
    if story.status == StoryStatus.INGETROKKEN:
        raise DomainError("Dit verhaal is ingetrokken; de foto kan niet terug.")
    if undo_until(photo) <= utcnow():
        raise DomainError("De termijn om deze foto terug te zetten is voorbij.")
    photo.deleted_at, photo.deleted_by_id = None, None
    db.session.flush()
    db.session.expire(story, ["photos", "removed_photos"])
    _event("story.photo_restore", photo, by, f"Foto van verhaal {story.reference} teruggezet")
    indexing.touch(story)
    indexing.queue_index(story.id)
    db.session.commit()
    _sync_index()
    return story


def drop_removed_photos(story: Story) -> list[str]:
    """Erase a story's removed photos now (withdrawal, deletion); the caller commits, then
    removes the files of the returned keys. Their URLs answer 410 for ever."""
    keys = []
    for photo in list(story.removed_photos):
        keys.append(photo.file_key)
        erasure.erase("StoryPhoto", photo.id, keep=KEPT)
        db.session.delete(photo)
    for photo in story.photos:  # a restored photo's events name its description too
        erasure.erase("StoryPhoto", photo.id, keep=KEPT)
    _erase_photo_keys(keys)
    db.session.flush()
    db.session.expire(story, ["removed_photos"])
    return keys


def purge_removed_photos(now: datetime) -> str:
    """The job: erase for good the photos whose undo window is over (files and rows)."""
    limit = now - timedelta(days=undo_days())
    due = list(db.session.scalars(sa.select(StoryPhoto).where(
        StoryPhoto.deleted_at.is_not(None), StoryPhoto.deleted_at <= limit).order_by(StoryPhoto.id)))
    keys = []
    for photo in due:
        keys.append(photo.file_key)
        _event("story.photo_purge", photo, None, "Verwijderde foto na de hersteltermijn gewist")
        erasure.erase("StoryPhoto", photo.id, keep=KEPT)
        db.session.delete(photo)
    _erase_photo_keys(keys)
    db.session.commit()
    _remove_files(keys)
    return f"{len(keys)} verwijderde foto's gewist"
