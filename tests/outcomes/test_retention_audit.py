"""Issue 12: a retention purge also erases the purged clients' details from the audit trail."""

from __future__ import annotations

from monitor import audit
from monitor.extensions import db
from monitor.models import Role
from monitor.outcomes.models import Trajectory

from .test_retention import _setup


def test_purge_erases_the_details_of_purged_clients_from_the_audit_trail(
        app, runner, login_as, make_client, make_trajectory):
    expired, _, _, recent = _setup(make_client, make_trajectory)
    with app.app_context():
        for client_id in (expired, recent):
            trajectory = db.session.scalar(db.select(Trajectory).where(Trajectory.client_id == client_id))
            audit.record("outcomes.trajectory_open", trajectory,
                         new=audit.snapshot(trajectory, ("client_id", "instrument", "started_on")),
                         summary=f"Traject geopend voor cliënt #{client_id}")
            audit.record("outcomes.client_update", object_type="Client", object_id=client_id,
                         new={"gewijzigd": ["birth_year"]}, summary=f"Gegevens van cliënt #{client_id} gewijzigd")
        db.session.commit()
    admin = login_as(Role.ADMIN)
    assert "2022-03-01" in admin.get("/beheer/audit").get_data(as_text=True)

    result = runner.invoke(args=["outcomes", "purge", "--months", "24"])
    assert result.exit_code == 0, result.output
    trail = admin.get("/beheer/audit").get_data(as_text=True)
    assert "2022-03-01" not in trail
    assert "2025-01-01" in trail  # the client still in care keeps its trail
    assert f"Traject geopend voor cliënt #{expired}" in trail  # the fact stays
    assert "outcomes.purge" in trail
