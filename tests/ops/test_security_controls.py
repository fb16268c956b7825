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
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    cookie = cookies["tv_session"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    device = cookies["tv_apparaat"]  # the known-device cookie of the sign-in throttle
    assert "Secure" in device and "HttpOnly" in device and "Path=/account/" in device
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


def test_passwords_never_reach_the_audit_trail_or_the_log(app, make_user, caplog):
    user = make_user(Role.SOCIAAL_WERKER)
    client = app.test_client()
    caplog.set_level("DEBUG")
    client.post("/account/inloggen", data={"email": user.email, "password": "geheim-fout-987654"})
    login(client, user.email)
    with app.app_context():
        from monitor.models import AuditEvent

        events = db.session.scalars(sa.select(AuditEvent)).all()
        dumped = repr([(e.summary, e.old_values, e.new_values) for e in events])
    assert [e.action for e in events] == ["auth.login_failed", "auth.login"]
    for secret in ("geheim-fout-987654", "correct-paard-batterij-niet"):
        assert secret not in dumped and secret not in caplog.text


def test_no_cross_origin_access_is_granted(login_as):
    admin = login_as(Role.ADMIN)
    response = admin.get("/beheer/gebruikers", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_long_unicode_passphrases_work_and_are_not_truncated(app, make_user):
    user = make_user(Role.BUURTCOORDINATOR)
    client = app.test_client()
    login(client, user.email)
    phrase = "Ĳsselmeer 🌷 in de wijk Oost " * 4  # 116 characters, any Unicode allowed
    response = client.post("/account/wachtwoord", data={
        "current_password": "correct-paard-batterij-niet", "new_password": phrase, "confirm": phrase})
    assert response.status_code == 302
    fresh = app.test_client()
    assert login(fresh, user.email, phrase[:-1]).status_code == 401  # not truncated
    assert login(fresh, user.email, phrase).status_code == 302


def test_common_passwords_are_refused(login_as):
    client = login_as(Role.RAADSLID)
    response = client.post("/account/wachtwoord", data={
        "current_password": "correct-paard-batterij-niet", "new_password": "welkom123456",
        "confirm": "welkom123456"})
    assert response.status_code == 400
    assert "te eenvoudig te raden" in response.get_data(as_text=True)


def test_no_directory_listing(client):
    for url in ("/static/", "/static/css/", "/static/vendor/"):
        assert client.get(url).status_code == 404, url


def test_production_defaults(tmp_path, monkeypatch):
    for name in ("MONITOR_ENV", "MONITOR_SECURE_COOKIES", "FLASK_DEBUG", "MONITOR_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MONITOR_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "a-production-key-from-the-secret-store-0123456789")  # required
    app = create_app()
    assert app.debug is False and app.testing is False
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["TRUSTED_PROXIES"] == 0
    response = app.test_client().get("/account/inloggen")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
