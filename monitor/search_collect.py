"""Collecting and highlighting for :mod:`monitor.search` (Whoosh, like that module).

- :class:`TopAndAll`: the top of a page and every match from one pass of matching;
- :class:`WordFragmenter` and :func:`match_terms`: highlights built from the stored
  characters of the matched words, looked up for the page's hits only.
"""

from __future__ import annotations

from whoosh import collectors
from whoosh import query as Q
from whoosh.highlight import PinpointFragmenter


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


def match_terms(searcher, results, query: Q.Query, docnums: list[int], fields: tuple[str, ...]) -> None:
    """Tell the highlighter which query terms each hit of the page contains.

    Whoosh would record this for every matching document while searching
    (``terms=True``); only the page's hits are highlighted, so only they are looked up.
    """
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
        postings = reader.postings(fieldname, btext)
        found = set()
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
