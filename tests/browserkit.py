"""Shared pieces of the browser tests: Debian's Chromium, axe-core, a live server.

The fixtures ``browser`` and ``page`` are imported by the conftest files of the test
folders that drive a browser. A missing Chromium fails the run with a clear message;
it never skips silently.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from monitor import create_app
from monitor.extensions import db

from . import dbtx
from .conftest import BACKEND, base_config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[1] / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def live_app(database_uri: str, tmp: Path) -> Flask:
    """An app on its own copy of the migrated database (SQLite) or emptied tables (PostgreSQL)."""
    if BACKEND == "sqlite":
        target = tmp / "live.sqlite"
        shutil.copyfile(re.sub(r"^sqlite:///", "", database_uri), target)
        uri = f"sqlite:///{target}"
    else:
        uri = database_uri
    app = create_app(base_config(tmp / "instance", uri))
    if BACKEND == "postgresql":
        with app.app_context():
            dbtx.empty_tables(db)
        dbtx.Baseline.dirty()
    return app


def demo_app(database_uri: str, tmp: Path) -> tuple[Flask, dict[str, str]]:
    """A :func:`live_app` with the Hilversum demo data; also the demo logins (e-mail → password)."""
    app = live_app(database_uri, tmp)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app, dict(re.findall(r"(\S+@hilversum\.demo)\s+(\S+)", result.output))


def assert_pages_accessible(page, site: dict, email: str, paths: list[str]) -> None:
    """Sign in as ``email`` on ``site`` ({"url", "passwords", "ids"}) and open each path
    (formatted with the ids): every page answers 200, has no axe violation and no CSP error."""
    page.goto(site["url"] + "/account/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(site["passwords"][email])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/start")
    failures = {}
    for path in paths:
        response = page.goto(site["url"] + path.format(**site["ids"]))
        assert response.status == 200, (path, response.status)
        violations = run_axe(page)
        if violations:
            failures[path] = violations
    assert failures == {}
    assert page.csp_errors == []


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free localhost port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
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


@contextmanager
def open_page(browser, **context_options) -> Iterator:
    """A page in a fresh browser context (``context_options``: e.g. ``viewport``) that
    collects Content-Security-Policy errors in ``page.csp_errors``."""
    context = browser.new_context(**{"locale": "nl-NL", **context_options})
    page = context.new_page()
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: page.csp_errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh browser context and page; Content-Security-Policy errors are collected."""
    with open_page(browser) as fresh:
        yield fresh


def run_axe(page) -> list[dict]:
    """Run axe-core on the page for WCAG 2.1 A and AA; return the violations."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"""
    )
    return [{"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"]][:3]}
            for v in result]
