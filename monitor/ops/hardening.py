"""Request hardening for every route: NUL characters never reach the database.

PostgreSQL cannot store NUL (``\\x00``) in text and raises on it, which would surface as
a 500; SQLite stores it and cuts strings short in places. No person types a NUL, so a
request carrying one in its address, query string, form fields, file names or JSON
text is refused with a Dutch 400 page before any view runs.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest

MESSAGE = ("Het verzoek bevat een ongeldig teken (een nul-teken). Controleer wat u invulde "
           "of plakte en probeer het opnieuw.")


def _has_nul(values) -> bool:
    return any("\x00" in str(v) for v in values)


def reject_nul_bytes() -> None:
    """``before_request`` hook: refuse NUL in path, query, form, file names or JSON."""
    if "\x00" in request.path or _has_nul((request.view_args or {}).values()):
        _refuse()
    if _has_nul(request.args.keys()) or _has_nul(v for _, v in request.args.items(multi=True)):
        _refuse()
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            body = request.get_data(cache=True)
            if b"\\u0000" in body or b"\x00" in body:
                _refuse()
        else:
            form = request.form
            if _has_nul(form.keys()) or _has_nul(v for _, v in form.items(multi=True)):
                _refuse()
            files = request.files
            if _has_nul(files.keys()) or _has_nul(f.filename or "" for _, f in files.items(multi=True)):
                _refuse()


def _refuse() -> None:
    error = BadRequest()
    error.dutch_message = MESSAGE  # type: ignore[attr-defined]  (read by monitor.errors)
    raise error


def register(app: Flask) -> None:
    """Install the request checks on ``app``."""
    app.before_request(reject_nul_bytes)
