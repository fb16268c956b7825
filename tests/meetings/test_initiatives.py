"""The register of buurtinitiatieven, and how it feeds part one of the session."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.extensions import db
from monitor.meetings.models import Initiative
from monitor.models import Buurt, Role


def buurt_id(app, name):
    with app.app_context():
        return db.session.scalar(sa.select(Buurt.id).where(Buurt.name == name))


def test_social_worker_registers_an_initiative_in_own_wijk(app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    response = worker.post("/monitorgesprekken/initiatieven/nieuw", data={
        "buurt_id": buurt_id(app, "Geuzenbuurt"), "title": "Geuzentuin", "description": "Moestuin",
        "contact_group": "Tuincommissie", "started_on": "2026-02-01", "status": "actief",
        "supported_by_id": "None", "quality_ids": []})
    assert response.status_code == 302
    html = worker.get("/monitorgesprekken/initiatieven").get_data(as_text=True)
    assert "Geuzentuin" in html and "Tuincommissie" in html


def test_end_before_start_is_refused_and_input_kept(app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    response = worker.post("/monitorgesprekken/initiatieven/nieuw", data={
        "buurt_id": buurt_id(app, "Geuzenbuurt"), "title": "Omgekeerd", "started_on": "2026-02-01",
        "ended_on": "2025-01-01", "status": "actief", "supported_by_id": "None"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "De einddatum ligt vóór de startdatum." in html and 'value="Omgekeerd"' in html


def test_cannot_register_outside_own_wijk(app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    response = worker.post("/monitorgesprekken/initiatieven/nieuw", data={
        "buurt_id": buurt_id(app, "Bloemenbuurt"), "title": "Elders", "started_on": "2026-02-01",
        "status": "actief", "supported_by_id": "None"})
    assert response.status_code == 400  # not among the choices
    with app.app_context():
        assert db.session.scalar(sa.select(Initiative)) is None


def test_initiatives_of_the_period_appear_in_the_session(app, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    for title, start, end in [("Loopt nog", "2025-06-01", ""), ("Begint later", "2026-06-01", ""),
                              ("Al gestopt", "2024-01-01", "2025-12-31")]:
        coordinator.post("/monitorgesprekken/initiatieven/nieuw", data={
            "buurt_id": buurt_id(app, "Electrobuurt"), "title": title, "started_on": start, "ended_on": end,
            "status": "actief", "supported_by_id": "None"})
    from .test_meetings_flow import open_session

    session_id = open_session(coordinator, app, year=2026, tertial=1)
    html = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert "Loopt nog" in html and "Begint later" not in html and "Al gestopt" not in html
