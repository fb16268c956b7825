"""Issue 12: private links never reach gunicorn's access log (nor the referrers that carry them)."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import urllib.error
import urllib.request

import pytest

from monitor import logscrub

from ..conftest import BACKEND
from .test_gunicorn import GUNICORN, ROOT, _free_port, _wait_for


@pytest.fixture
def log_format():
    return "text"


@pytest.fixture
def gunicorn_with_access_log(tmp_path, database_uri, app, log_format):
    if BACKEND == "sqlite":
        db_file = tmp_path / "gunicorn.sqlite"
        shutil.copyfile(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), db_file)
        url = f"sqlite:///{db_file}"
    else:
        url = database_uri
    port = _free_port()
    access = tmp_path / "access.log"
    env = dict(os.environ, DATABASE_URL=url, MONITOR_INSTANCE_PATH=str(tmp_path / "inst"),
               SECRET_KEY="gunicorn-test-key-not-for-production-use", MONITOR_ACCESS_LOG=str(access),
               MONITOR_STARTUP_TASKS="0", MONITOR_LOG_FORMAT=log_format)
    with open(tmp_path / "gunicorn.log", "wb") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield port, access
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _get(port: int, path: str, **headers) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except urllib.error.URLError:
        return 0  # not listening yet


@pytest.mark.slow
@pytest.mark.real_db
def test_tokens_in_paths_queries_and_referrers_are_scrubbed_from_the_access_log(gunicorn_with_access_log):
    port, access = gunicorn_with_access_log
    withdrawal, answer, upload, param = (secrets.token_urlsafe(32) for _ in range(4))
    short = "kort7geheim"  # not long enough to look random: scrubbed by its place alone
    _wait_for(lambda: _get(port, "/account/inloggen") == 200, "gunicorn answering")
    requests = [
        (f"/verhalen/mijn/{withdrawal}", {}),
        (f"/verhalen/mijn/{short}/intrekken", {}),
        (f"/qim/oordeel/{answer}?stap=2", {}),
        (f"/tellen/import/{upload}", {}),
        (f"/verhalen/?q=tuin&token={param}", {}),
        ("/static/css/app.css", {"Referer": f"http://127.0.0.1:{port}/verhalen/mijn/{withdrawal}"}),
    ]
    for path, headers in requests:
        assert _get(port, path, **headers) < 500, path
    text = _wait_for(lambda: "app.css" in (t := access.read_text(errors="replace")) and t,
                     "the access log's last line")
    for secret in (withdrawal, answer, upload, param, short):
        assert secret not in text, secret
    # The lines stay useful: which page, which status.
    assert re.search(r'"GET /verhalen/mijn/… HTTP/1\.\d" 404', text)
    assert "/verhalen/mijn/…/intrekken" in text and "/qim/oordeel/…?stap=2" in text
    assert "/verhalen/?q=tuin&token=…" in text
    assert '"http://127.0.0.1:%d/verhalen/mijn/…"' % port in text


def test_every_route_that_takes_a_token_is_scrubbed(app):
    found = []
    for rule in app.url_map.iter_rules():
        names = [n for n in rule.arguments if ("token" in n or "secret" in n)
                 and type(rule._converters[n]).__name__ not in ("IntegerConverter", "BoundedIntConverter")]
        if not names:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(r"<(?:[^:>]+:)?%s>" % name, "Geheim42" if name in names else "1", url)
        found.append(url)
        assert "Geheim42" not in logscrub.scrub(url), f"{rule.rule}: add its prefix to SECRET_PATH_PREFIXES"
        assert logscrub.has_secret(url), rule.rule
    assert len(found) >= 4


def test_a_private_page_sends_no_referrer(app, client):
    assert client.get("/verhalen/mijn/onbekend").headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/qim/oordeel/onbekend").headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/verhalen/").headers["Referrer-Policy"] == "same-origin"


@pytest.mark.slow
@pytest.mark.real_db
@pytest.mark.parametrize("log_format", ["json"])
def test_gunicorn_writes_json_access_lines_with_the_request_id(gunicorn_with_access_log):
    port, access = gunicorn_with_access_log
    _wait_for(lambda: _get(port, "/account/inloggen") == 200, "gunicorn answering")
    token = secrets.token_urlsafe(32)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/verhalen/mijn/{token}")
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as err:
        request_id = err.headers["X-Request-ID"]
    text = _wait_for(lambda: request_id in (t := access.read_text(errors="replace")) and t,
                     "the access line of the private link")
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    line = next(x for x in lines if x.get("request_id") == request_id)
    assert line["path"] == "/verhalen/mijn/…" and line["status"] == 404 and line["method"] == "GET"
    assert line["process"] == "web" and token not in text
