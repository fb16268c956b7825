"""The archive search's scorer (``CachedBM25F``) gives what Whoosh's stock BM25F gives.

On a generated archive (the benchmark generator's stories, indexed by the app's own
rebuild, plus a later commit so the index has more than one segment and deletions), every
benchmark query — with and without a facet, with NOT and a phrase — returns the same top
10 in order, the same total and facet counts, and the very same scores, with the
cached scorer as with ``whoosh.scoring.BM25F``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import current_app
from whoosh import scoring

from bench import generate as gen
from bench.generate import Size
from bench.search_engine import QUERIES, VISIBLE
from monitor import search
from monitor.extensions import db
from monitor.narratives.engines.whoosh import WhooshEngine
from monitor.narratives.models import Story

ARCHIVE = Size("eq", stories=400, clients=0, years=(2025, 2025), organisations=1, wijken=4,
               photo_files=0, photo_share=0.0)


def _results(dirname: str, weighting, wijk: str) -> list:
    search.close_cached_searcher()
    original, search.WEIGHTING = search.WEIGHTING, weighting
    try:
        out = []
        for q in [*QUERIES, "buurt -koffie", '"samen koken"', "koffie OR soep", "vrijwilliger buurthuis"]:
            for filters in ({}, {"wijk": [wijk]}):
                for page in (1, 2):
                    r = search.search(dirname, q, visibilities=list(VISIBLE), filters=filters, page=page)
                    out.append((q, filters, page, r.total, [h.id for h in r.hits],
                                r.facets))
        with search._searcher(dirname) as searcher:
            assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
            parsed = search.parse("koffie ouderen buurten").query
            scores = [(hit["id"], hit.score) for hit in searcher.search(parsed, limit=None)]
        return out + [scores]
    finally:
        search.WEIGHTING = original
        search.close_cached_searcher()


@pytest.fixture
def archive(app):
    with app.app_context():
        ids = gen.reference_data(ARCHIVE)
        gen.generate_stories(ARCHIVE, ids, 16, False)
        engine = WhooshEngine(app)
        assert engine.rebuild() == ARCHIVE.stories
        # a second commit: a segment of its own, and the old versions deleted
        some = list(db.session.scalars(sa.select(Story.id).order_by(Story.id).limit(25)))
        with search.writer_lock(engine.dirname):
            engine.write(some)
        yield current_app.config["SEARCH_INDEX_DIR"], str(ids["wijken"][0])
        search.close_cached_searcher()


def test_cached_scorer_equals_whoosh_bm25f(app, archive):
    dirname, wijk = archive
    with app.app_context():
        stock = _results(dirname, scoring.BM25F, wijk)
        cached = _results(dirname, search.CachedBM25F, wijk)
    assert any(total > 10 for _, _, _, total, _, _ in stock[:-1])  # pages of real results
    assert stock[-1] and len({s for _, s in stock[-1]}) > 5  # scores that differ
    for a, b in zip(cached, stock, strict=True):
        assert a == b


def _index_content(dirname: str) -> list:
    """Every term's statistics (with the block bounds the writer computed from the field
    lengths), every posting and every document's field lengths."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(dirname)
    with ix.reader() as reader:
        out = []
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            postings = reader.postings(fieldname, text)
            blocks = []
            while postings.is_active():
                blocks.append((postings.block_min_length(), postings.block_max_weight(),
                               list(postings.all_ids())))
                break
            out.append((fieldname, text, info.weight(), info.doc_frequency(), info.min_length(),
                        info.max_length(), info.max_weight(), blocks))
        out.append([[reader.doc_field_length(d, f) for f in ("title", "summary", "text", "spell")]
                    for d in range(reader.doc_count_all())])
    ix.close()
    return out


@pytest.mark.slow  # ~6 s: a second archive and two rebuilds; the cached scorer's test stays fast
def test_rebuild_with_cached_lengths_writes_the_same_index(app, archive, monkeypatch, tmp_path):
    from monitor import search_index
    from monitor.narratives.indexing import document, load_stories

    with app.app_context():
        ids = list(db.session.scalars(sa.select(Story.id).order_by(Story.id)))
        docs = [document(s) for s in load_stories(ids).values()]
    for name in ("fast", "stock"):
        (tmp_path / name).mkdir()
    search_index.rebuild(str(tmp_path / "fast"), docs)
    monkeypatch.setattr(search_index, "fast_lengths", lambda writer: None)
    search_index.rebuild(str(tmp_path / "stock"), docs)
    fast, stock = _index_content(str(tmp_path / "fast")), _index_content(str(tmp_path / "stock"))
    assert len(fast) > 1000 and fast == stock


def _tokens(analyzer, text: str, **kwargs) -> list[tuple]:
    return [(t.text, getattr(t, "pos", None), getattr(t, "startchar", None), getattr(t, "endchar", None),
             t.stopped, t.boost) for t in analyzer(text, **kwargs)]


def test_dutch_word_filter_gives_the_tokens_of_whooshs_filter_chain():
    """One filter (``DutchWordFilter``) instead of lower case | stop words | stemmer | accent
    folding: the same tokens for the generator's texts (plus accents, capitals, short and
    stop words), when indexing, querying, keeping stop words and without stemming; and it
    survives the pickling of the index's schema."""
    import pickle
    import random

    from bench.generate import story_text
    from monitor.search_index import dutch_analyzer, stock_dutch_analyzer

    rng = random.Random(16)
    texts = ["Één café, ÜBER naïef: ’s-Hertogenbosch a b de DE Buurten buurtjes."]
    for _ in range(150):
        texts += story_text(rng)[:3]
    new, stock = dutch_analyzer(), stock_dutch_analyzer()
    for kwargs in ({"positions": True, "chars": True, "mode": "index"}, {"mode": "query"},
                   {"positions": True, "chars": True, "removestops": False}, {"no_morph": True}):
        for text in texts:
            assert _tokens(new, text, **kwargs) == _tokens(stock, text, **kwargs), (kwargs, text)
    # lower case, accents folded, stop and one-letter words dropped, stemmed
    assert [t[0] for t in _tokens(new, texts[0], mode="query")] == [
        "een", "caf", "uber", "naief", "hertogenbosch", "buurt", "buurtjes"]
    again = pickle.loads(pickle.dumps(new))
    assert _tokens(again, texts[1], positions=True) == _tokens(stock, texts[1], positions=True)
