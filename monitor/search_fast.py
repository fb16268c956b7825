"""Every match of a query and its score, read block by block (for :mod:`monitor.search`).

The archive shows the exact number of hits and exact facet counts, so a search visits every
matching story. Whoosh does that by walking its tree of matchers one document at a time, in
pure Python (~57 µs a match at 10,000 stories: 72 % of a search). This module evaluates the
*same* tree of matchers — the one Whoosh builds for the query — a posting block at a time:
each term's postings become a dict of document → score (one comprehension per block of ids
and term frequencies), and the tree's nodes combine those dicts as the matchers would
combine their scores:

- ``UnionMatcher``: ``a + b`` where both match, else the one that does;
- ``IntersectionMatcher``: ``a + b`` where both match;
- ``AndNotMatcher``: ``a``'s score where ``b`` (only which documents, unscored) does not match;
- ``ArrayUnionMatcher`` (an OR of many clauses in a small index): the clauses' scores added
  in their order;
- a boost wrapper multiplies; the deleted-documents filter drops its documents.

The scores are the same to the last bit (the same expression per posting, the sums in the
tree's order), so the top of a page is the one Whoosh's collector would give, ties broken by
the lower document number as its heap does (``tests/narratives/test_search_fast.py``
compares both on generated archives). Any node this module does not know (a phrase, a
scorer other than :class:`~monitor.search_collect.CachedBM25F`)
makes :func:`evaluate` return ``None``, and the caller walks the matchers as before.

Reading a term's postings means unpickling and inflating each block (two thirds of an
evaluation). A segment's postings never change, so the decoded ids and term frequencies of a
term are kept (:data:`POSTINGS`, a bounded LRU of arrays, 8 bytes a posting, default
64 MB, ``SEARCH_POSTINGS_CACHE_MB``) for as long as the segment's reader lives — until the
index changes and the searcher is reopened. A term found in one story (its postings are
inlined in the term's info) is read from there.

"Newest first" (:func:`newest`) takes the newest of the matches by a per-document list of
Whoosh's own sort keys, kept with the searcher, instead of collecting every match's key.
"""

from __future__ import annotations

import heapq
import threading
import time
import weakref
from array import array
from bisect import bisect_left
from collections import OrderedDict

from whoosh import sorting
from whoosh.matching import binary, combo, mcore, wrappers

from .search_collect import _CachedScorer


class Unsupported(Exception):
    """A node of the matcher tree this module does not evaluate."""


class Expired(Exception):
    """The deadline passed while evaluating."""


class PostingsCache:
    """The decoded postings (document ids, term frequencies) of terms in segments, least
    recently used out first, at most ``max_bytes`` of arrays; shared by the threads of a
    process. An entry belongs to the very segment reader it was read from (a reopened index
    has new readers, so it never sees another index's or an older segment's postings) and
    leaves when that reader is gone."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict = OrderedDict()  # (id(reader), term) → (ids, weights, size)
        self._keys: dict[int, set] = {}  # id(reader) → its keys
        # Readers collected since, appended by their finalizers: a reader's entries are gone
        # before any later call, so a new reader at the same address never meets them.
        self._gone: list[int] = []
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, reader, term) -> tuple[array, array] | None:
        with self._lock:
            self._forget_gone()
            entry = self._entries.get((id(reader), term))
            if entry is None:
                return None
            self._entries.move_to_end((id(reader), term))
            return entry[0], entry[1]

    def put(self, reader, term, ids: array, weights: array) -> None:
        size = ids.itemsize * len(ids) + weights.itemsize * len(weights)
        if size > self.max_bytes:
            return
        with self._lock:
            self._forget_gone()
            rid = id(reader)
            if rid not in self._keys:
                self._keys[rid] = set()
                # No lock in a finalizer: it may run inside this very method (at a collection).
                weakref.finalize(reader, self._gone.append, rid)
            self._drop((rid, term))
            self._entries[(rid, term)] = (ids, weights, size)
            self._keys[rid].add((rid, term))
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[2]
            self._keys.get(key[0], set()).discard(key)

    def _forget_gone(self) -> None:
        while self._gone:
            for key in self._keys.pop(self._gone.pop(), ()):
                self._drop(key)

    def resize(self, max_bytes: int) -> None:
        with self._lock:
            self.max_bytes = max_bytes
            while self._entries and self._bytes > max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            for keys in self._keys.values():
                keys.clear()
            self._bytes = 0

    def __len__(self) -> int:
        with self._lock:
            self._forget_gone()
            return len(self._entries)


POSTINGS = PostingsCache(64 * 1024 * 1024)


def _postings(matcher, reader, deadline: float) -> tuple[array, array]:
    """Every posting of a leaf matcher's term in its segment: ids and term frequencies."""
    key = getattr(matcher, "_term", None)
    if key is not None and reader is not None:
        found = POSTINGS.get(reader, key)
        if found is not None:
            return found
    ids, weights = array("I"), array("f")
    if type(matcher) is mcore.ListMatcher:  # postings inlined in the term's info
        ids.extend(matcher._ids)
        if matcher._all_weights:
            weights.extend([matcher._all_weights] * len(matcher._ids))
        elif matcher._weights:
            weights.extend(matcher._weights)
        else:
            weights.extend([1.0] * len(matcher._ids))
    else:
        matcher.reset()  # building the tree may have moved it (an intersection aligns its sides)
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
            if time.monotonic() > deadline:
                raise Expired
    if key is not None and reader is not None:
        POSTINGS.put(reader, key, ids, weights)
    return ids, weights


def _leaf(matcher, reader, deadline: float, scored: bool) -> dict[int, float]:
    if type(matcher) is mcore.ListMatcher:
        scorer = matcher._scorer
    elif hasattr(matcher, "_next_block"):
        scorer = getattr(matcher, "scorer", None)
    else:
        raise Unsupported(type(matcher).__name__)
    if scored and type(scorer) is not _CachedScorer:
        raise Unsupported(type(matcher).__name__)
    ids, weights = _postings(matcher, reader, deadline)
    if time.monotonic() > deadline:  # (also when the postings were kept: no block read)
        raise Expired
    if not scored:
        return dict.fromkeys(ids, 1.0)
    idf, k1_plus_1, norms = scorer.idf, scorer.k1_plus_1, scorer.norms
    # the expression of CachedBM25F's score(), per posting
    return {doc: idf * ((tf * k1_plus_1) / (tf + norms[doc])) for doc, tf in zip(ids, weights, strict=True)}


def _eval(matcher, reader, deadline: float, scored: bool = True) -> dict[int, float]:
    """Document → score of every match of ``matcher`` (unscored: → 1.0, only which match)."""
    kind = type(matcher)
    if kind is mcore.NullMatcherClass:
        return {}
    if kind is binary.UnionMatcher:
        a, b = _eval(matcher.a, reader, deadline, scored), _eval(matcher.b, reader, deadline, scored)
        out = {**a, **b}
        if scored:
            for doc in a.keys() & b.keys():  # (set operations on dict keys run in C)
                out[doc] = a[doc] + b[doc]
        return out
    if kind is binary.IntersectionMatcher:
        a, b = _eval(matcher.a, reader, deadline, scored), _eval(matcher.b, reader, deadline, scored)
        return {doc: a[doc] + b[doc] for doc in a.keys() & b.keys()}
    if kind is binary.AndNotMatcher:
        a, b = _eval(matcher.a, reader, deadline, scored), _eval(matcher.b, reader, deadline, False)
        return {doc: score for doc, score in a.items() if doc not in b}
    if kind is combo.ArrayUnionMatcher:
        # Whoosh's OR over many clauses in a small index: scores added up in an array, in
        # the order of the clauses, from 0; a document matches where its sum is positive.
        acc: dict[int, float] = {}
        if not (scored and matcher._scored):
            for sub in matcher._submatchers:
                acc.update(_eval(sub, reader, deadline, False))
            return acc
        boost = matcher._boost
        for sub in matcher._submatchers:
            for doc, score in _eval(sub, reader, deadline).items():
                acc[doc] = acc.get(doc, 0.0) + score * boost
        return {doc: score for doc, score in acc.items() if score > 0}
    if kind is wrappers.FilterMatcher:
        child = _eval(matcher.child, reader, deadline, scored)
        ids, exclude, boost = matcher._ids, matcher._exclude, matcher.boost
        return {doc: score * boost for doc, score in child.items() if (doc in ids) != exclude}
    if kind is wrappers.WrappingMatcher:
        boost = matcher.boost
        return {doc: score * boost for doc, score in _eval(matcher.child, reader, deadline, scored).items()}
    if isinstance(matcher, mcore.LeafMatcher) or kind is mcore.ListMatcher:
        return _leaf(matcher, reader, deadline, scored)
    raise Unsupported(kind.__name__)


def evaluate(searcher, query, allowed: set[int] | frozenset[int], limit: int,
             deadline: float) -> tuple[list[tuple[float, int]], set[int]] | None:
    """The top ``limit`` (score, docnum) of the allowed matches of ``query``, best first, and
    the set of every allowed match; ``None`` when the query's matchers are not all known.

    :raise Expired: past ``deadline`` (``time.monotonic()``).
    """
    scores: dict[int, float] = {}
    context = searcher.context()  # what search_with_collector gives the collector
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        try:
            local = _eval(matcher, subsearcher.reader(), deadline)
        except Unsupported:
            return None
        if offset:
            local = {doc + offset: score for doc, score in local.items()}
        scores.update(local)
    matched = scores.keys() & allowed
    # As Whoosh's TopCollector: highest score first, at equal scores the lower docnum.
    top = heapq.nsmallest(limit, matched, key=lambda doc: (-scores[doc], doc))
    return [(scores[doc], doc) for doc in top], matched


def kept_matches(searcher, term, docnums: list[int]) -> set[int] | None:
    """Which of ``docnums`` (global, sorted) contain ``term``, from the postings kept of
    every segment they are in; ``None`` when a segment's are not kept (then ask Whoosh)."""
    found: set[int] = set()
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.doc_count_all()
        local = [doc - offset for doc in docnums if offset <= doc < end]
        if not local:
            continue
        kept = POSTINGS.get(subsearcher.reader(), term)
        if kept is None:
            return None
        ids = kept[0]
        for doc in local:
            i = bisect_left(ids, doc)
            if i < len(ids) and ids[i] == doc:
                found.add(doc + offset)
    return found


_keys = threading.local()


def _date_keys(searcher) -> list | None:
    """Every document's sort key for "newest first", by global docnum, as Whoosh's
    ``SortingCollector("date")`` computes it (the sortable column); cached with the
    searcher, so computed once per index change. ``None``: keys this code cannot read."""
    cached = getattr(_keys, "date", None)
    if cached is not None and cached[0] is searcher:
        return cached[1]
    categorizer = sorting.MultiFacet.from_sortedby("date").categorizer(searcher)
    if categorizer.needs_current:
        return None
    keys: list = []
    for subsearcher, offset in searcher.leaf_searchers():
        categorizer.set_searcher(subsearcher, offset)
        keys.extend(categorizer.key_for(None, doc) for doc in range(subsearcher.doc_count_all()))
    _keys.date = (searcher, keys)
    return keys


def newest(searcher, docs: set[int] | frozenset[int], limit: int) -> list[tuple[object, int]] | None:
    """The newest ``limit`` of ``docs`` as (sort key, docnum), as Whoosh's
    ``SortingCollector("date", reverse=True)`` orders them (at equal dates the higher
    docnum first); ``None`` when the dates cannot be read here."""
    keys = _date_keys(searcher)
    if keys is None:
        return None
    return [(keys[doc], doc) for doc in heapq.nlargest(limit, docs, key=lambda doc: (keys[doc], doc))]
