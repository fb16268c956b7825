"""Searching the archive: results the reader may see, facet labels, related stories."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from ... import search_query as search
from ...extensions import db
from ...i18n import LANGUAGES
from ...models import Wijk
from ...search_query import corrected
from .. import engines, indexing
from ..indexing import pending_count
from ..models import Story, StoryForm
from ..text import safe_highlight
from ._shared import _sync_index
from .reading import can_read, quality_choices, visibilities_for

logger = logging.getLogger(__name__)

@dataclass
class ArchivePage:
    """A page of search results with the stories loaded and facet labels resolved."""

    result: search.SearchResult
    items: list[tuple[Story, Markup, Markup]]
    facet_labels: dict[str, dict[str, str]]
    refused: str = ""  # Dutch: why the query was not searched (too long, too slow, ...)
    rebuilding: bool = False  # the index was emptied and is being filled again


def search_archive(reader: Any, text: str, filters: dict[str, list[str]], sort: str,
                   page: int, per_page: int = 10) -> ArchivePage:
    """Search the stories ``reader`` may see; facet counts cover only those too.

    A query that is refused or runs past ``SEARCH_TIME_LIMIT`` gives an empty page with
    the reason (``refused``), never an error.
    """
    engine = engines.current()
    if not engine.same_transaction and pending_count():
        _sync_index()
    config = current_app.config
    refused = ""
    limits = {"max_chars": config["SEARCH_MAX_QUERY_CHARS"], "max_terms": config["SEARCH_MAX_TERMS"],
              "time_limit": config["SEARCH_TIME_LIMIT"]}
    try:
        result = engine.search(text, visibilities=visibilities_for(reader), filters=filters,
                               sort=sort, page=page, per_page=per_page, **limits)
        if text.strip() and not result.total:
            result.suggestion = _suggestion(engine, reader, text, filters, limits)
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
        "taal": {lang.code: lang.name for lang in LANGUAGES},
    }
    return ArchivePage(result, items, labels, refused, rebuilding=engine.rebuilding())


def _suggestion(engine, reader: Any, text: str, filters: dict[str, list[str]],
                limits: dict[str, Any]) -> str:
    """"Bedoelde u …?": the query with its unknown words replaced by the index's closest
    words, offered only when it finds a story this reader may see (so a suggestion never
    reveals a word of a story hidden from them). Empty when there is none."""
    try:
        known, candidates = engine.vocabulary()
        better = corrected(text, known, candidates)
        if not better or better == text:
            return ""
        found = engine.search(better, visibilities=visibilities_for(reader), filters=filters,
                              sort="relevance", page=1, per_page=1, **limits)
    except (search.QueryRefused, search.SearchTimeout):
        return ""
    return better if found.total else ""


def related_stories(story: Story, reader: Any, limit: int = 3) -> list[Story]:
    """Published stories like this one that the reader may see."""
    if not story.is_published:
        return []
    try:
        ids = engines.current().related(story.id, visibilities=visibilities_for(reader),
                                        limit=limit)
    except Exception:
        logger.exception("Related stories could not be searched")
        ids = []
    loaded = indexing.load_stories(ids)
    return [loaded[i] for i in ids if i in loaded and can_read(reader, loaded[i])]
