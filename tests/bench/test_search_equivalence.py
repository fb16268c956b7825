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
