"""The job worker: a huey task queue, and the periodic jobs modules register.

For other modules::

    from monitor.jobs import run_after_commit, run_soon

``add_job(app, "naam", func, every=...)`` (:mod:`monitor.registry`) registers a periodic job;
``run_after_commit("naam")`` asks the worker to run it as soon as the current transaction
has committed (sending the mail a request just queued). ``flask --app wsgi worker`` runs the
worker, ``flask --app wsgi jobs run-due [--now]`` the due jobs once.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from ..extensions import db
from ..registry import add_job
from .queue import queue, run_soon

__all__ = ["init_app", "queue", "run_after_commit", "run_soon"]

_AFTER_COMMIT = "monitor.jobs.after_commit"


def run_after_commit(name: str) -> None:
    """Run the job ``name`` soon after the current database transaction commits.

    Nothing happens when it rolls back. For jobs that are safe beside another run of
    themselves (see :func:`monitor.jobs.runner.run_unrecorded`).
    """
    db.session.info.setdefault(_AFTER_COMMIT, set()).add(name)


def _after_commit(session) -> None:
    names = session.info.pop(_AFTER_COMMIT, None)
    for name in sorted(names or ()):
        run_soon(name)


def _after_rollback(session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def _maintenance(now) -> str:
    from flask import current_app

    from ..ops.startup import run_startup_tasks

    results = run_startup_tasks(current_app._get_current_object())
    failed = [r.name for r in results if not r.ok]
    if failed:
        raise RuntimeError(f"mislukt: {', '.join(failed)}")
    return "; ".join(f"{r.name}: {r.message}" for r in results) or "geen taken"


def init_app(app: Flask) -> None:
    from . import models  # noqa: F401  (the job_runs table)
    from .cli import jobs_cli, worker_command

    app.cli.add_command(jobs_cli)
    app.cli.add_command(worker_command)
    if not sa.event.contains(db.session, "after_commit", _after_commit):
        sa.event.listen(db.session, "after_commit", _after_commit)
        sa.event.listen(db.session, "after_rollback", _after_rollback)
    # The start-up tasks of every module (index repair, clean-ups) once an hour; the worker
    # also runs them when it starts.
    add_job(app, "onderhoud", _maintenance, every=timedelta(hours=1), offset=timedelta(minutes=30),
            order=10)
