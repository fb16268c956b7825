"""The block-at-a-time evaluation of a search (``monitor.search_fast``) gives what Whoosh's
collector gives: the same top in the same order with the very same scores, the same set of
matches (so the same total and facet counts), on a generated archive whose index has several
segments and deleted documents; a query it does not evaluate (a phrase) goes to Whoosh's
collector; and it keeps the search's deadline.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from whoosh import collectors
from whoosh import query as Q

from bench import generate as gen
from bench.generate import Size
from bench.search_engine import QUERIES, VISIBLE
from monitor import search, search_fast
from monitor.extensions import db
from monitor.narratives.engines.whoosh import WhooshEngine
from monitor.narratives.models import Story
from monitor.search_collect import TopAndAll

ARCHIVE = Size("fast", stories=400, clients=0, years=(2025, 2025), organisations=1, wijken=4,
               photo_files=0, photo_share=0.0)
MORE = ["buurt -koffie", "koffie OR soep", "vrijwilliger buurthuis -moestuin", "koffie OR soep OR muziek OR feest",
        "buurtkoffie", "koffie ouderen buurten vrijwilligers mantelzorg"]


@pytest.fixture
def archive(app):
    with app.app_context():
        ids = gen.reference_data(ARCHIVE)
        gen.generate_stories(ARCHIVE, ids, 17, False)
        engine = WhooshEngine(app)
        assert engine.rebuild() == ARCHIVE.stories
        # a second commit: a segment of its own, and the old versions deleted
        some = list(db.session.scalars(sa.select(Story.id).order_by(Story.id).limit(25)))
        with search.writer_lock(engine.dirname):
            engine.write(some)
        yield engine.dirname, str(ids["wijken"][0])
        search.close_cached_searcher()


def _whoosh(searcher, query, allowed, limit):
    top = TopAndAll(limit=limit)
    collector = collectors.FilterCollector(top, allow=allowed)
    searcher.search_with_collector(query, collector)
    return [(hit.score, hit.docnum) for hit in collector.results()], top.docset


@pytest.mark.parametrize("or_matcher", [Q.Or.AUTO_MATCHER, Q.Or.DEFAULT_MATCHER])
def test_same_top_scores_and_matches_as_whooshs_collector(app, archive, monkeypatch, or_matcher):
    # AUTO: in an index this small Whoosh preloads an OR of many clauses into an array;
    # DEFAULT: its binary tree of unions, as in an index of more than 5,000 stories.
    monkeypatch.setattr(Q.Or, "matcher_type", or_matcher)
    dirname, wijk = archive
    far = time.monotonic() + 60
    compared = 0
    with app.app_context(), search._searcher(dirname) as searcher:
        assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
        docsets = search._facet_docsets(searcher)
        for text in [*QUERIES, *MORE]:
            query = search.parse(text).query
            for filters in ({}, {"wijk": [wijk]}):
                allowed = search._allowed_docs(docsets, list(VISIBLE), filters)
                for limit in (10, 30):
                    fast = search_fast.evaluate(searcher, query, allowed, limit, far)
                    assert fast is not None, text
                    top, matched = fast
                    expected_top, expected_matched = _whoosh(searcher, query, allowed, limit)
                    assert top == expected_top, (text, filters, limit)
                    assert matched == expected_matched, (text, filters)
                    compared += bool(expected_top)
    assert compared > 50
    # scores that differ, and ties the order must break as Whoosh does (lower docnum first)
    assert len({score for score, _ in expected_top}) > 5


def test_newest_first_is_whooshs_date_order(app, archive):
    dirname, wijk = archive
    far = time.monotonic() + 60
    ties = False
    with app.app_context(), search._searcher(dirname) as searcher:
        docsets = search._facet_docsets(searcher)
        for filters in ({}, {"wijk": [wijk]}):
            allowed = search._allowed_docs(docsets, list(VISIBLE), filters)
            for text in ["", "koffie ouderen", "buurt -koffie"]:
                query = search.parse(text).query if text else Q.Every()
                matched = allowed if not text else search_fast.evaluate(searcher, query, allowed, 0, far)[1]
                for limit in (10, 400):
                    sorter = collectors.SortingCollector("date", limit=limit, reverse=True)
                    collector = collectors.FilterCollector(sorter, allow=allowed)
                    searcher.search_with_collector(query, collector)
                    expected = [(hit.score, hit.docnum) for hit in collector.results()]
                    assert search_fast.newest(searcher, matched, limit) == expected, (text, filters, limit)
                    ties |= len({key for key, _ in expected}) < len(expected)
    assert ties  # stories of the same day, whose order the docnum decides


def test_whole_pages_are_the_same_with_and_without_it(app, archive, monkeypatch):
    dirname, wijk = archive

    def pages():
        out = []
        for text, sort in [("koffie ouderen", "relevance"), ("buurt -koffie", "relevance"), ("koffie OR soep", "date"),
                           ("vrijwilligers", "relevance"), ("", "relevance"), ("-koffie", "relevance")]:
            for filters in ({}, {"wijk": [wijk]}):
                for page in (1, 2, 40):
                    r = search.search(dirname, text, visibilities=list(VISIBLE), filters=filters, page=page,
                                      sort=sort)
                    out.append((r.total, r.facets, [(h.id, h.title_html, h.fragment_html) for h in r.hits]))
        return out

    with app.app_context():
        fast = pages()
        search.close_cached_searcher()
        monkeypatch.setattr(search_fast, "evaluate", lambda *args, **kwargs: None)
        stock = pages()
    assert any(total > 20 and len(hits) == 10 and "<mark" in hits[0][2] for total, _, hits in fast)
    assert fast == stock


def test_the_excerpt_under_a_hit_is_the_same_on_every_request(app, archive):
    """Of equally good fragments the earliest (Whoosh broke the tie by memory address, so
    the excerpt changed from one request to the next)."""
    dirname, _ = archive
    seen = set()
    with app.app_context():
        for _ in range(6):
            found = search.search(dirname, "koffie ouderen", visibilities=list(VISIBLE))
            seen.add(tuple(h.fragment_html for h in found.hits))
            search.close_cached_searcher()
    assert len(seen) == 1 and len(next(iter(seen))) == 10


def test_a_phrase_goes_to_whooshs_collector(app, archive):
    dirname, _ = archive
    with app.app_context():
        with search._searcher(dirname) as searcher:
            allowed = search._allowed_docs(search._facet_docsets(searcher), list(VISIBLE), {})
            query = search.parse('"samen koken"').query
            assert search_fast.evaluate(searcher, query, allowed, 10, time.monotonic() + 60) is None
        found = search.search(dirname, '"samen koken"', visibilities=list(VISIBLE))
        texts = [" ".join((s.title, s.summary, s.body)).lower() for s in
                 db.session.scalars(sa.select(Story).where(Story.id.in_([h.id for h in found.hits])))]
    assert found.total > 0 and len(texts) == len(found.hits)
    assert all("samen kok" in " ".join(text.split()) for text in texts)


def test_the_deadline_still_holds(app, archive):
    dirname, _ = archive
    with app.app_context():
        with search._searcher(dirname) as searcher:
            allowed = search._allowed_docs(search._facet_docsets(searcher), list(VISIBLE), {})
            with pytest.raises(search_fast.Expired):
                search_fast.evaluate(searcher, search.parse("buurten").query, allowed, 10, time.monotonic() - 1)
        with pytest.raises(search.SearchTimeout):
            search.search(dirname, "buurten koffie", visibilities=list(VISIBLE), time_limit=-1)
