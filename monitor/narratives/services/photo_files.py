"""Photos of stories: checking and storing uploads, serving them, erasing their files."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

import sqlalchemy as sa
from flask import abort, current_app

from ... import photos, storage
from ...errors import DomainError
from ...extensions import db
from ...i18n import N_
from ..models import ErasedPhotoKey, Story, StoryPhoto

logger = logging.getLogger(__name__)

def get_photo_or_abort(key: str) -> StoryPhoto:
    """Load a photo by its random key.

    :raise 410: the photo was withdrawn or removed (its URL never shows anything again;
        a removed photo that is restored shows again).
    :raise 404: no photo ever had this key.
    """
    if not key or len(key) > 64 or not key.isalnum() or not key.isascii():
        abort(404)
    photo = db.session.scalar(sa.select(StoryPhoto).where(StoryPhoto.file_key == key))
    if photo is not None and photo.deleted_at is not None:
        abort(410)  # removed (restorable for a while by its editors, through their own page)
    if photo is None:
        abort(410 if db.session.get(ErasedPhotoKey, key) is not None else 404)
    return photo


@dataclass
class PhotoInput:
    """One uploaded photo with what the uploader said about it."""

    stream: BinaryIO
    alt_text: str
    caption: str = ""
    recognisable_people: bool = False
    portrait_consent: bool = False
    field: str = "photos"


@dataclass
class _Prepared:
    processed: photos.ProcessedPhoto
    meta: PhotoInput
    key: str = field(default_factory=photos.new_key)


def _check_photo_inputs(inputs: list[PhotoInput]) -> None:
    """What the uploader said about the photos, and how many: checked before any is read.

    :raise DomainError: naming the photo's field.
    """
    maximum = current_app.config["NARRATIVES_MAX_PHOTOS"]
    if len(inputs) > maximum:
        raise DomainError(f"Er zijn te veel foto's toegevoegd: hoogstens {maximum} tegelijk.",
                          "photos")
    for item in inputs:
        if not item.alt_text.strip():
            raise DomainError(N_("Beschrijf wat er op de foto te zien is (alt-tekst); dat is "
                                 "verplicht."), item.field)
        if item.recognisable_people and not item.portrait_consent:
            raise DomainError(N_("Er staan herkenbare mensen op deze foto: zonder hun "
                                 "toestemming (portretrecht) kan hij niet worden geplaatst."),
                              item.field)


def _prepare_photos(inputs: list[PhotoInput]) -> list[_Prepared]:
    """Check every photo and its consent before anything is written.

    Decoding is what costs CPU and memory, so first every header is read and the pixels
    each photo will decode to are checked per photo (``NARRATIVES_PHOTO_MAX_DECODED_PIXELS``)
    and for the whole request (``NARRATIVES_REQUEST_MAX_DECODED_PIXELS``); only then are
    the photos decoded, one at a time.

    :raise DomainError: naming the photo's field.
    """
    _check_photo_inputs(inputs)
    config = current_app.config
    limits = {
        "max_pixels": config["NARRATIVES_PHOTO_MAX_PIXELS"],
        "max_decoded_pixels": config["NARRATIVES_PHOTO_MAX_DECODED_PIXELS"],
    }
    budget = config["NARRATIVES_REQUEST_MAX_DECODED_PIXELS"]
    checked = []
    for item in inputs:
        try:
            data = photos.read_upload(item.stream, config["NARRATIVES_PHOTO_MAX_BYTES"])
            budget -= photos.decoded_pixels(data, **limits)
        except photos.PhotoError as err:
            raise DomainError(str(err), item.field) from err
        if budget < 0:
            raise DomainError("Samen hebben de foto's te veel pixels om te verwerken. Verklein ze "
                              "of stuur er minder tegelijk.", item.field)
        checked.append((item, data))
    prepared = []
    for item, data in checked:
        try:
            prepared.append(_Prepared(photos.process(data, **limits), item))
        except photos.PhotoError as err:
            raise DomainError(str(err), item.field) from err
    return prepared


def _key_was_used(key: str) -> bool:
    return db.session.get(ErasedPhotoKey, key) is not None or db.session.scalar(
        sa.select(StoryPhoto.id).where(StoryPhoto.file_key == key)) is not None


def _attach_photos(story: Story, prepared: list[_Prepared], written: list[str]) -> None:
    """Write the files and add the records; ``written`` collects keys for clean-up."""
    target = storage.current()
    position = max((p.position for p in story.photos), default=0)
    for item in prepared:
        while _key_was_used(item.key):  # 128 random bits: never in practice, but never reused
            item.key = photos.new_key()
        try:
            photos.store(target, item.key, item.processed)
        except storage.StorageError as err:
            # The caller rolls back and removes the photos already written; the form is
            # shown again with everything the user typed.
            raise DomainError(f"{err} Uw tekst is bewaard; voeg de foto's opnieuw toe.",
                              item.meta.field) from err
        written.append(item.key)
        position += 1
        story.photos.append(StoryPhoto(
            file_key=item.key, width=item.processed.width, height=item.processed.height,
            alt_text=item.meta.alt_text.strip()[:300], caption=item.meta.caption.strip()[:300],
            recognisable_people=item.meta.recognisable_people,
            portrait_consent=item.meta.portrait_consent, position=position))


def _commit_with_files(written: list[str]) -> None:
    """Commit; if that fails, remove the files written for it (no orphans, no dangling rows)."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _remove_files(written)
        raise


def _erase_photo_keys(keys: Iterable[str]) -> None:
    """Record erased photo keys (same transaction) so their URLs answer 410 for ever."""
    for key in keys:
        if db.session.get(ErasedPhotoKey, key) is None:
            db.session.add(ErasedPhotoKey(key=key))


def _remove_files(keys: Iterable[str]) -> None:
    """Delete photos' files after the commit that removed their rows (best effort: a file
    the store could not delete now is an orphan the index check removes later)."""
    target = storage.current()
    for key in keys:
        try:
            photos.remove(target, key)
        except (OSError, storage.StorageError):
            logger.exception("Could not remove photo files %s", key)


def photo_bytes(photo: StoryPhoto, size: str) -> bytes:
    """The JPEG of ``photo`` in ``size`` ("web" or "thumb") from the store.

    :raise FileNotFoundError: the file is gone. :raise StorageError: the store failed.
    """
    return photos.read(storage.current(), photo.file_key, size)


def photo_path(photo: StoryPhoto, size: str):
    """Path of the web-size (``web``) or thumbnail (``thumb``) file of ``photo`` on this
    host, or ``None`` when the files are on an object store."""
    web, thumb = photos.file_keys(photo.file_key)
    return storage.current().local_path(thumb if size == "thumb" else web)


PHOTO_CONTENT_TYPE = photos.CONTENT_TYPE
