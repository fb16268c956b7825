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

    kept = []  # the highlighter's look-ups answered from the postings the search kept
    stock_kept_matches = search_fast.kept_matches
    monkeypatch.setattr(search_fast, "kept_matches",
                        lambda *args: kept.append(stock_kept_matches(*args)) or kept[-1])
    with app.app_context():
        fast = pages()
        assert any(found is not None for found in kept)
        search.close_cached_searcher()
        monkeypatch.setattr(search_fast, "evaluate", lambda *args, **kwargs: None)
        kept.clear()
        stock = pages()
        assert kept and all(found is None for found in kept)
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
        # also when every posting it needs was kept from the search before (no block read)
        search.search(dirname, "buurten koffie", visibilities=list(VISIBLE))
        assert len(search_fast.POSTINGS)
        with pytest.raises(search.SearchTimeout):
            search.search(dirname, "buurten koffie", visibilities=list(VISIBLE), time_limit=-1)


def test_a_second_search_reads_the_postings_it_decoded_before(app, archive, monkeypatch):
    """The decoded postings are kept: the same queries again give the same top and matches
    while reading only the blocks Whoosh itself reads to build its matchers (the first of a
    term in a segment with deletions), not every block of every term."""
    from whoosh.codec import whoosh3

    dirname, wijk = archive
    far = time.monotonic() + 60
    reads = []
    stock_read = whoosh3.W3LeafMatcher._read_data

    def counted(self):
        reads.append(self._term)
        return stock_read(self)

    monkeypatch.setattr(whoosh3.W3LeafMatcher, "_read_data", counted)
    search_fast.POSTINGS.clear()
    texts = ["koffie ouderen", "buurt -koffie", "koffie OR soep", "vrijwilligers buurthuis"]
    with app.app_context(), search._searcher(dirname) as searcher:
        allowed = search._allowed_docs(search._facet_docsets(searcher), list(VISIBLE), {"wijk": [wijk]})
        queries = [search.parse(text).query for text in texts]
        first = [search_fast.evaluate(searcher, q, allowed, 10, far) for q in queries]
        first_reads, reads[:] = len(reads), []
        again = [search_fast.evaluate(searcher, q, allowed, 10, far) for q in queries]
        again_reads, reads[:] = len(reads), []
        assert again == first
        assert [result[0] for result in again] == [_whoosh(searcher, q, allowed, 10)[0] for q in queries]
        reads[:] = []
        for q in queries:  # what building Whoosh's matchers alone reads
            for subsearcher, _ in searcher.leaf_searchers():
                q.matcher(subsearcher, searcher.context())
        building = len(reads)
    assert len(search_fast.POSTINGS) >= 6
    assert again_reads == building < first_reads, (first_reads, again_reads, building)


def test_a_story_changed_in_the_index_is_found_at_once(app, archive):
    """Kept postings belong to the segment reader they came from: after a commit the
    search sees the new words of a story and no longer the ones it lost — also for a word
    only one story has (its postings live in the term's info, not in blocks)."""
    dirname, _ = archive
    engine = WhooshEngine(app)
    with app.app_context():
        before = search.search(dirname, "koffie", visibilities=list(VISIBLE))
        with_koffie = {h.id for h in search.search(dirname, "koffie", visibilities=list(VISIBLE),
                                                   per_page=1000).hits}
        story = db.session.scalars(sa.select(Story).where(Story.id.not_in(with_koffie),
                                                          Story.visibility.in_(list(VISIBLE)),
                                                          Story.status == "gepubliceerd")).first()
        assert story is not None and before.total > 10
        story.body = story.body + "\n\nDe zeldzaamste pindakaasfabriek bood koffie aan."
        db.session.flush()
        with search.writer_lock(engine.dirname):
            engine.write([story.id])
        after = search.search(dirname, "koffie", visibilities=list(VISIBLE), per_page=1000)
        assert after.total == before.total + 1 and story.id in {h.id for h in after.hits}
        with search._searcher(dirname) as searcher:
            allowed = search._allowed_docs(search._facet_docsets(searcher), list(VISIBLE), {})
            query = search.parse("pindakaasfabriek").query
            fast = search_fast.evaluate(searcher, query, allowed, 10, time.monotonic() + 60)
            assert fast is not None and fast[0] == _whoosh(searcher, query, allowed, 10)[0]
        assert [h.id for h in search.search(dirname, "pindakaasfabriek", visibilities=list(VISIBLE)).hits] == [
            story.id]

        story.body = story.body.replace("koffie", "thee")
        db.session.flush()
        with search.writer_lock(engine.dirname):
            engine.write([story.id])
        again = search.search(dirname, "koffie", visibilities=list(VISIBLE), per_page=1000)
        assert again.total == before.total and story.id not in {h.id for h in again.hits}


class _Reader:
    """Stands in for a segment reader (the cache keeps a weak reference to it)."""


def test_the_postings_kept_stay_within_their_bound():
    from array import array

    cache = search_fast.PostingsCache(max_bytes=800)  # 100 postings of 8 bytes
    reader = _Reader()
    postings = (array("I", range(40)), array("f", [1.0] * 40))  # 320 bytes
    for word in (b"een", b"twee", b"drie"):
        cache.put(reader, ("text", word), *postings)
    assert len(cache) == 2 and cache.get(reader, ("text", b"een")) is None  # the oldest went
    assert cache.get(reader, ("text", b"twee")) == postings
    cache.put(reader, ("text", b"vier"), *postings)  # "twee" was used last: "drie" goes
    assert cache.get(reader, ("text", b"drie")) is None and cache.get(reader, ("text", b"twee")) == postings
    cache.put(reader, ("text", b"groot"), array("I", range(101)), array("f", [1.0] * 101))
    assert cache.get(reader, ("text", b"groot")) is None and len(cache) == 2  # larger than the bound
    other = _Reader()
    assert cache.get(other, ("text", b"twee")) is None  # another reader, another segment
    cache.resize(0)
    assert len(cache) == 0


def test_postings_of_a_reader_that_is_gone_are_dropped():
    """A closed index's postings leave with its reader (and an address CPython gives the
    next reader can never find them)."""
    import gc
    from array import array

    cache = search_fast.PostingsCache(max_bytes=10_000)
    postings = (array("I", [1, 2, 3]), array("f", [1.0, 2.0, 1.0]))
    kept, gone = _Reader(), _Reader()
    cache.put(kept, ("text", b"koffie"), *postings)
    cache.put(gone, ("text", b"koffie"), *postings)
    cache.put(gone, ("text", b"thee"), *postings)
    assert len(cache) == 3
    del gone
    gc.collect()
    assert len(cache) == 1 and cache.get(kept, ("text", b"koffie")) == postings
