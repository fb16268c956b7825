"""Full-text search of the story archive: the only module that imports Whoosh.

One index under ``SEARCH_INDEX_DIR`` with a Dutch analyser (stemming, so "buurten"
finds "buurt"; accents folded). Writers are serialised by a file lock next to the
index, so several gunicorn workers never meet Whoosh's own lock; readers need no lock.
What a reader may see (and the chosen facets) is a set of allowed documents the
collector applies while searching (never a page filtered afterwards), so hits, totals
and facet counts only ever cover visible stories. Facet counts are intersections of
cached per-value document sets, refreshed with the searcher after every index change.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.qparser import MultifieldParser, OrGroup, WildcardPlugin
from whoosh.support.charset import accent_map

logger = logging.getLogger(__name__)

LANG = "nl"
TEXT_FIELDS = ("title", "summary", "text", "tags", "wijk", "buurt", "qualities")
FACETS = {"wijk": "f_wijk", "kwaliteit": "f_quality", "jaar": "f_year", "vorm": "f_form"}
LOCK_NAME = ".writer.lock"


class IndexBusy(RuntimeError):
    """The writer lock could not be taken in time (the caller retries later)."""


def dutch_analyzer():
    """StemmingAnalyzer with the Dutch Snowball stemmer and stop words, accents folded."""
    return StemmingAnalyzer(
        stoplist=frozenset(stopwords_for_language(LANG)),
        stemfn=stemmer_for_language(LANG),
    ) | CharsetFilter(accent_map)


def story_schema() -> Schema:
    """The story index: searchable text fields plus facet, visibility and date fields."""
    analyzer = dutch_analyzer()
    return Schema(
        id=NUMERIC(int, stored=True, unique=True, signed=False),
        revision=STORED(),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0),
        summary=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        text=TEXT(analyzer=analyzer, stored=True),
        tags=TEXT(analyzer=analyzer, field_boost=2.0),
        wijk=TEXT(analyzer=analyzer),
        buurt=TEXT(analyzer=analyzer),
        qualities=TEXT(analyzer=analyzer),
        f_wijk=ID(stored=True),
        f_quality=KEYWORD(commas=True, stored=True),
        f_year=ID(stored=True),
        f_form=ID(stored=True),
        visibility=ID(stored=True),
        date=DATETIME(sortable=True, stored=True),
    )


def open_index(dirname: str, locked: bool = False):
    """Open the index in ``dirname``, creating it (under the writer lock) when missing.

    :param locked: the caller already holds :func:`writer_lock`.
    """
    os.makedirs(dirname, exist_ok=True)
    if whoosh_index.exists_in(dirname):
        return whoosh_index.open_dir(dirname)
    if locked:
        return whoosh_index.create_in(dirname, story_schema())
    with writer_lock(dirname):
        if not whoosh_index.exists_in(dirname):
            return whoosh_index.create_in(dirname, story_schema())
        return whoosh_index.open_dir(dirname)


@contextmanager
def writer_lock(dirname: str, timeout: float = 10.0) -> Iterator[None]:
    """Hold the exclusive writer lock of the index (retrying until ``timeout``).

    :raise IndexBusy: when another process keeps the lock longer than ``timeout``.
    """
    os.makedirs(dirname, exist_ok=True)
    fd = os.open(os.path.join(dirname, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(dirname) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def write(dirname: str, upserts: Iterable[dict[str, Any]], deletes: Iterable[int]) -> None:
    """Apply document updates and deletions in one commit; caller holds :func:`writer_lock`.

    :param upserts: documents as made by the feature (``id``, ``revision``, text fields …).
    :param deletes: story ids to remove.
    """
    ix = open_index(dirname, locked=True)
    writer = ix.writer(timeout=5.0)
    try:
        for story_id in deletes:
            writer.delete_by_term("id", story_id)
        for doc in upserts:
            writer.update_document(**doc)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def rebuild(dirname: str, docs: Iterable[dict[str, Any]],
            progress: Callable[[int], None] | None = None) -> int:
    """Replace the whole index by ``docs``; caller holds :func:`writer_lock`."""
    ix = whoosh_index.create_in(dirname, story_schema())
    writer = ix.writer(timeout=5.0, limitmb=128)
    count = 0
    try:
        for doc in docs:
            writer.add_document(**doc)
            count += 1
            if progress:
                progress(1)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return count


_local = threading.local()


def _toc_signature(dirname: str) -> tuple:
    """Identity of the index's current table of contents (changes on every commit,
    and also when the index was rebuilt from scratch with the same generation number)."""
    entries = []
    with os.scandir(dirname) as it:
        for entry in it:
            if entry.name.endswith(".toc"):
                st = entry.stat()
                entries.append((entry.name, st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(sorted(entries))


@contextmanager
def _searcher(dirname: str) -> Iterator[Any]:
    """A searcher kept per thread and reopened only when the index changed.

    Reopening the index for every query would rebuild its caches every time; keeping one
    searcher per worker thread and reopening it only after a commit is much cheaper.
    """
    cached = getattr(_local, "searcher", None)
    if cached is not None and cached[3] != os.getpid():
        cached = None  # inherited through fork: its file handles belong to the parent
    signature = _toc_signature(dirname) if os.path.isdir(dirname) else ()
    if cached is not None and (cached[0] != dirname or cached[2] != signature):
        cached[1].close()
        cached = None
    if cached is None:
        # The signature read *before* opening: a commit in between only causes a reopen.
        searcher = open_index(dirname).searcher()
    else:
        searcher = cached[1]
    _local.searcher = (dirname, searcher, signature, os.getpid())
    yield searcher


def _facet_docsets(searcher) -> dict[str, dict[str, frozenset[int]]]:
    """Per facet value, the set of documents having it; cached with the searcher."""
    cached = getattr(_local, "facets", None)
    if cached is not None and cached[0] is searcher:
        return cached[1]
    docsets: dict[str, dict[str, frozenset[int]]] = {}
    for name, fieldname in {**FACETS, "visibility": "visibility"}.items():
        docsets[name] = {}
        for value in searcher.lexicon(fieldname):
            text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
            docsets[name][text] = frozenset(searcher.docs_for_query(Q.Term(fieldname, text)))
    _local.facets = (searcher, docsets)
    return docsets


def _allowed_docs(docsets: dict[str, dict[str, frozenset[int]]], visibilities: list[str],
                  filters: dict[str, list[str]]) -> set[int]:
    """Documents of the given visibilities that match every facet filter.

    Several values of one facet widen (OR); different facets narrow (AND).
    """
    allowed: set[int] = set()
    for value in visibilities:
        allowed |= docsets["visibility"].get(value, frozenset())
    for facet, values in filters.items():
        chosen: set[int] = set()
        for value in values:
            chosen |= docsets[facet].get(value, frozenset())
        allowed &= chosen
    return allowed


def close_cached_searcher() -> None:
    """Close this thread's cached searcher (tests and tools that remove index dirs)."""
    cached = getattr(_local, "searcher", None)
    if cached is not None and cached[3] == os.getpid():
        cached[1].close()
    _local.searcher = None


def indexed_revisions(dirname: str) -> dict[int, Any]:
    """Every story id in the index with the revision stored beside it."""
    ix = open_index(dirname)
    with ix.searcher() as searcher:
        return {fields["id"]: fields.get("revision") for fields in searcher.all_stored_fields()}


@dataclass
class Hit:
    """One search hit: the story id and highlighted fragments (HTML with ``<mark>``)."""

    id: int
    title_html: str
    fragment_html: str


@dataclass
class SearchResult:
    """A page of hits plus totals and facet counts over everything the reader may see."""

    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def parse(text: str) -> Q.Query:
    """Parse what the reader typed; words are ANDed, with ``OR`` and quotes available."""
    parser = MultifieldParser(list(TEXT_FIELDS), story_schema())
    parser.remove_plugin_class(WildcardPlugin)  # no costly wildcard expansion
    try:
        return parser.parse(text)
    except Exception:  # whoosh's parser rarely fails; fall back to plain words
        words = [w for w in "".join(c if c.isalnum() else " " for c in text).split()]
        return MultifieldParser(list(TEXT_FIELDS), story_schema(), group=OrGroup).parse(" ".join(words))


def search(dirname: str, text: str, *, visibilities: Iterable[str],
           filters: dict[str, list[str]] | None = None, sort: str = "relevance",
           page: int = 1, per_page: int = 10) -> SearchResult:
    """Search the visible stories.

    :param visibilities: the visibility values the reader may see (none: nothing found).
    :param filters: facet name (``wijk``, ``kwaliteit``, ``jaar``, ``vorm``) → values.
    :param sort: ``relevance`` or ``date`` (newest first).
    """
    filters = {k: v for k, v in (filters or {}).items() if k in FACETS and v}
    visibilities = list(visibilities)
    text = (text or "").strip()[:500]
    user_query = parse(text) if text else Q.Every()
    page = max(1, page)
    kwargs: dict[str, Any] = {}
    if sort == "date" or not text:
        kwargs = {"sortedby": "date", "reverse": True}
    with _searcher(dirname) as searcher:
        docsets = _facet_docsets(searcher)
        # Who may see what, and the chosen facets, as one set of allowed documents that
        # the collector applies while collecting: hits, total and facet counts all obey
        # it, never a page filtered afterwards.
        allowed = _allowed_docs(docsets, visibilities, filters)
        if isinstance(user_query, Q.Every):
            matched = allowed
        else:
            matched = allowed & set(searcher.docs_for_query(user_query))
        total = len(matched)
        hits = []
        if matched:
            results = searcher.search(user_query, limit=page * per_page, filter=set(matched),
                                      **kwargs)
            results.fragmenter = ContextFragmenter(maxchars=240, surround=60)
            results.formatter = HtmlFormatter(tagname="mark", between=" … ")
            for hit in results[(page - 1) * per_page: page * per_page]:
                fragment = hit.highlights("text", top=2) or hit.highlights("summary") or ""
                hits.append(Hit(hit["id"], hit.highlights("title") or "", fragment))
        counts = {}
        for name in FACETS:
            # Intersections of sets run in C: far cheaper than Whoosh's per-document facets.
            counts[name] = {value: n for value, docs in docsets[name].items()
                            if (n := len(matched & docs))}
    return SearchResult(hits, total, page, per_page, counts)


def related(dirname: str, story_id: int, *, visibilities: Iterable[str], limit: int = 3) -> list[int]:
    """Ids of visible stories most like ``story_id`` (by key terms of their text)."""
    with _searcher(dirname) as searcher:
        docnum = searcher.document_number(id=story_id)
        if docnum is None:
            return []
        allowed_docs = _allowed_docs(_facet_docsets(searcher), list(visibilities), {})
        results = searcher.more_like(docnum, "text", top=limit * 4, numterms=12)
        ids = [hit["id"] for hit in results if hit.docnum in allowed_docs]
    return ids[:limit]
