"""The story index on disk: its schema and analysers, opening, the writer lock, writes.

Part of :mod:`monitor.search` (which re-exports all of this): with it and
:mod:`.search_collect`, the only modules that import Whoosh.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import (
    CharsetFilter,
    CompositeAnalyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StandardAnalyzer,
    StemmingAnalyzer,
)
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map
from whoosh.util.numeric import byte_to_length
from whoosh.writing import CLEAR

LANG = "nl"
LOCK_NAME = ".writer.lock"


class IndexBusy(RuntimeError):
    """The writer lock could not be taken in time (the caller retries later)."""


class DutchWordFilter(Filter):
    """``LowercaseFilter | StopFilter | StemFilter | CharsetFilter(accent_map)`` in one pass:
    the same tokens (text, positions, characters, stopped), one generator instead of four.

    Words are lower-cased; those shorter than two letters or in the Dutch stop list are
    dropped (kept, marked stopped and not stemmed, when the caller keeps stop words);
    the others are stemmed by the Dutch Snowball stemmer (cached) and renumbered; accents
    are folded last.
    """

    def __init__(self, stoplist: frozenset[str], stemfn, minsize: int = 2, cachesize: int = 50000) -> None:
        self.stops, self.stemfn, self.min, self.cachesize = stoplist, stemfn, minsize, cachesize
        self._stem = functools.lru_cache(maxsize=cachesize)(stemfn)

    def __getstate__(self) -> dict[str, Any]:  # the index pickles its schema; the cache stays out
        return {k: v for k, v in self.__dict__.items() if k != "_stem"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._stem = functools.lru_cache(maxsize=self.cachesize)(self.stemfn)

    def __eq__(self, other) -> bool:
        return (isinstance(other, DutchWordFilter) and self.stops == other.stops
                and self.stemfn == other.stemfn and self.min == other.min)

    __hash__ = None  # type: ignore[assignment]

    def __call__(self, tokens, stem: bool = True):
        stops, minsize, charmap = self.stops, self.min, accent_map
        stemfn = self._stem if stem else None
        pos = None
        for t in tokens:
            text = t.text.lower()
            if len(text) >= minsize and text not in stops:
                if t.positions:  # renumbered over the dropped stop words, as StopFilter does
                    if pos is None:
                        pos = t.pos
                    else:
                        pos += 1
                        t.pos = pos
                t.stopped = False
                t.text = (stemfn(text) if stemfn else text).translate(charmap)
                yield t
            elif not t.removestops:
                t.stopped = True
                t.text = text.translate(charmap)
                yield t


class DutchAnalyzer(CompositeAnalyzer):
    """The tokenizer and :class:`DutchWordFilter` (``no_morph``: no stemming, as Whoosh's
    composite analyser would skip a stemming filter)."""

    def __call__(self, value, no_morph: bool = False, **kwargs):
        tokenizer, words = self.items
        return words(tokenizer(value, **kwargs), stem=not no_morph)


def dutch_analyzer():
    """Dutch Snowball stemmer and stop words, accents folded: what
    ``StemmingAnalyzer(stoplist, stemfn) | CharsetFilter(accent_map)`` does
    (:func:`stock_dutch_analyzer`), in one filter."""
    return DutchAnalyzer(RegexTokenizer(), DutchWordFilter(
        frozenset(stopwords_for_language(LANG)), stemmer_for_language(LANG)))


def stock_dutch_analyzer():
    """The chain of Whoosh filters :func:`dutch_analyzer` replaces (for the equivalence test)."""
    return StemmingAnalyzer(
        stoplist=frozenset(stopwords_for_language(LANG)),
        stemfn=stemmer_for_language(LANG),
    ) | CharsetFilter(accent_map)


def plain_analyzer():
    """Words lower-cased and accents folded; nothing stemmed and no stop words dropped
    (stories in English, Turkish, Arabic …, which the Dutch stemmer would mangle)."""
    return StandardAnalyzer(stoplist=None, minsize=1) | CharsetFilter(accent_map)


def story_schema() -> Schema:
    """The story index: searchable text fields plus facet, visibility and date fields."""
    analyzer = dutch_analyzer()
    plain = plain_analyzer()
    return Schema(
        id=NUMERIC(int, stored=True, unique=True, signed=False),
        revision=STORED(),
        # The highlighted fields keep each word's characters, so highlighting a hit need
        # not analyse its stored text again (docs/benchmarks.md).
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0, chars=True),
        summary=TEXT(analyzer=analyzer, stored=True, field_boost=2.0, chars=True),
        text=TEXT(analyzer=analyzer, stored=True, chars=True),
        tags=TEXT(analyzer=analyzer, field_boost=2.0),
        wijk=TEXT(analyzer=analyzer),
        buurt=TEXT(analyzer=analyzer),
        qualities=TEXT(analyzer=analyzer),
        title_plain=TEXT(analyzer=plain, stored=True, field_boost=3.0, chars=True),
        summary_plain=TEXT(analyzer=plain, stored=True, field_boost=2.0, chars=True),
        text_plain=TEXT(analyzer=plain, stored=True, chars=True),
        f_lang=ID(stored=True),
        f_wijk=ID(stored=True),
        f_quality=KEYWORD(commas=True, stored=True),
        f_year=ID(stored=True),
        f_form=ID(stored=True),
        visibility=ID(stored=True),
        date=DATETIME(sortable=True, stored=True),
        # The words as written (lower case, accents kept): the vocabulary of "Bedoelde u …?".
        spell=TEXT(analyzer=RegexTokenizer() | LowercaseFilter()),
    )


SPELLED = ("title", "summary", "text", "title_plain", "summary_plain", "text_plain")


def _with_spelling(doc: dict[str, Any], names) -> dict[str, Any]:
    """``doc`` with its spelling field, and only the fields this index's schema has."""
    doc = {**doc, "spell": " ".join(str(doc.get(k) or "") for k in SPELLED)}
    return {k: v for k, v in doc.items() if k in names}


def schema_current(dirname: str) -> bool:
    """Whether the index has every field of :func:`story_schema` and is not waiting to be
    filled again after it was made anew (else: rebuild it)."""
    current = set(story_schema().names()) <= set(open_index(dirname).schema.names())
    return current and not rebuild_pending(dirname)


def open_index(dirname: str, locked: bool = False, wait: float = 10.0):
    """Open the index in ``dirname``, creating it (under the writer lock) when missing.

    :param locked: the caller already holds :func:`writer_lock`.
    :param wait: how long to wait for the writer lock when the index must be created; a
        reader passes 0: while another process holds the lock it gets :class:`IndexBusy`
        at once (and shows nothing indexed) instead of holding up a user's request.
    :raise IndexBusy: the index is missing and the lock stayed taken for ``wait`` seconds.
    """
    os.makedirs(dirname, exist_ok=True)
    if whoosh_index.exists_in(dirname):
        ix = whoosh_index.open_dir(dirname)
        if set(ix.schema.names()) == _schema_names():
            return ix
        ix.close()  # an index of an older schema: made anew; reconciliation refills it
    if locked:
        return _create_current(dirname)
    with writer_lock(dirname, timeout=wait):
        return _create_current(dirname)


@functools.cache
def _schema_names() -> frozenset[str]:
    return frozenset(story_schema().names())


def _create_current(dirname: str):
    """The index in ``dirname`` if it has the current schema, else a new empty one.

    Replacing an index of an older schema (after an upgrade) leaves it empty: the marker
    :data:`REBUILD_MARKER` says so until :func:`rebuild` has filled it again, so the job
    worker rebuilds it at its next run and the archive tells readers meanwhile.
    """
    if whoosh_index.exists_in(dirname):
        ix = whoosh_index.open_dir(dirname)
        if set(ix.schema.names()) == _schema_names():
            return ix
        ix.close()
        _set_rebuild_marker(dirname)
    return whoosh_index.create_in(dirname, story_schema())


REBUILD_MARKER = "REBUILD_NEEDED"


def _set_rebuild_marker(dirname: str) -> None:
    with open(os.path.join(dirname, REBUILD_MARKER), "w", encoding="utf-8") as marker:
        marker.write("De index is leeg gemaakt en wordt opnieuw opgebouwd.\n")


def rebuild_pending(dirname: str) -> bool:
    """Whether the index was made anew empty and waits for :func:`rebuild` (cheap: one stat)."""
    return os.path.exists(os.path.join(dirname, REBUILD_MARKER))


def _same_schema(one, other) -> bool:
    """Whether two schemas index alike: the same fields with the same options, analysers
    and their settings (Whoosh's own ``==`` fails on a schema read back from the index: a
    numeric field's ``struct`` and the stemmer's bound method compare by identity)."""
    return one.names() == other.names() and all(
        _shape(one[name]) == _shape(other[name]) for name in one.names())


def _shape(value: Any, depth: int = 0) -> Any:
    """A comparable description of a field, analyser or filter and what it is made of."""
    if depth > 8 or value is None or isinstance(value, (str, bytes, int, float, bool)):
        return value
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(map(repr, value)))
    if isinstance(value, (list, tuple)):
        return [_shape(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: _shape(item, depth + 1) for key, item in sorted(value.items())}
    if hasattr(value, "pattern") and hasattr(value, "flags"):  # a compiled regular expression
        return ("re", value.pattern, value.flags)
    if hasattr(value, "format") and hasattr(value, "size"):  # a struct.Struct
        return ("struct", value.format)
    if hasattr(value, "__self__") and hasattr(value, "__func__"):  # a bound method (stemmer)
        return ("method", type(value.__self__).__qualname__, value.__func__.__qualname__)
    if hasattr(value, "__dict__"):
        state = {key: item for key, item in vars(value).items() if not callable(item) or key == "stemfn"}
        return (type(value).__qualname__, _shape(state, depth + 1))
    return repr(value)


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
        names = set(ix.schema.names())
        for doc in upserts:
            writer.update_document(**_with_spelling(doc, names))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def fast_lengths(writer) -> None:
    """Let ``writer``'s commit read the new segment's field lengths from arrays.

    Writing the postings, Whoosh asks the segment for the field length of every posting
    (for the blocks' length bounds): a column read through three calls each, ~12 % of a
    rebuild. The same values (:class:`_Lengths`), read once per field.
    """
    opened = writer.per_document_reader

    def per_document_reader():
        return _Lengths(opened())

    writer.per_document_reader = per_document_reader


class _Lengths:
    """A per-document reader whose ``doc_field_length`` reads a cached array."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self._fields: dict[str, Any] = {}

    def __getattr__(self, name: str):
        return getattr(self._reader, name)

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        lengths = self._fields.get(fieldname)
        if lengths is None:
            lengths = self._fields[fieldname] = _field_lengths(self._reader, fieldname)
        if lengths is False:
            return self._reader.doc_field_length(docnum, fieldname, default)
        if lengths is _ABSENT:  # a field without lengths (not scored): as Whoosh, the default
            return default
        # as Whoosh's reader: the length of a non-zero byte, None for an empty field
        return lengths[docnum] if docnum < len(lengths) else None


def length_bytes(reader, fieldname: str) -> bytes | None:
    """The raw one-byte field lengths of every document of a segment (Whoosh 3 codec;
    None for another), from a segment reader or a per-document reader."""
    perdoc = getattr(reader, "_perdoc", reader)
    try:
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    except AttributeError:  # another codec or reader: the stock scorer
        return None
    if column is None or getattr(column, "_fixedlen", None) != 1:
        return None
    return column._dbfile.get(column._basepos, column._count) if column._count else b""


_ABSENT = ()


def _field_lengths(reader, fieldname: str):
    if hasattr(reader, "has_column") and not reader.has_column(f"_{fieldname}_len"):
        return _ABSENT
    raw = length_bytes(reader, fieldname)
    if raw is None:
        return False
    table = [None] + [byte_to_length(b) for b in range(1, 256)]
    return [table[b] for b in raw]


def rebuild(dirname: str, docs: Iterable[dict[str, Any]],
            progress: Callable[[int], None] | None = None, memory_mb: int = 512) -> int:
    """Replace the whole index by ``docs``; caller holds :func:`writer_lock`.

    Readers keep finding the stories while it runs: an index of the current schema is
    replaced in one commit (Whoosh's ``CLEAR`` merge drops the old segments only then).
    An index of another schema cannot be reused; it is made anew and empty first, marked
    with :data:`REBUILD_MARKER` until the commit (the archive says it is being rebuilt).

    :param memory_mb: postings sorted in memory before the writer spills them to disk
        (``SEARCH_REBUILD_MEMORY_MB``).
    """
    ix = None
    if whoosh_index.exists_in(dirname):
        ix = whoosh_index.open_dir(dirname)
        if not _same_schema(ix.schema, story_schema()):
            ix.close()
            ix = None
    replace = ix is not None
    if ix is None:
        _set_rebuild_marker(dirname)
        ix = whoosh_index.create_in(dirname, story_schema())
    writer = ix.writer(timeout=5.0, limitmb=memory_mb)
    fast_lengths(writer)
    count = 0
    names = set(ix.schema.names())
    try:
        for doc in docs:
            writer.add_document(**_with_spelling(doc, names))
            count += 1
            if progress:
                progress(1)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=CLEAR) if replace else writer.commit()
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.path.join(dirname, REBUILD_MARKER))
    return count
