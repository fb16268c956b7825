"""Benchmarks 1 and 5: archive search and full reindex, against SQLite FTS5.

The corpus is what the generator loaded: every published story's index document, made by
the app's own ``indexing.document``. The same documents go into an SQLite FTS5 table
(unicode61 tokenizer, no stemming) and the same queries run against both:

- ``search.search``: the app's Whoosh search (Dutch stemming, visibility and facet filter
  inside the collector, facet counts, highlighted title and fragments, top 10);
- ``services.search_archive``: the same through the narratives service the archive page
  calls (plus loading the ten stories from the database and the facet labels);
- FTS5: top 10 with ``highlight``/``snippet``, the total and four facet counts via
  ``GROUP BY``, with the same visibility and facet filters.
"""

from __future__ import annotations

import os
import sqlite3
import time

import sqlalchemy as sa
from flask import current_app

from monitor.extensions import db

from .common import Figure, Report, timed

QUERIES = ["buurten", "koffie ouderen", "vrijwilligers", "mantelzorg", "jongeren voetbal",
           "brand buurthuis", "moestuin", "eenzaamheid", "taal cultuur", "spreekuur",
           "boodschappen", "samen koken", "kinderen school", "muziek", "bibliotheek",
           "feest", "toeslag formulieren", "wandeling", "initiatief", "soep"]
# What the review sent (issue 12): Whoosh syntax that expanded over the vocabulary.
HOSTILE = ["text:[a TO z]", "[a TO z]", "a*", "b?u*t* *e*", "buurt~2 koffie~", 'r"b.*t"',
           "(" * 40 + "buurt OR (koffie AND (" + ")" * 40, " OR ".join(QUERIES * 3)[:200]]
VISIBLE = ("openbaar", "raad")  # what a raadslid may read
FACET_COLUMNS = {"wijk": "f_wijk", "jaar": "f_year", "vorm": "f_form", "kwaliteit": "f_quality"}


def cases(wijk_ids: list[int]) -> list[tuple[str, dict[str, list[str]]]]:
    """Every query twice: without a facet, and narrowed to one wijk."""
    out = []
    for i, q in enumerate(QUERIES):
        out.append((q, {}))
        out.append((q, {"wijk": [str(wijk_ids[i % len(wijk_ids)])]}))
    return out


def documents() -> list[dict]:
    from monitor.narratives import indexing
    from monitor.narratives.models import Story, StoryStatus

    ids = list(db.session.scalars(sa.select(Story.id).where(
        Story.status == StoryStatus.GEPUBLICEERD).order_by(Story.id)))
    docs = []
    for start in range(0, len(ids), 500):
        docs += [indexing.document(s) for s in indexing.load_stories(ids[start:start + 500]).values()]
        db.session.expunge_all()
    return docs


def build_fts(path: str, docs: list[dict]) -> float:
    t0 = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(title, summary, text, tags, wijk, buurt, "
                "qualities, f_wijk UNINDEXED, f_quality UNINDEXED, f_year UNINDEXED, "
                "f_form UNINDEXED, visibility UNINDEXED, date UNINDEXED, "
                "tokenize='unicode61 remove_diacritics 2')")
    con.executemany(
        "INSERT INTO docs(rowid, title, summary, text, tags, wijk, buurt, qualities, f_wijk, "
        "f_quality, f_year, f_form, visibility, date) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        ((d["id"], d["title"], d["summary"], d["text"], d["tags"], d["wijk"], d["buurt"],
          d["qualities"], d["f_wijk"], d["f_quality"], d["f_year"], d["f_form"], d["visibility"],
          d["date"].isoformat()) for d in docs))
    con.commit()
    con.close()
    return time.perf_counter() - t0


def fts_query(con: sqlite3.Connection, q: str, filters: dict[str, list[str]]) -> None:
    """The same work as the app's search: top 10 with highlights, total, facet counts."""
    match = " AND ".join(f'"{w}"' for w in q.split())
    where = f"docs MATCH ? AND visibility IN ({','.join('?' * len(VISIBLE))})"
    params: list = [match, *VISIBLE]
    for facet, values in filters.items():
        where += f" AND {FACET_COLUMNS[facet]} IN ({','.join('?' * len(values))})"
        params += values
    con.execute("SELECT rowid, highlight(docs, 0, '<mark>', '</mark>'), "
                "snippet(docs, 2, '<mark>', '</mark>', ' … ', 20) FROM docs "
                f"WHERE {where} ORDER BY rank LIMIT 10", params).fetchall()
    con.execute(f"SELECT count(*) FROM docs WHERE {where}", params).fetchone()
    for column in ("f_wijk", "f_year", "f_form", "f_quality"):
        con.execute(f"SELECT {column}, count(*) FROM docs WHERE {where} GROUP BY {column}",
                    params).fetchall()


def per_query(fn, items, repeat: int) -> list[float]:
    """Milliseconds per query over ``repeat`` passes of all cases (after one warm pass)."""
    times: list[float] = []
    for q, f in items:
        fn(q, f)
    for _ in range(repeat):
        for q, f in items:
            times += timed(lambda q=q, f=f: fn(q, f), 1, warmup=0)
    return times


def run(report: Report, work: str, repeat: int, label: str, passes: int = 3) -> None:
    """Benchmark 5 (reindex) then benchmark 1 (search) on the current app's database."""
    from monitor import search
    from monitor.models import Role, User
    from monitor.narratives import indexing, services

    n = db.session.scalar(sa.text("SELECT count(*) FROM stories WHERE status = 'gepubliceerd'"))
    # 5. full reindex from the database (what `flask search rebuild` and a restore do)
    search.close_cached_searcher()
    t0 = time.perf_counter()
    count = indexing.reindex_all()
    reindex_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    docs = documents()
    load_s = time.perf_counter() - t0
    fts_path = os.path.join(work, f"fts-{label}.sqlite")
    if os.path.exists(fts_path):
        os.remove(fts_path)
    fts_s = build_fts(fts_path, docs)
    report.add(f"5 herindexeren {label}", Figure(
        f"volledige herindexering Whoosh ({count} verhalen, {count / reindex_s:.0f} verhalen/s)", "s",
        [reindex_s], f"FTS5 vullen + documenten lezen ({count / (fts_s + load_s):.0f} verhalen/s)",
        [fts_s + load_s]))

    # 1. search
    reader = db.session.scalar(sa.select(User).where(User.role == Role.RAADSLID))
    wijk_ids = sorted({int(d["f_wijk"]) for d in docs})
    items = cases(wijk_ids)
    dirname = current_app.config["SEARCH_INDEX_DIR"]
    con = sqlite3.connect(fts_path)

    def whoosh(q, f):
        search.search(dirname, q, visibilities=list(VISIBLE), filters=f, page=1, per_page=10)

    def service(q, f):
        services.search_archive(reader, q, f, "relevance", 1)
        db.session.expire_all()

    fts = per_query(lambda q, f: fts_query(con, q, f), items, passes)
    report.add(f"1 zoeken {label} {n} verhalen", Figure(
        "search.search (Whoosh, facetten, highlights)", "ms", per_query(whoosh, items, passes),
        "SQLite FTS5 zelfde vragen", fts))
    report.add(f"1 zoeken {label} {n} verhalen", Figure(
        "services.search_archive (archiefpagina zonder HTML)", "ms", per_query(service, items, passes),
        "SQLite FTS5 zelfde vragen", fts))
    hostile = per_query(service, [(q, {}) for q in HOSTILE], 1)
    report.add(f"1 zoeken {label} {n} verhalen", Figure(
        f"services.search_archive, {len(HOSTILE)} vijandige zoekvragen (issue 12)", "ms", hostile,
        "services.search_archive, gewone vragen", per_query(service, items, 1),
        note=f"traagste {max(hostile):.0f} ms"))
    con.close()
