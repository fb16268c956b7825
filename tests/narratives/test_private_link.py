"""Issue 12: the resident's private withdrawal link never travels in the session cookie."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.narratives.models import Story

from ..cookies import session_cookie_contents


def test_the_withdrawal_link_never_travels_in_the_session_cookie(narr_app, client, public_form):
    response = client.post("/verhalen/vertel", data=public_form(), content_type="multipart/form-data")
    assert response.status_code == 302
    cookie = session_cookie_contents(narr_app, client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    private = re.search(r'href="https?://localhost/verhalen/mijn/([^"]+)"', page).group(1)
    assert len(private) >= 40
    assert private not in cookie
    with narr_app.app_context():
        stored = db.session.scalar(sa.select(Story.withdrawal_token_hash))
    assert stored == hashlib.sha256(private.encode()).hexdigest()
    # Shown once: a second visit (or a replayed cookie) no longer shows it.
    again = client.get("/verhalen/vertel/ontvangen")
    assert again.status_code == 302 and private not in again.get_data(as_text=True)
