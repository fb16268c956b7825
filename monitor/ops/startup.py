"""Start-up reconciliation: runs the tasks modules register to retry or repair pending work.

A module registers ``monitor.registry.add_startup_task(app, "naam", func)``; ``func()`` runs inside an
app context when ``flask --app wsgi maintenance`` runs, when the job worker
(``flask --app wsgi worker``) starts and every hour as its job ``onderhoud``. Web workers
(gunicorn) never run them: with several app servers every web worker would otherwise repeat
the same repair at each start. Tasks must be idempotent and safe to run beside another run
of themselves: they repair (re-index what is missing, remove orphans), they never assume
they are alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask

from ..registry import startup_tasks

logger = logging.getLogger(__name__)


@dataclass
class TaskResult:
    name: str
    ok: bool
    message: str


def run_startup_tasks(app: Flask) -> list[TaskResult]:
    """Run every task; one failing task is logged and does not stop the others.

    Each task gets a fresh app context, and its session is rolled back and removed
    afterwards, so a failed task leaves nothing half-done in the session.
    """
    from ..extensions import db

    results = []
    for task in startup_tasks(app):
        with app.app_context():
            try:
                message = task.func() or "klaar"
            except Exception as exc:  # noqa: BLE001 - isolate every task
                logger.exception("Start-up task %s failed", task.name)
                db.session.rollback()
                results.append(TaskResult(task.name, False, f"mislukt: {exc.__class__.__name__}: {exc}"))
            else:
                logger.info("Start-up task %s: %s", task.name, message)
                results.append(TaskResult(task.name, True, message))
            finally:
                db.session.remove()
    return results
