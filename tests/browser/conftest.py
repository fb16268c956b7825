"""A live server and Debian's Chromium for the browser tests (never silently skipped)."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from monitor import create_app
from monitor.extensions import db

from ..conftest import BACKEND, PASSWORD, base_config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def live_server(database_uri: str, tmp_path_factory) -> Iterator[dict]:
    """The app served on a free localhost port, with one demo user per role."""
    tmp = tmp_path_factory.mktemp("live")
    if BACKEND == "sqlite":
        target = tmp / "live.sqlite"
        shutil.copyfile(re.sub(r"^sqlite:///", "", database_uri), target)
        uri = f"sqlite:///{target}"
    else:
        uri = database_uri
    app = create_app(base_config(tmp / "instance", uri))
    users = {}
    with app.app_context():
        if BACKEND == "postgresql":
            tables = [t.name for t in db.metadata.sorted_tables]
            with db.engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                     + " RESTART IDENTITY CASCADE"))
        from monitor.admin.services import create_user
        from monitor.models import Organisation, Role, Wijk
        from monitor.periods import ensure_periods
        from monitor.qim.catalogue import seed_catalogue
        from monitor.seed import seed_catalogues, seed_organisations, seed_places

        seed_places()
        seed_organisations()
        seed_catalogue()
        seed_catalogues()
        ensure_periods(2020, 2027)
        db.session.commit()
        versa = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Versa Welzijn"))
        oost = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
        for role in Role:
            email = f"{role.value}@browser.test"
            create_user(name=f"Browser {role.label}", email=email, role=role,
                        organisation_id=versa if role == Role.SOCIAAL_WERKER else None,
                        wijk_ids=[oost] if role in (Role.SOCIAAL_WERKER, Role.BUURTCOORDINATOR) else [],
                        password=PASSWORD, must_change_password=False)
            users[role] = email
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "users": users, "app": app}
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium through Playwright; a clear failure when it is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Chromium is niet gevonden (/usr/bin/chromium). Installeer het met "
            "`apt-get install chromium` of draai `make test`, dat het zo nodig installeert.",
            pytrace=False,
        )
    if not AXE.exists():
        pytest.fail("axe-core ontbreekt in static/vendor: draai `npm ci`.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: page.csp_errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    yield page
    context.close()


def run_axe(page) -> list[dict]:
    """Run axe-core on the page for WCAG 2.1 A and AA; return the violations."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"""
    )
    return [{"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"]][:3]}
            for v in result]
