"""Gunicorn's access log without secrets: ``logger_class`` in ``gunicorn.conf.py``.

Every logged value (request line, path, query string, referrer, other headers and
environment values a custom ``access_log_format`` may name) goes through
:func:`monitor.logscrub.scrub` first. With ``MONITOR_LOG_FORMAT=json`` (the production
default, :mod:`monitor.logs`) each request is one JSON line with its request id (the
response's ``X-Request-ID``), and gunicorn's own error log is JSON too.
"""

from __future__ import annotations

import json
import logging
import os
import traceback
from datetime import UTC, datetime

from gunicorn.glogging import Logger

from .. import logs
from ..logscrub import scrub


def _kind() -> str:
    return logs.log_format(os.environ.get("MONITOR_ENV", "production").lower() == "development")


class ScrubbingLogger(Logger):
    """Gunicorn's logger, with tokens in URLs replaced by ``…`` in the access log."""

    def setup(self, cfg):
        super().setup(cfg)
        if _kind() == "json":
            for handler in self.error_log.handlers:
                handler.setFormatter(logs.JsonFormatter("web"))
            for handler in self.access_log.handlers:
                handler.setFormatter(logging.Formatter("%(message)s"))

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: scrub(value) if isinstance(value, str) else value
                for key, value in atoms.items()}

    def access(self, resp, req, environ, request_time):
        if _kind() != "json":
            return super().access(resp, req, environ, request_time)
        if not self.cfg.accesslog:
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        path = atoms["U"] + (f"?{atoms['q']}" if atoms["q"] else "")
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO", "logger": "gunicorn.access", "process": "web", "pid": os.getpid(),
            # Unscrubbed: the id is no secret, and a 32-character id would look like one.
            "request_id": environ.get("monitor.request_id"),
            "remote": atoms["h"], "method": atoms["m"], "path": path, "protocol": atoms["H"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"], "duration_ms": round(atoms["D"] / 1000, 1),
            "referrer": None if atoms["f"] == "-" else atoms["f"],
            "user_agent": None if atoms["a"] == "-" else atoms["a"],
        }
        if not entry["request_id"]:
            entry.pop("request_id")
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False, default=str))
        except Exception:  # noqa: BLE001 - as gunicorn's own access()
            self.error(traceback.format_exc())
        return None
