"""Security controls the ASVS checklist (docs/security.md) points to, not tested elsewhere."""

from __future__ import annotations

import time

import itsdangerous
import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db
from monitor.models import Role

from ..conftest import base_config, login


def test_a_session_cookie_copied_before_logout_no_longer_works(app, make_user):
    user = make_user(Role.ADMIN)
    client = app.test_client()
    login(client, user.email)
    stolen = client.get_cookie("tv_session").value
    client.post("/account/uitloggen")
    replay = app.test_client()
    replay.set_cookie("tv_session", stolen)
    response = replay.get("/start")
    assert response.status_code == 302 and "/account/inloggen" in response.headers["Location"]


def test_a_session_expires_after_the_session_lifetime(app, make_user, monkeypatch):
    user = make_user(Role.RAADSLID)
    client = app.test_client()
    nine_hours_ago = int(time.time()) - 9 * 3600
    with monkeypatch.context() as m:  # the cookie is signed as if nine hours ago
        m.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: nine_hours_ago)
        assert login(client, user.email).status_code == 302
    response = client.get("/start")
    assert response.status_code == 302 and "/account/inloggen" in response.headers["Location"]


def test_session_cookie_attributes_in_production(tmp_path, database_uri, make_user, app):
    config = base_config(tmp_path / "prod", app.config["SQLALCHEMY_DATABASE_URI"])
    config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    prod = create_app(config)
    user = make_user(Role.ADMIN)
    response = prod.test_client().post(
        "/account/inloggen", data={"email": user.email, "password": "correct-paard-batterij-niet"},
        base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("tv_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    with prod.app_context():
        db.session.remove()
        db.engine.dispose()


def test_passwords_are_hashed_with_scrypt_by_default(tmp_path):
    app = create_app({k: v for k, v in base_config(tmp_path / "i", f"sqlite:///{tmp_path}/x.sqlite").items()
                      if k != "PASSWORD_HASH_METHOD"})
    with app.app_context():
        from monitor.auth.services import hash_password

        stored = hash_password("een-lange-wachtzin-voor-de-test")
    assert stored.startswith("scrypt:") and "wachtzin" not in stored


def test_markup_typed_by_a_user_is_shown_as_text(app, login_as):
    admin = login_as(Role.ADMIN)
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert admin.post("/beheer/organisaties/nieuw", data={
        "name": name, "kind": "welzijn", "description": ""}).status_code == 302
    html = admin.get("/beheer/organisaties").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_sql_metacharacters_are_data_not_code(app, login_as):
    admin = login_as(Role.ADMIN)
    name = "Robert'); DROP TABLE wijken;--"
    assert admin.post("/beheer/wijken/nieuw", data={"name": name, "code": ""}).status_code == 302
    with app.app_context():
        names = set(db.session.scalars(sa.select(sa.column("name")).select_from(sa.table("wijken"))))
    assert name in names and len(names) == 9


def test_nul_characters_are_refused_with_a_dutch_400(login_as):
    admin = login_as(Role.ADMIN)
    response = admin.post("/beheer/wijken/nieuw", data={"name": "Oost\x00", "code": ""})
    assert response.status_code == 400
    assert "ongeldig teken" in response.get_data(as_text=True)
    assert admin.get("/beheer/audit?actie=a%00b").status_code == 400
    json_response = admin.post("/beheer/wijken/nieuw", data='{"name": "a\\u0000"}',
                               content_type="application/json")
    assert json_response.status_code == 400


def test_form_messages_of_the_framework_are_dutch(app, login_as):
    admin = login_as(Role.ADMIN)
    response = admin.post("/beheer/perioden/1", data={"deadline": "2026-06-01",
                                                       "lock_date": "30-02-2026"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ongeldige datum." in html and "Not a valid" not in html
    response = admin.post("/beheer/organisaties/nieuw", data={"name": "X", "kind": "onzin"})
    assert response.status_code == 400
    assert "Ongeldige keuze." in response.get_data(as_text=True)


def test_a_json_body_that_is_not_an_object_cannot_break_a_form(login_as):
    admin = login_as(Role.ADMIN)
    for body in ("false", "[1, 2, 3]", '"tekst"', '{"name": {"genest": 1}, "code": [null]}'):
        response = admin.post("/beheer/wijken/nieuw", data=body, content_type="application/json")
        assert response.status_code == 400, body
        assert "Vul een naam in." in response.get_data(as_text=True)


def test_ids_beyond_the_database_range_are_404(login_as):
    admin = login_as(Role.ADMIN)
    for url in ("/beheer/gebruikers/2147483648", "/beheer/wijken/99999999999999999999"):
        assert admin.get(url).status_code == 404, url
    assert admin.get("/beheer/wijken/2147483647").status_code == 404
