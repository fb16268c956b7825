"""Scoring, collecting and highlighting for :mod:`monitor.search` (Whoosh, like that module).

- :class:`CachedBM25F`: Whoosh's BM25F with each document's length normalisation read from
  an array cached per segment reader, instead of a field-length lookup per posting;
- :class:`TopAndAll`: the top of a page and every match from one pass of matching;
- :class:`WordFragmenter` and :func:`match_terms`: highlights built from the stored
  characters of the matched words, looked up for the page's hits only;
- :class:`EarliestFragmentScorer`: of equally good fragments, the earliest, every time.
"""

from __future__ import annotations

from array import array

from whoosh import collectors, scoring
from whoosh import query as Q
from whoosh.highlight import BasicFragmentScorer, PinpointFragmenter
from whoosh.util.numeric import byte_to_length

from .search_index import length_bytes


class CachedBM25F(scoring.BM25F):
    """Whoosh's BM25F, the same scores to the last bit, without a field-length lookup per posting.

    BM25F divides by ``tf + K1 * ((1 - B) + B * fl / avgfl)``; the second term depends only on
    the document's (one-byte, quantised) field length, so it is computed once per document and
    field into an array kept with the segment reader (so with the cached searcher, until the
    next commit). The stock scorer asks the reader for the length of every posting it scores,
    through three method calls and a column read (~15 % of matching).
    """

    def scorer(self, searcher, fieldname, text, qf=1):
        stock = super().scorer(searcher, fieldname, text, qf=qf)
        if not isinstance(stock, scoring.BM25FScorer):
            return stock
        norms = _norms(searcher, fieldname, stock.B, stock.K1, stock.avgfl)
        return stock if norms is None else _CachedScorer(stock, norms)


class _CachedScorer(scoring.BM25FScorer):
    def __init__(self, stock: scoring.BM25FScorer, norms: array) -> None:
        self.__dict__.update(stock.__dict__)  # idf, avgfl, B, K1, qf, dfl, _maxquality
        self.norms = norms
        self.k1_plus_1 = self.K1 + 1

    def score(self, matcher):
        tf = matcher.weight()
        # the expression of whoosh.scoring.bm25, with K1 * ((1 - B) + B * fl / avgfl) cached
        return self.idf * ((tf * self.k1_plus_1) / (tf + self.norms[matcher.id()]))


def _norms(searcher, fieldname: str, B: float, K1: float, avgfl: float) -> array | None:
    """``K1 * ((1 - B) + B * fl / avgfl)`` per document of the searcher's segment, cached
    with its reader (None: lengths this code cannot read; then the stock scorer)."""
    reader = searcher.reader()
    cache = reader.__dict__.setdefault("_tv_norms", {})
    key = (fieldname, B, K1, avgfl)
    if key not in cache:
        raw = length_bytes(reader, fieldname)
        if raw is None:
            cache[key] = None
        else:
            # per length byte, as whoosh.scoring.bm25 computes it (byte 0: the field is empty)
            table = [0.0] + [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) for b in range(1, 256)]
            norms = array("d", map(table.__getitem__, raw))
            norms.extend([0.0] * (reader.doc_count_all() - len(norms)))
            cache[key] = norms
    return cache[key]


class TopAndAll(collectors.TopCollector):
    """The top ``limit`` by score, and the set of every matching document, in one pass.

    Whoosh's top-N optimisations skip documents that cannot reach the top (block quality,
    and replacing the matcher by one that drops low-scoring parts as the minimum score
    rises); both are off, so every match is seen, as the total and facet counts need.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, usequality=False)

    def _collect(self, global_docnum, score):
        self.docset.add(global_docnum)
        key = super()._collect(global_docnum, score)
        self.minscore = 0  # never prune: the matcher is only replaced by an equivalent one
        return key


class WordFragmenter(PinpointFragmenter):
    """Fragments of up to 240 characters around the matched words (60 either side), cut
    at whole words; built from the stored characters of the matched words (or from the
    re-analysed text when the index predates them), so the text is not analysed again."""

    def __init__(self) -> None:
        super().__init__(maxchars=240, surround=60, autotrim=True)

    @staticmethod
    def _autotrim(fragment) -> None:
        # Whoosh's own trim also drops a first word that starts the text (a title).
        text, start, end = fragment.text, fragment.startchar, fragment.endchar
        if start > 0 and not text[start - 1].isspace():
            space = text.find(" ", start, end)
            start = space + 1 if space >= 0 else start
        if end < len(text) and not text[end].isspace():
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        if fragment.matches:
            start = min(start, fragment.matches[0].startchar)
            end = max(end, fragment.matches[-1].endchar)
        fragment.startchar, fragment.endchar = start, end


class EarliestFragmentScorer(BasicFragmentScorer):
    """Whoosh's fragment score, with equal scores told apart by position: the earlier wins.

    Whoosh picks the best fragments with ``heapq.nlargest`` over (score, fragment) and
    compares two fragments of equal score by their memory address, so the excerpt under a
    hit changed from one request to the next. The scores are multiples of 100 (matched
    words × distinct words × 100); the tie-break adds less than 0.001.
    """

    def __call__(self, fragment):
        return super().__call__(fragment) + 0.001 / (2 + fragment.startchar)


def match_terms(searcher, results, query: Q.Query, docnums: list[int], fields: tuple[str, ...]) -> None:
    """Tell the highlighter which query terms each hit of the page contains.

    Whoosh would record this for every matching document while searching
    (``terms=True``); only the page's hits are highlighted, so only they are looked up, in
    the postings the search kept (:mod:`.search_fast`) or else through Whoosh's postings.
    """
    from . import search_fast  # (it imports this module)

    reader = searcher.reader()
    ordered = sorted(set(docnums))
    termdocs: dict[tuple[str, bytes], set[int]] = {}
    docterms: dict[int, list[tuple[str, bytes]]] = {d: [] for d in ordered}
    for term in set(query.iter_all_terms()):
        fieldname, text = term
        if fieldname not in fields:
            continue
        btext = text if isinstance(text, bytes) else searcher.schema[fieldname].to_bytes(text)
        key = (fieldname, btext)
        if key in termdocs or key not in reader:
            continue
        found = search_fast.kept_matches(searcher, key, ordered)  # decoded for this search
        if found is not None:
            for docnum in sorted(found):
                docterms[docnum].append(key)
            termdocs[key] = found
            continue
        found = set()
        postings = reader.postings(fieldname, btext)
        for docnum in ordered:
            if not postings.is_active():
                break
            if postings.id() < docnum:
                postings.skip_to(docnum)
            if postings.is_active() and postings.id() == docnum:
                found.add(docnum)
                docterms[docnum].append(key)
        termdocs[key] = found
    results.termdocs = termdocs
    results.docterms = docterms
