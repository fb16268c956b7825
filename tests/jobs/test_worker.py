"""The real job worker (huey consumer) and a real SMTP server: killed mid-run, nothing twice.

The worker is ``flask --app tests.jobs.worker_app worker`` in a process of its own (the real
app plus a reminder job for three users). The SMTP server keeps the worker waiting in the
middle of the second message; the worker is killed there with SIGKILL. A new worker, then
cron's ``jobs run-due`` and a forced second run of the reminder job follow: every recipient
has the reminder exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.notifications.models import MessageStatus, OutgoingMessage

from ..mailkit import SmtpServer

pytestmark = [pytest.mark.real_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
APP = "tests.jobs.worker_app"


def _env(app, smtp_url: str, **extra) -> dict:
    return dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                MONITOR_INSTANCE_PATH=app.config["INSTANCE_PATH"], SECRET_KEY=app.config["SECRET_KEY"],
                MONITOR_UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
                MONITOR_SEARCH_INDEX=app.config["SEARCH_INDEX_DIR"], MONITOR_MAIL_URL=smtp_url,
                MONITOR_MFA_REQUIRED_ROLES="", **extra)


def _wait(condition, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _worker(env) -> subprocess.Popen:
    return subprocess.Popen([str(FLASK), "--app", APP, "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _cli(env, *args) -> str:
    result = subprocess.run([str(FLASK), "--app", APP, *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_worker_killed_mid_run_sends_every_reminder_exactly_once(app, make_user, queue_env):
    addresses = [f"{n}@herinnering.test" for n in ("anna", "bram", "cor")]
    for address in addresses:
        make_user(Role.SOCIAAL_WERKER, email=address)
    with SmtpServer() as smtp:
        env = _env(app, smtp.url, **queue_env)
        waiting = smtp.hold("bram@herinnering.test")
        worker = _worker(env)
        try:
            _wait(waiting.is_set, "the worker to be in the middle of the second message")
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            worker.stdout.close()
        assert worker.returncode == -signal.SIGKILL
        assert len(smtp.to("anna@herinnering.test")) == 1
        assert smtp.to("bram@herinnering.test") == []
        with app.app_context():
            stuck = db.session.scalar(sa.select(OutgoingMessage).where(
                OutgoingMessage.to_address == "bram@herinnering.test"))
            assert stuck.status is MessageStatus.BEZIG and f":{worker.pid}:" in stuck.claimed_by
        smtp.release()

        restarted = _worker(env)
        try:
            _wait(lambda: all(smtp.to(a) for a in addresses), "the restarted worker to send the rest")
        finally:
            restarted.send_signal(signal.SIGINT)  # huey's graceful stop
            output = restarted.communicate(timeout=60)[0]
        assert "Taakverwerker gestart" in output

        # The reminder job forced to run a second time (as cron's run-due would after a
        # restore of job_runs): nothing new.
        assert "0 herinnering(en)" in _cli(env, "jobs", "run", "herinnering")

    for address in addresses:
        got = smtp.to(address)
        assert [r.subject for r in got] == ["Herinnering: opgave"], address
        assert "Over een week sluit de opgave." in got[0].text()
    with app.app_context():
        statuses = db.session.scalars(sa.select(OutgoingMessage.status)).all()
        assert statuses == [MessageStatus.VERZONDEN] * 3
