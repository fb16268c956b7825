"""Gunicorn's access log without secrets: ``logger_class`` in ``gunicorn.conf.py``.

Every logged value (request line, path, query string, referrer, other headers and
environment values a custom ``access_log_format`` may name) goes through
:func:`monitor.logscrub.scrub` first.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from ..logscrub import scrub


class ScrubbingLogger(Logger):
    """Gunicorn's logger, with tokens in URLs replaced by ``…`` in the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: scrub(value) if isinstance(value, str) else value
                for key, value in atoms.items()}
