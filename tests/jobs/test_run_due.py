"""Periodic jobs: due once per period across runs and workers, failures retried, claims."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from monitor import claims
from monitor.extensions import db
from monitor.jobs.models import JobRun
from monitor.jobs.runner import from_wall_clock
from monitor.registry import add_job, add_startup_task
from monitor.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]


def _names(output: str) -> list[str]:
    return [line.split(":")[0].split("  ", 1)[1] for line in output.splitlines()
            if line.startswith(("ok  ", "FOUT  "))]


def test_a_job_runs_once_per_period_however_often_run_due_is_called(app, runner):
    calls = []
    add_job(app, "proef per uur", lambda now: calls.append(now) or f"gedaan om {now:%H:%M}",
            every=timedelta(hours=1))
    first = runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T10:10"])
    assert first.exit_code == 0, first.output
    assert "ok  proef per uur: gedaan om 09:10" in first.output  # 10:10 in Amsterdam is 09:10 UTC
    assert calls == [datetime(2027, 3, 1, 9, 10)]
    again = runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T10:55"])
    assert "proef per uur" not in again.output
    assert len(calls) == 1  # same clock hour: not due
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T11:00"])
    assert len(calls) == 2
    listing = runner.invoke(args=["jobs", "list"]).output
    assert "proef per uur  [elke uur]" in listing and "gedaan om 10:00" in listing
    assert "e-mail verzenden  [elke min]" in listing and "dagoverzicht  [elke dag (+420 min)]" in listing


def test_a_daily_job_with_an_offset_is_due_from_that_time_of_day(app, runner):
    calls = []
    add_job(app, "ochtend", lambda now: calls.append(now) and None, every=timedelta(days=1),
            offset=timedelta(hours=7))
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T08:00"])  # first run ever: due
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-02T06:59"])  # still the period of 1 March
    assert len(calls) == 1
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-02T07:00"])
    assert calls[-1] == from_wall_clock(datetime(2027, 3, 2, 7, 0))
    assert len(calls) == 2
    bad = runner.invoke(args=["jobs", "run-due", "--now", "2027-02-30"])
    assert bad.exit_code != 0 and "geen bestaand tijdstip" in bad.output


def test_a_failing_job_is_reported_retried_later_and_the_others_still_run(app, runner):
    state = {"fail": True, "ran": 0}

    def flaky(now):
        state["ran"] += 1
        db.session.add(JobRun(name="half werk"))  # rolled back with the failure
        if state["fail"]:
            raise RuntimeError("server weg")
        return "gelukt"

    add_job(app, "wankel", flaky, every=timedelta(days=1))
    add_job(app, "stevig", lambda now: "prima", every=timedelta(days=1))
    result = runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T10:00"])
    assert result.exit_code == 1
    assert "FOUT  wankel: mislukt: RuntimeError: server weg" in result.output
    assert "ok  stevig: prima" in result.output
    with app.app_context():
        assert db.session.get(JobRun, "half werk") is None
        row = db.session.get(JobRun, "wankel")
        assert row.failures == 1 and "server weg" in row.last_error and row.claimed_by == ""
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T10:00"])
    assert state["ran"] == 1  # the retry waits a minute
    state["fail"] = False
    again = runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T10:02"])
    assert "ok  wankel: gelukt" in again.output and "stevig" not in again.output
    assert "laatste fout" not in runner.invoke(args=["jobs", "list"]).output


def test_a_job_claimed_by_a_live_worker_is_left_alone_and_one_of_a_dead_worker_is_taken_over(app, runner):
    calls = []
    add_job(app, "bezet", lambda now: calls.append(now) and None, every=timedelta(days=1))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = claims.token().split(":")[0]
    with app.app_context():
        # A claim of another live process of this machine: the test runner's parent.
        db.session.add(JobRun(name="bezet", claimed_by=f"{host}:{os.getppid()}:abcd",
                              claimed_at=utcnow()))
        db.session.commit()
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T10:00"])
    assert calls == []  # running elsewhere
    with app.app_context():
        db.session.get(JobRun, "bezet").claimed_by = f"{host}:{dead.pid}:abcd"
        db.session.commit()
    result = runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T10:00"])
    assert "ok  bezet" in result.output and len(calls) == 1
    forced = runner.invoke(args=["jobs", "run", "bezet", "--now", "2027-03-01T10:05"])
    assert forced.exit_code == 0 and len(calls) == 2
    assert "Onbekende taak" in runner.invoke(args=["jobs", "run", "bestaat-niet"]).output


def test_the_worker_runs_the_start_up_tasks_as_the_hourly_onderhoud_job(app, runner):
    """The start-up tasks (index repair, clean-ups) left gunicorn: the job worker runs them."""
    calls = []
    add_startup_task(app, "proef", lambda: calls.append("gedaan") or "3 hersteld")
    result = runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T10:40"])
    assert "ok  onderhoud: rate-limits opruimen: 0 verlopen teller(s) verwijderd; " in result.output
    assert "proef: 3 hersteld" in result.output
    assert calls == ["gedaan"]
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T11:20"])  # same period (xx:30)
    assert calls == ["gedaan"]
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T11:30"])
    assert calls == ["gedaan", "gedaan"]
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert "post_worker_init" not in config  # web workers do no repair work any more
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) >= 1
