"""Process logs: JSON lines with a request id (production) or plain text (development).

``MONITOR_LOG_FORMAT`` chooses: ``json`` (the default in production: one JSON object per
line on stderr, for the platform's log collector) or ``text`` (the default with
``MONITOR_ENV=development``). The app, gunicorn's access and error log
(:mod:`monitor.ops.accesslog`) and the job worker (``flask worker``) use the same format.

Every request gets an id: the ``X-Request-ID`` header when a trusted proxy
(``MONITOR_TRUSTED_PROXIES`` > 0) sent a well-formed one, else a new random one. It is in
every log line written during the request and in the response's ``X-Request-ID`` header,
so one line in the access log leads to the app's lines about the same request.
Likewise every line written while the worker runs a job carries the job's name and the id of
that run (``job``, ``job_run``; for a scheduled run the claim in ``job_runs.claimed_by``), so
the lines of one run — a failing mail, a slow index repair — can be found together.
Messages go through :func:`monitor.logscrub.scrub` (private links and keys become ``…``).
No Flask import at module level: gunicorn's logger class uses this module too.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from .logscrub import scrub

HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def log_format(development: bool) -> str:
    """``json`` or ``text`` from ``MONITOR_LOG_FORMAT`` (default by environment)."""
    value = os.environ.get("MONITOR_LOG_FORMAT", "").strip().lower()
    if value in {"json", "text"}:
        return value
    return "text" if development else "json"


_JOB: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("monitor_job", default=None)


@contextmanager
def job_context(name: str, run_id: str | None = None) -> Iterator[str]:
    """Mark the log lines written inside as belonging to one run of the job ``name``."""
    run_id = run_id or uuid.uuid4().hex[:12]
    token = _JOB.set((name, run_id))
    try:
        yield run_id
    finally:
        _JOB.reset(token)


def current_job() -> tuple[str, str] | None:
    """``(job name, run id)`` of the job being run in this context, if any."""
    return _JOB.get()


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover - gunicorn always has Flask beside it
        return None
    if has_request_context():
        return g.get("request_id")
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, exception."""

    def __init__(self, process_type: str = "app"):
        super().__init__()
        self.process_type = process_type

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "process": self.process_type,
            "pid": record.process,
            "message": scrub(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        job = current_job()
        if job:
            entry["job"], entry["job_run"] = job
        for key, value in vars(record).items():  # extra={...} fields
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = scrub(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The development format, with the request id when there is one; scrubbed too."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = scrub(super().format(record))
        request_id = current_request_id()
        job = current_job()
        if job:
            text = f"{text} [job {job[0]} {job[1]}]"
        return f"{text} [{request_id}]" if request_id else text


def formatter(kind: str, process_type: str = "app") -> logging.Formatter:
    return JsonFormatter(process_type) if kind == "json" else TextFormatter()


def configure(kind: str, process_type: str = "app") -> None:
    """Root logger at INFO to stderr in ``kind`` format.

    Like :func:`logging.basicConfig`, it leaves a root logger that already has handlers of
    someone else (pytest's capture, a ``logconfig``) alone; its own handler is reformatted
    when called again (the worker names itself).
    """
    root = logging.getLogger()
    own = [h for h in root.handlers if getattr(h, "monitor_handler", False)]
    if not own:
        if root.handlers:
            return
        handler = logging.StreamHandler()
        handler.monitor_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        own = [handler]
    for handler in own:
        handler.setFormatter(formatter(kind, process_type))
    root.setLevel(logging.INFO)


def incoming_request_id(headers, trusted_proxies: int) -> str:
    """The proxy's ``X-Request-ID`` when trusted and well-formed, else a new one."""
    if trusted_proxies > 0:
        value = (headers.get(HEADER) or "").strip()
        if _VALID_ID.match(value):
            return value
    return uuid.uuid4().hex


def init_app(app) -> None:
    """Give every request its id (``g.request_id``) and return it in ``X-Request-ID``."""
    from flask import g, request

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = incoming_request_id(request.headers, app.config.get("TRUSTED_PROXIES", 0))
        request.environ["monitor.request_id"] = g.request_id

    @app.after_request
    def return_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[HEADER] = request_id
        return response
