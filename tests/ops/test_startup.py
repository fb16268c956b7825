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
