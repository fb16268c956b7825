"""Gunicorn settings read from the working directory (``gunicorn wsgi:app``).

Command-line options (``--workers``, ``--bind``) still win. Web workers only serve
requests: the modules' start-up reconciliation tasks (``monitor.ops.startup``: index
repair, clean-ups), sending mail and the periodic jobs run in the job worker
(``flask --app wsgi worker``, see ``docs/operations.md``), which also repairs what a
crashed web worker (``kill -9``) left pending.
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
