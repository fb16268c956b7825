"""Recordings of stories (sound, film): the model and its status."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, string_enum
from ..timeutil import utcnow

if TYPE_CHECKING:
    from .models import Story


class MediaStatus(enum.StrEnum):
    """Where an uploaded recording is: waiting to be converted, ready to play, refused."""

    WACHT = "wacht"
    KLAAR = "klaar"
    MISLUKT = "mislukt"

    @property
    def label(self) -> str:
        return {"wacht": "Wordt omgezet", "klaar": "Klaar", "mislukt": "Kon niet worden omgezet"}[self.value]


class StoryMedia(db.Model):
    """A recording of a story (sound or film), stored as a clean, web-playable file.

    The upload is kept under ``media-staging/<file_key>`` only until the job worker (or the
    request, for a short one) has converted it to ``media/<file_key>.<ext>``; the staged
    original, with its metadata, is then deleted.
    """

    __tablename__ = "story_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(sa.ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    file_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "audio" or "video"
    status: Mapped[MediaStatus] = mapped_column(string_enum(MediaStatus, 10), default=MediaStatus.WACHT)
    error: Mapped[str] = mapped_column(sa.String(300), default="")
    duration_ms: Mapped[int] = mapped_column(default=0)
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    # Film: does anyone speak? Then captions (WebVTT) are needed before publication.
    has_speech: Mapped[bool] = mapped_column(default=True)
    transcript: Mapped[str] = mapped_column(sa.Text, default="")
    captions: Mapped[str] = mapped_column(sa.Text, default="")
    # Recognisable voices or faces, and their consent (like portretrecht for photos).
    recognisable_people: Mapped[bool] = mapped_column(default=False)
    people_consent: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Removed with undo (docs/privacy.md): out of ``Story.media``, so of every reader; purged later.
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    story: Mapped[Story] = relationship(back_populates="media")

    def __repr__(self) -> str:
        return f"<StoryMedia {self.id} {self.kind} story={self.story_id}>"

    @property
    def is_video(self) -> bool:
        return self.kind == "video"

    @property
    def extension(self) -> str:
        return "mp4" if self.is_video else "m4a"

    @property
    def content_type(self) -> str:
        return "video/mp4" if self.is_video else "audio/mp4"

    @property
    def stored_key(self) -> str:
        return f"media/{self.file_key}.{self.extension}"

    @property
    def staging_key(self) -> str:
        return f"media-staging/{self.file_key}"

    @property
    def needs_captions(self) -> bool:
        return self.is_video and self.has_speech

    @property
    def duration_label(self) -> str:
        seconds = round(self.duration_ms / 1000)
        return f"{seconds // 60}:{seconds % 60:02d}"
