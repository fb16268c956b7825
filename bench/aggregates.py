"""Benchmark 3: wijk dashboard and outcome report against the bare SQL aggregation they need.

- ``counts.dashboards.build`` for one wijk over every period of the data set (including
  preparing the tables the page shows) against the three ``GROUP BY`` queries behind it
  (this replaces the former ``bench/counts_dashboard.py``);
- ``outcomes.services.outcome_report`` over all wijken and ten years (what the report page
  computes: observations per trajectory, suppression, Wilson intervals) against one SQL
  query counting begin/end pairs and improvements per indicator.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from monitor.extensions import db

from .common import Figure, Report, timed

DASHBOARD_SQL = [
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

# Begin/end pairs per indicator: ZRM domains scored below 5 at the begin and scored at the
# end; ladder trajectories that are closed. Reference date: end of trajectory or eind meting.
OUTCOME_SQL = [
    """SELECT sb.domain_code, count(*), sum(CASE WHEN se.score >= sb.score + 1 THEN 1 ELSE 0 END)
       FROM outcome_trajectories t
       JOIN outcome_measurements b ON b.trajectory_id = t.id AND b.kind = 'begin'
       JOIN outcome_measurements e ON e.trajectory_id = t.id AND e.kind = 'eind'
       JOIN outcome_domain_scores sb ON sb.measurement_id = b.id
       JOIN outcome_domain_scores se ON se.measurement_id = e.id AND se.domain_code = sb.domain_code
       WHERE t.instrument = 'zrm' AND sb.score < 5 AND se.score IS NOT NULL
         AND coalesce(t.ended_on, e.measured_on) BETWEEN :first AND :last
       GROUP BY sb.domain_code""",
    """SELECT count(*), sum(CASE WHEN e.ladder_step >= b.ladder_step + 1 THEN 1 ELSE 0 END)
       FROM outcome_trajectories t
       JOIN outcome_measurements b ON b.trajectory_id = t.id AND b.kind = 'begin'
       JOIN outcome_measurements e ON e.trajectory_id = t.id AND e.kind = 'eind'
       WHERE t.instrument = 'ladder' AND t.ended_on IS NOT NULL
         AND t.ended_on BETWEEN :first AND :last""",
]


def cold_dashboard(report: Report, repeat: int, label: str, filters, baseline) -> None:
    """A raadslid's first dashboard request in a new worker (nothing in its memory), over
    every period: with nothing stored (every protected table computed in the request, as
    before ``count_publication_tables``) and after the job stored them."""
    import time

    from monitor.counts import dashboards, publication, publication_store
    from monitor.counts.models import PublicationTable
    from monitor.models import Role, User

    council = db.session.scalar(sa.select(User).where(User.role == Role.RAADSLID))

    def first_request() -> None:
        publication_store._memory.clear()  # a new gunicorn worker
        db.session.expire_all()
        dash = dashboards.build(council, filters)
        for chart in [*dash.breakdowns, *dash.charts]:
            chart.cells()

    db.session.execute(sa.delete(PublicationTable))
    db.session.commit()
    start = time.perf_counter()
    first_request()
    nothing_stored = time.perf_counter() - start
    start = time.perf_counter()
    publication.refresh_tables()
    job = time.perf_counter() - start
    report.add(f"3 aggregatie {label}", Figure(
        f"wijkdashboard raadslid, eerste verzoek nieuw proces, tabellen opgeslagen ({filters.period_from.label}–"
        f"{filters.period_to.label})", "ms", timed(first_request, max(3, repeat // 3)),
        "kale SQL (3 GROUP BY)", timed(baseline, repeat),
        note=f"zonder opgeslagen tabellen {nothing_stored:.1f} s; de job die ze opslaat {job:.1f} s"))


def run(report: Report, repeat: int, label: str) -> None:
    from monitor.counts import dashboards
    from monitor.models import Period, Role, User, Wijk
    from monitor.outcomes import reports, services

    wijk = db.session.scalar(sa.select(Wijk).order_by(Wijk.id))
    with_returns = sa.select(sa.text("1")).select_from(sa.table("count_returns")).where(
        sa.column("period_id") == Period.id).exists()
    first = db.session.scalar(sa.select(Period).where(with_returns).order_by(Period.year, Period.tertial))
    last = db.session.scalar(sa.select(Period).where(with_returns)
                             .order_by(Period.year.desc(), Period.tertial.desc()))
    viewer = db.session.scalar(sa.select(User).where(User.role == Role.ACCOUNTHOUDER))
    filters = dashboards.Filters(first, last, wijk_id=wijk.id, perspective="wijk")
    returns = db.session.scalar(sa.text("SELECT count(*) FROM count_returns"))

    def dashboard() -> None:
        dash = dashboards.build(viewer, filters)
        for chart in [*dash.breakdowns, *dash.charts]:
            chart.cells()  # the tables the page shows
        db.session.expire_all()

    def dashboard_sql() -> None:
        with db.engine.connect() as conn:
            for sql in DASHBOARD_SQL:
                conn.execute(sa.text(sql), {"wijk": wijk.id}).all()

    report.add(f"3 aggregatie {label}", Figure(
        f"wijkdashboard (dashboards.build, {first.label}–{last.label}, {returns} opgaven)", "ms",
        timed(dashboard, repeat), "kale SQL (3 GROUP BY)", timed(dashboard_sql, repeat)))

    cold_dashboard(report, repeat, label, filters, dashboard_sql)

    span = (date(2016, 1, 1), date(2025, 12, 31))
    out_filters = reports.Filters(first=span[0], last=span[1])
    clients = db.session.scalar(sa.text("SELECT count(*) FROM outcome_clients"))

    def outcome() -> None:
        services.outcome_report(viewer, out_filters, "totaal")
        db.session.expire_all()

    def outcome_sql() -> None:
        with db.engine.connect() as conn:
            for sql in OUTCOME_SQL:
                conn.execute(sa.text(sql), {"first": span[0], "last": span[1]}).all()

    reps = max(3, repeat // 3)
    report.add(f"3 aggregatie {label}", Figure(
        f"uitkomstenrapport (outcome_report, 2016–2025, {clients} cliënten)", "ms",
        timed(outcome, reps), "kale SQL (2 queries)", timed(outcome_sql, reps)))
