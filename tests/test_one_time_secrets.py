"""Issue 12: a new account's first password is shown once and never travels in the session cookie."""

from __future__ import annotations

import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Organisation, Role, Wijk
from monitor.once import OneTimeSecret

from .cookies import session_cookie_contents


def _invitation_link(app) -> str:
    from monitor.notifications.models import OutgoingMessage

    with app.app_context():
        body = db.session.scalar(sa.select(OutgoingMessage.body_text).where(
            OutgoingMessage.kind == "account.invitation").order_by(OutgoingMessage.id.desc()))
    return re.search(r"(http\S+/account/wachtwoord-instellen/\S+)", body).group(1)


def test_a_new_account_shows_no_password_and_its_link_is_not_in_the_cookie(app, login_as):
    """Issue 17: no first password any more; the invitation link is in the e-mail alone."""
    admin = login_as(Role.ADMIN)
    with app.app_context():
        org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "MEE"))
        oost = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
    response = admin.post("/beheer/gebruikers/nieuw", data={
        "name": "Fatima El Amrani", "email": "fatima@mee.nl", "role": "sociaal_werker",
        "organisation_id": str(org_id), "wijk_ids": [str(oost)]})
    assert response.status_code == 302
    cookie = session_cookie_contents(app, admin)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    token = _invitation_link(app).rsplit("/", 1)[1]
    assert "wachtwoord:" not in page.lower() and token not in page
    assert token not in cookie
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OneTimeSecret)) == 0


def test_a_new_invitation_is_not_shown_nor_kept_in_the_cookie(app, login_as):
    admin = login_as(Role.ADMIN)
    worker = login_as(Role.SOCIAAL_WERKER)
    response = admin.post(f"/beheer/gebruikers/{worker.user.id}/wachtwoord")
    assert response.status_code == 302
    cookie = session_cookie_contents(app, admin)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    token = _invitation_link(app).rsplit("/", 1)[1]
    assert token not in cookie and token not in page
    assert "alle sessies zijn beëindigd" in page
