"""The resident's side: the public form (spam and rate limits), the private link, withdrawal."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ... import audit, erasure, ratelimit
from ...errors import DomainError
from ...extensions import db
from ...i18n import CODES as LANGUAGE_CODES
from ...i18n import N_
from ...models import User
from ...timeutil import utcnow
from ...tokens import hash_token
from .. import indexing, notices
from ..models import ConsentMethod, Story, StoryStatus, Teller, Visibility
from ._shared import StoryData, _apply_data, _new_reference, _resident_event, _sync_index
from .locations import count_location_submission, location_for_device
from .media_files import (
    MediaInput,
    attach_media,
    check_media_inputs,
    commit_with_stored,
    drop_media,
    prepare_media,
    remove_stored,
)
from .photo_files import (
    PhotoInput,
    _attach_photos,
    _check_photo_inputs,
    _erase_photo_keys,
    _prepare_photos,
    _remove_files,
)
from .removals import drop_removed_media, drop_removed_photos


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
        raise DomainError(N_("Uw verhaal kon niet worden verstuurd. Probeer het later opnieuw."))
    try:
        payload = _read_stamp(stamp)
    except BadSignature as err:
        raise DomainError(N_("Het formulier is verlopen. Verstuur het nog een keer: wat u "
                             "typte staat er nog.")) from err
    if utcnow().timestamp() - float(payload["t"]) < minimum:
        raise DomainError(N_("Het formulier werd wel erg snel verstuurd. Controleer uw verhaal "
                             "en verstuur het opnieuw."))
    return payload["n"]


def use_stamp(nonce: str) -> None:
    """Spend the form's stamp: a stamp is good for one submission, even when several
    requests carrying it arrive at once (one atomic insert decides).

    :raise DomainError: the stamp was used already.
    """
    if not ratelimit.claim("narratives.stamp", nonce, STAMP_MAX_AGE + 3600):
        raise DomainError(N_("Dit formulier is al verstuurd. Controleer of uw verhaal is "
                             "aangekomen, of verstuur het opnieuw met dit formulier."))


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
        raise RateLimited(N_("Vanaf dit adres zijn kort geleden al meerdere verhalen verstuurd. "
                             "Wat u typte staat er nog. Probeer het over een uur opnieuw."))


def _count(address: str, device_token: str | None):
    """Count the attempt: against a trusted location's own limits when sent from its
    paired device (:mod:`.locations`), else against the address. :return: the location."""
    location = location_for_device(device_token)
    if location is None:
        count_submission(address)
        return None
    if not count_location_submission(location):
        raise RateLimited(f"Via {location.name} zijn in korte tijd al veel verhalen verstuurd. Probeer het "
                          "later opnieuw, of laat een medewerker het verhaal opschrijven.")
    return location


def contribute_public(data: StoryData, photo_inputs: list[PhotoInput], *, address: str,
                      honeypot: str, stamp: str, device_token: str | None = None,
                      media_inputs: list[MediaInput] = ()) -> tuple[Story, str]:
    """A resident contributes a story without an account.

    Cheap checks first (spam stamp, consent, what was said about the photos); then the
    attempt is counted against the address and the stamp is spent, both before any
    photo is read; then the references, the photos and the writes.

    :return: the story (status *ingediend*) and the private withdrawal token (shown once).
    :raise DomainError: spam, rate limit, reused stamp, missing consent, invalid photo or data.
    """
    nonce = check_spam(honeypot=honeypot, stamp=stamp)
    try:
        audience = Visibility(data.visibility)
    except ValueError:
        raise DomainError(N_("Kies wie uw verhaal mag lezen."), "visibility") from None
    if data.language not in LANGUAGE_CODES:
        raise DomainError(N_("Kies een taal."), "language")
    if not data.consent_given:
        raise DomainError(N_("Zonder uw toestemming kunnen we het verhaal niet publiceren."),
                          "consent_given")
    _check_photo_inputs(photo_inputs)
    check_media_inputs(list(media_inputs))
    location = _count(address, device_token)
    use_stamp(nonce)
    token = secrets.token_urlsafe(32)
    story = Story(reference=_new_reference(), status=StoryStatus.INGEDIEND,
                  contributed_publicly=True, visibility=audience, consented_visibility=audience,
                  consent_given=True, consent_method=ConsentMethod.ONLINE,
                  consent_date=date.today(), consent_recorded_by="De inwoner zelf, via het online formulier",
                  withdrawal_token_hash=hash_token(token), submitted_at=utcnow(),
                  resident_email=(data.resident_email or "").strip() or None,
                  trusted_location_id=location.id if location else None)
    data.teller = Teller.INWONER.value
    data.qualities_optional = True  # the moderator assigns them when the resident did not
    _apply_data(story, data)
    prepared = _prepare_photos(photo_inputs)
    recordings = prepare_media(list(media_inputs))
    db.session.add(story)
    written: list[str] = []
    stored: list[str] = []
    try:
        _attach_photos(story, prepared, written)
        attach_media(story, recordings, stored)
        _resident_event(audit.record("story.contribute", story, actor_label="inwoner (zonder account)",
                     new={"reference": story.reference, "wijk_id": story.wijk_id,
                          "photos": len(prepared), "consented_visibility": audience.value,
                          "language": story.language,
                          **({"trusted_location_id": location.id} if location else {})},
                     summary=f"Verhaal {story.reference} ingestuurd via het openbare formulier"))
        notices.receipt(story, token)
        notices.waiting_for_moderation(story)
    except BaseException:
        db.session.rollback()
        _remove_files(written)
        remove_stored(stored)
        raise
    commit_with_stored(written, stored)
    return story, token


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
    if story.status != StoryStatus.TERUGGESTUURD or not story.contributed_publicly:
        # A story staff wrote down goes back to its writer, not to the teller.
        raise DomainError(N_("Dit verhaal kan nu niet worden aangepast."))
    old = audit.snapshot(story, ("title", "summary", "body", "status"))
    story.title, story.summary, story.body = title.strip(), summary.strip(), body.strip()
    story.status = StoryStatus.INGEDIEND
    story.submitted_at = utcnow()
    indexing.touch(story)
    before, after = audit.changes(old, audit.snapshot(story, ("title", "summary", "body", "status")))
    _resident_event(audit.record("story.resident_revise", story, actor_label="inwoner (privélink)",
                                 old=before, new=after))
    notices.waiting_for_moderation(story)
    db.session.commit()
    return story


# --- withdrawal (the resident through the private link, or staff) ---------------------

def _scrub_withdrawn(story: Story) -> list[str]:
    keys = [p.file_key for p in story.photos] + drop_removed_photos(story)
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
        raise DomainError(N_("Dit verhaal is al ingetrokken."))
    old = story.status
    stored = drop_removed_media(story) + drop_media(story)
    keys = _scrub_withdrawn(story)
    erasure.erase("Story", story.id)
    event = audit.record("story.withdraw", story, actor=by,
                         actor_label="inwoner (privélink)" if via_token else None,
                         old={"status": old},
                         new={"status": story.status, "photos_removed": len(keys),
                              "media_removed": len(stored) // 2})
    if via_token:
        _resident_event(event)
    db.session.commit()
    _remove_files(keys)
    remove_stored(stored)
    _sync_index()
    return story
