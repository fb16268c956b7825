"""This code against Whoosh's stock parts, in turns in one process: ``python -m bench.ab --size S``.

On a shared, noisy machine two runs of the harness minutes apart differ more than the
changes measured; this compares them side by side instead, in CPU seconds of this process
(``time.process_time``, which other processes' load hardly moves), in turns:

- **reindex**: ``reindex_all`` as it is, against the same with Whoosh's stock parts (the
  chain of four analysis filters instead of ``DutchWordFilter``, the field-length lookups at
  commit, the writer's former 128 MB), and reading the documents + filling FTS5;
- **search**: ``search.search`` over the benchmark queries with ``CachedBM25F`` against
  Whoosh's stock ``BM25F`` on the same index.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _summary(name: str, values: list[float], unit: str, scale: float = 1.0) -> str:
    ordered = sorted(v * scale for v in values)
    return (f"{name}: mediaan {statistics.median(ordered):.2f} {unit}, "
            f"p95 {ordered[round(0.95 * (len(ordered) - 1))]:.2f} {unit} ({len(ordered)} metingen)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--stories", type=int, help="another number of stories than the size's")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="reindex,search")
    args = parser.parse_args(argv)

    from monitor import search, search_index
    from monitor.narratives import indexing

    from .common import build_app
    from .generate import SIZES, generate
    from .search_engine import QUERIES, VISIBLE, build_fts, documents

    size = SIZES[args.size]
    if args.stories:
        size = dataclasses.replace(size, stories=args.stories)
    work = tempfile.mkdtemp(prefix="tv-ab-")
    app = build_app(None, work)
    with app.app_context():
        from monitor.cli import run_migrations

        run_migrations()
        logging.getLogger().setLevel(logging.WARNING)
        generate(size, show=False, echo=print, parts=("verhalen",))
        indexing.reindex_all()
        wanted = set(args.only.split(","))
        if "reindex" in wanted:
            own = (search_index.fast_lengths, search_index.dutch_analyzer, app.config["SEARCH_REBUILD_MEMORY_MB"])
            stock = (lambda writer: None, search_index.stock_dutch_analyzer, 128)
            times: dict[str, list[float]] = {"deze code": [], "Whoosh-standaard": [], "lezen + FTS5": []}
            try:
                for n in range(args.rounds):
                    for name, parts in (("deze code", own), ("Whoosh-standaard", stock)):
                        search_index.fast_lengths, search_index.dutch_analyzer = parts[:2]
                        app.config["SEARCH_REBUILD_MEMORY_MB"] = parts[2]
                        t0 = time.process_time()
                        indexing.reindex_all()
                        times[name].append(time.process_time() - t0)
                    t0 = time.process_time()
                    build_fts(f"{work}/fts-{n}.sqlite", documents())
                    times["lezen + FTS5"].append(time.process_time() - t0)
            finally:
                search_index.fast_lengths, search_index.dutch_analyzer = own[:2]
                app.config["SEARCH_REBUILD_MEMORY_MB"] = own[2]
            print(f"Herindexeren, {size.stories} verhalen, CPU-seconden:")
            for name, values in times.items():
                print("  " + _summary(name, values, "s"))
            fts = statistics.median(times["lezen + FTS5"])
            print(f"  verhouding tot lezen + FTS5: deze code {statistics.median(times['deze code']) / fts:.1f}×, "
                  f"Whoosh-standaard {statistics.median(times['Whoosh-standaard']) / fts:.1f}×")
        if "search" in wanted:
            from whoosh import scoring

            dirname = app.config["SEARCH_INDEX_DIR"]
            own_weighting = search.WEIGHTING
            times = {"CachedBM25F": [], "BM25F (Whoosh)": []}
            try:
                for _ in range(args.rounds):
                    for name, weighting in (("CachedBM25F", own_weighting), ("BM25F (Whoosh)", scoring.BM25F)):
                        search.close_cached_searcher()
                        search.WEIGHTING = weighting
                        for q in QUERIES:  # a warm searcher (and its caches) for each
                            search.search(dirname, q, visibilities=list(VISIBLE))
                        for q in QUERIES:
                            t0 = time.process_time()
                            search.search(dirname, q, visibilities=list(VISIBLE))
                            times[name].append(time.process_time() - t0)
            finally:
                search.WEIGHTING = own_weighting
                search.close_cached_searcher()
            print(f"search.search, {size.stories} verhalen, {len(QUERIES)} vragen, CPU-milliseconden:")
            for name, values in times.items():
                print("  " + _summary(name, values, "ms", 1000))
            print(f"  verhouding CachedBM25F / BM25F: "
                  f"{statistics.median(times['CachedBM25F']) / statistics.median(times['BM25F (Whoosh)']):.2f}")


if __name__ == "__main__":
    main()
