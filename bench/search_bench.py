"""Search latency of the story archive: Whoosh (as the app uses it) vs SQLite FTS5.

Generates N synthetic Dutch stories (deterministic), indexes them with the app's own
Whoosh schema (monitor.search: Dutch stemming, facets, visibility filter in the query)
and in an SQLite FTS5 table, then runs the same queries against both and prints
p50/p95 latency and the ratio. Not part of the test suite.

    python bench/search_bench.py                 # 10,000 and 100,000 stories
    python bench/search_bench.py --sizes 2000    # quick run
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from monitor import search  # noqa: E402  (the only module that imports whoosh)

WORDS = (
    "buurt buurten bewoner bewoners ontmoeting ontmoetingscentrum koffie ouderen jongeren "
    "vrijwilliger vrijwilligers mantelzorg mantelzorger tuin tuinen moestuin boodschappen "
    "buurthuis brand wijksteunpunt spreekuur taal cultuur school kinderen plein voetbal "
    "muziek podium samen helpen hulp eenzaam eenzaamheid wandeling markt bibliotheek kerk "
    "straat huis familie buurman buurvrouw gezondheid sport bewegen geld formulieren "
    "toeslag werk meedoen talent initiatief feest maaltijd soep koken dinsdag donderdag "
    "week maand zomer winter nieuw oud klein groot goed mooi moeilijk blij trots"
).split()
FILLER = "de het een en van in op met voor naar bij we ze hij zij is was werd komt gaan".split()
WIJKEN = ["Centrum", "Noordwest", "Noordoost", "Oost", "Zuidoost", "Zuid", "Zuidwest",
          "Hilversumse Meent"]
QUALITIES = ["K1", "K2", "K3", "K4", "K5", "K6", "K7"]
FORMS = ["tekst", "fotoserie", "interview", "hoorspel", "theater"]
VISIBILITIES = ["openbaar", "raad", "intern"]
QUERIES = ["buurten", "koffie ouderen", "vrijwilligers", "mantelzorg", "jongeren voetbal",
           "brand buurthuis", "moestuin", "eenzaamheid", "taal cultuur", "spreekuur",
           "boodschappen", "samen koken", "kinderen school", "muziek", "bibliotheek",
           "feest", "toeslag formulieren", "wandeling", "initiatief", "soep"]


def sentence(rnd: random.Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) if rnd.random() < 0.55 else rnd.choice(FILLER)
                    for _ in range(n)).capitalize() + "."


def corpus(n: int, seed: int = 42):
    rnd = random.Random(seed)
    start = datetime(2019, 1, 1)
    for i in range(1, n + 1):
        codes = rnd.sample(QUALITIES, rnd.randint(1, 3))
        wijk = rnd.choice(WIJKEN)
        day = start + timedelta(days=rnd.randrange(2900))
        yield {
            "id": i, "revision": 1,
            "title": sentence(rnd, 5)[:-1],
            "summary": sentence(rnd, 20),
            "text": " ".join(sentence(rnd, rnd.randint(8, 20)) for _ in range(rnd.randint(6, 14))),
            "tags": " ".join(rnd.sample(WORDS, 2)),
            "wijk": wijk, "buurt": wijk,
            "qualities": " ".join(codes),
            "f_wijk": str(WIJKEN.index(wijk) + 1), "f_quality": ",".join(codes),
            "f_year": str(day.year), "f_form": rnd.choice(FORMS),
            "visibility": rnd.choices(VISIBILITIES, weights=[6, 3, 1])[0],
            "date": day,
        }


def build_whoosh(dirname: str, n: int) -> float:
    t0 = time.perf_counter()
    with search.writer_lock(dirname, timeout=60):
        search.rebuild(dirname, corpus(n))
    return time.perf_counter() - t0


def build_fts(path: str, n: int) -> float:
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
          d["date"].isoformat()) for d in corpus(n)))
    con.commit()
    con.close()
    return time.perf_counter() - t0


def time_whoosh(dirname: str, queries: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for q in queries:
            t0 = time.perf_counter()
            result = search.search(dirname, q, visibilities=["openbaar", "raad"], page=1,
                                   per_page=10)
            assert result.total >= 0
            times.append(time.perf_counter() - t0)
    return times


def time_fts(path: str, queries: list[str], repeat: int) -> list[float]:
    """Same work as the app's search: top 10 with snippets, total, and facet counts."""
    con = sqlite3.connect(path)
    times = []
    visible = "visibility IN ('openbaar', 'raad')"
    for _ in range(repeat):
        for q in queries:
            match = " AND ".join(f'"{w}"' for w in q.split())
            t0 = time.perf_counter()
            con.execute(f"SELECT rowid, highlight(docs, 0, '<mark>', '</mark>'), "
                        f"snippet(docs, 2, '<mark>', '</mark>', ' … ', 20) FROM docs "
                        f"WHERE docs MATCH ? AND {visible} ORDER BY rank LIMIT 10",
                        (match,)).fetchall()
            con.execute(f"SELECT count(*) FROM docs WHERE docs MATCH ? AND {visible}",
                        (match,)).fetchone()
            for facet in ("f_wijk", "f_year", "f_form", "f_quality"):
                con.execute(f"SELECT {facet}, count(*) FROM docs WHERE docs MATCH ? AND {visible} "
                            f"GROUP BY {facet}", (match,)).fetchall()
            times.append(time.perf_counter() - t0)
    con.close()
    return times


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated corpus sizes (default: 10000,100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the query list")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"{len(QUERIES)} queries x {args.repeat} runs; Whoosh = the app's search (Dutch "
          "stemming, visibility filter, facets, highlights); FTS5 = unicode61, no stemming, "
          "same filter + facets via GROUP BY.")
    print(f"{'stories':>8} {'engine':>7} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for n in sizes:
        work = tempfile.mkdtemp(prefix="search-bench-")
        try:
            wdir = os.path.join(work, "whoosh")
            fts = os.path.join(work, "fts.sqlite")
            wb = build_whoosh(wdir, n)
            fb = build_fts(fts, n)
            time_whoosh(wdir, QUERIES[:3], 1)  # warm caches
            time_fts(fts, QUERIES[:3], 1)
            wt = time_whoosh(wdir, QUERIES, args.repeat)
            ft = time_fts(fts, QUERIES, args.repeat)
            print(f"{n:>8} {'whoosh':>7} {wb:>8.1f} {pct(wt, 50):>8.1f} {pct(wt, 95):>8.1f}")
            print(f"{n:>8} {'fts5':>7} {fb:>8.1f} {pct(ft, 50):>8.1f} {pct(ft, 95):>8.1f}")
            print(f"{n:>8} {'ratio':>7} {'':>8} {pct(wt, 50) / pct(ft, 50):>7.1f}x "
                  f"{pct(wt, 95) / pct(ft, 95):>7.1f}x  (whoosh / fts5)")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
