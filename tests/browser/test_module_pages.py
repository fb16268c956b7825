"""The main pages of every module, with the Hilversum demo data, pass axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from monitor.extensions import db

from ..browserkit import assert_pages_accessible, demo_app, serve

pytestmark = pytest.mark.browser

# Pages per demo role; ids of demo records are looked up after seeding.
PAGES = {
    "buurtcoordinator@hilversum.demo": ["/start", "/qim/", "/qim/plannen/{plan}", "/monitorgesprekken/",
                                        "/monitorgesprekken/{session}", "/monitorgesprekken/{session}/dossier",
                                        "/monitorgesprekken/initiatieven", "/tellen/dashboard"],
    "sociaalwerker@hilversum.demo": ["/start", "/tellen/mijn-opgaven", "/uitkomsten/clienten",
                                     "/uitkomsten/clienten/{client}", "/uitkomsten/",
                                     # the confirmation step with its second choice; the client
                                     # page above lists a measurement deleted with undo
                                     "/uitkomsten/metingen/{measurement}/verwijderen"],
    "accounthouder@hilversum.demo": ["/start", "/tellen/volledigheid", "/tellen/te-beoordelen",
                                     "/monitorgesprekken/jaarrapportages"],
    "raadslid@hilversum.demo": ["/start", "/tellen/dashboard", "/uitkomsten/", "/qim/"],
}


@pytest.fixture(scope="module")
def demo_server(database_uri, tmp_path_factory):
    app, passwords = demo_app(database_uri, tmp_path_factory.mktemp("demo"))
    with app.app_context():
        from monitor.meetings.models import MonitorSession
        from monitor.models import Organisation
        from monitor.outcomes.models import Client
        from monitor.qim.models import QimPlan

        versa = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Versa Welzijn"))
        ids = {
            "plan": db.session.scalar(sa.select(sa.func.min(QimPlan.id))),
            "session": db.session.scalar(sa.select(sa.func.min(MonitorSession.id))),
            "client": db.session.scalar(sa.select(sa.func.min(Client.id)).where(Client.organisation_id == versa)),
        }
        from monitor.outcomes.models import Measurement, Trajectory
        from monitor.timeutil import utcnow

        measurements = list(db.session.scalars(sa.select(Measurement).join(Trajectory).where(
            Trajectory.client_id == ids["client"]).order_by(Measurement.id)))
        measurements[-1].deleted_at = utcnow()  # "Recent verwijderd" on the client page
        ids["measurement"] = measurements[0].id
        db.session.commit()
    with serve(app) as url:
        yield {"url": url, "passwords": passwords, "ids": ids}


@pytest.mark.parametrize("email", list(PAGES))
def test_module_pages_are_accessible(demo_server, page, email):
    assert_pages_accessible(page, demo_server, email, PAGES[email])
