"""Removing a story's photo or recording with an undo window, restoring it, erasing it for good.

A removed photo or recording is hidden at once (``deleted_at`` set: it leaves ``Story.photos``
/ ``Story.media``, so every page, the search index, the dossiers and its URL, which answers
410); its files stay for ``NARRATIVES_UNDO_DAYS`` so the people who could remove it can
restore it. The job ``verwijderde foto's en opnamen wissen`` then erases the files and the row
(``monitor.erasure``). "Meteen voorgoed wissen" (a portrait-right problem), a withdrawal and a
deletion of the story erase at once. Which actions can be undone and why: ``docs/privacy.md``.
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
from ..models import ErasedPhotoKey, Story, StoryMedia, StoryPhoto, StoryStatus
from ._shared import _sync_index
from .media_files import remove_stored
from .photo_files import _erase_photo_keys, _remove_files

PURGE_JOB = "verwijderde foto's en opnamen wissen"
KEPT = ("at_once", "undo_until")  # facts of the events that erasing keeps
_NAMES = {StoryPhoto: ("photo", "Foto"), StoryMedia: ("media", "Opname")}


def undo_until(item: StoryPhoto | StoryMedia) -> datetime | None:
    """Until when a removed photo or recording can be restored (naive UTC), ``None`` when not removed."""
    if item.deleted_at is None:
        return None
    return item.deleted_at + timedelta(days=current_app.config["NARRATIVES_UNDO_DAYS"])


def _removed_or_404(model, key: str):
    if not key or len(key) > 64 or not key.isalnum() or not key.isascii():
        abort(404)
    item = db.session.scalar(sa.select(model).where(model.file_key == key, model.deleted_at.is_not(None)))
    if item is None:
        abort(404)
    return item


def get_removed_photo_or_404(key: str) -> StoryPhoto:
    """A removed photo that can still be restored."""
    return _removed_or_404(StoryPhoto, key)


def get_removed_media_or_404(key: str) -> StoryMedia:
    """A removed recording that can still be restored."""
    return _removed_or_404(StoryMedia, key)


def _event(verb: str, item, by: User | None, summary: str, **values) -> None:
    # On the photo or recording itself, so erasing it (purge, withdrawal) also blanks its
    # description here.
    audit.record(f"story.{_NAMES[type(item)][0]}_{verb}", object_type=type(item).__name__,
                 object_id=item.id, actor=by, actor_label=None if by else "systeem", summary=summary,
                 new={"story_id": item.story_id, **values})


def _files(item) -> list[str]:
    return [item.stored_key, item.staging_key] if isinstance(item, StoryMedia) else [item.file_key]


def _remove_now(item, files: list[str]) -> None:
    if isinstance(item, StoryMedia):
        remove_stored(files)
    else:
        _remove_files(files)


def _remove(item, by: User, at_once: bool) -> Story:
    story = item.story
    name = _NAMES[type(item)][1]
    files = _files(item)
    if at_once:
        _event("remove", item, by, f"{name} van verhaal {story.reference} meteen gewist", at_once=True)
        erasure.erase(type(item).__name__, item.id, keep=KEPT)
        (story.photos if isinstance(item, StoryPhoto) else story.media).remove(item)
        _erase_photo_keys([item.file_key])
    else:
        item.deleted_at, item.deleted_by_id = utcnow(), by.id
        _event("remove", item, by, f"{name} van verhaal {story.reference} verwijderd",
               title=getattr(item, "alt_text", None) or getattr(item, "title", ""),
               undo_until=undo_until(item))
    db.session.flush()
    db.session.expire(story, ["photos", "removed_photos", "media", "removed_media"])
    indexing.touch(story)
    indexing.queue_index(story.id)
    db.session.commit()
    if at_once:
        _remove_now(item, files)
    _sync_index()
    return story


def remove_photo(photo: StoryPhoto, by: User, *, at_once: bool = False) -> Story:
    """Remove one photo: hidden at once, restorable for a while unless ``at_once`` (then the
    record goes first, then the files; either way the URL answers 410)."""
    return _remove(photo, by, at_once)


def remove_media(record: StoryMedia, by: User, *, at_once: bool = False) -> Story:
    """Remove one recording, as :func:`remove_photo`."""
    return _remove(record, by, at_once)


def _restore(item, by: User) -> Story:
    story = item.story
    if story.status == StoryStatus.INGETROKKEN:
        raise DomainError("Dit verhaal is ingetrokken; het kan niet terug.")
    if undo_until(item) <= utcnow():
        raise DomainError("De termijn om dit terug te zetten is voorbij.")
    item.deleted_at, item.deleted_by_id = None, None
    db.session.flush()
    db.session.expire(story, ["photos", "removed_photos", "media", "removed_media"])
    _event("restore", item, by, f"{_NAMES[type(item)][1]} van verhaal {story.reference} teruggezet")
    indexing.touch(story)
    indexing.queue_index(story.id)
    db.session.commit()
    _sync_index()
    return story


def restore_photo(photo: StoryPhoto, by: User) -> Story:
    """Undo a removal within the window. :raise DomainError: window over, story withdrawn."""
    return _restore(photo, by)


def restore_media(record: StoryMedia, by: User) -> Story:
    """Undo a removal within the window. :raise DomainError: window over, story withdrawn."""
    return _restore(record, by)


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


def drop_removed_media(story: Story) -> list[str]:
    """Erase a story's removed recordings now, as :func:`drop_removed_photos`; returns the
    storage keys to delete after the commit."""
    keys = []
    for record in list(story.removed_media):
        keys += _files(record)
        erasure.erase("StoryMedia", record.id, keep=KEPT)
        db.session.delete(record)
        if db.session.get(ErasedPhotoKey, record.file_key) is None:
            db.session.add(ErasedPhotoKey(key=record.file_key))
    for record in story.media:
        erasure.erase("StoryMedia", record.id, keep=KEPT)
    db.session.flush()
    db.session.expire(story, ["removed_media"])
    return keys


def purge_removed(now: datetime) -> str:
    """The job: erase for good the photos and recordings whose undo window is over."""
    limit = now - timedelta(days=current_app.config["NARRATIVES_UNDO_DAYS"])
    due = [item for model in (StoryPhoto, StoryMedia) for item in db.session.scalars(
        sa.select(model).where(model.deleted_at.is_not(None), model.deleted_at <= limit).order_by(model.id))]
    photo_keys, media_keys = [], []
    for item in due:
        (media_keys if isinstance(item, StoryMedia) else photo_keys).extend(_files(item))
        _event("purge", item, None, f"Verwijderde {_NAMES[type(item)][1].lower()} na de hersteltermijn gewist")
        erasure.erase(type(item).__name__, item.id, keep=KEPT)
        db.session.delete(item)
        _erase_photo_keys([item.file_key])
    db.session.commit()
    _remove_files(photo_keys)
    remove_stored(media_keys)
    photos = len(photo_keys)
    return f"{photos} verwijderde foto's en {len(due) - photos} opnamen gewist"
