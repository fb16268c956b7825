"""Only social workers of the owning organisation reach a client record; every view is logged."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.outcomes.models import ClientAccess, Measurement, Trajectory

from ..conftest import login

OBJECT_ARGS = ("client_id", "trajectory_id", "measurement_id")


@pytest.fixture
def record(app, make_client, make_trajectory):
    """A Versa Welzijn client with a trajectory and a measurement."""
    cid = make_client("Versa Welzijn")
    tid = make_trajectory(cid, "zrm", begin={"FIN": 2}, end={"FIN": 3})
    with app.app_context():
        mid = db.session.scalar(sa.select(Measurement.id).where(Measurement.trajectory_id == tid))
    return {"client_id": cid, "trajectory_id": tid, "measurement_id": mid}


def object_routes(app, ids):
    """Every outcomes route that takes a client, trajectory or measurement, with real ids."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("outcomes.") or not set(rule.arguments) & set(OBJECT_ARGS):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:int:)?{arg}>", str(ids[arg]), url)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            yield method, url


OUTSIDERS = [
    (Role.SOCIAAL_WERKER, "MEE"), (Role.SOCIAAL_WERKER, "Kwintes"),
    (Role.BUURTCOORDINATOR, "default"), (Role.ACCOUNTHOUDER, "default"),
    (Role.RAADSLID, "default"), (Role.ADMIN, "default"),
]


@pytest.mark.parametrize(("role", "org"), OUTSIDERS, ids=[f"{r.value}-{o}" for r, o in OUTSIDERS])
def test_no_other_role_or_organisation_reaches_a_client_record(app, make_user, record, role, org):
    user = make_user(role, organisation=org)
    c = app.test_client()
    assert login(c, user.email).status_code == 302
    routes = list(object_routes(app, record))
    assert len(routes) >= 6
    for method, url in routes:
        response = c.get(url) if method == "GET" else c.post(url, data={})
        assert response.status_code == 403, (role, org, method, url, response.status_code)
    # No page without an id (lists, reports, home, admin, ...) shows the client's code.
    with app.app_context():
        code = db.session.get(Trajectory, record["trajectory_id"]).client.code
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        body = c.get(rule.rule).get_data(as_text=True)
        assert code not in body, (role, org, rule.rule)
    with app.app_context():
        # Nothing was changed, and no view of this client was logged for the outsider.
        assert db.session.get(Trajectory, record["trajectory_id"]).ended_on is not None
        assert db.session.scalar(sa.select(sa.func.count(ClientAccess.id)).where(
            ClientAccess.user_id == user.id, ClientAccess.client_id.is_not(None))) == 0


def test_the_owning_social_worker_reaches_it_and_each_view_is_logged(app, make_user, record):
    user = make_user(Role.SOCIAAL_WERKER, organisation="Versa Welzijn")
    c = app.test_client()
    login(c, user.email)
    gets = 0
    for method, url in object_routes(app, record):
        if method == "GET":
            assert c.get(url).status_code == 200, url
            gets += 1
    c.get(f"/uitkomsten/clienten/{record['client_id']}")
    with app.app_context():
        # Every page showing this client's data left exactly one line in the access log.
        assert db.session.scalar(sa.select(sa.func.count(ClientAccess.id)).where(
            ClientAccess.client_id == record["client_id"])) == gets + 1
    with app.app_context():
        views = db.session.scalars(sa.select(ClientAccess).where(
            ClientAccess.client_id == record["client_id"],
            ClientAccess.action == "dossier bekeken")).all()
        assert len(views) == 2
        assert all(v.user_id == user.id and v.created_at and v.client_code.startswith("T-")
                   for v in views)
    html = c.get(f"/uitkomsten/clienten/{record['client_id']}").get_data(as_text=True)
    assert "Wie heeft dit dossier bekeken" in html and user.email in html


def test_a_social_worker_of_another_organisation_sees_only_own_clients(app, make_user,
                                                                       make_client):
    make_client("Versa Welzijn")
    mee_client = make_client("MEE")
    user = make_user(Role.SOCIAAL_WERKER, organisation="MEE")
    c = app.test_client()
    login(c, user.email)
    html = c.get("/uitkomsten/clienten").get_data(as_text=True)
    assert re.findall(r'href="/uitkomsten/clienten/(\d+)"', html) == [str(mee_client)]


def test_a_measurement_cannot_be_deleted_by_another_organisation(app, make_user, record):
    user = make_user(Role.SOCIAAL_WERKER, organisation="MEE")
    c = app.test_client()
    login(c, user.email)
    assert c.post(f"/uitkomsten/metingen/{record['measurement_id']}/verwijderen").status_code == 403
    with app.app_context():
        assert db.session.get(Measurement, record["measurement_id"]) is not None
