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

"Newest first" (:func:`newest`) takes the newest of the matches by a per-document list of
Whoosh's own sort keys, kept with the searcher, instead of collecting every match's key.
"""

from __future__ import annotations

import heapq
import threading
import time

from whoosh import sorting
from whoosh.matching import binary, combo, mcore, wrappers

from .search_collect import _CachedScorer


class Unsupported(Exception):
    """A node of the matcher tree this module does not evaluate."""


class Expired(Exception):
    """The deadline passed while evaluating."""


def _leaf(matcher, deadline: float, scored: bool) -> dict[int, float]:
    scorer = getattr(matcher, "scorer", None)
    if not hasattr(matcher, "_next_block") or (scored and type(scorer) is not _CachedScorer):
        raise Unsupported(type(matcher).__name__)
    matcher.reset()  # building the tree may have moved it (an intersection aligns its sides)
    scores: dict[int, float] = {}
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if not scored:
            scores.update(dict.fromkeys(matcher._ids, 1.0))
        else:
            if matcher._weights is None:
                matcher._read_weights()
            idf, k1_plus_1, norms = scorer.idf, scorer.k1_plus_1, scorer.norms
            # the expression of CachedBM25F's score(), per posting of the block
            scores.update({doc: idf * ((tf * k1_plus_1) / (tf + norms[doc]))
                           for doc, tf in zip(matcher._ids, matcher._weights, strict=True)})
        matcher._next_block()
        if time.monotonic() > deadline:
            raise Expired
    return scores


def _eval(matcher, deadline: float, scored: bool = True) -> dict[int, float]:
    """Document → score of every match of ``matcher`` (unscored: → 1.0, only which match)."""
    kind = type(matcher)
    if kind is mcore.NullMatcherClass:
        return {}
    if kind is binary.UnionMatcher:
        a, b = _eval(matcher.a, deadline, scored), _eval(matcher.b, deadline, scored)
        out = {**a, **b}
        if scored:
            for doc in a.keys() & b.keys():  # (set operations on dict keys run in C)
                out[doc] = a[doc] + b[doc]
        return out
    if kind is binary.IntersectionMatcher:
        a, b = _eval(matcher.a, deadline, scored), _eval(matcher.b, deadline, scored)
        return {doc: a[doc] + b[doc] for doc in a.keys() & b.keys()}
    if kind is binary.AndNotMatcher:
        a, b = _eval(matcher.a, deadline, scored), _eval(matcher.b, deadline, False)
        return {doc: score for doc, score in a.items() if doc not in b}
    if kind is combo.ArrayUnionMatcher:
        # Whoosh's OR over many clauses in a small index: scores added up in an array, in
        # the order of the clauses, from 0; a document matches where its sum is positive.
        acc: dict[int, float] = {}
        if not (scored and matcher._scored):
            for sub in matcher._submatchers:
                acc.update(_eval(sub, deadline, False))
            return acc
        boost = matcher._boost
        for sub in matcher._submatchers:
            for doc, score in _eval(sub, deadline).items():
                acc[doc] = acc.get(doc, 0.0) + score * boost
        return {doc: score for doc, score in acc.items() if score > 0}
    if kind is wrappers.FilterMatcher:
        child = _eval(matcher.child, deadline, scored)
        ids, exclude, boost = matcher._ids, matcher._exclude, matcher.boost
        return {doc: score * boost for doc, score in child.items() if (doc in ids) != exclude}
    if kind is wrappers.WrappingMatcher:
        boost = matcher.boost
        return {doc: score * boost for doc, score in _eval(matcher.child, deadline, scored).items()}
    if isinstance(matcher, mcore.LeafMatcher):
        return _leaf(matcher, deadline, scored)
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
            local = _eval(matcher, deadline)
        except Unsupported:
            return None
        if offset:
            local = {doc + offset: score for doc, score in local.items()}
        scores.update(local)
    matched = scores.keys() & allowed
    # As Whoosh's TopCollector: highest score first, at equal scores the lower docnum.
    top = heapq.nsmallest(limit, matched, key=lambda doc: (-scores[doc], doc))
    return [(scores[doc], doc) for doc in top], matched


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
