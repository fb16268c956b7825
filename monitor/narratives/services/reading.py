"""Who may read what: the visibility rules, loading stories, published stories and reference data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort

from ...catalogues import Quality
from ...extensions import db
from ...models import Buurt, Period, Wijk
from ...permissions import can
from ..models import Story, StoryStatus, Visibility
from ..permissions import READ_INTERN, READ_RAAD, may_moderate


def visibilities_for(user: Any) -> list[str]:
    """The visibility levels ``user`` may read: *openbaar* for everyone (anonymous
    visitors too), *raad* and *intern* for holders of ``narratives.read_raad`` and
    ``narratives.read_intern``.
    """
    levels = [Visibility.OPENBAAR.value]
    if can(user, READ_RAAD):
        levels.append(Visibility.RAAD.value)
    if can(user, READ_INTERN):
        levels.append(Visibility.INTERN.value)
    return levels


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


# --- published stories (also for other modules) ---------------------------------------

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


def public_text(story_id: int, visibilities: Iterable[str]) -> dict[str, str] | None:
    """Title, summary and body (plain text, paragraphs kept) of a story still published at
    one of ``visibilities``, else ``None``."""
    from ..text import plain_text

    story = db.session.get(Story, story_id)
    if story is None or story.status != StoryStatus.GEPUBLICEERD or story in db.session.deleted \
            or story.visibility not in [Visibility(v) for v in visibilities]:
        return None
    paragraphs = [plain_text(part) for part in re.split(r"\n\s*\n", story.body or "")]
    return {"title": story.title, "summary": story.summary,
            "body": "\n\n".join(p for p in paragraphs if p)}


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
