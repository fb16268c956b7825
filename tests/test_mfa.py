"""Second sign-in factor (TOTP with recovery codes): enrolment, sign-in, replay, reset (issue 12).

The test base configuration asks nobody for a second factor (``MFA_REQUIRED_ROLES``
empty) so the other tests can sign admins in with the password; these tests set the
production default (admin and accounthouder) or another choice themselves.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from monitor import create_app
from monitor.auth.models import RecoveryCode
from monitor.extensions import db
from monitor.models import AuditEvent, Role, User

from .conftest import PASSWORD, base_config, login

PRODUCTION_DEFAULT = frozenset({"admin", "accounthouder"})


@pytest.fixture
def required(app):
    app.config["MFA_REQUIRED_ROLES"] = PRODUCTION_DEFAULT
    return app


def enrol(client) -> tuple[str, list[str]]:
    """Set up the second factor through the pages; returns the secret and the recovery codes."""
    assert client.post("/account/tweede-factor", data={"stap": "begin"}).status_code == 302
    page = client.get("/account/tweede-factor").get_data(as_text=True)
    secret = re.search(r'<code id="mfa-secret" class="mfa-secret">([^<]+)</code>', page).group(1).replace(" ", "")
    response = client.post("/account/tweede-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    return secret, codes


def next_code(secret: str) -> str:
    """The code of the next 30-second step (the current one was used to confirm)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def code_step(client, code: str):
    return client.post("/account/inloggen/code", data={"code": code})


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_production_default_and_a_typo_stops_the_start(tmp_path, monkeypatch):
    config = {k: v for k, v in base_config(tmp_path / "a", f"sqlite:///{tmp_path}/a.sqlite").items()
              if k != "MFA_REQUIRED_ROLES"}
    monkeypatch.delenv("MONITOR_MFA_REQUIRED_ROLES", raising=False)
    assert create_app(config).config["MFA_REQUIRED_ROLES"] == PRODUCTION_DEFAULT
    monkeypatch.setenv("MONITOR_MFA_REQUIRED_ROLES", "admin, raadslid")
    assert create_app(config).config["MFA_REQUIRED_ROLES"] == {"admin", "raadslid"}
    monkeypatch.setenv("MONITOR_MFA_REQUIRED_ROLES", "admn")
    with pytest.raises(ValueError, match="unknown role"):
        create_app(config)


def test_an_admin_is_sent_to_enrolment_before_anything_else(required, make_user):
    user = make_user(Role.ADMIN)
    client = required.test_client()
    assert login(client, user.email).status_code == 302
    for url in ("/start", "/beheer/", "/beheer/gebruikers", "/account/"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/account/tweede-factor", url
    page = client.get("/account/tweede-factor").get_data(as_text=True)
    assert "Voor uw rol (Beheerder) is inloggen met een tweede factor verplicht" in page
    assert client.post("/account/tweede-factor", data={"stap": "begin"}).status_code == 302
    page = client.get("/account/tweede-factor").get_data(as_text=True)
    secret = re.search(r'<code id="mfa-secret" class="mfa-secret">([^<]+)</code>', page).group(1).replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    qr = re.search(r'<img src="(data:image/svg\+xml[^"]+)"[^>]*alt="QR-code', page)
    assert qr and "<script" not in page.split("<main", 1)[1]
    wrong = client.post("/account/tweede-factor", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert wrong.status_code == 400 and 'id="code-error"' in wrong.get_data(as_text=True)
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 302  # still not enrolled
    confirmed = client.post("/account/tweede-factor", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", confirmed.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/beheer/").status_code == 200
    # Never shown again: the set-up page sends the user to the account page, which has no secret.
    assert client.get("/account/tweede-factor").headers["Location"] == "/account/"
    account = client.get("/account/").get_data(as_text=True)
    assert secret not in account and not any(c in account for c in codes) and "10 ongebruikte herstelcodes" in account
    with required.app_context():
        stored = db.session.get(User, user.id)
        assert stored.mfa_secret.startswith("v1:") and secret not in stored.mfa_secret
        hashes = list(db.session.scalars(sa.select(RecoveryCode.code_hash)))
        assert len(hashes) == 10 and not set(codes) & set(hashes)
        assert not any(c.replace("-", "") in h for c in codes for h in hashes)
    assert "auth.mfa_enable" in actions(required)


def test_sign_in_asks_for_the_code_and_the_half_way_state_grants_nothing(required, make_user):
    user = make_user(Role.ACCOUNTHOUDER)
    client = required.test_client()
    login(client, user.email)
    secret, _ = enrol(client)
    client.post("/account/uitloggen")

    response = login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/account/inloggen/code"
    for url in ("/start", "/tellen/te-beoordelen", "/account/", "/account/tweede-factor"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/account/inloggen?next="), url
    assert client.post("/account/uitloggen").status_code == 302  # not signed in: to the login page
    page = client.get("/account/inloggen/code").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and "Code" in page
    wrong = code_step(client, "12345")
    assert wrong.status_code == 401 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    response = code_step(client, next_code(secret))
    assert response.status_code == 302 and response.headers["Location"] == "/start"
    assert client.get("/tellen/te-beoordelen").status_code == 200
    trail = [a for a in actions(required) if a in ("auth.login_password", "auth.mfa_failed", "auth.login")]
    assert trail[-3:] == ["auth.login_password", "auth.mfa_failed", "auth.login"]


def test_a_code_works_once(required, make_user):
    user = make_user(Role.ACCOUNTHOUDER)
    client = required.test_client()
    login(client, user.email)
    secret, _ = enrol(client)
    client.post("/account/uitloggen")
    code = next_code(secret)
    login(client, user.email)
    assert code_step(client, code).status_code == 302
    client.post("/account/uitloggen")
    other = required.test_client()  # an eavesdropper replaying the code elsewhere
    login(other, user.email)
    replay = code_step(other, code)
    assert replay.status_code == 401
    assert "Deze code is al gebruikt" in replay.get_data(as_text=True)
    assert other.get("/start").status_code == 302
    assert "auth.mfa_replay" in actions(required)


def test_the_reset_command_for_a_locked_out_admin(required, make_user):
    user = make_user(Role.ADMIN)
    client = required.test_client()
    login(client, user.email)
    enrol(client)
    result = required.test_cli_runner().invoke(args=["reset-mfa", user.email.upper()])
    assert result.exit_code == 0 and "is gewist" in result.output
    with required.app_context():
        assert db.session.get(User, user.id).mfa_secret is None
    assert "user.mfa_reset" in actions(required)
    unknown = required.test_cli_runner().invoke(args=["reset-mfa", "niemand@test.nl"])
    assert unknown.exit_code != 0 and "Geen account" in unknown.output


def test_a_recovery_code_works_once(required, make_user):
    user = make_user(Role.ADMIN)
    client = required.test_client()
    login(client, user.email)
    _, codes = enrol(client)
    client.post("/account/uitloggen")
    login(client, user.email)
    response = code_step(client, codes[3].upper().replace("-", " "))  # typed loosely
    assert response.status_code == 302
    assert "U heeft er nog 9" in client.get("/start").get_data(as_text=True)
    client.post("/account/uitloggen")
    login(client, user.email)
    assert code_step(client, codes[3]).status_code == 401
    assert "auth.mfa_recovery_used" in actions(required)


def test_guessing_codes_is_limited_and_starts_over(required, make_user):
    user = make_user(Role.ACCOUNTHOUDER)
    client = required.test_client()
    login(client, user.email)
    secret, _ = enrol(client)
    client.post("/account/uitloggen")
    login(client, user.email)
    real = {pyotp.TOTP(secret).at(time.time() + d) for d in (-30, 0, 30, 60)}
    wrong = next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in real)
    for _ in range(5):
        assert code_step(client, wrong).status_code == 401
    refused = code_step(client, next_code(secret))
    assert refused.status_code == 429 and "te veel codes geprobeerd" in refused.get_data(as_text=True)
    # The half-way state is gone: the password has to be given again (and the limit holds).
    assert client.get("/account/inloggen/code").headers["Location"] == "/account/inloggen"
    login(client, user.email)
    assert code_step(client, next_code(secret)).status_code == 429
    assert "auth.mfa_throttled" in actions(required)


def test_the_half_way_state_expires(required, make_user):
    user = make_user(Role.ACCOUNTHOUDER)
    client = required.test_client()
    login(client, user.email)
    secret, _ = enrol(client)
    client.post("/account/uitloggen")
    login(client, user.email)
    with client.session_transaction() as state:
        state["mfa_pending"]["t"] -= 301
        state.modified = True
    response = code_step(client, next_code(secret))
    assert response.status_code == 302 and response.headers["Location"] == "/account/inloggen"


def test_optional_for_other_roles_and_they_can_switch_it_off(required, make_user):
    user = make_user(Role.RAADSLID)
    client = required.test_client()
    login(client, user.email)
    assert client.get("/start").status_code == 200  # not required
    assert "Tweede factor instellen" in client.get("/account/").get_data(as_text=True)
    secret, codes = enrol(client)
    client.post("/account/uitloggen")
    assert login(client, user.email).headers["Location"] == "/account/inloggen/code"
    code_step(client, next_code(secret))
    assert "Tweede factor uitzetten" in client.get("/account/").get_data(as_text=True)
    bad = client.post("/account/tweede-factor/uitzetten", data={"password": "fout-fout-fout", "code": codes[0]})
    assert bad.status_code == 400 and "Het wachtwoord is onjuist." in bad.get_data(as_text=True)
    ok = client.post("/account/tweede-factor/uitzetten", data={"password": PASSWORD, "code": codes[0]})
    assert ok.status_code == 302
    client.post("/account/uitloggen")
    assert login(client, user.email).headers["Location"] == "/start"
    assert "auth.mfa_disable" in actions(required)


def test_a_required_role_cannot_switch_it_off_and_can_renew_recovery_codes(required, make_user):
    user = make_user(Role.ACCOUNTHOUDER)
    client = required.test_client()
    login(client, user.email)
    secret, codes = enrol(client)
    assert "Tweede factor uitzetten" not in client.get("/account/").get_data(as_text=True)
    refused = client.post("/account/tweede-factor/uitzetten", data={"password": PASSWORD, "code": codes[0]})
    assert "is een tweede factor verplicht" in refused.get_data(as_text=True)
    wrong = client.post("/account/tweede-factor/herstelcodes", data={"password": "niet-het-goede"})
    assert wrong.status_code == 400
    renewed = client.post("/account/tweede-factor/herstelcodes", data={"password": PASSWORD})
    new_codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", renewed.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    client.post("/account/uitloggen")
    login(client, user.email)
    assert code_step(client, codes[1]).status_code == 401  # the old ones no longer work
    assert code_step(client, new_codes[1]).status_code == 302


def test_the_admin_resets_a_lost_second_factor(required, make_user):
    required.config["MFA_REQUIRED_ROLES"] = frozenset({"accounthouder"})
    holder = make_user(Role.ACCOUNTHOUDER)
    phone = required.test_client()
    login(phone, holder.email)
    enrol(phone)
    assert phone.get("/start").status_code == 200
    admin_user = make_user(Role.ADMIN)
    admin = required.test_client()
    login(admin, admin_user.email)
    assert "Tweede factor wissen" in admin.get(f"/beheer/gebruikers/{holder.id}").get_data(as_text=True)
    response = admin.post(f"/beheer/gebruikers/{holder.id}/tweede-factor")
    assert response.status_code == 302
    assert phone.get("/start").status_code == 302  # the holder's sessions ended
    with required.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.mfa_reset"))
        assert event.actor_id == admin_user.id and event.object_id == str(holder.id)
        assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
        assert db.session.get(User, holder.id).mfa_secret is None
    fresh = required.test_client()
    assert login(fresh, holder.email).headers["Location"] == "/start"
    assert fresh.get("/start").headers["Location"] == "/account/tweede-factor"  # sets up a new one
    # The own factor is not reset this way.
    assert admin.post(f"/beheer/gebruikers/{admin_user.id}/tweede-factor").status_code == 302
    assert "via Mijn account" in admin.get(f"/beheer/gebruikers/{admin_user.id}").get_data(as_text=True)


def test_the_secret_is_bound_to_its_user_and_survives_a_key_rotation(app, make_user):
    from monitor.auth import mfa

    with app.app_context():
        sealed = mfa.encrypt_secret(7, "JBSWY3DPEHPK3PXP")
        assert mfa.decrypt_secret(7, sealed) == "JBSWY3DPEHPK3PXP"
        assert mfa.decrypt_secret(8, sealed) is None  # copied to another account: useless
        old_key = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "een-nieuwe-sleutel-na-rotatie"
        assert mfa.decrypt_secret(7, sealed) is None
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert mfa.decrypt_secret(7, sealed) == "JBSWY3DPEHPK3PXP"
