"""Vertellen: the story archive — contributed, consented, moderated, searchable.

For other modules (the monitorgesprek), through :class:`monitor.registry.StorySource`:
:func:`public_stories` of a wijk, :func:`tell_why_chosen` (feedback to the storyteller),
:func:`still_public`, :func:`withdrawn`, :func:`kept_title` and :func:`public_text`; for the dashboards
:func:`stories_behind` (the stories behind a number, as the reader may see them); for the dossier the whole
story (:func:`shared_story`), its photos (:func:`shared_photo`, :func:`shared_photos`). The dossier's audience is
everyone at the table, residents included: only *openbaar* stories count as there for
them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask

PUBLIC = ["openbaar"]


def public_stories(wijk: Any, period: Any = None, limit: int = 100) -> list[dict[str, Any]]:
    """Published, public stories of the wijk, newest first: ``{"id", "title", "summary"}``."""
    from .services import published_stories

    return [{"id": s.id, "title": s.title, "summary": s.summary}
            for s in published_stories(wijk.id, visibilities=PUBLIC)[:limit]]


def tell_why_chosen(story_id: int, session_title: str, why: str) -> None:
    """Tell the storyteller, on their private page, why a session chose their story.

    The caller commits.
    """
    from .services import add_feedback

    add_feedback(story_id, session_title, why)


def still_public(story_ids: Iterable[int]) -> set[int]:
    """Which of ``story_ids`` are still published and public.

    A story narrowed to raad or intern after it was chosen is no longer there for the
    dossier's audience, as if withdrawn.
    """
    from .services import still_published

    return still_published(story_ids, PUBLIC)


def withdrawn(story_ids: Iterable[int]) -> set[int]:
    """Which of ``story_ids`` their tellers withdrew."""
    from .services import withdrawn as compute

    return compute(story_ids)


def kept_title(story_id: int) -> str | None:
    """The current title of a story that still exists and was not withdrawn, else ``None``."""
    from .services import kept_title as compute

    return compute(story_id)


def public_text(story_id: int) -> dict[str, str] | None:
    """Title, summary and body of a story still published and public, else ``None``."""
    from .services import public_text as compute

    return compute(story_id, PUBLIC)


def stories_behind(reader: Any, wijk_id: int, start: Any, end: Any, quality_id: int | None = None,
                   limit: int = 6) -> list[dict[str, Any]]:
    """Published stories of a wijk about ``start``–``end`` (and a quality) that ``reader``
    may read, newest first: ``{"id", "title", "summary", "url", "wijk", "period", "qualities"}``.

    For the figures of a dashboard: the story behind the number.
    """
    from .council import as_item, stories_about

    return [as_item(s) for s in stories_about(reader, wijk_id, start, end, quality_id, limit)]


def shared_story(story_id: int) -> dict[str, Any] | None:
    """The whole story for the dossier's audience (see :mod:`.sharing`), or ``None``."""
    from .sharing import dossier_story

    return dossier_story(story_id)


def shared_photo(key: str, size: str) -> bytes | None:
    """The JPEG of a photo shared with the dossier's audience, or ``None`` when it is not."""
    from .sharing import photo_bytes

    return photo_bytes(key, size)


def shared_photos(keys: Iterable[str]) -> set[str]:
    """Which photo keys are still shared with the dossier's audience."""
    from .sharing import photos_present

    return photos_present(keys)


def init_app(app: Flask) -> None:
    """Register the blueprint, navigation, home tasks, demo data and CLI of the archive."""
    from .models import MediaStatus, StoryStatus, Visibility

    # Templates compare statuses through the enum, never a raw string.
    app.add_template_global(MediaStatus, "MediaStatus")
    app.add_template_global(StoryStatus, "StoryStatus")
    app.add_template_global(Visibility, "Visibility")
    from ..registry import (
        StorySource,
        add_demo_seeder,
        add_home_section,
        add_nav,
        add_setup_check,
        set_story_source,
    )
    from . import (  # noqa: F401  (tables, policy, and the view modules' routes on the blueprint)
        confirm_views,
        council_views,
        engines,
        location_views,
        media_views,
        models,
        moderation_views,
        notices,
        permissions,
        removal_views,
        report_views,
        teller_views,
        views,
    )
    from .blueprint import bp
    from .cli import search_cli
    from .home import featured_section, moderation_section, returned_section
    from .seed import seed_demo_stories
    from .setup import setup_checks

    app.register_blueprint(bp)
    add_nav(app, "Verhalen", "narratives.archive", "public", 30)
    add_home_section(app, moderation_section)
    add_home_section(app, returned_section)
    add_home_section(app, featured_section)
    add_demo_seeder(app, 60, "verhalen", seed_demo_stories)
    add_setup_check(app, 40, "Verhalen", setup_checks)
    app.cli.add_command(search_cli)
    set_story_source(app, StorySource(candidates=public_stories, feedback=tell_why_chosen,
                                      published=still_public, withdrawn=withdrawn, title=kept_title,
                                      text=public_text, dossier_story=shared_story, photo=shared_photo,
                                      photos_present=shared_photos))
    engines.init_app(app)  # the search engine; a clear error when it cannot run here
    register_operations(app)
    notices.register(app)
    media_views.register(app)


def register_operations(app: Flask) -> None:
    """Hooks for operations: index rebuild after a restore; index upkeep as worker jobs
    (never in a web worker at start-up: issue 15)."""
    from datetime import timedelta

    from ..registry import add_after_restore, add_job
    from .indexing import apply_job, reindex_all, repair_job

    add_after_restore(app, "zoekindex", lambda: f"{reindex_all()} gepubliceerde verhalen")
    add_job(app, "zoekindex bijwerken", apply_job, every=timedelta(minutes=1), order=40)
    add_job(app, "zoekindex controleren", repair_job, every=timedelta(hours=1),
            offset=timedelta(minutes=20), order=50)
    from .services.removals import PURGE_JOB, purge_removed

    # Removed photos and recordings past NARRATIVES_UNDO_DAYS: erased for good (docs/privacy.md).
    add_job(app, PURGE_JOB, purge_removed, every=timedelta(hours=1),
            offset=timedelta(minutes=35), order=55)
