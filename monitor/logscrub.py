"""Secrets out of logged URLs: the one rule the access log and the error log share.

Some URLs are capabilities: a resident's private link (``/verhalen/mijn/<token>``), a
stakeholder's answer link (``/qim/oordeel/<token>``), an upload in progress
(``/tellen/import/<token>``). Whoever reads them in a log can act as their owner, so every
logged URL, referrer included, has them replaced by ``…``. No Flask import: gunicorn's
logger class (:mod:`monitor.ops.accesslog`) uses this module too.
"""

from __future__ import annotations

import re

MARK = "…"

# Path prefixes whose next segment is a secret. A new route taking a token must be listed
# here: tests/ops/test_access_log.py walks the URL map and fails otherwise.
SECRET_PATH_PREFIXES = (
    "/verhalen/mijn/",
    "/verhalen/vertel/koppel/",  # a trusted location's pairing link (issue 19)
    "/qim/oordeel/",
    "/tellen/import/",
    "/tellen/registratie/",
    "/account/wachtwoord-instellen/",
)
SECRET_PARAMS = ("token", "sleutel", "key", "password", "wachtwoord", "secret")

_PATHS = re.compile("(" + "|".join(re.escape(p) for p in SECRET_PATH_PREFIXES) + r")[^/?#\s\"']+")
_PARAMS = re.compile(r"(?i)([?&;](?:" + "|".join(SECRET_PARAMS) + r")=)[^&;#\s\"']*")
# Anything that looks like a random key (32+ URL-safe characters), also percent-encoded
# inside another parameter (``?next=%2Fverhalen%2Fmijn%2F…``): never worth keeping in a log.
_LONG_RUN = re.compile(r"[A-Za-z0-9_\-]{32,}")


def scrub(text: str) -> str:
    """``text`` (a URL, a request line, a referrer) with every secret replaced by ``…``."""
    if not text:
        return text
    text = _PATHS.sub(r"\1" + MARK, text)
    text = _PARAMS.sub(r"\1" + MARK, text)
    return _LONG_RUN.sub(MARK, text)


def has_secret(path: str) -> bool:
    """Whether the path itself is a capability (such pages send no referrer)."""
    return bool(path) and path.startswith(SECRET_PATH_PREFIXES)
