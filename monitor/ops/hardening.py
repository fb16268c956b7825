"""Request hardening for every route: text that cannot be stored never reaches a view.

- NUL (``\\x00``): PostgreSQL cannot store it in text and raises on it (a 500); SQLite
  stores it and cuts strings short in places.
- Lone UTF-16 surrogates (U+D800–U+DFFF): a JSON string may carry ``"\\ud800"``; Python
  holds it, but it cannot be encoded to UTF-8 for the database or the page (issue 12:
  a 500 on every form and on the API). A surrogate *pair* escape is one real character
  (an emoji) and is decoded as such by the JSON parser, so it passes.
- Bytes that are not UTF-8 in the query string (Werkzeug raises decoding them), and JSON
  nested too deeply for the parser.

No person types any of these, so a request carrying one in its address, query string,
form fields, file names or JSON (keys and values, at any depth) is refused with a Dutch
400 page (JSON for API clients) before any view runs.
"""

from __future__ import annotations

import json
import re

from flask import Flask, request
from werkzeug.exceptions import BadRequest

MESSAGE = ("Het verzoek bevat een ongeldig teken (een nul-teken). Controleer wat u invulde "
           "of plakte en probeer het opnieuw.")
SURROGATE_MESSAGE = ("Het verzoek bevat een teken dat geen tekst kan zijn (een losse "
                     "UTF-16-surrogaat, U+D800–U+DFFF). Controleer wat u invulde of plakte en "
                     "probeer het opnieuw.")
UNDECODABLE_MESSAGE = ("Het verzoek bevat een teken dat geen tekst kan zijn (geen geldige "
                       "UTF-8). Controleer het adres of wat u invulde en probeer het opnieuw.")
NESTING_MESSAGE = "Het verzoek kon niet worden gelezen: de JSON is te diep genest."
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_nul(values) -> bool:
    return any("\x00" in str(v) for v in values)


def _has_surrogate(values) -> bool:
    return any(_SURROGATE.search(str(v)) for v in values)


def _check(values) -> None:
    values = list(values)
    if _has_nul(values):
        _refuse(MESSAGE)
    if _has_surrogate(values):
        _refuse(SURROGATE_MESSAGE)


def _json_strings(document):
    """Every key and string value of a parsed JSON document, at any depth (no recursion)."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from (k for k in item if isinstance(k, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _json_body() -> object:
    """The parsed JSON body, or ``None`` when it is not valid JSON (the view answers that)."""
    body = request.get_data(cache=True)
    try:
        return json.loads(body)
    except RecursionError:
        _refuse(NESTING_MESSAGE)
    except ValueError:  # includes bytes that are not UTF-8
        return None


def reject_invalid_text() -> None:
    """``before_request`` hook: refuse NUL, lone surrogates and undecodable query bytes."""
    if "\x00" in request.path or _has_nul((request.view_args or {}).values()):
        _refuse(MESSAGE)
    _check((request.view_args or {}).values())
    try:
        args = list(request.args.items(multi=True))
    except UnicodeDecodeError:
        _refuse(UNDECODABLE_MESSAGE)
    _check(k for k, _ in args)
    _check(v for _, v in args)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            body = request.get_data(cache=True)
            if b"\\u0000" in body or b"\x00" in body:
                _refuse(MESSAGE)
            _check(_json_strings(_json_body()))
        else:
            form = request.form
            _check(form.keys())
            _check(v for _, v in form.items(multi=True))
            files = request.files
            _check(files.keys())
            _check(f.filename or "" for _, f in files.items(multi=True))


# The name the hook had when it only refused NUL characters.
reject_nul_bytes = reject_invalid_text


def _refuse(message: str) -> None:
    error = BadRequest()
    error.dutch_message = message  # type: ignore[attr-defined]  (read by monitor.errors)
    raise error


def register(app: Flask) -> None:
    """Install the request checks on ``app``."""
    app.before_request(reject_invalid_text)
