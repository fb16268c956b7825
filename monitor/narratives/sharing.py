"""A story as the monitorgesprek shares it: whole, for the dossier's audience (everyone).

The dossier goes to everyone at the table (residents, participants, council members), so
only published *openbaar* stories are shared, and of their photos only those whose
consent covers that audience: no recognisable people, or everyone recognisable agreed
to publication (portretrecht). The teller appears as they consented: how the story was
told and, only when they gave it, their name (an anonymised story has none).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..timeutil import format_date
from .models import MediaStatus, Story, StoryPhoto, StoryStatus, Visibility
from .services.photo_files import photo_bytes as stored_photo
from .text import render_markdown


def _shared(story: Story | None) -> bool:
    return story is not None and story.status == StoryStatus.GEPUBLICEERD \
        and story.visibility == Visibility.OPENBAAR


def photo_consent_covers_everyone(photo: StoryPhoto) -> bool:
    """A photo may go to everyone: nobody recognisable, or all of them consented."""
    return not photo.recognisable_people or photo.portrait_consent


def dossier_story(story_id: int) -> dict[str, Any] | None:
    """The whole story for the dossier, or ``None`` when it is not there for everyone."""
    story = db.session.get(Story, story_id)
    if not _shared(story):
        return None
    teller = story.teller.label + (f": {story.teller_name}" if story.teller_name else "")
    return {
        "id": story.id, "title": story.title, "summary": story.summary,
        "body_html": str(render_markdown(story.body)),
        "teller": teller, "form": story.form.label,
        "about": f"{format_date(story.about_date)} (periode {story.period_label})",
        "place": story.wijk.name + (f", {story.buurt.name}" if story.buurt else ""),
        "qualities": [q.name for q in story.qualities],
        "photos": [{"key": p.file_key, "alt": p.alt_text, "caption": p.caption,
                    "width": p.width, "height": p.height}
                   for p in story.photos if photo_consent_covers_everyone(p)],
        "media": shared_media(story),
    }


def shared_media(story: Story) -> list[dict[str, Any]]:
    """The story's recordings for the dossier: named (kind, title, length) and linked.

    Documents cannot play them, so the page, the PDF and the Word file name each one with
    the address where it plays (the story's page shows it with its transcript/captions).
    Only recordings whose consent covers everyone, as for photos.
    """
    from flask import url_for

    def link(endpoint: str, **values) -> str:
        try:
            return url_for(endpoint, _external=True, **values)
        except RuntimeError:  # outside a request (a job): the path is still a working link
            return url_for(endpoint, **values)

    return [{"kind": "Film" if m.is_video else "Geluid", "title": m.title,
             "duration": m.duration_label, "url": link("narratives.media_file", key=m.file_key),
             "page": link("narratives.story", story_id=story.id),
             "text": ("met ondertitels" if m.captions else "zonder spraak") if m.is_video else
                     "met transcript"}
            for m in story.media
            if m.status == MediaStatus.KLAAR and (not m.recognisable_people or m.people_consent)]


def _shared_photo(key: str) -> StoryPhoto | None:
    if not key or len(key) > 64 or not key.isalnum() or not key.isascii():
        return None
    photo = db.session.scalar(sa.select(StoryPhoto).where(StoryPhoto.file_key == key,
                                                          StoryPhoto.deleted_at.is_(None)))
    if photo is None or not _shared(photo.story) or not photo_consent_covers_everyone(photo):
        return None
    return photo


def photo_bytes(key: str, size: str) -> bytes | None:
    """The JPEG of a shared photo ("web" or "thumb"), ``None`` when it is not (any longer)."""
    photo = _shared_photo(key)
    if photo is None or size not in ("web", "thumb"):
        return None
    try:
        return stored_photo(photo, size)
    except FileNotFoundError:
        return None


def photos_present(keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` are photos still shared with everyone."""
    wanted = {k for k in keys if k}
    if not wanted:
        return set()
    photos = db.session.scalars(sa.select(StoryPhoto).where(StoryPhoto.file_key.in_(wanted),
                                                            StoryPhoto.deleted_at.is_(None)))
    return {p.file_key for p in photos if _shared(p.story) and photo_consent_covers_everyone(p)}
