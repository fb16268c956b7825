"""Full-text search of the story archive: with :mod:`.search_collect` and :mod:`.search_fast`, the only
modules that import Whoosh.

One index under ``SEARCH_INDEX_DIR`` (:mod:`.search_index`) with a Dutch analyser (stemming, so "buurten"
finds "buurt"; accents folded). Writers are serialised by a file lock next to the
index, so several gunicorn workers never meet Whoosh's own lock; readers need no lock.
What a reader may see (and the chosen facets) is a set of allowed documents the
collector applies while searching (never a page filtered afterwards), so hits, totals
and facet counts only ever cover visible stories. Facet counts are intersections of
cached per-value document sets, refreshed with the searcher after every index change.
A scored search reads its matches a posting block at a time (:mod:`.search_fast`: the
same scores and order as Whoosh's own collector, ~3× faster); a query that module does
not evaluate (a phrase) is matched by Whoosh's collector.

What a reader types is never given to Whoosh's query parser (whose field, range,
wildcard, fuzzy and regular-expression syntax let one anonymous request expand over the
whole vocabulary: issue 12). :func:`parse` reads words, "phrases", ``OR`` and ``NOT`` /
``-word`` itself, refuses over-long queries and too many words, and builds only term and
phrase queries; every search runs against a deadline (:class:`SearchTimeout`).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from whoosh import collectors
from whoosh import query as Q
from whoosh.highlight import HtmlFormatter, WholeFragmenter
from whoosh.searching import Results

from . import search_fast
from .search_collect import CachedBM25F, EarliestFragmentScorer, TopAndAll, WordFragmenter, match_terms
from .search_index import (  # noqa: F401  (the index's part of this module's interface)
    LANG,
    LOCK_NAME,
    IndexBusy,
    dutch_analyzer,
    open_index,
    plain_analyzer,
    rebuild,
    rebuild_pending,
    schema_current,
    story_schema,
    write,
    writer_lock,
)
from .search_query import (  # noqa: F401  (the engines' shared names, as before)
    IGNORED_NOTICE,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    SYNTAX,
    TIME_LIMIT,
    TIMEOUT_MESSAGE,
    Hit,
    QueryPlan,
    QueryRefused,
    SearchResult,
    SearchTimeout,
    Unit,
    read_query,
)

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("title", "summary", "text", "tags", "wijk", "buurt", "qualities")
# A story in another language than Dutch has its title, summary and text in these
# fields instead, never stemmed as Dutch (issue 19); a query searches both sets.
PLAIN_FIELDS = ("title_plain", "summary_plain", "text_plain")
HIGHLIGHTED = ("title", "summary", "text") + PLAIN_FIELDS  # stored, with their words' characters
FACETS = {"wijk": "f_wijk", "kwaliteit": "f_quality", "jaar": "f_year", "vorm": "f_form",
          "taal": "f_lang"}

_local = threading.local()
# Whoosh's BM25F with cached length normalisation (tests/bench/test_search_equivalence.py
# compares it with the stock BM25F).
WEIGHTING = CachedBM25F


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
        _local.searcher = None  # closed: never offered again, even if the reopen fails
        cached[1].close()
        cached = None
    if cached is None:
        # The signature read *before* opening: a commit in between only causes a reopen.
        # A reader never waits for the writer lock (only needed to create a missing index).
        searcher = open_index(dirname, wait=0).searcher(weighting=WEIGHTING())
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
    """Documents of the given visibilities that match every facet filter (cached with the
    searcher's facet sets: one reader's allow-set is the same for every query; a set,
    as Whoosh's filters want, that callers must not change).

    Several values of one facet widen (OR); different facets narrow (AND).
    """
    key = (tuple(sorted(set(visibilities))),
           tuple(sorted((facet, tuple(sorted(set(values)))) for facet, values in filters.items())))
    cache = getattr(_local, "allowed", None)
    if cache is None or cache[0] is not docsets:
        cache = _local.allowed = (docsets, {})
    found = cache[1].get(key)
    if found is None:
        found = _compute_allowed(docsets, visibilities, filters)
        if len(cache[1]) >= 256:
            cache[1].clear()
        cache[1][key] = found
    return found


def _compute_allowed(docsets: dict[str, dict[str, frozenset[int]]], visibilities: list[str],
                     filters: dict[str, list[str]]) -> set[int]:
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


# --- what the reader typed ----------------------------------------------------------------

@functools.cache
def _query_field():
    """The analyser of the text fields (all share it): stems, folds accents, drops stop words."""
    return story_schema()["text"]


def analyse(text: str) -> list[str]:
    """The words the index would search for ``text`` (stemmed, accents folded, no stop words)."""
    return list(_query_field().process_text(SYNTAX.sub(" ", text), mode="query"))


@functools.cache
def _plain_field():
    return story_schema()["text_plain"]


def analyse_plain(text: str) -> list[str]:
    """The words of ``text`` as the plain fields hold them (lower case, accents folded)."""
    return list(_plain_field().process_text(SYNTAX.sub(" ", text), mode="query"))


def _fields_unit(fields: tuple[str, ...], tokens: list[str], phrase: bool) -> Q.Query:
    if phrase and len(tokens) > 1:
        return Q.Or([Q.Phrase(name, tokens) for name in fields])
    per_token = [Q.Or([Q.Term(name, token) for name in fields]) for token in tokens]
    return per_token[0] if len(per_token) == 1 else Q.And(per_token)


def _unit(unit: Unit) -> Q.Query:
    """One word, several words (all required) or a phrase, in any of the text fields:
    the Dutch (stemmed) words in the Dutch fields, the plain words in the plain ones."""
    dutch = _fields_unit(TEXT_FIELDS, list(unit.tokens), unit.phrase)
    plain = analyse_plain(unit.raw)
    if not plain:
        return dutch
    return Q.Or([dutch, _fields_unit(PLAIN_FIELDS, plain, unit.phrase)])


@dataclass(frozen=True)
class ParsedQuery:
    """A query built only from terms and phrases, with what the reader should know."""

    query: Q.Query
    words: int  # searched words (each in every text field): at most ``max_terms``
    scored: bool  # False when only NOT-words were given (then newest first)
    notice: str = ""


def parse(text: str, *, max_chars: int = MAX_QUERY_CHARS, max_terms: int = MAX_TERMS) -> ParsedQuery:
    """What the reader typed (:func:`monitor.search_query.read_query`) as a Whoosh query
    of terms and phrases only: no query ever expands beyond its own words, each searched
    in every text field (Dutch and plain).

    :raise QueryRefused: see :func:`~monitor.search_query.read_query`.
    """
    plan = read_query(text, analyse, max_chars=max_chars, max_terms=max_terms)
    wanted: Q.Query = Q.Every()
    if plan.clauses:
        parts = [_unit(c[0]) if len(c) == 1 else Q.Or([_unit(u) for u in c]) for c in plan.clauses]
        wanted = parts[0] if len(parts) == 1 else Q.And(parts)
    excluded = [_unit(u) for u in plan.excluded]
    query = Q.AndNot(wanted, Q.Or(excluded)) if excluded else wanted
    return ParsedQuery(query, plan.words, plan.scored, plan.notice)


class _Deadline(collectors.WrappingCollector):
    """Stops a search with :class:`SearchTimeout` once ``deadline`` (monotonic) has passed.

    Checked while matching, every 256 matches and at the first match of every segment, so
    it needs no alarm signal or timer thread (safe in threaded workers). The matching
    itself is bounded by :func:`parse` (at most ``max_terms`` words, no expansion).
    """

    def __init__(self, child: collectors.Collector, deadline: float) -> None:
        self.child = child
        self.deadline = deadline

    def matches(self):
        for n, docnum in enumerate(self.child.matches()):
            if n % 256 == 0 and time.monotonic() > self.deadline:
                raise SearchTimeout
            yield docnum


def _fast(searcher, parsed: ParsedQuery | None, query: Q.Query, allowed: set[int], sortedby: str | None,
          limit: int, deadline: float) -> tuple[list, set[int] | frozenset[int]] | None:
    """The top ``limit`` and every allowed match from :mod:`.search_fast`, or ``None`` (then
    Whoosh's collector): the same hits in the same order, without walking the matchers."""
    if not allowed:
        return None
    try:
        if not sortedby:
            return search_fast.evaluate(searcher, query, allowed, limit, deadline)
        if parsed is None:  # no words: every allowed story, newest first
            matched = allowed
        else:
            found = search_fast.evaluate(searcher, query, allowed, 0, deadline)
            if found is None:
                return None
            matched = found[1]
        top = search_fast.newest(searcher, matched, limit)
        return None if top is None else (top, matched)
    except search_fast.Expired:
        raise SearchTimeout from None


def search(dirname: str, text: str, *, visibilities: Iterable[str],
           filters: dict[str, list[str]] | None = None, sort: str = "relevance",
           page: int = 1, per_page: int = 10, max_chars: int = MAX_QUERY_CHARS,
           max_terms: int = MAX_TERMS, time_limit: float = TIME_LIMIT) -> SearchResult:
    """Search the visible stories.

    :param visibilities: the visibility values the reader may see (none: nothing found).
    :param filters: facet name (``wijk``, ``kwaliteit``, ``jaar``, ``vorm``) → values.
    :param sort: ``relevance`` or ``date`` (newest first).
    :param max_chars: longest query searched. :param max_terms: most words searched.
    :param time_limit: seconds the matching may take.
    :raise QueryRefused: see :func:`parse`. :raise SearchTimeout: over ``time_limit``.
    """
    deadline = time.monotonic() + time_limit
    filters = {k: v for k, v in (filters or {}).items() if k in FACETS and v}
    visibilities = list(visibilities)
    text = (text or "").strip()
    parsed = parse(text, max_chars=max_chars, max_terms=max_terms) if text else None
    user_query = parsed.query if parsed else Q.Every()
    page = max(1, page)
    sortedby = "date" if sort == "date" or not parsed or not parsed.scored else None
    with _searcher(dirname) as searcher:
        docsets = _facet_docsets(searcher)
        # Who may see what, and the chosen facets, as one set of allowed documents that
        # the collector applies while collecting: hits, total and facet counts all obey
        # it, never a page filtered afterwards.
        allowed = _allowed_docs(docsets, visibilities, filters)
        results = None
        fast = _fast(searcher, parsed, user_query, allowed, sortedby, page * per_page, deadline)
        if fast is not None:
            results = Results(searcher, user_query, fast[0])
            matched = fast[1]
        elif allowed:  # (an empty allow-set would mean "no filter" to Whoosh)
            # One pass: the top of the page and every matching document (for the total
            # and the facet counts) from the same matching.
            top: collectors.Collector = (
                collectors.SortingCollector(sortedby, limit=page * per_page, reverse=True)
                if sortedby else TopAndAll(limit=page * per_page))
            collector = collectors.FilterCollector(_Deadline(top, deadline), allow=allowed)
            searcher.search_with_collector(user_query, collector)
            results = collector.results()
            matched = allowed if not parsed else top.docset
        else:
            matched = frozenset()
        total = len(matched)
        hits = []
        if results is not None and matched and (page - 1) * per_page < total:
            page_hits = results[(page - 1) * per_page: page * per_page]
            match_terms(searcher, results, user_query, [hit.docnum for hit in page_hits], HIGHLIGHTED)
            results.formatter = HtmlFormatter(tagname="mark", between=" … ")
            results.highlighter.scorer = EarliestFragmentScorer()
            for hit in page_hits:
                # A story not in Dutch has its words in the plain fields instead.
                plain = "" if "title" in hit.fields() else "_plain"
                # A title whole, with its punctuation ("Samen in de tuin (2025)"); the text
                # in fragments around the matched words.
                results.fragmenter = WholeFragmenter()
                title = hit.highlights(f"title{plain}") or ""
                results.fragmenter = WordFragmenter()
                fragment = (hit.highlights(f"text{plain}", top=2)
                            or hit.highlights(f"summary{plain}") or "")
                hits.append(Hit(hit["id"], title, fragment))
        counts = {}
        for name in FACETS:
            # Intersections of sets run in C: far cheaper than Whoosh's per-document facets.
            counts[name] = {value: n for value, docs in docsets[name].items()
                            if (n := len(matched & docs))}
    return SearchResult(hits, total, page, per_page, counts, parsed.notice if parsed else "")


def related(dirname: str, story_id: int, *, visibilities: Iterable[str], limit: int = 3) -> list[int]:
    """Ids of visible stories most like ``story_id`` (by key terms of their text)."""
    with _searcher(dirname) as searcher:
        docnum = searcher.document_number(id=story_id)
        if docnum is None:
            return []
        allowed_docs = _allowed_docs(_facet_docsets(searcher), list(visibilities), {})
        text_field = "text" if searcher.stored_fields(docnum).get("text") else "text_plain"
        results = searcher.more_like(docnum, text_field, top=limit * 4, numterms=12)
        ids = [hit["id"] for hit in results if hit.docnum in allowed_docs]
    return ids[:limit]


def vocabulary(dirname: str) -> tuple[Callable[[str], bool], Callable[[str], list[str]]]:
    """The index's own words, for "Bedoelde u …?" (:func:`monitor.search_query.corrected`):
    whether a word is in it, and the words within two edits of one, most used first."""
    with _searcher(dirname) as searcher:
        reader = searcher.reader()
    if "spell" not in searcher.schema.names():
        return (lambda word: True), (lambda word: [])

    def known(word: str) -> bool:
        return ("spell", word) in reader

    def candidates(word: str) -> list[str]:
        found = list(reader.terms_within("spell", word, 2))
        found.sort(key=lambda t: -reader.doc_frequency("spell", t))
        return found[:20]

    return known, candidates
