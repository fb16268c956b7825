"""Profile one benchmarked operation with cProfile: ``python -m bench.profile --size S search``.

Generates the data set in a temporary SQLite database (or in the PostgreSQL database of
``--db-url``, whose schema is dropped first), runs the operation a few times under cProfile
and prints the top functions by cumulative time.
Operations: ``search`` (services.search_archive), ``dashboard`` (dashboards.build with
its tables), ``outcome`` (outcome_report), ``story`` (the story page through the test
client), ``archive`` (the archive page through the test client), ``reindex`` (the full
rebuild, ``indexing.reindex_all``; use ``--runs 1``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("what", choices=["search", "dashboard", "outcome", "story", "archive", "reindex"])
    parser.add_argument("--size", default="S")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--db-url", default=None,
                        help="PostgreSQL database to fill (its schema is dropped); default a temporary SQLite file")
    args = parser.parse_args()

    import sqlalchemy as sa

    from monitor.extensions import db

    from .common import build_app, ensure_database, reset_schema
    from .generate import SIZES, generate

    work = tempfile.mkdtemp(prefix="tv-profile-")
    if args.db_url:
        ensure_database(args.db_url)
        reset_schema(args.db_url)
    app = build_app(args.db_url, work)
    with app.app_context():
        from monitor.cli import run_migrations

        run_migrations()
        logging.getLogger().setLevel(logging.WARNING)
        generate(SIZES[args.size], show=False, echo=print)
        from monitor.narratives import indexing

        indexing.reindex_all()
        from datetime import date

        from monitor.counts import dashboards
        from monitor.models import Period, Role, User
        from monitor.narratives import services
        from monitor.outcomes import reports
        from monitor.outcomes import services as outcomes

        viewer = db.session.scalar(sa.select(User).where(User.role == Role.ACCOUNTHOUDER))
        reader = db.session.scalar(sa.select(User).where(User.role == Role.RAADSLID))
        periods = list(db.session.scalars(sa.select(Period).order_by(Period.year, Period.tertial)))
        story_id = db.session.scalar(sa.text("SELECT min(id) FROM stories WHERE visibility = 'openbaar'"))
        client = app.test_client()

        def op() -> None:
            if args.what == "search":
                services.search_archive(reader, "koffie ouderen", {}, "relevance", 1)
            elif args.what == "dashboard":
                dash = dashboards.build(viewer, dashboards.Filters(periods[0], periods[-1], wijk_id=1))
                for chart in [*dash.breakdowns, *dash.charts]:
                    chart.cells()
            elif args.what == "outcome":
                outcomes.outcome_report(viewer, reports.Filters(date(2016, 1, 1), date(2025, 12, 31)))
            elif args.what == "reindex":
                indexing.reindex_all()
            elif args.what == "story":
                client.get(f"/verhalen/verhaal/{story_id}")
            else:
                client.get("/verhalen/?q=koffie+ouderen")
            db.session.expire_all()

        op()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            op()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
