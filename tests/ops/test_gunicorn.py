"""The app under real gunicorn: workers serve, a killed one is replaced, none does repair work.

Since issue 17 the start-up tasks run in the job worker (``flask worker``, hourly job
``onderhoud``): see ``tests/jobs/test_run_due.py`` and ``tests/jobs/test_worker.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import BACKEND

# gunicorn's workers are other processes on the database.
pytestmark = [pytest.mark.real_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
TASK_LINE = "Start-up task rate-limits opruimen"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)  # polling a child process, not waiting for time to pass
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def server(tmp_path, database_uri, app):
    if BACKEND == "sqlite":
        db_file = tmp_path / "gunicorn.sqlite"
        shutil.copyfile(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), db_file)
        url = f"sqlite:///{db_file}"
    else:
        url = database_uri
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = dict(os.environ, DATABASE_URL=url, MONITOR_INSTANCE_PATH=str(tmp_path / "inst"),
               SECRET_KEY="gunicorn-test-key-not-for-production-use", MONITOR_ACCESS_LOG="")
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process, port, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _page(port) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/account/inloggen", timeout=10) as page:
        assert page.status == 200 and '<html lang="nl"' in page.read().decode()


def test_workers_serve_are_replaced_after_kill_9_and_do_no_repair_work(server):
    process, port, log = server
    text = lambda: log.read_text(errors="replace")  # noqa: E731
    booted = lambda: re.findall(r"Booting worker with pid: (\d+)", text())  # noqa: E731
    _wait_for(lambda: len(booted()) >= 2, "two workers")
    _wait_for(lambda: _try(_page, port), "the first page")
    os.kill(int(booted()[0]), signal.SIGKILL)
    _wait_for(lambda: len(booted()) >= 3, "the replacement worker")
    assert process.poll() is None
    _wait_for(lambda: _try(_page, port), "a page after the kill")
    assert TASK_LINE not in text()  # repair is the job worker's, not gunicorn's


def _try(check, *args) -> bool:
    try:
        check(*args)
    except OSError:
        return False
    return True
