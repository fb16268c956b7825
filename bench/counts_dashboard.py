"""Benchmark: the Tellen wijk dashboard against the bare SQL aggregation it needs.

Builds ten years x 3 tertials x 30 organisations x 8 wijken of approved returns (7,200
returns with hours per specialism and clients per service type) through a fast but
validated path: every return's figures pass the same ``figures.validate`` as the form,
then rows are bulk-inserted. Then times ``dashboards.build`` for one wijk over all 30
periods against the three plain SQL ``GROUP BY`` queries behind it, and prints both.

Usage (from the project root):
    python bench/counts_dashboard.py                # temporary SQLite database
    BENCH_DATABASE_URL=postgresql://... python bench/counts_dashboard.py
    python bench/counts_dashboard.py --repeat 30
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor import create_app  # noqa: E402
from monitor.extensions import db  # noqa: E402

YEARS = range(2016, 2026)
ORGANISATIONS = 30
WIJKEN = 8


def build_app(url: str | None, instance: str):
    config = {"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": instance,
              "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{instance}/bench.sqlite",
              "UPLOAD_FOLDER": f"{instance}/uploads", "SEARCH_INDEX_DIR": f"{instance}/index"}
    return create_app(config)


def fill() -> None:
    from monitor.counts.figures import clients_key, hours_key, validate
    from monitor.counts.models import CountReturn, ReturnClients, ReturnHours, ReturnStatus
    from monitor.counts.services import catalogue_for
    from monitor.models import Organisation, Period, Wijk
    from monitor.periods import ensure_periods
    from monitor.seed import seed_catalogues, seed_organisations, seed_places

    seed_places()
    seed_organisations()
    seed_catalogues()
    ensure_periods(YEARS.start, YEARS.stop - 1)
    orgs = list(db.session.scalars(sa.select(Organisation).where(Organisation.kind == "welzijn")))
    for n in range(len(orgs), ORGANISATIONS):
        db.session.add(Organisation(name=f"Benchorganisatie {n + 1}"))
    db.session.commit()
    orgs = list(db.session.scalars(sa.select(Organisation).where(Organisation.kind == "welzijn")))[:ORGANISATIONS]
    wijken = list(db.session.scalars(sa.select(Wijk).order_by(Wijk.id)))[:WIJKEN]
    periods = list(db.session.scalars(sa.select(Period).where(Period.year.between(YEARS.start, YEARS.stop - 1))))
    rng = random.Random(42)
    next_id = 1
    returns, hours, clients = [], [], []
    for period in periods:
        catalogue = catalogue_for(period)
        specs = catalogue.specialisms[:5]
        types = catalogue.service_types[:4]
        for org in orgs:
            for wijk in wijken:
                meldingen = rng.randint(0, 40)
                closed = rng.randint(0, 30)
                raw = {"volunteers": rng.randint(0, 30), "meldingen": meldingen,
                       "meldingen_sociaal_plein": rng.randint(0, meldingen), "closed_total": closed,
                       "closed_within_six_months": rng.randint(0, closed),
                       "closed_contact_moments": closed * 9, "closed_hours": closed * 6, "fte": "2,5"}
                if period.tertial == 3:
                    raw["unique_clients_year"] = rng.randint(20, 200)
                for s in specs:
                    raw[hours_key(s.code)] = rng.randint(0, 250)
                for s in types:
                    raw[clients_key(s.code)] = rng.randint(0, 40)
                checked = validate(raw, period, catalogue, submit=True)
                if checked.errors:
                    raise SystemExit(f"invalid generated return: {checked.errors}")
                v = checked.values
                returns.append({"id": next_id, "organisation_id": org.id, "wijk_id": wijk.id, "period_id": period.id,
                                "status": ReturnStatus.GOEDGEKEURD.value, "explanation": "", "return_reason": "",
                                **{k: v.get(k) for k in ("volunteers", "meldingen", "meldingen_sociaal_plein",
                                                         "closed_total", "closed_within_six_months",
                                                         "closed_contact_moments", "closed_hours", "fte",
                                                         "unique_clients_year")},
                                "created_at": sa.func.now(), "updated_at": sa.func.now()})
                hours += [{"return_id": next_id, "specialism_id": s.id, "hours": v[hours_key(s.code)]} for s in specs]
                clients += [{"return_id": next_id, "service_type_id": s.id, "clients": v[clients_key(s.code)]}
                            for s in types]
                next_id += 1
    for row in returns:
        row.pop("created_at"), row.pop("updated_at")
        row["fte"] = Decimal(row["fte"])
    db.session.execute(sa.insert(CountReturn.__table__), returns)
    db.session.execute(sa.insert(ReturnHours.__table__), hours)
    db.session.execute(sa.insert(ReturnClients.__table__), clients)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT setval('count_returns_id_seq', :n)"), {"n": next_id})
        db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    print(f"{len(returns)} opgaven, {len(hours)} uren-regels, {len(clients)} cliënten-regels aangemaakt")


BARE_SQL = [
    """SELECT r.period_id, count(r.id), sum(r.volunteers), sum(r.meldingen), sum(r.meldingen_sociaal_plein),
              sum(r.closed_total), sum(r.closed_within_six_months), sum(r.closed_contact_moments),
              sum(r.closed_hours), sum(r.fte)
       FROM count_returns r WHERE r.status IN ('goedgekeurd', 'vergrendeld') AND r.wijk_id = :wijk
       GROUP BY r.period_id""",
    """SELECT r.period_id, sum(h.hours) FROM count_return_hours h JOIN count_returns r ON r.id = h.return_id
       WHERE r.status IN ('goedgekeurd', 'vergrendeld') AND r.wijk_id = :wijk GROUP BY r.period_id""",
    """SELECT r.period_id, c.service_type_id, sum(c.clients) FROM count_return_clients c
       JOIN count_returns r ON r.id = c.return_id
       WHERE r.status IN ('goedgekeurd', 'vergrendeld') AND r.wijk_id = :wijk
       GROUP BY r.period_id, c.service_type_id""",
]


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm up caches and the connection
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"mediaan {statistics.median(times):8.2f} ms   p95 {p95:8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as instance:
        app = build_app(url, instance)
        with app.app_context():
            if url:
                with db.engine.begin() as conn:
                    conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                    conn.execute(sa.text("CREATE SCHEMA public"))
            from monitor.cli import run_migrations

            run_migrations()
            fill()
            from monitor.counts import dashboards
            from monitor.models import Period, Role, User, Wijk

            wijk = db.session.scalar(sa.select(Wijk).order_by(Wijk.id))
            first = db.session.scalar(sa.select(Period).order_by(Period.year, Period.tertial))
            last = db.session.scalar(sa.select(Period).order_by(Period.year.desc(), Period.tertial.desc()))
            viewer = User(role=Role.ACCOUNTHOUDER, name="bench", email="bench@example.org", password_hash="x")
            filters = dashboards.Filters(first, last, wijk_id=wijk.id, perspective="wijk")

            def dashboard():
                dash = dashboards.build(viewer, filters)
                for chart in [*dash.breakdowns, *dash.charts]:
                    chart.cells()  # include preparing the tables, as the page does
                db.session.expire_all()

            def bare():
                with db.engine.connect() as conn:
                    for sql in BARE_SQL:
                        conn.execute(sa.text(sql), {"wijk": wijk.id}).all()

            print(f"Database: {db.engine.dialect.name}; wijk {wijk.name}; {first.label} t/m {last.label}; "
                  f"{args.repeat} herhalingen")
            dash_times = timed(dashboard, args.repeat)
            bare_times = timed(bare, args.repeat)
            print(f"wijkdashboard (dashboards.build) {summary(dash_times)}")
            print(f"kale SQL-aggregatie (3 queries)  {summary(bare_times)}")
            print(f"verhouding (mediaan)             {statistics.median(dash_times) / statistics.median(bare_times):8.1f}x")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
