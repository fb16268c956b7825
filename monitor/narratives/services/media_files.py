"""Recordings of stories (sound, film): checking uploads, converting, serving, erasing.

Every file goes through :func:`monitor.storage.current` under ``media/<hex>.<ext>`` (the
clean, converted file) or ``media-staging/<hex>`` (an upload waiting for the job worker).
A short recording (``NARRATIVES_MEDIA_INLINE_SECONDS``) is converted in the request, before
anything is written, so a refusal loses nothing; a longer one is checked in the request
(container, streams, duration, first packets), staged, and converted by the job
``media omzetten`` soon after the commit. Until every recording of a story is ready and
has its transcript or captions, the story cannot be published (:func:`media_blockers`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

import sqlalchemy as sa
from flask import abort, current_app

from ... import audit, media, storage, webvtt
from ...errors import DomainError
from ...extensions import db
from ...models import User
from .. import indexing
from ..models import ErasedPhotoKey, MediaStatus, Story, StoryMedia, StoryPhoto

logger = logging.getLogger(__name__)

JOB = "media omzetten"
MAX_TRANSCRIPT = 50_000


@dataclass
class MediaInput:
    """One uploaded recording with what the uploader said about it."""

    stream: BinaryIO
    title: str
    has_speech: bool = True
    transcript: str = ""
    captions: str = ""
    recognisable_people: bool = False
    people_consent: bool = False
    field: str = "media_1-file"


@dataclass
class _Prepared:
    meta: MediaInput
    probe: media.Probe
    data: bytes
    converted: media.Converted | None
    key: str = field(default_factory=media.new_key)


def _limits() -> dict[str, float]:
    config = current_app.config
    return {"max_audio_seconds": config["NARRATIVES_MEDIA_MAX_AUDIO_SECONDS"],
            "max_video_seconds": config["NARRATIVES_MEDIA_MAX_VIDEO_SECONDS"]}


def checked_captions(text: str, field_name: str = "captions") -> str:
    """Captions as stored: empty, or valid WebVTT. :raise DomainError: naming the field."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        return webvtt.validate(text)
    except webvtt.CaptionError as err:
        raise DomainError(str(err), field_name) from err


def checked_transcript(text: str, field_name: str = "transcript") -> str:
    text = (text or "").strip()
    if len(text) > MAX_TRANSCRIPT:
        raise DomainError("Het transcript is te lang (maximaal 50.000 tekens).", field_name)
    return text


def check_media_inputs(inputs: list[MediaInput]) -> None:
    """What the uploader said about the recordings, and how many: checked before any is read.

    :raise DomainError: naming the recording's field.
    """
    maximum = current_app.config["NARRATIVES_MAX_MEDIA"]
    if len(inputs) > maximum:
        raise DomainError(f"Er zijn te veel opnames toegevoegd: hoogstens {maximum} tegelijk.", "media_1-file")
    for item in inputs:
        prefix = item.field.removesuffix("-file")
        if not item.title.strip():
            raise DomainError("Geef de opname een korte beschrijving; dat is verplicht.", f"{prefix}-title")
        if item.recognisable_people and not item.people_consent:
            raise DomainError("Er zijn herkenbare stemmen of gezichten in deze opname: zonder hun "
                              "toestemming kan hij niet worden geplaatst.", f"{prefix}-people_consent")
        item.transcript = checked_transcript(item.transcript, f"{prefix}-transcript")
        item.captions = checked_captions(item.captions, f"{prefix}-captions")


def prepare_media(inputs: list[MediaInput]) -> list[_Prepared]:
    """Check every recording before anything is written; convert the short ones.

    :raise DomainError: naming the recording's field.
    """
    check_media_inputs(inputs)
    config = current_app.config
    prepared = []
    for item in inputs:
        try:
            data = media.read_upload(item.stream, config["NARRATIVES_MEDIA_MAX_BYTES"])
            probe = media.probe(data, **_limits())
            converted = None
            if probe.duration <= config["NARRATIVES_MEDIA_INLINE_SECONDS"]:
                converted = media.convert(data, **_limits())
        except media.MediaError as err:
            raise DomainError(str(err), item.field) from err
        prepared.append(_Prepared(item, probe, data, converted))
    return prepared


def _key_was_used(key: str) -> bool:
    return db.session.get(ErasedPhotoKey, key) is not None or any(
        db.session.scalar(sa.select(model.id).where(model.file_key == key)) is not None
        for model in (StoryMedia, StoryPhoto))


def attach_media(story: Story, prepared: list[_Prepared], written: list[str]) -> None:
    """Store the files and add the records; ``written`` collects storage keys for clean-up."""
    from ...jobs import run_after_commit

    store = storage.current()
    position = max((m.position for m in story.media), default=0)
    for item in prepared:
        while _key_was_used(item.key):  # 128 random bits: never in practice, but never reused
            item.key = media.new_key()
        position += 1
        record = StoryMedia(
            file_key=item.key, kind=item.probe.kind, title=item.meta.title.strip()[:300],
            has_speech=item.meta.has_speech or item.probe.kind == media.AUDIO,
            transcript=item.meta.transcript, captions=item.meta.captions,
            recognisable_people=item.meta.recognisable_people,
            people_consent=item.meta.people_consent, position=position,
            duration_ms=int(item.probe.duration * 1000),
            width=item.probe.width, height=item.probe.height)
        if item.converted is not None:
            _mark_ready(record, item.converted)
            store.put(record.stored_key, item.converted.data, item.converted.content_type)
            written.append(record.stored_key)
        else:
            store.put(record.staging_key, item.data)
            written.append(record.staging_key)
            run_after_commit(JOB)
        story.media.append(record)
        item.data = b""


def _mark_ready(record: StoryMedia, converted: media.Converted) -> None:
    record.status = MediaStatus.KLAAR
    record.error = ""
    record.duration_ms = int(converted.duration * 1000)
    record.width, record.height = converted.width, converted.height


def remove_stored(keys: Iterable[str]) -> None:
    store = storage.current()
    for key in keys:
        try:
            store.delete(key)
        except (OSError, storage.StorageError):
            logger.exception("Could not remove media file %s", key)


def commit_with_stored(photo_keys: list[str], media_keys: list[str]) -> None:
    """Commit; if that fails, remove the files written for it (no orphans, no dangling rows)."""
    from .photo_files import _remove_files

    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _remove_files(photo_keys)
        remove_stored(media_keys)
        raise


def drop_media(story: Story) -> list[str]:
    """Remove the story's recordings from the session (their keys answer 410 from now on).

    :return: the storage keys to delete after the commit.
    """
    keys = []
    for item in list(story.media):
        keys += [item.stored_key, item.staging_key]
        if db.session.get(ErasedPhotoKey, item.file_key) is None:
            db.session.add(ErasedPhotoKey(key=item.file_key))
    story.media.clear()
    return keys


# --- conversion in the job worker -------------------------------------------------------

def convert_one(record: StoryMedia) -> bool:
    """Convert one staged recording; commits. :return: whether it is ready now."""
    store = storage.current()
    try:
        data = store.get(record.staging_key)
    except FileNotFoundError:
        record.status, record.error = MediaStatus.MISLUKT, "Het geüploade bestand is niet meer aanwezig."
        db.session.commit()
        return False
    try:
        converted = media.convert(data, **_limits())
    except media.MediaError as err:
        record.status, record.error = MediaStatus.MISLUKT, str(err)[:300]
        db.session.commit()
        store.delete(record.staging_key)
        return False
    store.put(record.stored_key, converted.data, converted.content_type)
    _mark_ready(record, converted)
    indexing.touch(record.story)
    db.session.commit()
    store.delete(record.staging_key)  # the original, with its metadata, is gone
    return True


def convert_pending(now=None) -> str | None:
    """The job: convert every recording that waits (idempotent; a repeat finds none)."""
    waiting = list(db.session.scalars(sa.select(StoryMedia).where(StoryMedia.status == MediaStatus.WACHT)
                                      .order_by(StoryMedia.id)))
    ready = sum(convert_one(record) for record in waiting)
    return f"{ready} van {len(waiting)} opnames omgezet" if waiting else None


def remove_orphans() -> str | None:
    """Start-up task: delete media files no recording points to (older than an hour)."""
    store = storage.current()
    known = set(db.session.scalars(sa.select(StoryMedia.file_key)))
    removed = 0
    for prefix in ("media", "media-staging"):
        for key in list(store.keys(prefix, older_than=3600)):
            if key.split("/")[-1].split(".")[0] not in known:
                store.delete(key)
                removed += 1
    return f"{removed} losse opnamebestanden verwijderd" if removed else None


# --- reading and publishing -------------------------------------------------------------

def get_media_or_abort(key: str) -> StoryMedia:
    """A recording by its random key. :raise 410: erased or removed; :raise 404: never existed."""
    if not key or len(key) > 64 or not key.isalnum() or not key.isascii():
        abort(404)
    record = db.session.scalar(sa.select(StoryMedia).where(StoryMedia.file_key == key))
    if record is not None and record.deleted_at is not None:
        abort(410)  # removed (restorable for a while by its editors, through their own page)
    if record is None:
        abort(410 if db.session.get(ErasedPhotoKey, key) is not None else 404)
    return record


def media_blockers(story: Story) -> list[str]:
    """Why the story's recordings keep it from being published (Dutch), empty when none."""
    problems = []
    for item in story.media:
        name = f"De opname '{item.title}'"
        if item.status == MediaStatus.WACHT:
            problems.append(f"{name} wordt nog omgezet. Probeer het over een paar minuten opnieuw.")
        elif item.status == MediaStatus.MISLUKT:
            problems.append(f"{name} kon niet worden omgezet ({item.error}). Verwijder hem of "
                            "voeg hem opnieuw toe.")
        if not item.is_video and not item.transcript.strip():
            problems.append(f"{name} heeft nog geen transcript (de uitgeschreven tekst). Dat is "
                            "nodig voor wie niet kan luisteren.")
        if item.needs_captions and not item.captions.strip():
            problems.append(f"{name} heeft nog geen ondertitels (WebVTT). Die zijn nodig als er in "
                            "de film gesproken wordt.")
        if item.recognisable_people and not item.people_consent:
            problems.append(f"{name} heeft herkenbare stemmen of gezichten zonder toestemming.")
    return problems


def media_text(story: Story) -> str:
    """What the recordings say, for the search index: titles, transcripts, spoken captions."""
    return " ".join(f"{m.title} {m.transcript} {webvtt.plain_text(m.captions) if m.captions else ''}"
                    for m in story.media).strip()


# --- staff changes ----------------------------------------------------------------------

def add_media(story: Story, inputs: list[MediaInput], by: User | None = None) -> Story:
    """Add recordings to an existing story. :raise DomainError: invalid file or consent."""
    from . import _shared

    prepared = prepare_media(inputs)
    written: list[str] = []
    try:
        attach_media(story, prepared, written)
        indexing.touch(story)
        indexing.queue_index(story.id)
        audit.record("story.media_add", story, actor=by, new={"media": len(prepared)})
    except BaseException:
        db.session.rollback()
        remove_stored(written)
        raise
    commit_with_stored([], written)
    _shared._sync_index()
    return story


def update_media_text(record: StoryMedia, by: User, *, title: str, transcript: str, captions: str,
                      has_speech: bool) -> StoryMedia:
    """Change a recording's description, transcript, captions or "speech" answer.

    :raise DomainError: naming the field (invalid captions, missing title).
    """
    from . import _shared

    if not title.strip():
        raise DomainError("Geef de opname een korte beschrijving; dat is verplicht.", "title")
    record.title = title.strip()[:300]
    record.transcript = checked_transcript(transcript)
    record.captions = checked_captions(captions)
    record.has_speech = has_speech or not record.is_video
    indexing.touch(record.story)
    audit.record("story.media_text", record.story, actor=by,
                 new={"media": record.id, "transcript": bool(record.transcript),
                      "captions": bool(record.captions)})
    indexing.queue_index(record.story_id)
    db.session.commit()
    _shared._sync_index()
    return record
