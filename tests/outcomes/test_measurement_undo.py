"""Issue 19 §5: deleting a measurement can be undone for a while; meanwhile it counts nowhere.

The report's figures (and so the wijk dossier's, which count through the same SQL) change
when a measurement is deleted and come back with the undo; after ``OUTCOMES_UNDO_DAYS`` the
job erases it for good, and a client's retention purge erases it at once.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from monitor.audit import AuditEvent
from monitor.extensions import db
from monitor.models import Organisation, Period
from monitor.outcomes.models import DomainScore, Measurement, OutcomeFact
from monitor.timeutil import local, utcnow

LADDER_ROW = re.compile(r"minstens één trede hoger</th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>")


def _ids(app, tid: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Measurement.id).where(
            Measurement.trajectory_id == tid).order_by(Measurement.measured_on)))


def _ladder_figures(app, worker) -> tuple[int, int] | None:
    """(n, improved) of the ladder row of the 2025 report for Versa Welzijn, as the page shows it."""
    with app.app_context():
        periods = db.session.scalars(sa.select(Period).where(Period.year == 2025).order_by(Period.tertial)).all()
        versa = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Versa Welzijn"))
    html = worker.get(f"/uitkomsten/?first={periods[0].id}&last={periods[-1].id}"
                      f"&grouping=totaal&organisation_id={versa}").get_data(as_text=True)
    found = LADDER_ROW.search(html)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _two_ladder_trajectories(make_client, make_trajectory) -> tuple[int, int]:
    client_id = make_client()
    improved = make_trajectory(client_id, "ladder", begin=1, end=3, ended=date(2025, 10, 1),
                               end_on=date(2025, 9, 1))
    make_trajectory(make_client(), "ladder", begin=2, end=2, ended=date(2025, 10, 1), end_on=date(2025, 9, 1))
    return client_id, improved


def _run_jobs(runner, at) -> None:
    result = runner.invoke(args=["jobs", "run-due", "--now", local(at).strftime("%Y-%m-%dT%H:%M")])
    assert result.exit_code == 0, result.output


def test_a_deleted_measurement_counts_nowhere_until_it_is_restored(app, login_as, make_client, make_trajectory):
    worker = login_as("sociaal_werker")
    client_id, tid = _two_ladder_trajectories(make_client, make_trajectory)
    _, end_id = _ids(app, tid)
    # Two closed ladder trajectories, one a step up: n = 2, improved = 1.
    assert _ladder_figures(app, worker) == (2, 1)

    confirm = worker.get(f"/uitkomsten/metingen/{end_id}/verwijderen").get_data(as_text=True)
    assert "7 dagen" in confirm and "Meteen voorgoed wissen" in confirm
    page = worker.post(f"/uitkomsten/metingen/{end_id}/verwijderen", follow_redirects=True).get_data(as_text=True)
    assert "Meting verwijderd." in page and "Recent verwijderd" in page and "terugzetten kan tot" in page
    assert page.count(f'action="/uitkomsten/metingen/{end_id}/terugzetten"') == 2  # notice and list
    # Not in the trajectory's table or its list of measurements any more.
    assert f'href="/uitkomsten/metingen/{end_id}/verwijderen"' not in page
    assert _ladder_figures(app, worker) == (1, 0)
    assert worker.get(f"/uitkomsten/metingen/{end_id}/verwijderen").status_code == 404
    assert worker.post(f"/uitkomsten/metingen/{end_id}/verwijderen").status_code == 404

    # Another organisation's worker cannot restore it.
    other = login_as("sociaal_werker", organisation="MEE")
    assert other.post(f"/uitkomsten/metingen/{end_id}/terugzetten").status_code in (403, 404)
    assert _ladder_figures(app, worker) == (1, 0)

    page = worker.post(f"/uitkomsten/metingen/{end_id}/terugzetten", follow_redirects=True).get_data(as_text=True)
    assert "Meting teruggezet." in page and "Recent verwijderd" not in page
    assert f'href="/uitkomsten/metingen/{end_id}/verwijderen"' in page
    assert _ladder_figures(app, worker) == (2, 1)
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "Measurement", AuditEvent.object_id == str(end_id),
            AuditEvent.action.like("outcomes.%")).order_by(AuditEvent.id)))
    assert actions == ["outcomes.measurement_delete", "outcomes.measurement_restore"]


def test_a_restore_that_no_longer_fits_is_refused_in_dutch(app, login_as, make_client, make_trajectory):
    worker = login_as("sociaal_werker")
    client_id = make_client()
    tid = make_trajectory(client_id, "ladder", begin=2, end=None, ended=None)
    (begin_id,) = _ids(app, tid)
    worker.post(f"/uitkomsten/metingen/{begin_id}/verwijderen")
    # A new begin measurement is entered meanwhile; the old one cannot come back beside it.
    assert worker.post(f"/uitkomsten/trajecten/{tid}/meting", data={
        "kind": "begin", "measured_on": "2025-02-01", "ladder_step": "3"}).status_code == 302
    page = worker.post(f"/uitkomsten/metingen/{begin_id}/terugzetten", follow_redirects=True)
    assert page.status_code == 200
    assert "De meting kan niet terug: Dit traject heeft al een beginmeting." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Measurement, begin_id).deleted_at is not None


def test_after_the_window_the_job_erases_the_measurement_for_good(app, login_as, make_client, make_trajectory,
                                                                   runner):
    worker = login_as("sociaal_werker")
    client_id, tid = _two_ladder_trajectories(make_client, make_trajectory)
    _, end_id = _ids(app, tid)
    worker.post(f"/uitkomsten/metingen/{end_id}/verwijderen")
    now = utcnow()
    _run_jobs(runner, now + timedelta(days=6))
    assert "Recent verwijderd" in worker.get(f"/uitkomsten/clienten/{client_id}").get_data(as_text=True)
    _run_jobs(runner, now + timedelta(days=7, hours=2))
    with app.app_context():
        assert db.session.get(Measurement, end_id) is None
        deletion = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.object_type == "Measurement", AuditEvent.object_id == str(end_id),
            AuditEvent.action == "outcomes.measurement_delete"))
        assert deletion.old_values["measured_on"] == "[verwijderd]"  # the date went with it
        assert db.session.scalar(sa.select(AuditEvent.id).where(
            AuditEvent.action == "outcomes.measurement_purge", AuditEvent.object_id == str(end_id)))
    assert "Recent verwijderd" not in worker.get(f"/uitkomsten/clienten/{client_id}").get_data(as_text=True)
    assert worker.post(f"/uitkomsten/metingen/{end_id}/terugzetten").status_code == 404
    assert _ladder_figures(app, worker) == (1, 0)


def test_erase_at_once_leaves_nothing_to_undo(app, login_as, make_client, make_trajectory):
    worker = login_as("sociaal_werker")
    client_id = make_client()
    tid = make_trajectory(client_id, "zrm", begin={"FIN": 2}, end={"FIN": 3})
    _, end_id = _ids(app, tid)
    page = worker.post(f"/uitkomsten/metingen/{end_id}/verwijderen", data={"wissen": "meteen"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Meting voorgoed gewist." in page and "Recent verwijderd" not in page
    with app.app_context():
        assert db.session.get(Measurement, end_id) is None
        assert db.session.scalar(sa.select(sa.func.count(DomainScore.id)).where(
            DomainScore.measurement_id == end_id)) == 0
    assert worker.post(f"/uitkomsten/metingen/{end_id}/terugzetten").status_code == 404


def test_the_retention_purge_erases_deleted_measurements_and_keeps_no_fact_of_them(
        app, login_as, make_client, make_trajectory, runner):
    app.config["OUTCOMES_UNDO_DAYS"] = 100_000  # only the retention purge can take it
    worker = login_as("sociaal_werker")
    _, tid = _two_ladder_trajectories(make_client, make_trajectory)
    _, end_id = _ids(app, tid)
    worker.post(f"/uitkomsten/metingen/{end_id}/verwijderen")
    app.config["OUTCOMES_RETENTION_MONTHS"] = 0
    result = runner.invoke(args=["outcomes", "purge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(Measurement, end_id) is None
        assert db.session.scalar(sa.select(sa.func.count(Measurement.id)).where(
            Measurement.trajectory_id == tid)) == 0
        facts = db.session.scalars(sa.select(OutcomeFact)).all()
        # Only the other trajectory's outcome is kept: the deleted end measurement made none.
        assert [(f.begin_score, f.end_score) for f in facts] == [(2, 2)]
    assert _ladder_figures(app, worker) == (1, 0)
