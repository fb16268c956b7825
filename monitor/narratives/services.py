"""Use cases of the story archive: contribute, write, moderate, publish, withdraw, search.

Every change to a story writes a :class:`StoryIndexOp` in the same transaction; after
the commit the pending operations are applied to the search index under a file lock.
A worker that cannot get the lock leaves them for the next one, so no update is lost
and no reader ever sees a lock error.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import abort, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from .. import audit, erasure, photos, ratelimit, search
from ..catalogues import Quality
from ..errors import DomainError
from ..extensions import db
from ..models import Buurt, Period, Role, User, Wijk
from ..permissions import STAFF, wijk_ids_in_scope
from ..timeutil import utcnow
from ..tokens import hash_token
from . import indexing
from .indexing import (  # noqa: F401  (re-exported for the CLI, the seed and the tests)
    IndexReport,
    apply_pending,
    check_index,
    document,
    indexable,
    pending_count,
    register_index_hooks,
    reindex_all,
    sync_index,
)
from .models import (
    ConsentMethod,
    ErasedPhotoKey,
    Story,
    StoryFeedback,
    StoryForm,
    StoryPhoto,
    StoryStatus,
    Teller,
    Visibility,
)
from .text import plain_text, render_markdown, safe_highlight  # noqa: F401  (re-exported)

logger = logging.getLogger(__name__)

STORY_FIELDS = ("title", "summary", "body", "wijk_id", "buurt_id", "about_date", "form",
                "teller", "teller_name", "tags", "visibility", "status")
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

# --- reading rules --------------------------------------------------------------------

def visibilities_for(user: Any) -> list[str]:
    """The visibility levels ``user`` may read (anonymous visitors: openbaar only)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return [Visibility.OPENBAAR.value]
    if user.role in STAFF:
        return [v.value for v in Visibility]
    if user.role == Role.RAADSLID:
        return [Visibility.OPENBAAR.value, Visibility.RAAD.value]
    return [Visibility.OPENBAAR.value]


def may_moderate(user: Any, story: Story) -> bool:
    """A buurtcoördinator of the story's wijk."""
    return (getattr(user, "is_authenticated", False) and user.role == Role.BUURTCOORDINATOR
            and story.wijk_id in user.wijk_ids)


def can_read(user: Any, story: Story) -> bool:
    """Published: by visibility. Unpublished: only its author and the wijk's coordinators."""
    if story.status == StoryStatus.INGETROKKEN:
        return False
    if story.is_published and story.visibility.value in visibilities_for(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return story.author_id == user.id or may_moderate(user, story)


def get_story_or_404(story_id: int) -> Story:
    """Load a story or abort with 404. :raise 404: when it does not exist."""
    story = db.session.get(Story, story_id)
    if story is None:
        abort(404)
    return story


def get_photo_or_abort(key: str) -> StoryPhoto:
    """Load a photo by its random key.

    :raise 410: the photo was withdrawn or removed (its URL never shows anything again).
    :raise 404: no photo ever had this key.
    """
    if not key or len(key) > 64 or not key.isalnum() or not key.isascii():
        abort(404)
    photo = db.session.scalar(sa.select(StoryPhoto).where(StoryPhoto.file_key == key))
    if photo is None:
        abort(410 if db.session.get(ErasedPhotoKey, key) is not None else 404)
    return photo


def get_wijk_or_404(wijk_id: int) -> Wijk:
    """Load an active wijk or abort with 404."""
    wijk = db.session.get(Wijk, wijk_id)
    if wijk is None or not wijk.active:
        abort(404)
    return wijk


# --- reference data for forms ---------------------------------------------------------

def wijk_choices() -> list[Wijk]:
    return list(db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name)))


def buurt_choices() -> list[Buurt]:
    return list(db.session.scalars(
        sa.select(Buurt).join(Wijk).where(Buurt.active.is_(True), Wijk.active.is_(True))
        .order_by(Wijk.name, Buurt.name)))


def quality_choices() -> list[Quality]:
    return list(db.session.scalars(
        sa.select(Quality).where(Quality.active.is_(True), Quality.buurt_id.is_(None))
        .order_by(Quality.position, Quality.code)))


# --- photos ---------------------------------------------------------------------------

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
            raise DomainError("Beschrijf wat er op de foto te zien is (alt-tekst); dat is verplicht.",
                              item.field)
        if item.recognisable_people and not item.portrait_consent:
            raise DomainError("Er staan herkenbare mensen op deze foto: zonder hun toestemming "
                              "(portretrecht) kan hij niet worden geplaatst.", item.field)


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
    folder = current_app.config["UPLOAD_FOLDER"]
    position = max((p.position for p in story.photos), default=0)
    for item in prepared:
        while _key_was_used(item.key):  # 128 random bits: never in practice, but never reused
            item.key = photos.new_key()
        photos.store(folder, item.key, item.processed)
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
    folder = current_app.config["UPLOAD_FOLDER"]
    for key in keys:
        try:
            photos.remove(folder, key)
        except OSError:
            logger.exception("Could not remove photo files %s", key)


def photo_path(photo: StoryPhoto, size: str):
    """Path of the web-size (``web``) or thumbnail (``thumb``) file of ``photo``."""
    web, thumb = photos.paths(current_app.config["UPLOAD_FOLDER"], photo.file_key)
    return thumb if size == "thumb" else web


PHOTO_CONTENT_TYPE = photos.CONTENT_TYPE


# --- rate limiting and spam resistance --------------------------------------------------

def _address_hash(address: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "onbekend").encode(), hashlib.sha256).hexdigest()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="narratives-form-stamp")


STAMP_MAX_AGE = 24 * 3600


def form_stamp(started: float | None = None) -> str:
    """A signed, single-use stamp put in the public form: a random nonce and the moment
    the form was first shown (to measure how long filling it took).

    :param started: keep this start time (a form shown again after a refusal).
    """
    return _serializer().dumps({"n": secrets.token_urlsafe(16),
                                "t": utcnow().timestamp() if started is None else started})


def _read_stamp(stamp: str) -> dict[str, Any]:
    """:raise BadSignature: forged, expired or of an older kind."""
    payload = _serializer().loads(stamp or "", max_age=STAMP_MAX_AGE)
    if not (isinstance(payload, dict) and isinstance(payload.get("n"), str)
            and isinstance(payload.get("t"), int | float)):
        raise BadSignature("not a form stamp")
    return payload


def renewed_stamp(stamp: str) -> str:
    """A new stamp for a form shown again after a POST, keeping its start time if valid."""
    try:
        return form_stamp(float(_read_stamp(stamp)["t"]))
    except BadSignature:
        return form_stamp()


def check_spam(*, honeypot: str, stamp: str) -> str:
    """Refuse bots: a filled hidden field, or a form sent faster than a person can.

    :return: the stamp's nonce (to be used once with :func:`use_stamp`).
    :raise DomainError: with a neutral message.
    """
    minimum = current_app.config["NARRATIVES_MIN_FILL_SECONDS"]
    if honeypot.strip():
        raise DomainError("Uw verhaal kon niet worden verstuurd. Probeer het later opnieuw.")
    try:
        payload = _read_stamp(stamp)
    except BadSignature as err:
        raise DomainError("Het formulier is verlopen. Laad de pagina opnieuw; wat u typte blijft "
                          "staan als u het eerst kopieert.") from err
    if utcnow().timestamp() - float(payload["t"]) < minimum:
        raise DomainError("Het formulier werd wel erg snel verstuurd. Controleer uw verhaal en "
                          "verstuur het opnieuw.")
    return payload["n"]


def use_stamp(nonce: str) -> None:
    """Spend the form's stamp: a stamp is good for one submission, even when several
    requests carrying it arrive at once (one atomic insert decides).

    :raise DomainError: the stamp was used already.
    """
    if not ratelimit.claim("narratives.stamp", nonce, STAMP_MAX_AGE + 3600):
        raise DomainError("Dit formulier is al verstuurd. Controleer of uw verhaal is "
                          "aangekomen, of verstuur het opnieuw met dit formulier.")


class RateLimited(DomainError):
    """Too many public submissions from one address (answered with HTTP 429)."""


def count_submission(address: str) -> None:
    """Count this attempt against the per-address limits (per hour and per day).

    Counted before anything costly (reading and decoding photos) and kept whatever
    happens next, so a submission failing half-way counts too. One atomic counter per
    window (``monitor.ratelimit``): exact across workers, even for simultaneous requests.

    :raise RateLimited: when the address has sent too many stories recently.
    """
    config = current_app.config
    key = _address_hash(address)  # a keyed hash: enough to count, not to identify
    if not ratelimit.hit("narratives.submit.hour", key, config["NARRATIVES_MAX_PER_HOUR"], 3600) \
            or not ratelimit.hit("narratives.submit.day", key,
                                 config["NARRATIVES_MAX_PER_DAY"], 24 * 3600):
        raise RateLimited("Vanaf dit adres zijn kort geleden al meerdere verhalen verstuurd. "
                          "Probeer het later opnieuw.")


# --- creating and editing ---------------------------------------------------------------

def _resident_event(event) -> None:
    """Residents are not identified: no IP address in the audit trail for their actions."""
    event.ip_address = None


@dataclass
class StoryData:
    """What a form supplies about a story (shape checked by the form already)."""

    title: str
    summary: str
    body: str
    wijk_id: int
    buurt_id: int | None
    about_date: date
    form: str
    teller: str
    quality_ids: list[int]
    tags: str = ""
    teller_name: str = ""
    consent_given: bool = False
    consent_method: str = ConsentMethod.ONLINE.value
    consent_date: date | None = None


def _new_reference() -> str:
    while True:
        ref = "VH-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if not db.session.scalar(sa.select(Story.id).where(Story.reference == ref)):
            return ref




def _normalise_tags(tags: str) -> str:
    parts = [t.strip().lower() for t in re.split(r"[,;]", tags or "") if t.strip()]
    return ", ".join(dict.fromkeys(parts))[:300]


def _apply_data(story: Story, data: StoryData) -> None:
    """Copy form data onto ``story`` after checking the references.

    :raise DomainError: unknown wijk, buurt outside the wijk, no (valid) quality.
    """
    wijk = db.session.get(Wijk, data.wijk_id) if data.wijk_id else None
    if wijk is None or not wijk.active:
        raise DomainError("Kies een bestaande wijk.", "wijk_id")
    if data.buurt_id:
        buurt = db.session.get(Buurt, data.buurt_id)
        if buurt is None or buurt.wijk_id != wijk.id:
            raise DomainError("Deze buurt ligt niet in de gekozen wijk.", "buurt_id")
    qualities = list(db.session.scalars(sa.select(Quality).where(
        Quality.id.in_(data.quality_ids or []), Quality.active.is_(True))))
    if not qualities:
        raise DomainError("Kies minstens één kwaliteit waar dit verhaal over gaat.", "quality_ids")
    if data.about_date > date.today() + timedelta(days=1):
        raise DomainError("De datum ligt in de toekomst.", "about_date")
    story.title = data.title.strip()
    story.summary = data.summary.strip()
    story.body = data.body.strip()
    story.wijk_id = wijk.id
    story.buurt_id = data.buurt_id or None
    story.about_date = data.about_date
    story.form = StoryForm(data.form)
    story.teller = Teller(data.teller)
    story.teller_name = (data.teller_name or "").strip()
    story.tags = _normalise_tags(data.tags)
    story.qualities = qualities


def contribute_public(data: StoryData, photo_inputs: list[PhotoInput], *, address: str,
                      honeypot: str, stamp: str) -> tuple[Story, str]:
    """A resident contributes a story without an account.

    Cheap checks first (spam stamp, consent, what was said about the photos); then the
    attempt is counted against the address and the stamp is spent, both before any
    photo is read; then the references, the photos and the writes.

    :return: the story (status *ingediend*) and the private withdrawal token (shown once).
    :raise DomainError: spam, rate limit, reused stamp, missing consent, invalid photo or data.
    """
    nonce = check_spam(honeypot=honeypot, stamp=stamp)
    if not data.consent_given:
        raise DomainError("Zonder uw toestemming kunnen we het verhaal niet publiceren.",
                          "consent_given")
    _check_photo_inputs(photo_inputs)
    count_submission(address)
    use_stamp(nonce)
    token = secrets.token_urlsafe(32)
    story = Story(reference=_new_reference(), status=StoryStatus.INGEDIEND,
                  contributed_publicly=True, visibility=Visibility.OPENBAAR,
                  consent_given=True, consent_method=ConsentMethod.ONLINE,
                  consent_date=date.today(), consent_recorded_by="De inwoner zelf, via het online formulier",
                  withdrawal_token_hash=hash_token(token), submitted_at=utcnow())
    data.teller = Teller.INWONER.value
    _apply_data(story, data)
    prepared = _prepare_photos(photo_inputs)
    db.session.add(story)
    written: list[str] = []
    try:
        _attach_photos(story, prepared, written)
        _resident_event(audit.record("story.contribute", story, actor_label="inwoner (zonder account)",
                     new={"reference": story.reference, "wijk_id": story.wijk_id,
                          "photos": len(prepared)},
                     summary=f"Verhaal {story.reference} ingestuurd via het openbare formulier"))
    except BaseException:
        db.session.rollback()
        _remove_files(written)
        raise
    _commit_with_files(written)
    return story, token


def create_story(author: User, data: StoryData, photo_inputs: list[PhotoInput]) -> Story:
    """A social worker or coordinator writes a story (status *concept*).

    :raise DomainError: wijk outside the author's scope, missing consent, bad photo.
    """
    scope = wijk_ids_in_scope(author)
    if scope is not None and data.wijk_id not in scope:
        raise DomainError("U kunt alleen verhalen schrijven voor uw eigen wijken.", "wijk_id")
    if not data.consent_given:
        raise DomainError("Leg de toestemming van de verteller vast; zonder toestemming geen verhaal.",
                          "consent_given")
    prepared = _prepare_photos(photo_inputs)
    story = Story(reference=_new_reference(), status=StoryStatus.CONCEPT, author_id=author.id,
                  visibility=Visibility.INTERN, consent_given=True,
                  consent_method=ConsentMethod(data.consent_method),
                  consent_date=data.consent_date or date.today(),
                  consent_recorded_by=f"{author.name} ({author.email})")
    _apply_data(story, data)
    db.session.add(story)
    written: list[str] = []
    try:
        _attach_photos(story, prepared, written)
        audit.record("story.create", story, new=audit.snapshot(story, STORY_FIELDS))
    except BaseException:
        db.session.rollback()
        _remove_files(written)
        raise
    _commit_with_files(written)
    return story


def update_story(story: Story, data: StoryData, by: User) -> Story:
    """Edit a story (author while concept/returned, or a coordinator of the wijk).

    A published story is re-indexed at once.
    :raise DomainError: invalid references; a wijk outside the editor's scope.
    """
    scope = wijk_ids_in_scope(by)
    if scope is not None and data.wijk_id not in scope:
        raise DomainError("U kunt alleen verhalen van uw eigen wijken bewerken.", "wijk_id")
    consent_fields = ("consent_given", "consent_method", "consent_date")
    old = audit.snapshot(story, STORY_FIELDS + consent_fields)
    try:
        _apply_data(story, data)
    except DomainError:
        db.session.rollback()  # nothing half-changed stays in the session
        raise
    if not story.contributed_publicly:
        # A resident's own online consent is theirs to withdraw; staff record the others.
        if not data.consent_given:
            db.session.rollback()
            raise DomainError("Zonder toestemming van de verteller kan het verhaal niet blijven "
                              "bestaan. Trek het verhaal in als de toestemming is ingetrokken.",
                              "consent_given")
        story.consent_method = ConsentMethod(data.consent_method)
        story.consent_date = data.consent_date or story.consent_date
    indexing.touch(story)
    before, after = audit.changes(old, audit.snapshot(story, STORY_FIELDS + consent_fields))
    audit.record("story.update", story, old=before, new=after)
    indexing.queue_index(story.id)
    db.session.commit()
    sync_index()
    return story


def add_photos(story: Story, photo_inputs: list[PhotoInput], by: User | None = None) -> Story:
    """Add photos to an existing story. :raise DomainError: invalid photo or consent."""
    prepared = _prepare_photos(photo_inputs)
    written: list[str] = []
    try:
        _attach_photos(story, prepared, written)
        indexing.touch(story)
        indexing.queue_index(story.id)
        audit.record("story.photo_add", story, new={"photos": len(prepared)})
    except BaseException:
        db.session.rollback()
        _remove_files(written)
        raise
    _commit_with_files(written)
    sync_index()
    return story


def remove_photo(photo: StoryPhoto, by: User) -> Story:
    """Remove one photo: record first, then its files."""
    story = photo.story
    key = photo.file_key
    story.photos.remove(photo)
    _erase_photo_keys([key])
    indexing.touch(story)
    indexing.queue_index(story.id)
    audit.record("story.photo_remove", story, old={"photo": photo.id, "alt_text": photo.alt_text})
    db.session.commit()
    _remove_files([key])
    sync_index()
    return story


def submit(story: Story, by: User) -> Story:
    """The author hands a concept (or returned story) to the coordinators.

    :raise DomainError: when the story is not a concept or returned.
    """
    if story.status not in (StoryStatus.CONCEPT, StoryStatus.TERUGGESTUURD):
        raise DomainError("Alleen een concept of teruggestuurd verhaal kan worden ingediend.")
    old = story.status
    story.status = StoryStatus.INGEDIEND
    story.submitted_at = utcnow()
    indexing.touch(story)
    audit.record("story.submit", story, old={"status": old}, new={"status": story.status})
    db.session.commit()
    return story


# --- the resident's private page --------------------------------------------------------

def story_for_token(token: str) -> Story | None:
    """The story whose withdrawal token is ``token`` (compared as a hash)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(Story).where(Story.withdrawal_token_hash == hash_token(token)))


def resident_revise(story: Story, *, title: str, summary: str, body: str) -> Story:
    """The resident revises a returned story and sends it in again.

    :raise DomainError: when the story was not returned.
    """
    if story.status != StoryStatus.TERUGGESTUURD:
        raise DomainError("Dit verhaal kan nu niet worden aangepast.")
    old = audit.snapshot(story, ("title", "summary", "body", "status"))
    story.title, story.summary, story.body = title.strip(), summary.strip(), body.strip()
    story.status = StoryStatus.INGEDIEND
    story.submitted_at = utcnow()
    indexing.touch(story)
    before, after = audit.changes(old, audit.snapshot(story, ("title", "summary", "body", "status")))
    _resident_event(audit.record("story.resident_revise", story, actor_label="inwoner (privélink)",
                                 old=before, new=after))
    db.session.commit()
    return story


# --- moderation -------------------------------------------------------------------------

def _require_moderatable(story: Story, allowed: tuple[StoryStatus, ...]) -> None:
    if story.status not in allowed:
        raise DomainError(f"Dit kan niet bij een verhaal met status '{story.status.label}'.")


def publish(story: Story, by: User, visibility: str) -> Story:
    """Approve and publish; the story enters the index at once.

    :raise DomainError: wrong status, no consent recorded, photo without portrait consent.
    """
    _require_moderatable(story, (StoryStatus.INGEDIEND, StoryStatus.TERUGGESTUURD,
                                 StoryStatus.GEPUBLICEERD))
    if not story.consent_given:
        raise DomainError("Er is geen toestemming van de verteller vastgelegd.")
    if any(p.recognisable_people and not p.portrait_consent for p in story.photos):
        raise DomainError("Een foto met herkenbare mensen heeft geen toestemming (portretrecht).")
    if not story.qualities:
        raise DomainError("Koppel het verhaal eerst aan minstens één kwaliteit.")
    old = audit.snapshot(story, ("status", "visibility"))
    story.status = StoryStatus.GEPUBLICEERD
    story.visibility = Visibility(visibility)
    if story.published_at is None:
        story.published_at = utcnow()
    story.published_by_id = by.id
    story.moderation_remarks = ""
    indexing.touch(story)
    audit.record("story.publish", story, old=old, new=audit.snapshot(story, ("status", "visibility")))
    indexing.queue_index(story.id)
    db.session.commit()
    sync_index()
    return story


def return_story(story: Story, by: User, remarks: str) -> Story:
    """Send a story back to its author (or the resident) with remarks."""
    _require_moderatable(story, (StoryStatus.INGEDIEND,))
    if not remarks.strip():
        raise DomainError("Schrijf op wat er moet veranderen.", "remarks")
    story.status = StoryStatus.TERUGGESTUURD
    story.moderation_remarks = remarks.strip()
    indexing.touch(story)
    audit.record("story.return", story, old={"status": StoryStatus.INGEDIEND},
                 new={"status": story.status, "remarks": story.moderation_remarks})
    db.session.commit()
    return story


def reject(story: Story, by: User, reason: str) -> Story:
    """Reject a story with a reason; a published one leaves the index at once."""
    _require_moderatable(story, (StoryStatus.INGEDIEND, StoryStatus.TERUGGESTUURD,
                                 StoryStatus.GEPUBLICEERD))
    if not reason.strip():
        raise DomainError("Geef een reden voor de afwijzing.", "reason")
    old = story.status
    story.status = StoryStatus.AFGEWEZEN
    story.rejection_reason = reason.strip()
    indexing.touch(story)
    audit.record("story.reject", story, old={"status": old},
                 new={"status": story.status, "reason": story.rejection_reason})
    indexing.queue_index(story.id)
    db.session.commit()
    sync_index()
    return story


def anonymise(story: Story, by: User, names: list[str]) -> int:
    """Replace the given names everywhere in the story by "[naam]" and drop the teller's name.

    :return: how many occurrences were replaced.
    :raise DomainError: when no names were given.
    """
    names = [n.strip() for n in names if n.strip()]
    if not names and not story.teller_name:
        raise DomainError("Noem de namen die uit het verhaal moeten verdwijnen.", "names")
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                         + r")\b", re.IGNORECASE) if names else None
    replaced = 0

    def scrub(text: str) -> str:
        nonlocal replaced
        if pattern is None or not text:
            return text
        new, n = pattern.subn("[naam]", text)
        replaced += n
        return new

    story.title = scrub(story.title)
    story.summary = scrub(story.summary)
    story.body = scrub(story.body)
    story.tags = scrub(story.tags)
    # What moderators and sessions wrote about the story can name the same people.
    story.moderation_remarks = scrub(story.moderation_remarks)
    story.rejection_reason = scrub(story.rejection_reason)
    for item in story.feedback:
        item.message = scrub(item.message)
    for photo in story.photos:
        photo.alt_text = scrub(photo.alt_text)
        photo.caption = scrub(photo.caption)
    if story.teller_name:
        replaced += 1
    story.teller_name = ""
    story.anonymised = True
    indexing.touch(story)
    # Earlier audit events (and copies elsewhere) held the names: erased there too. The
    # names themselves are not written to the audit trail.
    erasure.erase("Story", story.id)
    audit.record("story.anonymise", story, new={"replaced": replaced, "names": len(names)})
    indexing.queue_index(story.id)
    db.session.commit()
    sync_index()
    return replaced


def _scrub_withdrawn(story: Story) -> list[str]:
    keys = [p.file_key for p in story.photos]
    story.photos.clear()
    _erase_photo_keys(keys)
    story.status = StoryStatus.INGETROKKEN
    story.withdrawn_at = utcnow()
    story.title = "Ingetrokken verhaal"
    story.summary = story.body = story.tags = story.teller_name = ""
    # Remarks and reasons of the moderators quote the story too.
    story.moderation_remarks = story.rejection_reason = ""
    story.qualities = []
    story.feedback.clear()
    indexing.touch(story)
    indexing.queue_index(story.id)
    return keys


def withdraw(story: Story, *, by: User | None = None, via_token: bool = False) -> Story:
    """Withdraw a story: hidden everywhere, text and photos removed, out of the index at once.

    :raise DomainError: when it was withdrawn already.
    """
    if story.status == StoryStatus.INGETROKKEN:
        raise DomainError("Dit verhaal is al ingetrokken.")
    old = story.status
    keys = _scrub_withdrawn(story)
    erasure.erase("Story", story.id)
    event = audit.record("story.withdraw", story, actor=by,
                         actor_label="inwoner (privélink)" if via_token else None,
                         old={"status": old},
                         new={"status": story.status, "photos_removed": len(keys)})
    if via_token:
        _resident_event(event)
    db.session.commit()
    _remove_files(keys)
    sync_index()
    return story


def delete_story(story: Story, by: User) -> None:
    """Delete a story and its photos for good (coordinator of the wijk)."""
    keys = [p.file_key for p in story.photos]
    story_id, reference = story.id, story.reference
    _erase_photo_keys(keys)
    audit.record("story.delete", story, old={"reference": reference, "status": story.status})
    db.session.delete(story)
    db.session.flush()
    erasure.erase("Story", story_id)  # after the delete: copies elsewhere see it gone
    indexing.queue_index(story_id)
    db.session.commit()
    _remove_files(keys)
    sync_index()


# --- lists ------------------------------------------------------------------------------

def moderation_queue(user: User) -> list[Story]:
    """Stories waiting for a coordinator of ``user``'s wijken."""
    return list(db.session.scalars(
        sa.select(Story).where(Story.status == StoryStatus.INGEDIEND,
                               Story.wijk_id.in_(user.wijk_ids or {-1}))
        .order_by(Story.submitted_at)))


def recent_moderated(user: User, limit: int = 20) -> list[Story]:
    """Recently published, returned or rejected stories of ``user``'s wijken."""
    return list(db.session.scalars(
        sa.select(Story).where(Story.status.in_([StoryStatus.GEPUBLICEERD, StoryStatus.TERUGGESTUURD,
                                                 StoryStatus.AFGEWEZEN]),
                               Story.wijk_id.in_(user.wijk_ids or {-1}))
        .order_by(Story.updated_at.desc()).limit(limit)))


def own_stories(user: User) -> list[Story]:
    """Stories ``user`` wrote, newest first (withdrawn ones left out)."""
    return list(db.session.scalars(
        sa.select(Story).where(Story.author_id == user.id, Story.status != StoryStatus.INGETROKKEN)
        .order_by(Story.updated_at.desc())))


def returned_stories(user: User) -> list[Story]:
    """``user``'s stories a coordinator sent back."""
    return list(db.session.scalars(
        sa.select(Story).where(Story.author_id == user.id, Story.status == StoryStatus.TERUGGESTUURD)
        .order_by(Story.updated_at.desc())))


def published_stories(wijk_id: int, start: date | None = None, end: date | None = None,
                      visibilities: Iterable[str] | None = None) -> list[Story]:
    """Published stories of a wijk, optionally about a period (for choosing a session's story).

    Other modules (the monitorgesprek) call this.
    :param start: first day the story may be about. :param end: last day.
    :param visibilities: limit to these visibility levels (default: all).
    """
    query = sa.select(Story).where(Story.wijk_id == wijk_id, Story.status == StoryStatus.GEPUBLICEERD)
    if start:
        query = query.where(Story.about_date >= start)
    if end:
        query = query.where(Story.about_date <= end)
    if visibilities is not None:
        query = query.where(Story.visibility.in_([Visibility(v) for v in visibilities]))
    return list(db.session.scalars(query.order_by(Story.about_date.desc(), Story.id.desc())))


def add_feedback(story_id: int, session_title: str, message: str) -> bool:
    """Feed back why a monitorgesprek chose this story (shown on the teller's private page).

    The caller commits. :return: ``False`` when the story is no longer published.
    """
    story = db.session.get(Story, story_id)
    if story is None or story.status != StoryStatus.GEPUBLICEERD:
        return False
    story.feedback.append(StoryFeedback(session_title=session_title, message=message))
    audit.record("story.feedback", story, new={"session": session_title}, summary="Terugkoppeling monitorgesprek")
    return True


def still_published(story_ids: Iterable[int], visibilities: Iterable[str] | None = None) -> set[int]:
    """Which of ``story_ids`` are still published (not withdrawn, deleted or unpublished).

    :param visibilities: only those still readable at one of these levels (default: any).
    """
    ids = list(story_ids)
    if not ids:
        return set()
    query = sa.select(Story.id).where(Story.id.in_(ids), Story.status == StoryStatus.GEPUBLICEERD)
    if visibilities is not None:
        query = query.where(Story.visibility.in_([Visibility(v) for v in visibilities]))
    return set(db.session.scalars(query))


def withdrawn(story_ids: Iterable[int]) -> set[int]:
    """Which of ``story_ids`` their tellers withdrew."""
    ids = list(story_ids)
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(Story.id).where(
        Story.id.in_(ids), Story.status == StoryStatus.INGETROKKEN)))


def kept_title(story_id: int) -> str | None:
    """The current title of a story that still exists and was not withdrawn, else ``None``.

    Other modules that copied a title call this when the story is erased (anonymised:
    the new title; withdrawn or deleted: nothing).
    """
    story = db.session.get(Story, story_id)
    if story is None or story.status == StoryStatus.INGETROKKEN or story in db.session.deleted:
        return None
    return story.title


def published_stories_for_period(wijk_id: int, period: Period,
                                 visibilities: Iterable[str] | None = None) -> list[Story]:
    """Published stories of a wijk about the months of ``period`` (a tertial)."""
    return published_stories(wijk_id, period.start, period.end, visibilities)


def wijk_overview(wijk: Wijk, reader: Any) -> dict[str, Any]:
    """Published stories of ``wijk`` the reader may see, with counts per quality."""
    stories = published_stories(wijk.id, visibilities=visibilities_for(reader))
    per_quality: dict[str, int] = {}
    for story in stories:
        for quality in story.qualities:
            per_quality[quality.code] = per_quality.get(quality.code, 0) + 1
    return {"stories": stories, "per_quality": per_quality, "qualities": quality_choices()}


# --- search -----------------------------------------------------------------------------

@dataclass
class ArchivePage:
    """A page of search results with the stories loaded and facet labels resolved."""

    result: search.SearchResult
    items: list[tuple[Story, Markup, Markup]]
    facet_labels: dict[str, dict[str, str]]
    refused: str = ""  # Dutch: why the query was not searched (too long, too slow, ...)


def search_archive(reader: Any, text: str, filters: dict[str, list[str]], sort: str,
                   page: int, per_page: int = 10) -> ArchivePage:
    """Search the stories ``reader`` may see; facet counts cover only those too.

    A query that is refused or runs past ``SEARCH_TIME_LIMIT`` gives an empty page with
    the reason (``refused``), never an error.
    """
    if pending_count():
        sync_index()
    config = current_app.config
    refused = ""
    try:
        result = search.search(
            config["SEARCH_INDEX_DIR"], text, visibilities=visibilities_for(reader),
            filters=filters, sort=sort, page=page, per_page=per_page,
            max_chars=config["SEARCH_MAX_QUERY_CHARS"],
            max_terms=config["SEARCH_MAX_TERMS"],
            time_limit=config["SEARCH_TIME_LIMIT"])
    except search.QueryRefused as err:
        result, refused = search.SearchResult([], 0, 1, per_page), err.message
    except search.SearchTimeout:
        # The words themselves are not logged: a resident may search for a name.
        logger.warning("Search stopped at its time limit (%s s; %d characters)",
                       config["SEARCH_TIME_LIMIT"], len(text or ""))
        result, refused = search.SearchResult([], 0, 1, per_page), search.TIMEOUT_MESSAGE
    stories = indexing.load_stories(h.id for h in result.hits)
    items = []
    for hit in result.hits:
        story = stories.get(hit.id)
        # A change not yet applied to the index must not show a story it hides.
        if story is None or not can_read(reader, story):
            continue
        items.append((story, safe_highlight(hit.title_html), safe_highlight(hit.fragment_html)))
    labels = {
        "wijk": {str(w.id): w.name for w in db.session.scalars(
            sa.select(Wijk).where(Wijk.active.is_(True)))},
        "kwaliteit": {q.code: q.name for q in quality_choices()},
        "vorm": {f.value: f.label for f in StoryForm},
        "jaar": {},
    }
    return ArchivePage(result, items, labels, refused)


def related_stories(story: Story, reader: Any, limit: int = 3) -> list[Story]:
    """Published stories like this one that the reader may see."""
    if not story.is_published:
        return []
    try:
        ids = search.related(current_app.config["SEARCH_INDEX_DIR"], story.id,
                             visibilities=visibilities_for(reader), limit=limit)
    except Exception:
        logger.exception("Related stories could not be searched")
        ids = []
    loaded = indexing.load_stories(ids)
    return [loaded[i] for i in ids if i in loaded and can_read(reader, loaded[i])]
