"""Home-page tasks of the archive: the moderation queue and returned stories."""

from __future__ import annotations

from flask import url_for

from ..models import User
from ..permissions import can
from ..registry import HomeSection, HomeTask
from ..timeutil import format_date
from . import services
from .permissions import has_moderation_queue, has_returned_stories


def moderation_section(user: User) -> HomeSection | None:
    """Buurtcoördinatoren: stories of their wijken waiting for moderation."""
    if not has_moderation_queue(user):
        return None
    tasks = [
        HomeTask(title=f"Modereren: {s.title}",
                 url=url_for("narratives.moderate", story_id=s.id),
                 detail=f"{s.reference} · {s.wijk.name} · ingestuurd {format_date(s.submitted_at)}"
                        + (" door een inwoner" if s.contributed_publicly else ""),
                 urgency="warning")
        for s in services.moderation_queue(user)
    ]
    if not tasks and not can(user, "narratives.write"):
        return None  # the beheerder: only when a wijk without a coordinator has stories waiting
    return HomeSection("Verhalen om te modereren", tasks,
                       "Er wachten geen verhalen op moderatie.", order=40)


def returned_section(user: User) -> HomeSection | None:
    """Sociaal werkers: their stories a coordinator sent back with remarks."""
    if not has_returned_stories(user):
        return None
    tasks = [
        HomeTask(title=f"Teruggestuurd: {s.title}",
                 url=url_for("narratives.edit", story_id=s.id),
                 detail=f"Opmerkingen: {s.moderation_remarks}", urgency="warning")
        for s in services.returned_stories(user)
    ]
    return HomeSection("Uw teruggestuurde verhalen", tasks,
                       "Er zijn geen verhalen naar u teruggestuurd.", order=45)


def featured_section(user: User) -> HomeSection | None:
    """Council members: stories the buurtcoördinatoren featured for the council."""
    from .council import featured_stories
    from .permissions import shows_featured_stories

    if not shows_featured_stories(user):
        return None
    tasks = [HomeTask(s.title, url_for("narratives.story", story_id=s.id),
                      f"{s.wijk.name} · {s.period_label}" + (f" — {s.summary}" if s.summary else ""))
             for s in featured_stories(user)]
    return HomeSection("Verhalen uitgelicht voor de raad", tasks,
                       "De buurtcoördinatoren hebben nog geen verhalen uitgelicht.", order=40,
                       more=("Alle verhalen", url_for("narratives.archive")))
