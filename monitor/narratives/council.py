"""Stories for the council: "uitgelicht voor de raad", the stories behind a number, the number behind a story."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, selectinload

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import User
from ..permissions import can
from ..timeutil import utcnow
from .models import Story, StoryStatus, Visibility, story_qualities
from .services.reading import visibilities_for

FEATURE = "narratives.feature"


def as_item(story: Story) -> dict[str, Any]:
    """A story as other modules list it: plain data with its address."""
    return {"id": story.id, "title": story.title, "summary": story.summary,
            "url": url_for("narratives.story", story_id=story.id),
            "wijk": story.wijk.name, "period": story.period_label,
            "qualities": [q.name for q in story.qualities]}


def set_featured(story: Story, featured: bool, by: User) -> None:
    """Mark a published story "uitgelicht voor de raad" (or take the mark away).

    :raise DomainError: the story is not published, or only for staff (intern).
    """
    if featured:
        if story.status != StoryStatus.GEPUBLICEERD:
            raise DomainError("Alleen een gepubliceerd verhaal kan worden uitgelicht voor de raad.")
        if story.visibility == Visibility.INTERN:
            raise DomainError("Dit verhaal is intern: raadsleden kunnen het niet lezen. "
                              "Maak het eerst zichtbaar voor de raad.")
    if featured == (story.featured_at is not None):
        return
    old = {"featured": story.featured_at is not None}
    story.featured_at, story.featured_by_id = (utcnow(), by.id) if featured else (None, None)
    audit.record("story.feature" if featured else "story.unfeature", story, old=old,
                 new={"featured": featured, "wijk_id": story.wijk_id}, actor=by)
    db.session.commit()


def _readable(reader: Any):
    return sa.select(Story).where(Story.status == StoryStatus.GEPUBLICEERD,
                                  Story.visibility.in_([Visibility(v) for v in visibilities_for(reader)]))


def featured_stories(reader: Any, limit: int = 4) -> list[Story]:
    """Published stories a coordinator featured for the council, that ``reader`` may read."""
    return list(db.session.scalars(_readable(reader).where(Story.featured_at.is_not(None))
                                   .order_by(Story.featured_at.desc(), Story.id.desc()).limit(limit)))


def stories_about(reader: Any, wijk_id: int, start: date, end: date, quality_id: int | None = None,
                  limit: int = 6) -> list[Story]:
    """Published stories of a wijk about the days ``start``–``end`` (and a quality), as
    ``reader`` may read them, newest first."""
    query = _readable(reader).where(Story.wijk_id == wijk_id, Story.about_date.between(start, end))
    if quality_id is not None:
        query = query.where(Story.id.in_(sa.select(story_qualities.c.story_id)
                                         .where(story_qualities.c.quality_id == quality_id)))
    query = query.options(selectinload(Story.qualities), joinedload(Story.wijk))
    return list(db.session.scalars(query.order_by(Story.about_date.desc(), Story.id.desc()).limit(limit)))


def figures_behind(reader: Any, story: Story) -> dict[str, Any] | None:
    """The story's wijk's main figures and QIM results for the story's period, as the reader
    sees them on the dashboards (``None`` for readers without a dashboard)."""
    from ..periods import period_containing

    sees_counts, sees_qim = can(reader, "counts.dashboard"), can(reader, "qim.view")
    if not (sees_counts or sees_qim):
        return None
    period = period_containing(story.about_date)
    if period is None:
        return None
    result: dict[str, Any] = {"period": period, "counts": [], "qim": []}
    if sees_counts:
        from ..counts import main_figures

        result["counts"] = [(label, text) for label, text, _ in main_figures(period, story.wijk_id)]
    if sees_qim:
        from ..qim import wijk_results_for

        data = wijk_results_for(reader, story.wijk_id, period.id)
        own = {q.id for q in story.qualities}
        for row in (data.qualities if data else []):
            overall = row.overall
            mean = "—" if overall is None or overall.mean is None else f"{overall.mean:.1f}".replace(".", ",")
            n = "—" if overall is None else str(overall.n)
            result["qim"].append((row.quality.name, mean, n, row.quality.id in own))
    return result
