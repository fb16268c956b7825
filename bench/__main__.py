"""The benchmark harness: ``python -m bench --size M`` (see docs/benchmarks.md).

Per database (SQLite file and PostgreSQL ``bench_pg`` by default): migrate an empty
database, generate the data set (the services' rows in bulk, bench/bulk.py), then run
5 (full reindex), 1 (search vs FTS5), 3 (dashboard and outcome report vs bare SQL) and
2 (HTTP under gunicorn vs /gezondheid); 4 (photo pipeline vs bare Pillow) and 6 (one
anonymous public-form request with three photos) run once.
Every figure is printed with its baseline and the ratio, and again as a table at the end.
A step that fails (an exception, a missing database, past ``--step-timeout``) is a row
``niet gemeten`` with its reason; the run goes on and exits non-zero at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCHMARKS = ("search", "aggregates", "http", "photo")


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        mem_gb = int(mem.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        mem_gb = 0
    return (f"{os.cpu_count()} cores ({model}), {mem_gb:.1f} GB RAM, Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M", choices=["XS", "S", "M", "L"])
    parser.add_argument("--db", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default both)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL database to drop and refill (default bench_pg)")
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per figure")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--step-timeout", type=float, default=3600,
                        help="seconds a step may take before it is reported as not measured (0: no limit)")
    args = parser.parse_args(argv)

    from . import photo, public_form
    from .common import Report
    from .generate import SIZES

    only = {b.strip() for b in args.only.split(",") if b.strip()}
    dbs = [d.strip() for d in args.db.split(",") if d.strip()]
    size = SIZES[args.size]
    report = Report(timeout=args.step_timeout or None)
    started = time.perf_counter()
    work = tempfile.mkdtemp(prefix="tv-bench-")
    print(f"Tellen & Vertellen benchmark, grootte {size.name}: {size.stories} verhalen, "
          f"{size.clients} cliënten, opgaven {size.years[0]}–{size.years[1]} voor "
          f"{size.organisations} organisaties × {size.wijken} wijken")
    print(f"Machine: {machine()}")
    try:
        if "photo" in only:
            with report.step("4 foto", "fotopijplijn tegen kale Pillow"):
                photo.run(report, work, max(5, args.repeat))
            with report.step("6 openbaar formulier", "één anoniem verzoek met drie foto's"):
                public_form.run(report, os.path.join(work, "public-form"), 3)
        for name in dbs:
            run_database(report, name, args, only, size, work)
        print()
        print(f"Alle cijfers (grootte {size.name}, {time.perf_counter() - started:.0f} s in totaal):")
        print(report.table())
        for line in report.lines:
            print(line)
    finally:
        if args.keep:
            print(f"Werkmap bewaard: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if report.missing:
        sys.exit("Niet gemeten: " + "; ".join(f"{section}: {m.name}" for section, m in report.missing)
                 + " (zie boven).")


def run_database(report, name: str, args, only: set[str], size, work: str) -> None:
    """Every chosen benchmark on one database (``sqlite`` or ``postgresql``); each step that
    fails is reported and the next one runs."""
    from . import aggregates, http_load, search_engine
    from .common import PG_DEFAULT, build_app, ensure_database, reset_schema
    from .generate import generate

    instance = os.path.join(work, name)
    os.makedirs(instance, exist_ok=True)
    url = (args.pg_url or PG_DEFAULT) if name == "postgresql" else f"sqlite:///{instance}/bench.sqlite"
    app = None
    with report.step(name, "database en gegevens") as filled:
        if name == "postgresql":
            ensure_database(url)  # made when missing; DatabaseUnavailable says how else
            reset_schema(url)
        app = build_app(url, instance)
        logging.getLogger().setLevel(logging.WARNING)
        with app.app_context():
            from monitor.cli import run_migrations

            run_migrations()
            logging.getLogger().setLevel(logging.WARNING)
            t0 = time.perf_counter()
            # Only what the chosen benchmarks read (search alone needs only stories).
            parts = ("verhalen",) if only <= {"search", "photo"} else ("verhalen", "cliënten", "opgaven")
            stats = generate(size, seed=args.seed, show=sys.stderr.isatty(), parts=parts,
                             echo=lambda s, n=name: print(f"[{n}] {s}", flush=True))
            report.note(f"[{name}] gegenereerd in {time.perf_counter() - t0:.0f} s: "
                        f"{stats['verhalen']} verhalen ({stats['verhalen'] / stats['verhalen_s']:.0f}/s), "
                        f"{stats['cliënten']} cliënten ({stats['cliënten'] / stats['cliënten_s']:.0f}/s), "
                        f"{stats['opgaven']} opgaven")
    if filled.failed:
        for wanted in sorted(only - {"photo"}):
            report.fail(name, wanted, "overgeslagen: de database is niet gevuld (zie boven)")
        _dispose(app)
        return
    import sqlalchemy as sa

    from monitor.extensions import db

    story_ids: list[int] = []
    wijk_ids: list[int] = []
    period_ids, service_ms, prepared = (0, 0), None, False
    with app.app_context():
        if "search" in only or "http" in only:
            with report.step(f"1/5 zoeken {name}", "herindexeren en zoeken"):
                search_engine.run(report, work, args.repeat, name)
            db.session.rollback()
        if "aggregates" in only:
            with report.step(f"3 aggregatie {name}", "wijkdashboard en uitkomstenrapport"):
                aggregates.run(report, args.repeat * 2, name)
            db.session.rollback()
        if "http" in only:
            with report.step(f"2 HTTP {name}", "voorbereiding (service-tijden)") as ready:
                story_ids = list(db.session.scalars(sa.text(
                    "SELECT s.id FROM stories s WHERE s.status = 'gepubliceerd' "
                    "AND s.visibility = 'openbaar' AND EXISTS (SELECT 1 FROM story_photos p "
                    "WHERE p.story_id = s.id) ORDER BY s.id LIMIT 20")))
                wijk_ids = list(db.session.scalars(sa.text(
                    "SELECT DISTINCT wijk_id FROM count_returns ORDER BY wijk_id")))
                spans = db.session.execute(sa.text(
                    "SELECT p.id FROM periods p WHERE EXISTS (SELECT 1 FROM count_returns r "
                    "WHERE r.period_id = p.id) ORDER BY p.year, p.tertial")).scalars().all()
                # The page's own default span: the latest period and the eight before it.
                period_ids = (spans[max(0, len(spans) - 9)], spans[-1]) if spans else (0, 0)
                service_ms = (http_load.service_times(story_ids, wijk_ids, period_ids)
                              if spans else None)
            prepared = not ready.failed
        _dispose(app)
    if prepared:
        with report.step(f"2 HTTP {name}", "pagina's onder gunicorn"):
            http_load.run(report, url, instance, story_ids, wijk_ids, name, period_ids, service_ms)


def _dispose(app) -> None:
    """Close the app's connections (quietly: the database may be what failed)."""
    from .common import dispose

    if app is None:
        return
    with app.app_context(), contextlib.suppress(Exception):
        dispose()

if __name__ == "__main__":
    main()
