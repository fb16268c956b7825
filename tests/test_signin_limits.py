"""Sign-in limits that hold under concurrency and across addresses (issue 12, sections 3 and 4).

- Every attempt is counted before anything is decided, so concurrent wrong sign-ins can
  never get more evaluations than the limit (``tests`` run them in threads, each with its
  own database connection, on SQLite and PostgreSQL).
- Besides the limits per (account, address) and per address there is one per account,
  whatever the address: guessers spread over many addresses (behind nginx, with
  ``X-Forwarded-For``) get at most ``LOGIN_ACCOUNT_MAX_FAILURES`` tries per window. The
  real user still gets in on a browser where they signed in before (a signed "known
  device" cookie), and everyone else once the window has passed.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db
from monitor.models import AuditEvent, LoginAttempt, Role

from .conftest import PASSWORD, base_config

WRONG = "fout-wachtwoord-123"


def attempt(client, email, password, address="203.0.113.9", **headers):
    return client.post("/account/inloggen", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def failed_sign_ins(app) -> int:
    with app.app_context():
        n = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "auth.login_failed"))
        db.session.remove()
    return n


def age_attempts(app, minutes: int) -> None:
    with app.app_context():
        db.session.execute(sa.update(LoginAttempt).values(
            created_at=LoginAttempt.created_at - timedelta(minutes=minutes)))
        db.session.commit()


def _concurrently(app, n: int, send) -> list[int]:
    """Run ``send(client, i)`` in ``n`` threads released at the same moment."""
    barrier = threading.Barrier(n)

    def one(i: int) -> int:
        client = app.test_client()
        barrier.wait()
        return send(client, i).status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


@pytest.fixture
def slow_hash_user(app, make_user):
    """An account hashed as in production (scrypt): checking a password takes a while."""
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    return make_user(Role.ACCOUNTHOUDER)


@pytest.mark.real_db
def test_concurrent_wrong_sign_ins_from_one_address_never_pass_the_limit(app, slow_hash_user):
    statuses = _concurrently(app, 12, lambda c, i: attempt(c, slow_hash_user.email, WRONG))
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 5, statuses  # LOGIN_MAX_FAILURES
    assert failed_sign_ins(app) == statuses.count(401)
    # Attempts refused in the crowd may leave tries unused (never more): one by one, the
    # guesser gets exactly up to the limit, then the lock holds, also for the right password.
    for _ in range(6):
        statuses.append(attempt(app.test_client(), slow_hash_user.email, WRONG).status_code)
    assert statuses.count(401) == 5 == failed_sign_ins(app)
    assert attempt(app.test_client(), slow_hash_user.email, PASSWORD).status_code == 429


@pytest.mark.real_db
def test_concurrent_wrong_sign_ins_from_many_addresses_never_pass_the_account_limit(app, slow_hash_user):
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 5
    statuses = _concurrently(app, 16, lambda c, i: attempt(c, slow_hash_user.email, WRONG, f"198.51.100.{i}"))
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 5, statuses
    assert failed_sign_ins(app) == statuses.count(401)


@pytest.fixture
def proxied_app(app):
    """The same database behind one trusted reverse proxy (nginx → gunicorn)."""
    config = base_config(Path(app.config["INSTANCE_PATH"] + "-proxy"), app.config["SQLALCHEMY_DATABASE_URI"])
    config["TRUSTED_PROXIES"] = 1
    proxied = create_app(config)
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def via_nginx(client, email, password, client_address):
    return attempt(client, email, password, "127.0.0.1", **{"X-Forwarded-For": client_address})


def test_sixty_addresses_behind_nginx_do_not_get_sixty_guesses(proxied_app, make_user):
    user = make_user(Role.ADMIN)
    owner = proxied_app.test_client()
    assert via_nginx(owner, user.email, PASSWORD, "198.51.100.7").status_code == 302  # a known browser
    owner.post("/account/uitloggen")
    evaluated = 0
    for n in range(60):
        response = via_nginx(proxied_app.test_client(), user.email, WRONG, f"203.0.113.{n}")
        assert response.status_code in (401, 429)
        evaluated += response.status_code == 401
    assert evaluated == proxied_app.config["LOGIN_ACCOUNT_MAX_FAILURES"] == 20
    # A new browser on a new address: refused, with the right password as with a wrong one,
    # and the message says nothing about the password.
    right = via_nginx(proxied_app.test_client(), user.email, PASSWORD, "192.0.2.50")
    wrong = via_nginx(proxied_app.test_client(), user.email, WRONG, "192.0.2.51")
    assert right.status_code == wrong.status_code == 429
    message = "Voor dit account zijn in korte tijd te veel mislukte inlogpogingen gedaan"
    assert message in right.get_data(as_text=True) and message in wrong.get_data(as_text=True)
    # The owner's own browser, where they signed in before, still gets in ...
    assert via_nginx(owner, user.email, PASSWORD, "198.51.100.7").status_code == 302
    # ... and once the window has passed, anyone with the password does.
    age_attempts(proxied_app, 16)
    assert via_nginx(proxied_app.test_client(), user.email, PASSWORD, "192.0.2.50").status_code == 302


def test_unknown_accounts_are_throttled_alike(app):
    """The per-account limit also applies to addresses without an account: no enumeration."""
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 3
    answers = [attempt(app.test_client(), "niemand@test.nl", WRONG, f"203.0.113.{n}").status_code
               for n in range(5)]
    assert answers == [401, 401, 401, 429, 429]


def test_a_known_device_cookie_is_bound_to_account_and_password(app, make_user):
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 2
    first, second = make_user(Role.RAADSLID), make_user(Role.RAADSLID)
    browser = app.test_client()
    assert attempt(browser, first.email, PASSWORD, "198.51.100.1").status_code == 302
    browser.post("/account/uitloggen")
    for n in range(3):
        attempt(app.test_client(), second.email, WRONG, f"203.0.113.{n}")
    # The cookie of the first account does not open the lock of the second one.
    assert attempt(browser, second.email, PASSWORD, "198.51.100.1").status_code == 429
    # A forged cookie is ignored.
    forged = app.test_client()
    forged.set_cookie("tv_apparaat", "verzonnen.waarde", path="/account/")
    assert attempt(forged, second.email, PASSWORD, "198.51.100.2").status_code == 429
