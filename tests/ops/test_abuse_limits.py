"""Abuse limits of the foundation: sign-in lockout and throttling, proxies, request size.

The sign-in rules live in ``monitor/auth/services.py``: failures are counted per
(account, address), per address and per account within ``LOGIN_LOCKOUT_MINUTES``; refused
attempts during a lock are not recorded, so a lock always ends.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db
from monitor.models import LoginAttempt, Role

from ..conftest import PASSWORD, base_config

WRONG = "fout-wachtwoord-123"


def attempt(client, email, password, address, **headers):
    return client.post("/account/inloggen", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def age_attempts(app, minutes: int) -> None:
    """Move every recorded failure ``minutes`` into the past (instead of waiting)."""
    with app.app_context():
        for row in db.session.scalars(sa.select(LoginAttempt)):
            row.created_at -= timedelta(minutes=minutes)
        db.session.commit()


def recorded(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(LoginAttempt.id)))


def test_hammering_during_a_lock_does_not_extend_it(app, client, make_user):
    user = make_user(Role.ACCOUNTHOUDER)
    for _ in range(5):
        assert attempt(client, user.email, WRONG, "203.0.113.9").status_code == 401
    for _ in range(20):  # the attacker keeps going while locked
        response = attempt(client, user.email, WRONG, "203.0.113.9")
        assert response.status_code == 429
    assert "Te veel mislukte pogingen voor dit account" in response.get_data(as_text=True)
    assert recorded(app) == 5  # refused attempts are not counted: the lock cannot grow
    age_attempts(app, 14)
    assert attempt(client, user.email, PASSWORD, "203.0.113.9").status_code == 429
    age_attempts(app, 2)  # 16 minutes after the fifth failure
    assert attempt(client, user.email, PASSWORD, "203.0.113.9").status_code == 302


def test_guessers_on_many_addresses_never_lock_out_the_owner(app, make_user):
    """Many addresses hit the per-account limit (issue 12): the owner's own browser still
    gets in at once, any other browser once the window has passed."""
    user = make_user(Role.SOCIAAL_WERKER)
    owner = app.test_client()
    assert attempt(owner, user.email, PASSWORD, "198.51.100.20").status_code == 302
    owner.post("/account/uitloggen")
    for n in range(10):
        guesser = app.test_client()
        for _ in range(6):
            attempt(guesser, user.email, WRONG, f"203.0.113.{n}")
    assert attempt(owner, user.email, PASSWORD, "198.51.100.20").status_code == 302
    assert attempt(app.test_client(), user.email, PASSWORD, "198.51.100.21").status_code == 429
    age_attempts(app, 16)
    assert attempt(app.test_client(), user.email, PASSWORD, "198.51.100.21").status_code == 302


def test_per_address_throttle_covers_many_accounts_and_expires(app, make_user):
    app.config["LOGIN_IP_MAX_FAILURES"] = 6
    user = make_user(Role.RAADSLID)
    client = app.test_client()
    for n in range(6):
        attempt(client, f"gok{n}@test.nl", WRONG, "203.0.113.50")
    refused = attempt(client, user.email, PASSWORD, "203.0.113.50")
    assert refused.status_code == 429
    assert "vanaf dit adres te veel mislukte inlogpogingen" in refused.get_data(as_text=True)
    assert attempt(app.test_client(), user.email, PASSWORD, "198.51.100.3").status_code == 302
    age_attempts(app, 16)
    assert attempt(client, user.email, PASSWORD, "203.0.113.50").status_code == 302


def test_success_clears_only_the_own_address(app, make_user):
    user = make_user(Role.ADMIN)
    client = app.test_client()
    for address in ("203.0.113.1", "203.0.113.1", "198.51.100.1"):
        attempt(client, user.email, WRONG, address)
    assert attempt(app.test_client(), user.email, PASSWORD, "203.0.113.1").status_code == 302
    with app.app_context():
        left = db.session.scalars(sa.select(LoginAttempt.ip_address)).all()
    assert left == ["198.51.100.1"]


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(app, make_user):
    """Without MONITOR_TRUSTED_PROXIES a client cannot pick its own address."""
    app.config["LOGIN_IP_MAX_FAILURES"] = 5
    user = make_user(Role.RAADSLID)
    client = app.test_client()
    for n in range(5):
        attempt(client, f"gok{n}@test.nl", WRONG, "203.0.113.7", **{"X-Forwarded-For": f"10.0.0.{n}"})
    response = attempt(client, user.email, PASSWORD, "203.0.113.7", **{"X-Forwarded-For": "10.0.0.99"})
    assert response.status_code == 429


@pytest.fixture
def proxied_app(database_uri, tmp_path, app):
    """The same database behind one trusted reverse proxy (nginx → gunicorn)."""
    config = base_config(tmp_path / "proxy-instance", app.config["SQLALCHEMY_DATABASE_URI"])
    config["TRUSTED_PROXIES"] = 1
    proxied = create_app(config)
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_a_trusted_proxy_each_client_address_counts(proxied_app, make_user):
    """Every request reaches gunicorn from 127.0.0.1; the lockout must still be per client."""
    user = make_user(Role.ACCOUNTHOUDER)
    attacker, owner = proxied_app.test_client(), proxied_app.test_client()
    for _ in range(6):
        attempt(attacker, user.email, WRONG, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.66"})
    assert attempt(attacker, user.email, PASSWORD, "127.0.0.1",
                   **{"X-Forwarded-For": "203.0.113.66"}).status_code == 429
    assert attempt(owner, user.email, PASSWORD, "127.0.0.1",
                   **{"X-Forwarded-For": "198.51.100.8"}).status_code == 302
    with proxied_app.app_context():
        addresses = set(db.session.scalars(sa.select(LoginAttempt.ip_address)))
    assert addresses == {"203.0.113.66"}


def test_request_bodies_over_the_cap_get_a_dutch_413(app, login_as):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    admin = login_as(Role.ADMIN)
    for client, url in ((app.test_client(), "/account/inloggen"), (admin, "/beheer/wijken/nieuw")):
        photo = (io.BytesIO(b"\xff\xd8" + b"x" * 70 * 1024), "foto.jpg")
        response = client.post(url, data={"name": "Oost", "foto": photo},
                               content_type="multipart/form-data")
        assert response.status_code == 413, url
        html = response.get_data(as_text=True)
        assert '<html lang="nl"' in html and "Bestand te groot" in html
    api = app.test_client().post("/account/inloggen", data=b"{" + b" " * 70 * 1024 + b"}",
                                 content_type="application/json",
                                 headers={"Accept": "application/json"})
    assert api.status_code == 413
    assert api.get_json()["error"]["title"] == "Bestand te groot"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("wijken"))) == 8


def test_one_huge_text_field_is_refused_too(app, client):
    """A multipart text part over MAX_FORM_MEMORY_SIZE (default 500 kB) is refused whole."""
    app.config["MAX_FORM_MEMORY_SIZE"] = 2_000  # small here, so no spooled temporary file
    response = client.post("/account/inloggen", data={"email": "a@b.nl", "password": "x" * 3_000},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Bestand te groot" in response.get_data(as_text=True)
    # URL-encoded bodies are bounded by MAX_CONTENT_LENGTH; the field's own limit answers.
    response = client.post("/account/inloggen", data={"email": "a@b.nl", "password": "x" * 600_000})
    assert response.status_code == 400


def test_the_cap_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_MAX_UPLOAD_MB", "3")
    app = create_app(base_config(tmp_path / "inst", f"sqlite:///{tmp_path}/x.sqlite"))
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024
