"""The task queue (huey) between the web app and the job worker.

``MONITOR_QUEUE_URL`` chooses where tasks wait:

- empty (the default): a SQLite file ``instance/queue.sqlite`` (huey's ``SqliteHuey``), for
  one machine where web app and worker share the instance folder;
- ``sqlite:////pad/naar/queue.sqlite``: that file;
- ``redis://host:6379/0`` (or ``rediss://``): a Redis server (huey's ``RedisHuey``), for
  web and worker on several machines.

The queue holds only "do this soon" (send the mail now) and the worker's scheduler tick;
what to do is always in the database (the outbox, ``job_runs``), so a lost queue loses
nothing: the every-minute tick finds the work anyway.
"""

from __future__ import annotations

import logging
import os
import weakref

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

logger = logging.getLogger(__name__)

_QUEUES: weakref.WeakKeyDictionary[Flask, Huey] = weakref.WeakKeyDictionary()


def _storage(app: Flask) -> Huey:
    url = app.config["QUEUE_URL"]
    name = app.config["QUEUE_NAME"]
    if not url:
        return SqliteHuey(name, filename=os.path.join(app.instance_path, "queue.sqlite"),
                          results=False, utc=True, timeout=10)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url[len("sqlite:///"):], results=False, utc=True, timeout=10)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from redis import ConnectionPool

        # Short timeouts: a request that queues a task never waits long for a Redis away.
        pool = ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        return RedisHuey(name, connection_pool=pool, results=False, utc=True)
    raise ValueError(f"MONITOR_QUEUE_URL: onbekend soort adres {url.split(':', 1)[0]!r} "
                     "(leeg, sqlite:///… of redis://…)")


def build(app: Flask) -> Huey:
    """The huey instance of ``app`` with the worker's tasks bound to this app."""
    from ..ops.startup import run_startup_tasks
    from . import runner

    huey = _storage(app)

    @huey.task(name="monitor.run_soon")
    def run_soon_task(name: str) -> None:
        runner.run_unrecorded(app, name)

    @huey.task(name="monitor.startup_tasks")
    def startup_task() -> None:
        for result in run_startup_tasks(app):
            logger.info("Start-up task %s: %s", result.name, result.message)

    @huey.periodic_task(crontab(), name="monitor.run_due")
    def tick() -> None:
        runner.run_due(app)

    huey.monitor_tasks = {"run_soon": run_soon_task, "startup": startup_task, "tick": tick}
    return huey


def queue(app: Flask | None = None) -> Huey:
    """The queue of ``app`` (default: the current app), made on first use."""
    app = app or current_app._get_current_object()
    huey = _QUEUES.get(app)
    if huey is None:
        huey = _QUEUES[app] = build(app)
    return huey


def run_soon(name: str, app: Flask | None = None) -> bool:
    """Ask the worker to run the job ``name`` now, outside its schedule.

    Never raises: when the queue cannot be reached the job still runs at its next
    scheduled minute. Returns whether the request was queued.
    """
    try:
        queue(app).monitor_tasks["run_soon"](name)
    except Exception:  # noqa: BLE001 - the queue is a shortcut, never a dependency
        logger.warning("Could not queue job %s; it runs at its next scheduled time", name,
                       exc_info=True)
        return False
    return True
