"""The sections other modules contribute to a session, checked against fixture data."""

from __future__ import annotations

from datetime import date

from monitor.models import Role

from ..outcomes.conftest import make_client, make_trajectory  # noqa: F401  (fixtures)
from .test_sessions_flow import open_session


def test_ladder_outcomes_against_target_in_the_session(app, login_as, make_client, make_trajectory):
    # Twelve closed ladder trajectories in Oost, closed in January–April 2026; seven went up.
    for i in range(12):
        client = make_client(org="Versa Welzijn", wijk="Oost")
        make_trajectory(client, "ladder", started=date(2025, 9, 1), ended=date(2026, 3, 1),
                        begin=2, end=3 if i < 7 else 2)
    # One in another wijk must not count.
    other = make_client(org="Versa Welzijn", wijk="Zuid")
    make_trajectory(other, "ladder", started=date(2025, 9, 1), ended=date(2026, 3, 1), begin=1, end=4)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    html = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert "Uitkomsten voor cliënten" in html
    row = html[html.index("Participatieladder"):][:600]
    assert ">12<" in row and ">7<" in row and "58%" in row  # 7/12 = 58.3%


def test_small_outcome_counts_are_suppressed_in_the_dossier(app, login_as, make_client, make_trajectory):
    for i in range(3):
        client = make_client(org="MEE", wijk="Oost")
        make_trajectory(client, "ladder", started=date(2025, 9, 1), ended=date(2026, 3, 1), begin=2, end=4)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    html = coordinator.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    row = html[html.index("Participatieladder"):][:600]
    assert "&lt;5" in row and ">3<" not in row
