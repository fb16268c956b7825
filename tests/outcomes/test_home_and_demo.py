"""Home-page tasks for missing and overdue measurements; the demo data."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.outcomes.models import Client, Instrument, MeasurementKind, Trajectory
from monitor.outcomes.reports import observations_for
from monitor.outcomes.seed import seed_demo_outcomes

from ..conftest import login


def test_home_lists_missing_end_and_overdue_intermediate_measurements(
        app, make_user, make_client, make_trajectory):
    user = make_user(Role.SOCIAAL_WERKER, organisation="Versa Welzijn")
    today = date.today()
    no_end = make_client()
    make_trajectory(no_end, "ladder", started=today - timedelta(days=300),
                    ended=today - timedelta(days=10), begin=2, end=None, worker_id=user.id)
    overdue = make_client()
    make_trajectory(overdue, "zrm", started=today - timedelta(days=400), ended=None,
                    begin={"FIN": 2}, worker_id=user.id)
    fine = make_client()
    make_trajectory(fine, "zrm", started=today - timedelta(days=30), ended=None,
                    begin={"FIN": 2}, worker_id=user.id)
    someone_else = make_client()
    make_trajectory(someone_else, "ladder", started=today - timedelta(days=300),
                    ended=today - timedelta(days=10), begin=2, end=None)
    with app.app_context():
        codes = {cid: db.session.get(Client, cid).code
                 for cid in (no_end, overdue, fine, someone_else)}
    c = app.test_client()
    login(c, user.email)
    html = c.get("/start").get_data(as_text=True)
    assert "Metingen van uw cliënten" in html
    assert f"Eindmeting ontbreekt: {codes[no_end]}" in html
    assert f"Tussenmeting te laat: {codes[overdue]}" in html
    assert codes[fine] not in html and codes[someone_else] not in html


def test_home_section_is_absent_for_roles_without_client_records(app, login_as):
    for role in ("raadslid", "accounthouder", "buurtcoordinator"):
        html = login_as(role).get("/start").get_data(as_text=True)
        assert "Metingen van uw cliënten" not in html


def test_demo_data_is_plausible_deterministic_and_idempotent(app):
    messages = []
    with app.app_context():
        seed_demo_outcomes(messages.append, today=date(2026, 6, 1))
        db.session.commit()
        clients = db.session.scalars(sa.select(Client)).all()
        assert 200 <= len(clients) <= 500
        first_codes = sorted(c.code for c in clients)[:5]
        trajectories = db.session.scalars(sa.select(Trajectory)).all()
        instruments = {t.instrument for t in trajectories}
        assert instruments == {Instrument.ZRM, Instrument.LADDER}
        assert {t.zrm_version for t in trajectories if t.zrm_version} == {"2017", "2013"}
        assert len({c.organisation_id for c in clients}) >= 3
        for t in trajectories:  # measurements sit inside their trajectory, begin first
            days = [m.measured_on for m in t.measurements]
            assert days == sorted(days)
            assert all(t.started_on <= d <= (t.ended_on or date(2026, 6, 1)) for d in days)
            if t.measurements:
                assert t.measurements[0].kind == MeasurementKind.BEGIN
        counted = [o for t in trajectories for o in observations_for(t, None)]
        assert len(counted) > 200
        share = sum(o.improved for o in counted) / len(counted)
        assert 0.25 < share < 0.8
        seed_demo_outcomes(messages.append, today=date(2026, 6, 1))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Client.id))) == len(clients)
    assert "bestaan al" in messages[-1]
    # The same seed gives the same clients.
    with app.app_context():
        db.session.execute(sa.delete(Client))
        db.session.commit()
        seed_demo_outcomes(messages.append, today=date(2026, 6, 1))
        db.session.flush()
        assert sorted(db.session.scalars(sa.select(Client.code)))[:5] == first_codes
        db.session.rollback()
