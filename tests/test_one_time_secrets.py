"""Issue 12: a new account's first password is shown once and never travels in the session cookie."""

from __future__ import annotations

import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Organisation, Role, Wijk
from monitor.once import OneTimeSecret

from .cookies import session_cookie_contents


def test_first_password_is_shown_once_and_kept_out_of_the_cookie(app, login_as):
    admin = login_as(Role.ADMIN)
    with app.app_context():
        org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "MEE"))
        oost = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
    response = admin.post("/beheer/gebruikers/nieuw", data={
        "name": "Fatima El Amrani", "email": "fatima@mee.nl", "role": "sociaal_werker",
        "organisation_id": str(org_id), "wijk_ids": [str(oost)], "password": ""})
    assert response.status_code == 302
    cookie = session_cookie_contents(app, admin)
    with app.app_context():
        stored = " ".join(row.sealed for row in db.session.scalars(sa.select(OneTimeSecret)))
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    password = re.search(r"Eerste wachtwoord: (\S+) ", page).group(1)
    assert len(password) >= 12
    assert password not in cookie and "wachtwoord" not in cookie.lower()
    assert password not in stored  # the database holds it masked, and only until shown
    assert "Eerste wachtwoord" not in admin.get("/beheer/gebruikers").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OneTimeSecret)) == 0


def test_a_reset_password_is_shown_once_and_kept_out_of_the_cookie(app, login_as):
    admin = login_as(Role.ADMIN)
    worker = login_as(Role.SOCIAAL_WERKER)
    response = admin.post(f"/beheer/gebruikers/{worker.user.id}/wachtwoord")
    assert response.status_code == 302
    cookie = session_cookie_contents(app, admin)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    password = re.search(r"Nieuw eerste wachtwoord voor [^:]+: (\S+) ", page).group(1)
    assert password not in cookie
    assert "Nieuw eerste wachtwoord voor" not in admin.get(response.headers["Location"]).get_data(as_text=True)
    # Copying the cookie to another browser shows nothing either.
    other = app.test_client()
    assert "wachtwoord voor" not in other.get("/account/inloggen").get_data(as_text=True)
