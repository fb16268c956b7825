"""Start-up reconciliation: tasks run in order, one failure does not stop the rest."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Wijk
from monitor.ratelimit import RateLimitCounter, hit
from monitor.registry import add_startup_task


def test_maintenance_runs_every_task_and_reports_failures(app, runner):
    ran = []

    def repair():
        ran.append("herstel")
        db.session.add(Wijk(name="Half werk"))  # never committed: the task fails after it
        raise RuntimeError("index op slot")

    def reconcile():
        ran.append("afstemmen")
        # Runs in its own app context: the failed task's pending row is gone.
        assert db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Half werk")) is None
        return "3 verhalen opnieuw geïndexeerd"

    add_startup_task(app, "zoekindex herstellen", repair, order=20)
    add_startup_task(app, "zoekindex afstemmen", reconcile, order=30)
    result = runner.invoke(args=["maintenance"])
    assert ran == ["herstel", "afstemmen"]
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("ok  rate-limits opruimen")
    assert lines[1] == "FOUT  zoekindex herstellen: mislukt: RuntimeError: index op slot"
    assert lines[2] == "ok  zoekindex afstemmen: 3 verhalen opnieuw geïndexeerd"


def test_builtin_task_prunes_expired_rate_limit_counters(app, runner):
    with app.app_context():
        hit("oud", "k", 5, 60, now=1_000_000_000)
    result = runner.invoke(args=["maintenance"])
    assert result.exit_code == 0
    assert "1 verlopen teller(s) verwijderd" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RateLimitCounter)) == 0


def test_a_web_worker_runs_no_start_up_task_and_starts_no_thread(tmp_path, database_uri, monkeypatch):
    """Issue 15: what gunicorn loads (create_app, then requests) does no background work."""
    import importlib
    import threading

    from monitor import create_app
    from monitor import registry as registry_module

    from ..conftest import base_config

    called = []
    real = registry_module.startup_tasks
    monkeypatch.setattr(registry_module, "startup_tasks", lambda app: called.append(app) or real(app))
    monkeypatch.setattr("monitor.ops.startup.startup_tasks",
                        lambda app: called.append(app) or real(app))
    threads = set(threading.enumerate())
    web = create_app(base_config(tmp_path / "web", database_uri))
    client = web.test_client()
    try:
        for path in ("/", "/gezondheid", "/verhalen/", "/account/inloggen"):
            assert client.get(path).status_code < 500
    finally:
        with web.app_context():
            db.engine.dispose()
    assert called == []
    assert set(threading.enumerate()) - threads == set()
    assert web not in importlib.import_module("monitor.jobs.queue")._QUEUES  # the queue is only made when a task is asked for
    # The worker and `flask maintenance` still run them.
    assert [t.name for t in real(web)][:1] == ["rate-limits opruimen"]
