"""Gunicorn settings read from the working directory (``gunicorn wsgi:app``).

Command-line options (``--workers``, ``--bind``) still win. Besides a few defaults, this
file runs the modules' start-up reconciliation tasks (``monitor.ops.startup``) in a
background thread whenever a worker has loaded the app, so work left pending by a
crashed worker (``kill -9``) is retried as soon as gunicorn has replaced it. Tasks are
idempotent and tolerate running in several workers at once.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl),
# shared by every instance on the machine; the platform does not use it.
control_socket_disable = True
accesslog = os.environ.get("MONITOR_ACCESS_LOG", "-") or None  # empty: no access log
# Private links (a resident's withdrawal link, a stakeholder's answer link) are secrets:
# the access log shows them, and referrers, as "…" (monitor/logscrub.py).
logger_class = "monitor.ops.accesslog.ScrubbingLogger"


def post_worker_init(worker):
    """Run the start-up tasks for the freshly loaded app of this worker, in the background.

    A thread, so that a slow task (re-indexing many stories) neither delays serving nor
    makes gunicorn's arbiter kill the worker for missing its heartbeat (``timeout``).
    """
    import threading

    from monitor.ops.startup import run_startup_tasks

    if os.environ.get("MONITOR_STARTUP_TASKS", "1") == "0":
        return None
    thread = threading.Thread(target=run_startup_tasks, args=(worker.wsgi,),
                              name="monitor-startup-tasks", daemon=True)
    thread.start()
    return thread  # gunicorn ignores it; tests wait for it
