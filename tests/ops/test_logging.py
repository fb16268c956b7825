"""Issue 15: SECRET_KEY required in production; JSON log lines with a request id."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from monitor import create_app, logs
from monitor.config import MissingSecretKey

from ..conftest import base_config
from .test_gunicorn import ROOT


def _production_config(tmp_path, **extra):
    config = base_config(tmp_path / "inst", f"sqlite:///{tmp_path}/x.sqlite")
    config.update({"TESTING": False, "MONITOR_ENV": "production", **extra})
    return config


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = _production_config(tmp_path)
    del config["SECRET_KEY"]
    with pytest.raises(MissingSecretKey) as err:
        create_app(config)
    assert "SECRET_KEY ontbreekt" in str(err.value)
    assert not (tmp_path / "inst" / "secret_key").exists()  # no key file per host


def test_production_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(MissingSecretKey, match="korter dan 32 tekens"):
        create_app(_production_config(tmp_path, SECRET_KEY="kort"))


def test_development_keeps_the_generated_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = _production_config(tmp_path, MONITOR_ENV="development")
    del config["SECRET_KEY"]
    app = create_app(config)
    assert (tmp_path / "inst" / "secret_key").read_text() == app.config["SECRET_KEY"]


@pytest.mark.slow
def test_the_start_without_a_key_is_one_clear_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "MONITOR_ENV"}}
    env.update(MONITOR_INSTANCE_PATH=str(tmp_path / "inst"), DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite")
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SECRET_KEY ontbreekt" in lines[0], result.stderr


def test_every_response_carries_a_request_id(client):
    first = client.get("/gezondheid").headers["X-Request-ID"]
    second = client.get("/account/inloggen").headers["X-Request-ID"]
    assert len(first) == 32 and first != second
    # Also on a redirect to the sign-in and on a 404.
    assert client.get("/beheer/").headers.get("X-Request-ID")
    assert client.get("/bestaat-niet").headers.get("X-Request-ID")


def test_a_proxys_request_id_is_kept_only_when_the_proxy_is_trusted(app, client):
    sent = "req-0f3a9c2e-7d1b-4c55"
    assert client.get("/gezondheid", headers={"X-Request-ID": sent}).headers["X-Request-ID"] != sent
    app.config["TRUSTED_PROXIES"] = 1
    assert client.get("/gezondheid", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent
    # A malformed id (a header injection, a novel) is replaced, not echoed.
    for bad in ("a; Set-Cookie: x=1", "x" * 500, "<script>", "kort"):
        got = client.get("/gezondheid", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert got != bad and len(got) == 32


def test_json_lines_carry_the_request_id_and_no_private_link(app, client):
    record = []

    class Collect(logging.Handler):
        def emit(self, rec):
            record.append(self.format(rec))

    handler = Collect()
    handler.setFormatter(logs.JsonFormatter("app"))
    logger = logging.getLogger("monitor.errors")
    logger.addHandler(handler)
    try:
        token = "Zk3" * 12
        response = client.get(f"/verhalen/mijn/{token}", headers={"X-Request-ID": "niet-vertrouwd-1234"})
        with app.test_request_context("/"):
            from flask import g

            g.request_id = response.headers["X-Request-ID"]
            logger.warning("Unhandled error on GET %s", f"/verhalen/mijn/{token}")
    finally:
        logger.removeHandler(handler)
    line = json.loads(record[-1])
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["level"] == "WARNING" and line["logger"] == "monitor.errors" and line["process"] == "app"
    assert token not in record[-1] and "/verhalen/mijn/…" in line["message"]


def test_the_format_follows_the_environment(monkeypatch):
    monkeypatch.delenv("MONITOR_LOG_FORMAT", raising=False)
    assert logs.log_format(development=False) == "json"
    assert logs.log_format(development=True) == "text"
    monkeypatch.setenv("MONITOR_LOG_FORMAT", "text")
    assert logs.log_format(development=False) == "text"



def test_the_lines_of_one_job_run_carry_the_job_and_its_run(app, runner):
    from datetime import timedelta

    from monitor.registry import add_job

    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, rec):
            lines.append(json.loads(self.format(rec)))

    def job(now):
        logging.getLogger("monitor.mail").warning("SMTP-server weigert")
        raise RuntimeError("kapot")

    add_job(app, "proef met regels", job, every=timedelta(hours=1))
    handler = Collect()
    handler.setFormatter(logs.JsonFormatter("worker"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T10:10"])
        runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T11:10"])
        logging.getLogger("monitor.mail").warning("buiten een taak")
    finally:
        root.removeHandler(handler)
    ours = [line for line in lines if line.get("job") == "proef met regels"]
    warnings = [line for line in ours if line["message"] == "SMTP-server weigert"]
    failures = [line for line in ours if line["message"].startswith("Job proef met regels failed")]
    assert len(warnings) == 2 and len(failures) == 2
    assert warnings[0]["job_run"] == failures[0]["job_run"] != warnings[1]["job_run"]  # one id per run
    assert warnings[0]["job_run"].count(":") == 2  # the claim: host:pid:random
    assert "job" not in [line for line in lines if line["message"] == "buiten een taak"][0]


def test_text_lines_name_the_job_run():
    record = logging.LogRecord("monitor.mail", logging.INFO, __file__, 1, "verzonden", None, None)
    with logs.job_context("e-mail verzenden", "abc123"):
        inside = logs.TextFormatter().format(record)
    assert inside.endswith("verzonden [job e-mail verzenden abc123]")
    assert "[job" not in logs.TextFormatter().format(record)
