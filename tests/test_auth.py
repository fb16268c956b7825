"""Sign-in, lockout, throttling, sign-out and password changes through the real routes."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Role, User

from .conftest import PASSWORD, login


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_page_is_dutch_and_has_labelled_fields(client):
    html = client.get("/account/inloggen").get_data(as_text=True)
    assert '<html lang="nl"' in html
    assert '<label class="utrecht-form-label" for="email">E-mailadres</label>' in html
    assert 'for="password">Wachtwoord</label>' in html


def test_sign_in_and_out(app, client, make_user):
    user = make_user(Role.SOCIAAL_WERKER)
    response = login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/start"
    assert client.get("/start").status_code == 200
    assert client.get("/account/uitloggen").status_code == 405  # sign-out is POST only
    client.post("/account/uitloggen")
    assert client.get("/start").status_code == 302
    assert actions(app)[-2:] == ["auth.login", "auth.logout"]


def test_email_is_case_insensitive(client, make_user):
    user = make_user(Role.RAADSLID, email="renee@test.nl")
    assert login(client, "  Renee@Test.NL ").status_code == 302
    assert user.email == "renee@test.nl"


def test_wrong_password_gives_dutch_error_and_keeps_email(client, make_user):
    user = make_user(Role.ADMIN)
    response = login(client, user.email, "fout-wachtwoord-123")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "De combinatie van e-mailadres en wachtwoord is onjuist" in html
    assert f'value="{user.email}"' in html
    assert 'aria-invalid="true"' in html


def test_unknown_account_gets_the_same_message(client):
    response = login(client, "niemand@test.nl", "wat-dan-ook-123")
    assert response.status_code == 401
    assert "De combinatie van e-mailadres en wachtwoord is onjuist" in response.get_data(as_text=True)


def test_empty_form_is_refused_with_field_errors(client):
    response = client.post("/account/inloggen", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vul uw e-mailadres in." in html and "Vul uw wachtwoord in." in html


def test_inactive_account_cannot_sign_in(client, make_user):
    user = make_user(Role.ADMIN, active=False)
    assert login(client, user.email).status_code == 401


def test_lockout_after_five_failures_then_even_the_right_password_waits(app, make_user):
    user = make_user(Role.ACCOUNTHOUDER)
    client = app.test_client()
    for _ in range(5):
        assert login(client, user.email, "fout-wachtwoord-xx").status_code == 401
    response = login(client, user.email)
    assert response.status_code == 429
    assert "Te veel mislukte pogingen voor dit account" in response.get_data(as_text=True)


def test_lockout_from_one_address_does_not_lock_the_real_user_out(app, make_user):
    user = make_user(Role.ACCOUNTHOUDER)
    attacker = app.test_client()
    for _ in range(6):
        login(attacker, user.email, "geraden-wachtwoord")
    owner = app.test_client()
    response = owner.post("/account/inloggen", data={"email": user.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302


def test_lockout_expires(app, make_user):
    user = make_user(Role.ACCOUNTHOUDER)
    client = app.test_client()
    for _ in range(5):
        login(client, user.email, "fout-wachtwoord-xx")
    with app.app_context():
        from datetime import timedelta

        from monitor.models import LoginAttempt
        from monitor.timeutil import utcnow

        db.session.execute(sa.update(LoginAttempt).values(created_at=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    assert login(client, user.email).status_code == 302


def test_one_address_guessing_many_accounts_is_throttled(app, make_user):
    app.config["LOGIN_IP_MAX_FAILURES"] = 8
    user = make_user(Role.RAADSLID)
    client = app.test_client()
    for i in range(8):
        login(client, f"gok{i}@test.nl", "fout-wachtwoord")
    response = login(client, user.email)
    assert response.status_code == 429
    assert "vanaf dit adres te veel mislukte inlogpogingen" in response.get_data(as_text=True)


def test_successful_login_follows_only_local_next(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.post("/account/inloggen?next=https://evil.example/x",
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/start"
    client.post("/account/uitloggen")
    response = client.post("/account/inloggen?next=/beheer/",
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/beheer/"
    client.post("/account/uitloggen")
    response = client.post("/account/inloggen?next=//evil.example",
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/start"


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get("/beheer/gebruikers")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/inloggen?next=")


def test_change_password_validates_and_ends_other_sessions(app, make_user):
    user = make_user(Role.BUURTCOORDINATOR)
    first, second = app.test_client(), app.test_client()
    login(first, user.email)
    login(second, user.email)
    weak = first.post("/account/wachtwoord", data={
        "current_password": PASSWORD, "new_password": "kort", "confirm": "kort"})
    assert weak.status_code == 400
    assert "minstens 12 tekens" in weak.get_data(as_text=True)
    wrong = first.post("/account/wachtwoord", data={
        "current_password": "niet-het-goede", "new_password": "een-heel-nieuw-wachtwoord",
        "confirm": "een-heel-nieuw-wachtwoord"})
    assert "Het huidige wachtwoord is onjuist." in wrong.get_data(as_text=True)
    mismatch = first.post("/account/wachtwoord", data={
        "current_password": PASSWORD, "new_password": "een-heel-nieuw-wachtwoord",
        "confirm": "een-ander-nieuw-wachtwoord"})
    assert "De twee wachtwoorden zijn niet gelijk." in mismatch.get_data(as_text=True)
    ok = first.post("/account/wachtwoord", data={
        "current_password": PASSWORD, "new_password": "een-heel-nieuw-wachtwoord",
        "confirm": "een-heel-nieuw-wachtwoord"})
    assert ok.status_code == 302
    assert first.get("/start").status_code == 200  # this session continues
    assert second.get("/start").status_code == 302  # the other one is signed out
    fresh = app.test_client()
    assert login(fresh, user.email).status_code == 401
    assert login(fresh, user.email, "een-heel-nieuw-wachtwoord").status_code == 302
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith(("scrypt:", "pbkdf2:")) and "een-heel-nieuw" not in stored


def test_first_login_forces_a_password_change(app, make_user):
    user = make_user(Role.RAADSLID, must_change_password=True)
    client = app.test_client()
    login(client, user.email)
    response = client.get("/start")
    assert response.status_code == 302 and response.headers["Location"] == "/account/wachtwoord"
    client.post("/account/wachtwoord", data={
        "current_password": PASSWORD, "new_password": "mijn-eigen-zin-van-woorden",
        "confirm": "mijn-eigen-zin-van-woorden"})
    assert client.get("/start").status_code == 200


def test_deactivation_ends_the_session_at_once(app, make_user, login_as):
    admin = login_as(Role.ADMIN)
    worker = login_as(Role.SOCIAAL_WERKER)
    assert worker.get("/start").status_code == 200
    admin.post(f"/beheer/gebruikers/{worker.user.id}/actief")
    assert worker.get("/start").status_code == 302
