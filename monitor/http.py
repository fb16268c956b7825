"""Reading numbers from query strings and forms without surprises.

``str.isdigit`` accepts "²" and "٣", which ``int`` then refuses or turns into numbers the
database cannot hold; every view reads integer arguments through :func:`arg_int`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import request

from .extensions import db

_INTEGER = re.compile(r"-?[0-9]{1,12}")
MAX_ID = 2**31 - 1


def parse_int(raw: object, default: int | None = None, *, minimum: int | None = None,
              maximum: int | None = MAX_ID) -> int | None:
    """An integer in ASCII digits within [minimum, maximum], else ``default``."""
    text = str(raw).strip() if raw is not None else ""
    if not _INTEGER.fullmatch(text):
        return default
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return default
    return value


def arg_int(name: str, default: int | None = None, *, minimum: int | None = None,
            maximum: int | None = MAX_ID, source: Mapping | None = None) -> int | None:
    """The integer query argument ``name`` (or from ``source``), else ``default``."""
    values = request.args if source is None else source
    return parse_int(values.get(name), default, minimum=minimum, maximum=maximum)


def get_or_404(model, object_id: int):
    """Load a record by id or answer 404 (the first step of every view that loads one).

    :raise 404: when no such row exists.
    """
    return db.get_or_404(model, object_id)


def form_status() -> int:
    """The status of a page that shows a form: 400 when a submitted form comes back
    with errors (a POST that did not redirect), 200 when it is first shown."""
    return 400 if request.method == "POST" else 200


def flash_undo(message: str, action: str, until) -> None:
    """A notice after a removal that can be undone: the base template shows ``message``
    with an "Ongedaan maken" button (a POST with CSRF to ``action``) and until when
    (``until``: naive UTC, shown in local time)."""
    from flask import flash

    from .timeutil import format_datetime

    flash({"text": message, "undo": action, "until": format_datetime(until)}, "undo")
