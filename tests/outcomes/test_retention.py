"""The retention purge removes expired client data; reported figures stay the same."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent
from monitor.outcomes.models import Client, DomainScore, Measurement, OutcomeFact, Trajectory
from monitor.outcomes.reports import Filters, build_report, collect_observations
from monitor.outcomes.services import add_months


def _figures(app):
    with app.app_context():
        filters = Filters(date(2020, 1, 1), date(2026, 12, 31))
        report = build_report(collect_observations(filters), filters, "wijk", suppress=False)
        return {(i.key, label): (c.improved, c.n)
                for i in report.indicators for label, c in i.rows + [("totaal", i.total)]}


def _setup(make_client, make_trajectory):
    old = date(2022, 3, 1)
    expired = make_client(wijk="Oost")
    make_trajectory(expired, "zrm", started=old, ended=date(2022, 12, 1),
                    begin={"FIN": 2, "HUI": 4, "GGZ": None}, end={"FIN": 3, "HUI": 4, "GGZ": 2})
    expired_ladder = make_client(wijk="Zuid")
    make_trajectory(expired_ladder, "ladder", started=old, ended=date(2023, 1, 10), begin=2, end=4)
    # Closed long ago but a newer trajectory still runs: the client stays.
    mixed = make_client()
    make_trajectory(mixed, "ladder", started=old, ended=date(2022, 9, 1), begin=1, end=2)
    make_trajectory(mixed, "zrm", started=date(2025, 1, 1), ended=None, begin={"FIN": 1})
    recent = make_client()
    make_trajectory(recent, "zrm", started=date(2025, 1, 1), ended=date(2025, 10, 1),
                    begin={"FIN": 1}, end={"FIN": 2})
    return expired, expired_ladder, mixed, recent


def test_dry_run_counts_and_changes_nothing(app, runner, make_client, make_trajectory):
    _setup(make_client, make_trajectory)
    result = runner.invoke(args=["outcomes", "purge", "--dry-run", "--months", "24"])
    assert result.exit_code == 0, result.output
    assert "Zou verwijderen: 2 cliënten, 2 trajecten, 4 metingen" in result.output
    assert "3 anonieme uitkomsten" in result.output  # FIN and HUI of the ZRM, and the ladder
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 4
        assert db.session.scalar(sa.select(sa.func.count(OutcomeFact.id))) == 0
        assert db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "outcomes.purge")) is None


def test_purge_removes_expired_clients_and_keeps_the_figures(app, runner, make_client,
                                                             make_trajectory):
    expired, expired_ladder, mixed, recent = _setup(make_client, make_trajectory)
    before = _figures(app)
    app.config["OUTCOMES_RETENTION_MONTHS"] = 24
    result = runner.invoke(args=["outcomes", "purge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        remaining = set(db.session.scalars(sa.select(Client.id)))
        assert remaining == {mixed, recent}
        # Nothing of the removed clients is left behind.
        assert db.session.scalar(sa.select(sa.func.count(Trajectory.id))) == 3
        assert db.session.scalar(sa.select(sa.func.count(Measurement.id)).where(
            Measurement.trajectory_id.not_in(sa.select(Trajectory.id)))) == 0
        assert db.session.scalar(sa.select(sa.func.count(DomainScore.id)).where(
            DomainScore.measurement_id.not_in(sa.select(Measurement.id)))) == 0
        facts = db.session.scalars(sa.select(OutcomeFact)).all()
        assert sorted((f.instrument.value, f.domain_code, f.improved) for f in facts) == [
            ("ladder", None, True), ("zrm", "FIN", True), ("zrm", "HUI", False)]
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "outcomes.purge"))
        assert event.old_values["clients"] == 2 and event.new_values["retention_months"] == 24
        assert event.actor_label.startswith("systeem")
    assert _figures(app) == before
    # Running it again finds nothing more.
    again = runner.invoke(args=["outcomes", "purge"])
    assert "Verwijderd: 0 cliënten" in again.output


def test_retention_period_is_configurable(app, runner, make_client, make_trajectory):
    _setup(make_client, make_trajectory)
    # A year counted back from today: the 2025 trajectory may still be inside it or not,
    # so compute the expectation from the dates themselves.
    cutoff = add_months(date.today(), -12)
    expected = 2 + (1 if date(2025, 10, 1) <= cutoff else 0)
    result = runner.invoke(args=["outcomes", "purge", "--dry-run", "--months", "12"])
    assert f"Zou verwijderen: {expected} cliënten" in result.output
    result = runner.invoke(args=["outcomes", "purge", "--dry-run", "--months", "-1"])
    assert result.exit_code != 0 and "negatief" in result.output


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 15), -24) == date(2023, 1, 15)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
