"""Reading a Flask session cookie the way anyone holding it can: signed, not encrypted."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient


def session_cookie_contents(app: Flask, client: FlaskClient) -> str:
    """Everything the client's session cookie carries, decoded (empty without a cookie)."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if cookie is None:
        return ""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return repr(serializer.loads(cookie.value))
