"""Story archive models: stories, their photos, consent, the index queue and rate limits."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogues import Quality
from ..extensions import db, string_enum
from ..models import Buurt, User, Wijk
from ..timeutil import utcnow


class StoryStatus(enum.StrEnum):
    """Where a story is in its life: written, moderated, published or withdrawn."""

    CONCEPT = "concept"
    INGEDIEND = "ingediend"
    TERUGGESTUURD = "teruggestuurd"
    GEPUBLICEERD = "gepubliceerd"
    AFGEWEZEN = "afgewezen"
    INGETROKKEN = "ingetrokken"

    @property
    def label(self) -> str:
        return {
            "concept": "Concept", "ingediend": "Wacht op moderatie",
            "teruggestuurd": "Teruggestuurd", "gepubliceerd": "Gepubliceerd",
            "afgewezen": "Afgewezen", "ingetrokken": "Ingetrokken",
        }[self.value]


class Visibility(enum.StrEnum):
    """Who may read a published story."""

    OPENBAAR = "openbaar"
    RAAD = "raad"
    INTERN = "intern"

    @property
    def label(self) -> str:
        return {"openbaar": "Openbaar (iedereen)", "raad": "Raad (raadsleden en medewerkers)",
                "intern": "Intern (alleen medewerkers)"}[self.value]

    @property
    def rank(self) -> int:
        """How wide the audience is: openbaar (2) > raad (1) > intern (0)."""
        return {"openbaar": 2, "raad": 1, "intern": 0}[self.value]


class StoryForm(enum.StrEnum):
    """The creative form a story takes (source 003: fotosessie, theater, hoorspel …)."""

    TEKST = "tekst"
    FOTOSERIE = "fotoserie"
    INTERVIEW = "interview"
    HOORSPEL = "hoorspel"
    THEATER = "theater"
    ANDERS = "anders"

    @property
    def label(self) -> str:
        return {"tekst": "Tekst", "fotoserie": "Fotoserie", "interview": "Interview",
                "hoorspel": "Hoorspel", "theater": "Theater", "anders": "Anders"}[self.value]


class Teller(enum.StrEnum):
    """Who tells the story."""

    INWONER = "inwoner"
    PROFESSIONAL = "professional"

    @property
    def label(self) -> str:
        return {"inwoner": "Een inwoner, in eigen woorden",
                "professional": "Opgetekend door een professional"}[self.value]


class TellingWay(enum.StrEnum):
    """How a story a worker recorded on behalf of a resident was told (issue 19 §5).

    Such a story is the resident's, in the worker's writing: the resident confirms it (or
    asks for a correction) through the private link before it can be published.
    """

    VERTELD = "verteld"
    VERTAALD = "vertaald"
    OPGESCHREVEN = "opgeschreven"

    @property
    def label(self) -> str:
        return {"verteld": "Verteld; de medewerker schreef het op",
                "vertaald": "Verteld in een andere taal; vertaald door de medewerker of een tolk",
                "opgeschreven": "Opgeschreven voor iemand die zelf niet (goed) kan schrijven"}[self.value]

    @property
    def public_label(self) -> str:
        """What readers see: the story was told, a worker wrote it down."""
        return {"verteld": "Verteld aan een medewerker, die het opschreef",
                "vertaald": "Verteld in een andere taal en vertaald",
                "opgeschreven": "Opgeschreven door een medewerker, samen met de verteller"}[self.value]


class ConsentMethod(enum.StrEnum):
    """How the storyteller's consent to publication was given."""

    ONLINE = "online"
    SCHRIFTELIJK = "schriftelijk"
    MONDELING = "mondeling"

    @property
    def label(self) -> str:
        return {"online": "Online formulier", "schriftelijk": "Schriftelijk (getekend formulier)",
                "mondeling": "Mondeling, vastgelegd door de medewerker"}[self.value]


story_qualities = sa.Table(
    "story_qualities",
    db.metadata,
    sa.Column("story_id", sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("quality_id", sa.ForeignKey("qualities.id", ondelete="CASCADE"), primary_key=True),
)


class Story(db.Model):
    """A resident's story, told by the resident or written down by a professional.

    Deliberately has no link to clients or their scores.
    """

    __tablename__ = "stories"
    # A wijk's stories about a span of days, newest first (the dashboards' "verhalen achter de
    # cijfers", a wijk's page): read backwards from the end of the span, a few rows.
    __table_args__ = (sa.Index("ix_stories_wijk_about", "wijk_id", "about_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(600), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    wijk_id: Mapped[int] = mapped_column(sa.ForeignKey("wijken.id"), index=True)
    buurt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buurten.id"), index=True)
    about_date: Mapped[date]
    form: Mapped[StoryForm] = mapped_column(string_enum(StoryForm, 20), default=StoryForm.TEKST)
    teller: Mapped[Teller] = mapped_column(string_enum(Teller, 20), default=Teller.INWONER)
    teller_name: Mapped[str] = mapped_column(sa.String(120), default="")
    tags: Mapped[str] = mapped_column(sa.String(300), default="")
    visibility: Mapped[Visibility] = mapped_column(string_enum(Visibility, 20), default=Visibility.INTERN)
    # What a resident chose on the public form ("who may read it"): their consent covers
    # that audience and no wider one (None: consent recorded by staff, no such limit).
    consented_visibility: Mapped[Visibility | None] = mapped_column(string_enum(Visibility, 20))
    # The language the story is told in (a code of ``monitor.i18n.LANGUAGES``): the archive
    # filters on it, and only Dutch stories are indexed with the Dutch stemmer.
    language: Mapped[str] = mapped_column(sa.String(8), default="nl", server_default="nl", index=True)
    status: Mapped[StoryStatus] = mapped_column(string_enum(StoryStatus, 20), default=StoryStatus.CONCEPT,
                                                index=True)
    # Set for stories written by staff; residents have no account.
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    contributed_publicly: Mapped[bool] = mapped_column(default=False)
    # Consent of the storyteller to publication: how, when, recorded by whom.
    consent_given: Mapped[bool] = mapped_column(default=False)
    consent_method: Mapped[ConsentMethod] = mapped_column(string_enum(ConsentMethod, 20),
                                                          default=ConsentMethod.ONLINE)
    consent_date: Mapped[date | None]
    consent_recorded_by: Mapped[str] = mapped_column(sa.String(200), default="")
    # sha256 of the private withdrawal token; the token itself is never stored.
    withdrawal_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # A teller whose story staff wrote down confirms it through the private link: when, and
    # a digest of the text and photos they confirmed (a later change asks them again).
    teller_confirmed_at: Mapped[datetime | None]
    teller_confirmed_digest: Mapped[str | None] = mapped_column(sa.String(64))
    # Recorded by a worker on behalf of a resident (issue 19 §5): how it was told, and the
    # language it was told in when translated. Set: publication waits for the teller's
    # confirmation of the text as it reads then.
    told_how: Mapped[TellingWay | None] = mapped_column(string_enum(TellingWay, 20))
    told_in: Mapped[str] = mapped_column(sa.String(60), default="")
    # The teller's request for a correction through the private link, until the worker
    # has changed the story and the teller confirmed it (personal content: erased with it).
    teller_correction: Mapped[str] = mapped_column(sa.Text, default="")
    teller_correction_at: Mapped[datetime | None]
    # Sent in on a device of a trusted location (a buurthuis), not under the per-address limit.
    trusted_location_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("trusted_locations.id", ondelete="SET NULL"), index=True)
    # The resident's own address for notices about this story (optional, on the public
    # form); erased with the story (withdrawal, deletion) and from the outbox too.
    resident_email: Mapped[str | None] = mapped_column(sa.String(320))
    moderation_remarks: Mapped[str] = mapped_column(sa.Text, default="")
    rejection_reason: Mapped[str] = mapped_column(sa.Text, default="")
    anonymised: Mapped[bool] = mapped_column(default=False)
    # Bumped on every change; the search index stores it to detect drift.
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    # A buurtcoördinator marked the published story "uitgelicht voor de raad".
    featured_at: Mapped[datetime | None]
    featured_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    wijk: Mapped[Wijk] = relationship()
    buurt: Mapped[Buurt | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    trusted_location: Mapped[TrustedLocation | None] = relationship()
    qualities: Mapped[list[Quality]] = relationship(secondary=story_qualities,
                                                    order_by="Quality.position")
    photos: Mapped[list[StoryPhoto]] = relationship(
        back_populates="story", order_by="StoryPhoto.position", cascade="all, delete-orphan",
        primaryjoin="and_(Story.id == StoryPhoto.story_id, StoryPhoto.deleted_at.is_(None))")
    removed_photos: Mapped[list[StoryPhoto]] = relationship(
        viewonly=True, order_by="StoryPhoto.deleted_at",
        primaryjoin="and_(Story.id == StoryPhoto.story_id, StoryPhoto.deleted_at.is_not(None))")
    feedback: Mapped[list[StoryFeedback]] = relationship(
        back_populates="story", order_by="StoryFeedback.id", cascade="all, delete-orphan")
    reports: Mapped[list[StoryReport]] = relationship(
        back_populates="story", order_by="StoryReport.id", cascade="all, delete-orphan")
    media: Mapped[list[StoryMedia]] = relationship(
        back_populates="story", order_by="StoryMedia.position", cascade="all, delete-orphan",
        primaryjoin="and_(Story.id == StoryMedia.story_id, StoryMedia.deleted_at.is_(None))")
    removed_media: Mapped[list[StoryMedia]] = relationship(
        viewonly=True, order_by="StoryMedia.deleted_at",
        primaryjoin="and_(Story.id == StoryMedia.story_id, StoryMedia.deleted_at.is_not(None))")

    def __repr__(self) -> str:
        return f"<Story {self.id} {self.reference} {self.status}>"

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == StoryStatus.GEPUBLICEERD

    @property
    def period_label(self) -> str:
        """The tertial the story is about, as the cycle names it: ``januari–april 2026``."""
        from ..models import TERTIAL_MONTHS
        from ..timeutil import MONTHS_NL

        tertial = (self.about_date.month - 1) // 4 + 1
        first, last = TERTIAL_MONTHS[tertial]
        return f"{MONTHS_NL[first - 1]}–{MONTHS_NL[last - 1]} {self.about_date.year}"

    @property
    def content_digest(self) -> str:
        """A digest of what the teller reads: title, summary, text and the photos."""
        import hashlib

        parts = [self.title, self.summary, self.body] + [f"{p.file_key}:{p.alt_text}:{p.caption}" for p in self.photos]
        parts += [f"{m.file_key}:{m.title}:{m.transcript}:{m.captions}" for m in self.media]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def teller_confirmed_current(self) -> bool:
        """The teller confirmed the story as it reads now."""
        return self.teller_confirmed_at is not None and self.teller_confirmed_digest == self.content_digest

    @property
    def recorded_on_behalf(self) -> bool:
        """A worker recorded the story on behalf of a resident: the teller must confirm it."""
        return self.told_how is not None and not self.contributed_publicly

    @property
    def awaiting_teller(self) -> bool:
        """Publication waits for the teller (no confirmation of the current text yet)."""
        return self.recorded_on_behalf and not self.teller_confirmed_current

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class StoryPhoto(db.Model):
    """A photo of a story: web size and thumbnail on disk under random names."""

    __tablename__ = "story_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(sa.ForeignKey("stories.id", ondelete="CASCADE"),
                                          index=True)
    # Random base name of the files (``<name>.jpg`` and ``<name>_thumb.jpg``).
    file_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    alt_text: Mapped[str] = mapped_column(sa.String(300))
    caption: Mapped[str] = mapped_column(sa.String(300), default="")
    recognisable_people: Mapped[bool] = mapped_column(default=False)
    # Portretrecht: everyone recognisable agreed to publication.
    portrait_consent: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Removed with undo (docs/privacy.md): out of ``Story.photos``, so of every reader; purged later.
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    story: Mapped[Story] = relationship(back_populates="photos")

    def __repr__(self) -> str:
        return f"<StoryPhoto {self.id} story={self.story_id}>"


class ErasedPhotoKey(db.Model):
    """The key of a photo that was withdrawn or erased: its URL answers 410 for ever (an old
    URL in a cache, bookmark or forwarded mail never shows anything again; never reused)."""

    __tablename__ = "erased_photo_keys"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoryIndexOp(db.Model):
    """A pending search-index update, written in the same transaction as the change.

    Any worker may apply it later; the op only says "look at story X again", so applying
    it twice or late is harmless and no update is ever lost.
    """

    __tablename__ = "story_index_ops"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<StoryIndexOp {self.id} story={self.story_id}>"


class StoryFeedback(db.Model):
    """What a monitorgesprek said about a story, fed back to the teller's private page."""

    __tablename__ = "story_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(sa.ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    session_title: Mapped[str] = mapped_column(sa.String(200))
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    story: Mapped[Story] = relationship(back_populates="feedback")


class TrustedLocation(db.Model):
    """A buurthuis (or library, community centre) where a worker helps residents tell.

    Its device sends stories through the public form under the location's own, higher but
    bounded limits instead of the per-address limit (issue 19 §6). A beheerder or the
    wijk's buurtcoördinator registers it and gets a pairing link, valid once and for a few
    days; opening it on the device stores a device token in a cookie. Only hashes of both
    tokens are kept. Revoking the location (or pairing again) ends the old device token.
    """

    __tablename__ = "trusted_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    wijk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wijken.id"), index=True)
    max_per_hour: Mapped[int] = mapped_column(default=20)
    max_per_day: Mapped[int] = mapped_column(default=60)
    setup_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    setup_expires_at: Mapped[datetime | None]
    device_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    paired_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    stories_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    wijk: Mapped[Wijk | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<TrustedLocation {self.id} {self.name}>"

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ReportReason(enum.StrEnum):
    """Why a reader reports a published story (issue 19 §5)."""

    PRIVACY = "privacy"
    KWETSEND = "kwetsend"
    OVER_MIJ = "over_mij"
    ONJUIST = "onjuist"
    ANDERS = "anders"

    @property
    def label(self) -> str:
        return {"privacy": "Er staat iets in over iemand die dat niet wil (naam, adres, foto)",
                "kwetsend": "Het is kwetsend, beledigend of discriminerend",
                "over_mij": "Het gaat over mij en ik wil dit niet",
                "onjuist": "Er klopt iets niet",
                "anders": "Iets anders"}[self.value]


class StoryReport(db.Model):
    """A reader's report ("melden") about a published story, for its moderators.

    The reader's contact address is personal data: shown only to the story's moderators,
    blanked when the report is handled, erased with the story.
    """

    __tablename__ = "story_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(sa.ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    reason: Mapped[ReportReason] = mapped_column(string_enum(ReportReason, 20))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    contact_email: Mapped[str | None] = mapped_column(sa.String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # What the moderator did: "verborgen" (taken off the site) or "gehouden" (stays published).
    outcome: Mapped[str] = mapped_column(sa.String(20), default="")

    story: Mapped[Story] = relationship(back_populates="reports")
    handled_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<StoryReport {self.id} story={self.story_id} {self.reason}>"


# Recordings live in their own module; imported here so ``from .models import StoryMedia`` works.
from .media_models import MediaStatus, StoryMedia  # noqa: E402,F401
