"""Staff writing and moderation: write, edit, submit, publish, return, reject, anonymise, delete."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from ... import audit, erasure
from ...errors import DomainError
from ...extensions import db
from ...models import User
from ...permissions import wijk_ids_in_scope
from ...timeutil import utcnow
from ...tokens import hash_token
from .. import indexing, notices
from ..models import ConsentMethod, Story, StoryFeedback, StoryStatus, Visibility
from ._shared import STORY_FIELDS, StoryData, _apply_data, _new_reference, _sync_index
from .media_files import (
    MediaInput,
    attach_media,
    commit_with_stored,
    drop_media,
    media_blockers,
    prepare_media,
    remove_stored,
)
from .photo_files import (
    PhotoInput,
    _attach_photos,
    _commit_with_files,
    _erase_photo_keys,
    _prepare_photos,
    _remove_files,
)
from .removals import drop_removed_media, drop_removed_photos
from .teller import apply_telling, require_teller_confirmation


def create_story(author: User, data: StoryData, photo_inputs: list[PhotoInput],
                 teller_token: str | None = None, media_inputs: list[MediaInput] = ()) -> Story:
    """A social worker or coordinator writes a story (status *concept*).

    :param teller_token: the teller's private link (:mod:`.teller`); only its hash is stored.
    :raise DomainError: wijk outside the author's scope, missing consent, bad photo.
    """
    scope = wijk_ids_in_scope(author)
    if scope is not None and data.wijk_id not in scope:
        raise DomainError("U kunt alleen verhalen schrijven voor uw eigen wijken.", "wijk_id")
    if not data.consent_given:
        raise DomainError("Leg de toestemming van de verteller vast; zonder toestemming geen verhaal.",
                          "consent_given")
    prepared = _prepare_photos(photo_inputs)
    recordings = prepare_media(list(media_inputs))
    story = Story(reference=_new_reference(), status=StoryStatus.CONCEPT, author_id=author.id,
                  visibility=Visibility.INTERN, consent_given=True,
                  consent_method=ConsentMethod(data.consent_method),
                  consent_date=data.consent_date or date.today(),
                  consent_recorded_by=f"{author.name} ({author.email})",
                  withdrawal_token_hash=hash_token(teller_token) if teller_token else None)
    _apply_data(story, data)
    apply_telling(story, data)
    db.session.add(story)
    written: list[str] = []
    stored: list[str] = []
    try:
        _attach_photos(story, prepared, written)
        attach_media(story, recordings, stored)
        audit.record("story.create", story, actor=author,
                     new=audit.snapshot(story, STORY_FIELDS + ("told_how", "told_in")))
    except BaseException:
        db.session.rollback()
        _remove_files(written)
        remove_stored(stored)
        raise
    commit_with_stored(written, stored)
    return story


def update_story(story: Story, data: StoryData, by: User) -> Story:
    """Edit a story (author while concept/returned, or a coordinator of the wijk).

    A published story is re-indexed at once.
    :raise DomainError: invalid references; a wijk outside the editor's scope.
    """
    scope = wijk_ids_in_scope(by)
    if scope is not None and data.wijk_id not in scope:
        raise DomainError("U kunt alleen verhalen van uw eigen wijken bewerken.", "wijk_id")
    consent_fields = ("consent_given", "consent_method", "consent_date", "told_how", "told_in")
    old = audit.snapshot(story, STORY_FIELDS + consent_fields)
    try:
        _apply_data(story, data)
        apply_telling(story, data)
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
    audit.record("story.update", story, actor=by, old=before, new=after)
    indexing.queue_index(story.id)
    db.session.commit()
    _sync_index()
    return story


def add_photos(story: Story, photo_inputs: list[PhotoInput], by: User | None = None) -> Story:
    """Add photos to an existing story. :raise DomainError: invalid photo or consent."""
    prepared = _prepare_photos(photo_inputs)
    written: list[str] = []
    try:
        _attach_photos(story, prepared, written)
        indexing.touch(story)
        indexing.queue_index(story.id)
        audit.record("story.photo_add", story, actor=by, new={"photos": len(prepared)})
    except BaseException:
        db.session.rollback()
        _remove_files(written)
        raise
    _commit_with_files(written)
    _sync_index()
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
    audit.record("story.submit", story, actor=by, old={"status": old}, new={"status": story.status})
    notices.waiting_for_moderation(story)
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
    for problem in media_blockers(story):
        raise DomainError(problem)
    if not story.qualities:
        raise DomainError("Koppel het verhaal eerst aan minstens één kwaliteit: kies ze via "
                          "'Tekst bewerken'.")
    wanted = Visibility(visibility)
    consented = story.consented_visibility
    if consented is not None and wanted.rank > consented.rank:
        # The resident's consent covers the audience they chose, never a wider one.
        raise DomainError(f"De verteller gaf toestemming voor: {consented.label}. Breder "
                          "publiceren kan niet.", "visibility")
    if story.status != StoryStatus.GEPUBLICEERD:  # a change of visibility needs no new round
        require_teller_confirmation(story)
    old = audit.snapshot(story, ("status", "visibility"))
    story.status = StoryStatus.GEPUBLICEERD
    story.visibility = Visibility(visibility)
    if story.published_at is None:
        story.published_at = utcnow()
    story.published_by_id = by.id
    story.moderation_remarks = ""
    indexing.touch(story)
    event = audit.record("story.publish", story, actor=by, old=old,
                         new=audit.snapshot(story, ("status", "visibility")))
    if old["status"] != StoryStatus.GEPUBLICEERD:  # not again for a change of visibility
        notices.published(story, event, by)
    indexing.queue_index(story.id)
    db.session.commit()
    _sync_index()
    return story


def return_story(story: Story, by: User, remarks: str) -> Story:
    """Send a story back to its author (or the resident) with remarks."""
    _require_moderatable(story, (StoryStatus.INGEDIEND,))
    if not remarks.strip():
        raise DomainError("Schrijf op wat er moet veranderen.", "remarks")
    story.status = StoryStatus.TERUGGESTUURD
    story.moderation_remarks = remarks.strip()
    indexing.touch(story)
    event = audit.record("story.return", story, actor=by, old={"status": StoryStatus.INGEDIEND},
                         new={"status": story.status, "remarks": story.moderation_remarks})
    notices.returned(story, event, by)
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
    audit.record("story.reject", story, actor=by, old={"status": old},
                 new={"status": story.status, "reason": story.rejection_reason})
    indexing.queue_index(story.id)
    db.session.commit()
    _sync_index()
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
    for photo in story.photos + story.removed_photos:
        photo.alt_text = scrub(photo.alt_text)
        photo.caption = scrub(photo.caption)
    for item in story.media + story.removed_media:  # the recording itself still speaks the names: said in the docs
        item.title, item.transcript, item.captions = (scrub(item.title), scrub(item.transcript),
                                                      scrub(item.captions))
    if story.teller_name:
        replaced += 1
    story.teller_name = ""
    story.anonymised = True
    indexing.touch(story)
    # Earlier audit events (and copies elsewhere) held the names: erased there too. The
    # names themselves are not written to the audit trail.
    erasure.erase("Story", story.id)
    audit.record("story.anonymise", story, actor=by, new={"replaced": replaced, "names": len(names)})
    indexing.queue_index(story.id)
    db.session.commit()
    _sync_index()
    return replaced


def delete_story(story: Story, by: User) -> None:
    """Delete a story, its photos and recordings for good (coordinator of the wijk)."""
    keys = [p.file_key for p in story.photos] + drop_removed_photos(story)
    stored = drop_removed_media(story) + drop_media(story)
    story_id, reference = story.id, story.reference
    _erase_photo_keys(keys)
    audit.record("story.delete", story, actor=by, old={"reference": reference, "status": story.status})
    notices.forget_story(story_id, reference, gone=True)  # the outbox's copies, resident's address
    db.session.delete(story)
    db.session.flush()
    erasure.erase("Story", story_id)  # after the delete: copies elsewhere see it gone
    indexing.queue_index(story_id)
    db.session.commit()
    _remove_files(keys)
    remove_stored(stored)
    _sync_index()


# --- work lists -------------------------------------------------------------------------

def _moderated_wijken(user: User) -> set[int]:
    """The wijken whose stories ``user`` moderates: their own (coordinators) and every wijk
    without an active coordinator (coordinators and the beheerder)."""
    from ..permissions import MODERATORS, ORPHAN_MODERATORS

    own = user.wijk_ids if user.role in MODERATORS else set()
    if user.role in MODERATORS or user.role in ORPHAN_MODERATORS:
        return own | notices.wijken_without_coordinator()
    return own


def moderation_queue(user: User) -> list[Story]:
    """Stories waiting for ``user``: of their wijken, and of wijken without a coordinator."""
    return list(db.session.scalars(
        sa.select(Story).where(Story.status == StoryStatus.INGEDIEND,
                               Story.wijk_id.in_(_moderated_wijken(user) or {-1}))
        .order_by(Story.submitted_at)))


def recent_moderated(user: User, limit: int = 20) -> list[Story]:
    """Recently published, returned or rejected stories of the wijken ``user`` moderates."""
    return list(db.session.scalars(
        sa.select(Story).where(Story.status.in_([StoryStatus.GEPUBLICEERD, StoryStatus.TERUGGESTUURD,
                                                 StoryStatus.AFGEWEZEN]),
                               Story.wijk_id.in_(_moderated_wijken(user) or {-1}))
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


# --- feedback from the monitorgesprek ---------------------------------------------------

def add_feedback(story_id: int, session_title: str, message: str) -> bool:
    """Feed back why a monitorgesprek chose this story (shown on the teller's private page).

    The caller commits. :return: ``False`` when the story is no longer published.
    """
    story = db.session.get(Story, story_id)
    if story is None or story.status != StoryStatus.GEPUBLICEERD:
        return False
    item = StoryFeedback(session_title=session_title, message=message)
    story.feedback.append(item)
    audit.record("story.feedback", story, new={"session": session_title}, summary="Terugkoppeling monitorgesprek")
    db.session.flush()
    notices.chosen(story, session_title, message, item.id)
    return True
