"""Gunicorn settings read from the working directory (``gunicorn wsgi:app``).

Command-line options (``--workers``, ``--bind``) still win. The one thing this file
adds: when a worker has loaded the app, the modules' start-up reconciliation tasks run
(``monitor.ops.startup``), so work left pending by a crashed worker (``kill -9``) is
retried as soon as its replacement starts. Tasks are idempotent and tolerate running
in several workers at once.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl),
# shared by every instance on the machine; the platform does not use it.
control_socket_disable = True
accesslog = os.environ.get("MONITOR_ACCESS_LOG", "-") or None  # empty: no access log


def post_worker_init(worker):
    """Run the start-up tasks inside the freshly loaded app of this worker."""
    from monitor.ops.startup import run_startup_tasks

    if os.environ.get("MONITOR_STARTUP_TASKS", "1") != "0":
        run_startup_tasks(worker.wsgi)
