"""The main pages of every module, with the Hilversum demo data, pass axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from monitor import create_app
from monitor.extensions import db

from ..conftest import BACKEND, base_config
from .conftest import run_axe

pytestmark = pytest.mark.browser

# Pages per demo role; ids of demo records are looked up after seeding.
PAGES = {
    "buurtcoordinator@hilversum.demo": ["/start", "/qim/", "/qim/plannen/{plan}", "/monitorgesprekken/",
                                        "/monitorgesprekken/{session}", "/monitorgesprekken/{session}/dossier",
                                        "/monitorgesprekken/initiatieven", "/tellen/dashboard"],
    "sociaalwerker@hilversum.demo": ["/start", "/tellen/mijn-opgaven", "/uitkomsten/clienten",
                                     "/uitkomsten/clienten/{client}", "/uitkomsten/"],
    "accounthouder@hilversum.demo": ["/start", "/tellen/volledigheid", "/tellen/te-beoordelen",
                                     "/monitorgesprekken/jaarrapportages"],
    "raadslid@hilversum.demo": ["/start", "/tellen/dashboard", "/uitkomsten/", "/qim/"],
}


@pytest.fixture(scope="module")
def demo_server(database_uri, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    if BACKEND == "sqlite":
        target = tmp / "demo.sqlite"
        shutil.copyfile(re.sub(r"^sqlite:///", "", database_uri), target)
        uri = f"sqlite:///{target}"
    else:
        uri = database_uri
    app = create_app(base_config(tmp / "instance", uri))
    with app.app_context():
        if BACKEND == "postgresql":
            tables = [t.name for t in db.metadata.sorted_tables]
            with db.engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                     + " RESTART IDENTITY CASCADE"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    passwords = dict(re.findall(r"(\S+@hilversum\.demo)\s+(\S+)", result.output))
    with app.app_context():
        from monitor.qim.models import QimPlan
        from monitor.qim.outcomes.models import Client
        from monitor.sessions.models import MonitorSession
        from monitor.models import Organisation

        versa = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Versa Welzijn"))
        ids = {
            "plan": db.session.scalar(sa.select(sa.func.min(QimPlan.id))),
            "session": db.session.scalar(sa.select(sa.func.min(MonitorSession.id))),
            "client": db.session.scalar(sa.select(sa.func.min(Client.id)).where(Client.organisation_id == versa)),
        }
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "passwords": passwords, "ids": ids}
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("email", list(PAGES))
def test_module_pages_are_accessible(demo_server, page, email):
    page.goto(demo_server["url"] + "/account/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(demo_server["passwords"][email])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/start")
    failures = {}
    for path in PAGES[email]:
        url = demo_server["url"] + path.format(**demo_server["ids"])
        response = page.goto(url)
        assert response.status == 200, (path, response.status)
        violations = run_axe(page)
        if violations:
            failures[path] = violations
    assert failures == {}
    assert page.csp_errors == []
