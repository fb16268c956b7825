"""What every search engine of the archive shares: how a reader's query is read, its
limits, and the shape of a result (no engine imported here).

What a reader types is never given to an engine's own query parser (whose field, range,
wildcard, fuzzy and regular-expression syntax let one anonymous request expand over the
whole vocabulary: issue 12). :func:`read_query` reads words, "phrases", ``OR`` and
``NOT`` / ``-word`` itself, refuses over-long queries and too many words, and gives each
engine only plain words and phrases to build its own query from (:mod:`monitor.search`
for Whoosh, :mod:`monitor.narratives.engines.postgres` for PostgreSQL).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Bounds on one search (the archive page passes its configuration; these are defaults).
MAX_QUERY_CHARS = 200
MAX_TERMS = 10  # words (after stop words), each searched in every text field
TIME_LIMIT = 3.0  # seconds of matching and collecting before SearchTimeout


class QueryRefused(ValueError):
    """The reader's query is not searched; the message is Dutch and meant for the reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SearchTimeout(RuntimeError):
    """A search ran past its time limit (its work is abandoned, nothing is returned)."""


TIMEOUT_MESSAGE = ("De zoekopdracht duurde te lang en is afgebroken. Zoek met minder of met "
                   "specifiekere woorden, of kies een filter.")


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
    notice: str = ""  # what the reader should know about how the query was read
    suggestion: str = ""  # "Bedoelde u …?": a corrected query that finds something

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# A "phrase" (an unclosed quote runs to the end), optionally negated; else a chunk
# without spaces or quotes.
CHUNK = re.compile(r'(-?)"([^"]*)"?|([^\s"]+)')
# Signs an engine's parser would have read as syntax; here they only separate words, and
# the reader is told so. (Ordinary punctuation such as , . ; ! is not worth a remark.)
SYNTAX = re.compile(r"[*?~^:\[\]{}()<>/\\+=|&]")
IGNORED_NOTICE = ('Alleen woorden, "zinnen tussen aanhalingstekens", OR en NOT (of -woord) '
                  "worden gebruikt; tekens zoals * ? ~ : [ ] ( ) ^ worden genegeerd.")


@dataclass(frozen=True)
class Unit:
    """One word, several words (all required) or a phrase, as the reader typed it
    (``raw``, syntax signs replaced by spaces) and as the analyser read it (``tokens``)."""

    raw: str
    tokens: tuple[str, ...]
    phrase: bool


@dataclass(frozen=True)
class QueryPlan:
    """The clauses to match (ANDed; the units in one clause ORed) and the units to leave out."""

    clauses: tuple[tuple[Unit, ...], ...]
    excluded: tuple[Unit, ...]
    words: int  # searched words: at most ``max_terms``
    notice: str = ""

    @property
    def scored(self) -> bool:
        """False when only NOT-words were given (then newest first)."""
        return bool(self.clauses)


def read_query(text: str, analyse: Callable[[str], list[str]], *,
               max_chars: int = MAX_QUERY_CHARS, max_terms: int = MAX_TERMS) -> QueryPlan:
    """Read what the reader typed: words (all required), "phrases", ``OR`` between two
    words or phrases, ``NOT word`` or ``-word`` to leave stories out.

    Anything else (fields, ranges, wildcards, fuzzy, boosts, regular expressions, groups)
    is not syntax here: its signs only separate words.

    :param analyse: the engine's analyser for counting words (stems, drops stop words).
    :raise QueryRefused: longer than ``max_chars``, more than ``max_terms`` words, or no
        word to search for.
    """
    text = (text or "").strip()
    if len(text) > max_chars:
        raise QueryRefused(f"Uw zoekvraag is te lang. Gebruik hoogstens {max_chars} tekens.")
    clauses: list[list[Unit]] = []
    excluded: list[Unit] = []
    words = 0
    join_next = negate_next = ignored = False
    for match in CHUNK.finditer(text):
        negated, phrase, chunk = match.group(1) == "-", match.group(2), match.group(3)
        if chunk in ("OR", "AND", "NOT"):
            join_next, negate_next = chunk == "OR", chunk == "NOT"
            continue
        if chunk is not None and chunk.startswith("-"):
            negated, chunk = True, chunk.lstrip("-")
        if chunk is not None and SYNTAX.search(chunk):
            ignored = True
        raw = SYNTAX.sub(" ", phrase if chunk is None else chunk)
        tokens = tuple(analyse(raw))
        negated = negated or negate_next
        join = join_next and not negated and bool(clauses)
        join_next = negate_next = False
        if not tokens:
            continue  # only stop words or signs
        words += len(tokens)
        if words > max_terms:
            raise QueryRefused(f"Uw zoekvraag heeft te veel woorden. Gebruik er hoogstens "
                               f"{max_terms}.")
        unit = Unit(raw.strip(), tokens, phrase is not None)
        if negated:
            excluded.append(unit)
        elif join:
            clauses[-1].append(unit)
        else:
            clauses.append([unit])
    if not clauses and not excluded:
        raise QueryRefused('Zoek op minstens één woord (woorden als "de" en "het" tellen niet '
                           "mee).")
    return QueryPlan(tuple(tuple(c) for c in clauses), tuple(excluded), words,
                     IGNORED_NOTICE if ignored else "")


WORD = re.compile(r"\w+", re.UNICODE)


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance of ``a`` and ``b`` (``limit + 1`` once it exceeds ``limit``)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def corrected(text: str, known: Callable[[str], bool],
              candidates: Callable[[str], list[str]]) -> str:
    """``text`` with every word the index does not know replaced by its closest known word
    (at most two edits away; ``candidates`` gives the index's words that look alike, best
    first), or ``""`` when nothing was replaced. Operators and quotes stay as they were."""
    changed = False

    def replace(match: re.Match) -> str:
        nonlocal changed
        word = match.group(0)
        lower = word.lower()
        if word in ("OR", "AND", "NOT") or len(lower) < 4 or lower.isdigit() or known(lower):
            return word
        limit = 1 if len(lower) < 7 else 2
        best = [(edit_distance(lower, c, limit), n, c) for n, c in enumerate(candidates(lower))]
        best = sorted(b for b in best if b[0] <= limit)
        if not best:
            return word
        changed = True
        return best[0][2]

    result = WORD.sub(replace, text)
    return result if changed else ""
