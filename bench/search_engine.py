"""Benchmarks 1 and 5: archive search and full reindex, against SQLite FTS5 and PostgreSQL FTS.

The corpus is what the generator loaded: every published story's index document, made by
the app's own ``indexing.document``. The same documents go into an SQLite FTS5 table
(unicode61 tokenizer, no stemming) and the same queries run against both:

- ``search.search``: the app's Whoosh search (Dutch stemming, visibility and facet filter
  inside the collector, facet counts, highlighted title and fragments, top 10);
- the same with the decoded postings it keeps emptied before every query (what the first
  search of a word meets after the index changed);
- ``services.search_archive``: the same through the narratives service the archive page
  calls (plus loading the ten stories from the database and the facet labels);
- FTS5 as a skilled engineer writes it: one MATCH (visibility and facet filters included) into a
  temporary result, the total and the four facet counts from it (the multi-valued quality
  facet as rows of its own), ``highlight``/``snippet`` for the top 10 only;
- on PostgreSQL also its own full-text search (``dutch`` configuration, GIN index,
  ``websearch_to_tsquery``, ``ts_headline``) as one statement.
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


FTS_COLUMNS = "title, summary, text, tags, wijk, buurt, qualities"
# The app's field boosts (title 3, summary 2, tags 2) as FTS5 bm25 column weights.
FTS_RANK = "bm25(docs, 3.0, 2.0, 1.0, 2.0, 1.0, 1.0, 1.0)"


def build_fts(path: str, docs: list[dict]) -> float:
    """Fill an SQLite FTS5 table (plus the multi-valued quality facet as rows)."""
    t0 = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute(f"CREATE VIRTUAL TABLE docs USING fts5({FTS_COLUMNS}, "
                "f_wijk UNINDEXED, f_year UNINDEXED, f_form UNINDEXED, visibility UNINDEXED, "
                "date UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
    con.execute("CREATE TABLE doc_quality (doc INTEGER NOT NULL, code TEXT NOT NULL, "
                "PRIMARY KEY (doc, code)) WITHOUT ROWID")
    con.execute("CREATE INDEX doc_quality_code ON doc_quality (code, doc)")
    con.executemany(
        "INSERT INTO docs(rowid, title, summary, text, tags, wijk, buurt, qualities, f_wijk, "
        "f_year, f_form, visibility, date) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        ((d["id"], d["title"], d["summary"], d["text"], d["tags"], d["wijk"], d["buurt"],
          d["qualities"], d["f_wijk"], d["f_year"], d["f_form"], d["visibility"],
          d["date"].isoformat()) for d in docs))
    con.executemany("INSERT INTO doc_quality VALUES (?, ?)",
                    ((d["id"], code) for d in docs for code in d["f_quality"].split(",") if code))
    con.commit()
    con.close()
    return time.perf_counter() - t0


def _facet_where(filters: dict[str, list[str]], column_of, quality_sql: str) -> tuple[str, list]:
    """SQL and parameters for the facet filters (several values widen, facets narrow)."""
    where, params = "", []
    for facet, values in filters.items():
        marks = ",".join("?" * len(values))
        if facet == "kwaliteit":
            where += f" AND {quality_sql.format(marks=marks)}"
        else:
            where += f" AND {column_of(FACET_COLUMNS[facet])} IN ({marks})"
        params += values
    return where, params


def fts_query(con: sqlite3.Connection, q: str, filters: dict[str, list[str]]) -> tuple:
    """The same work as the app's search, as a skilled engineer writes it for FTS5.

    One MATCH (with the visibility and facet filters) fills a temporary result with rank
    and facet columns; the total and the four facet counts come from it (the multi-valued
    quality facet through its own rows); only the top 10 get ``highlight``/``snippet``,
    which FTS5 computes only inside a MATCH, so that is a second MATCH limited to their rowids.
    """
    match = " AND ".join(f'"{w}"' for w in q.split())
    facet_sql, facet_params = _facet_where(
        filters, lambda c: c, "rowid IN (SELECT doc FROM doc_quality WHERE code IN ({marks}))")
    con.execute("DROP TABLE IF EXISTS temp.hits")
    con.execute(f"CREATE TEMP TABLE hits AS SELECT rowid AS id, {FTS_RANK} AS rank, f_wijk, f_year, "
                f"f_form FROM docs WHERE docs MATCH ? AND visibility IN "
                f"({','.join('?' * len(VISIBLE))}){facet_sql}", [match, *VISIBLE, *facet_params])
    top = [r[0] for r in con.execute("SELECT id FROM hits ORDER BY rank LIMIT 10")]
    highlighted = con.execute(
        "SELECT rowid, highlight(docs, 0, '<mark>', '</mark>'), "
        "snippet(docs, 2, '<mark>', '</mark>', ' … ', 20) FROM docs "
        f"WHERE docs MATCH ? AND rowid IN ({','.join('?' * len(top))})", [match, *top]).fetchall()
    total = con.execute("SELECT count(*) FROM hits").fetchone()[0]
    facets = {column: con.execute(f"SELECT {column}, count(*) FROM hits GROUP BY {column}").fetchall()
              for column in ("f_wijk", "f_year", "f_form")}
    facets["f_quality"] = con.execute(
        "SELECT q.code, count(*) FROM hits h JOIN doc_quality q ON q.doc = h.id GROUP BY q.code").fetchall()
    return highlighted, total, facets


# --- PostgreSQL full-text search: the second baseline on the PostgreSQL run -------------

PG_FTS_SETUP = [
    "DROP TABLE IF EXISTS bench_fts_quality",
    "DROP TABLE IF EXISTS bench_fts",
    """CREATE TABLE bench_fts (id integer PRIMARY KEY, title text, summary text, body text,
         f_wijk text, f_year text, f_form text, visibility text, date date, tsv tsvector)""",
    "CREATE TABLE bench_fts_quality (doc integer NOT NULL, code text NOT NULL, PRIMARY KEY (doc, code))",
]
PG_FTS_INDEX = ["CREATE INDEX bench_fts_tsv ON bench_fts USING gin (tsv)",
                "CREATE INDEX bench_fts_quality_code ON bench_fts_quality (code, doc)",
                "ANALYZE bench_fts", "ANALYZE bench_fts_quality"]
# One statement, one round trip: the MATCH once into a materialised result, the top 10
# with ts_headline, the total and the facet counts (quality split into rows) from it.
PG_FTS_QUERY = """
WITH q AS (SELECT websearch_to_tsquery('dutch', :q) AS q),
hits AS MATERIALIZED (
  SELECT d.id, ts_rank_cd(d.tsv, q.q) AS rank, d.f_wijk, d.f_year, d.f_form
  FROM bench_fts d, q WHERE d.tsv @@ q.q AND d.visibility = ANY(:vis) {facets}),
top AS (SELECT id, rank FROM hits ORDER BY rank DESC, id LIMIT 10)
SELECT 'top', t.id::text, ts_headline('dutch', d.title, q.q, 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true'),
       ts_headline('dutch', d.body, q.q, 'StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=35, MinWords=15, FragmentDelimiter=" … "')
  FROM top t JOIN bench_fts d ON d.id = t.id, q
UNION ALL SELECT 'totaal', NULL, count(*)::text, NULL FROM hits
UNION ALL SELECT 'wijk', f_wijk, count(*)::text, NULL FROM hits GROUP BY f_wijk
UNION ALL SELECT 'jaar', f_year, count(*)::text, NULL FROM hits GROUP BY f_year
UNION ALL SELECT 'vorm', f_form, count(*)::text, NULL FROM hits GROUP BY f_form
UNION ALL SELECT 'kwaliteit', k.code, count(*)::text, NULL FROM hits h
  JOIN bench_fts_quality k ON k.doc = h.id GROUP BY k.code
"""


def build_pg_fts(docs: list[dict]) -> float:
    """Fill a PostgreSQL table with a ``dutch`` tsvector (weights as the app's boosts) and GIN."""
    t0 = time.perf_counter()
    with db.engine.begin() as conn:
        for sql in PG_FTS_SETUP:
            conn.execute(sa.text(sql))
        conn.execute(sa.text(
            "INSERT INTO bench_fts (id, title, summary, body, f_wijk, f_year, f_form, visibility, date, tsv) "
            "VALUES (:id, :title, :summary, :text, :f_wijk, :f_year, :f_form, :visibility, :date, "
            "setweight(to_tsvector('dutch', :title), 'A') || setweight(to_tsvector('dutch', :summary), 'B') "
            "|| setweight(to_tsvector('dutch', :tags), 'B') || to_tsvector('dutch', :text) "
            "|| to_tsvector('dutch', :places))"),
            [{"id": d["id"], "title": d["title"], "summary": d["summary"], "text": d["text"],
              "tags": d["tags"], "places": f'{d["wijk"]} {d["buurt"]} {d["qualities"]}',
              "f_wijk": d["f_wijk"], "f_year": d["f_year"], "f_form": d["f_form"],
              "visibility": d["visibility"], "date": d["date"].date()} for d in docs])
        conn.execute(sa.text("INSERT INTO bench_fts_quality (doc, code) VALUES (:doc, :code)"),
                     [{"doc": d["id"], "code": c} for d in docs for c in d["f_quality"].split(",") if c])
        for sql in PG_FTS_INDEX:
            conn.execute(sa.text(sql))
    return time.perf_counter() - t0


def pg_fts_query(conn, q: str, filters: dict[str, list[str]]) -> list:
    """The archive search as one PostgreSQL full-text statement (see :data:`PG_FTS_QUERY`)."""
    params: dict = {"q": q, "vis": list(VISIBLE)}
    facets = ""
    for n, (facet, values) in enumerate(filters.items()):
        params[f"f{n}"] = list(values)
        if facet == "kwaliteit":
            facets += f" AND d.id IN (SELECT doc FROM bench_fts_quality WHERE code = ANY(:f{n}))"
        else:
            facets += f" AND d.{FACET_COLUMNS[facet]} = ANY(:f{n})"
    return conn.execute(sa.text(PG_FTS_QUERY.format(facets=facets)), params).all()


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
    postgres = db.engine.dialect.name == "postgresql"
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
    section = f"5 herindexeren {label}"
    report.add(section, Figure(
        f"volledige herindexering Whoosh ({count} verhalen, {count / reindex_s:.0f} verhalen/s)", "s",
        [reindex_s], f"documenten lezen + FTS5 vullen ({count / (fts_s + load_s):.0f} verhalen/s)",
        [fts_s + load_s], note=f"lezen {load_s:.1f} s, FTS5 vullen {fts_s:.1f} s"))
    if postgres:
        pg_s = build_pg_fts(docs)
        report.add(section, Figure(
            f"volledige herindexering Whoosh ({count} verhalen)", "s", [reindex_s],
            f"documenten lezen + PostgreSQL-FTS vullen met GIN ({count / (pg_s + load_s):.0f} verhalen/s)",
            [pg_s + load_s], note=f"lezen {load_s:.1f} s, tsvector + GIN {pg_s:.1f} s"))

    # 1. search
    reader = db.session.scalar(sa.select(User).where(User.role == Role.RAADSLID))
    wijk_ids = sorted({int(d["f_wijk"]) for d in docs})
    del docs
    items = cases(wijk_ids)
    dirname = current_app.config["SEARCH_INDEX_DIR"]
    con = sqlite3.connect(fts_path)

    def whoosh(q, f):
        search.search(dirname, q, visibilities=list(VISIBLE), filters=f, page=1, per_page=10)

    def service(q, f):
        services.search_archive(reader, q, f, "relevance", 1)
        db.session.expire_all()

    section = f"1 zoeken {label} {n} verhalen"
    fts = per_query(lambda q, f: fts_query(con, q, f), items, passes)
    whoosh_ms = per_query(whoosh, items, passes)
    report.add(section, Figure("search.search (Whoosh, facetten, highlights)", "ms", whoosh_ms,
                               "SQLite FTS5: één MATCH, facetten uit het resultaat", fts))
    # The same queries as the first to read each term after an index change: the decoded
    # postings the searches keep (monitor/search_fast.py) emptied before every query.
    from monitor import search_fast

    def whoosh_cold(q, f):
        search_fast.POSTINGS.clear()
        whoosh(q, f)

    report.add(section, Figure("search.search, niets gedecodeerd bewaard (eerste zoekvraag na een wijziging)",
                               "ms", per_query(whoosh_cold, items, passes),
                               "SQLite FTS5: één MATCH, facetten uit het resultaat", fts))
    if postgres:
        with db.engine.connect() as conn:
            pg = per_query(lambda q, f: pg_fts_query(conn, q, f), items, passes)
        report.add(section, Figure("search.search (Whoosh, facetten, highlights)", "ms", whoosh_ms,
                                   "PostgreSQL FTS (dutch, GIN, websearch_to_tsquery, ts_headline)", pg))
    report.add(section, Figure(
        "services.search_archive (archiefpagina zonder HTML)", "ms", per_query(service, items, passes),
        "SQLite FTS5: één MATCH, facetten uit het resultaat", fts))
    hostile = per_query(service, [(q, {}) for q in HOSTILE], 1)
    report.add(section, Figure(
        f"services.search_archive, {len(HOSTILE)} vijandige zoekvragen (issue 12)", "ms", hostile,
        "services.search_archive, gewone vragen", per_query(service, items, 1),
        note=f"traagste {max(hostile):.0f} ms"))
    con.close()
