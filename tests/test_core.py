"""App factory, configuration, security headers, Dutch error pages, home pages, CLI."""

from __future__ import annotations

import os
import stat

import pytest
import sqlalchemy as sa

from monitor import create_app
from monitor.config import normalise_database_url
from monitor.extensions import db
from monitor.models import AuditEvent, Buurt, Organisation, Period, Role, User, Wijk
from monitor.permissions import public

from .conftest import base_config


def test_secret_key_is_generated_into_instance_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = base_config(tmp_path / "inst", f"sqlite:///{tmp_path}/x.sqlite")
    del config["SECRET_KEY"]
    first = create_app(config)
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.exists() and len(first.config["SECRET_KEY"]) >= 40
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = create_app(config)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_environment_configures_paths_and_database(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_INSTANCE_PATH", str(tmp_path / "elders"))
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/monitor")
    monkeypatch.setenv("SECRET_KEY", "uit-de-omgeving-en-lang-genoeg-voor-productie")
    app = create_app()
    assert app.instance_path == str(tmp_path / "elders")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example:5432/monitor"
    assert app.config["SECRET_KEY"] == "uit-de-omgeving-en-lang-genoeg-voor-productie"
    assert app.config["UPLOAD_FOLDER"] == str(tmp_path / "elders" / "uploads")
    assert app.config["SEARCH_INDEX_DIR"] == str(tmp_path / "elders" / "search-index")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MONITOR_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MONITOR_ENV", "development")  # no SECRET_KEY needed
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/monitor.sqlite"


@pytest.mark.parametrize("url,expected", [
    ("postgresql://a@h/d", "postgresql+psycopg://a@h/d"),
    ("postgres://a@h/d", "postgresql+psycopg://a@h/d"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_url_normalisation(url, expected):
    assert normalise_database_url(url) == expected


def test_security_headers_on_every_page(client):
    response = client.get("/account/inloggen")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_inline_script_in_pages(login_as):
    for role in Role:
        html = login_as(role).get("/start").get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and " style=" not in html


def test_404_is_dutch(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_403_is_dutch(login_as):
    response = login_as(Role.RAADSLID).get("/beheer/")
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)


def test_405_is_dutch(client):
    response = client.post("/toegankelijkheid")
    assert response.status_code == 405
    assert "Niet toegestaan" in response.get_data(as_text=True)


def test_413_is_dutch(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/account/inloggen", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "Bestand te groot" in response.get_data(as_text=True)


def test_csrf_is_enforced_with_a_dutch_message(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user(Role.ADMIN)
    client = app.test_client()
    response = client.post("/account/inloggen", data={"email": user.email, "password": "x"})
    assert response.status_code == 400
    assert "beveiligingscode ontbreekt" in response.get_data(as_text=True)
    page = client.get("/account/inloggen").get_data(as_text=True)
    assert 'name="csrf_token"' in page


@pytest.fixture
def scratch_app(tmp_path, database_uri):
    """An app not yet serving, to which a test may add a route of its own."""
    app = create_app(base_config(tmp_path / "inst", database_uri if "postgres" in database_uri
                                 else f"sqlite:///{tmp_path}/x.sqlite"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_unexpected_error_gives_500_page_without_trace(scratch_app):
    app = scratch_app

    @app.route("/kapot")
    @public
    def broken():
        raise RuntimeError("geheime interne details")

    response = app.test_client().get("/kapot")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in html
    assert "geheime interne details" not in html and "Traceback" not in html


def test_json_clients_get_json_errors(client):
    response = client.get("/bestaat-niet", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["title"] == "Pagina niet gevonden"


@pytest.mark.parametrize("role,expected", [
    (Role.ADMIN, "Inrichting"),
    (Role.ACCOUNTHOUDER, "De cyclus"),
    (Role.BUURTCOORDINATOR, "De cyclus"),
    (Role.SOCIAAL_WERKER, "De cyclus"),
    (Role.RAADSLID, "De cyclus"),
])
def test_home_page_per_role(login_as, role, expected):
    client = login_as(role)
    html = client.get("/start").get_data(as_text=True)
    assert expected in html
    assert f"ingelogd als <strong>{role.label.lower()}</strong>" in html
    nav_has_admin = 'href="/beheer/"' in html
    assert nav_has_admin == (role == Role.ADMIN)


def test_home_shows_the_next_deadline(app, login_as):
    from datetime import date

    from monitor.periods import next_deadline
    from monitor.timeutil import format_date

    with app.app_context():
        period = next_deadline(date.today())
        expected = f"Opgaven uiterlijk {format_date(period.deadline)}"
    assert expected in login_as(Role.SOCIAAL_WERKER).get("/start").get_data(as_text=True)


def test_public_information_pages(client):
    assert "WCAG 2.1" in client.get("/toegankelijkheid").get_data(as_text=True)
    assert "gepseudonimiseerd" in client.get("/privacy").get_data(as_text=True)
    start = client.get("/")
    assert start.status_code == 200  # the public front door (tests/narratives/test_front_door.py)


def test_policy_page_lists_permissions(login_as):
    html = login_as(Role.RAADSLID).get("/rechten").get_data(as_text=True)
    assert "Gebruikers, organisaties, wijken, buurten en perioden beheren" in html


def test_period_labels_follow_the_session_months(app):
    with app.app_context():
        periods = db.session.scalars(sa.select(Period).where(Period.year == 2026).order_by(Period.tertial)).all()
        assert [p.label for p in periods] == ["mei 2026", "september 2026", "december 2026"]
        assert [p.covers for p in periods] == [
            "januari–april 2026", "mei–augustus 2026", "september–december 2026"]
        assert [str(p.end) for p in periods] == ["2026-04-30", "2026-08-31", "2026-12-31"]
        assert periods[1].ordinal - periods[0].ordinal == 1


@pytest.mark.slow
def test_seed_demo_creates_hilversum_and_is_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "beheerder@hilversum.demo" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        wijken = db.session.scalars(sa.select(Wijk.name)).all()
        assert sorted(wijken) == sorted(["Centrum", "Noordwest", "Noordoost", "Oost", "Zuidoost",
                                         "Zuid", "Zuidwest", "Hilversumse Meent"])
        assert db.session.scalar(sa.select(sa.func.count(Buurt.id)).join(Wijk).where(
            Wijk.name == "Noordwest")) == 6
        orgs = set(db.session.scalars(sa.select(Organisation.name)))
        assert {"Versa Welzijn", "MEE", "Kwintes", "Sherpa", "HilverZorg", "Humanitas",
                "Sociaal Plein", "Gemeente Hilversum"} <= orgs
        roles = {u.role for u in db.session.scalars(sa.select(User))}
        assert roles == set(Role)
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 6
    # The printed password signs in.
    line = next(li for li in first.output.splitlines() if "raadslid@hilversum.demo" in li)
    password = line.split()[-1]
    response = app.test_client().post("/account/inloggen", data={
        "email": "raadslid@hilversum.demo", "password": password})
    assert response.status_code == 302


def test_create_user_command(app, runner):
    result = runner.invoke(args=["create-user", "--email", "nieuw@test.nl", "--name", "Nieuwe Beheerder",
                                 "--role", "admin", "--password", "een-lang-genoeg-wachtwoord"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "--email", "sw@test.nl", "--name", "SW",
                                 "--role", "sociaal_werker", "--organisation", "Bestaat Niet",
                                 "--password", "een-lang-genoeg-wachtwoord"])
    assert result.exit_code != 0 and "Onbekende organisatie" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "nieuw@test.nl"))
        assert user.role == Role.ADMIN and not user.must_change_password
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.create")).actor_label == "systeem"


def test_init_db_runs_migrations(app, runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database bijgewerkt" in result.output


@pytest.mark.parametrize("raw,expected", [
    ("12", 12), (" 7 ", 7), ("-3", None), ("²", None), ("٣", None), ("1e3", None),
    ("9" * 400, None), ("", None), (None, None), ("2147483648", None),
])
def test_integer_arguments_accept_only_plain_digits_in_range(raw, expected):
    from monitor.http import parse_int

    assert parse_int(raw, minimum=0) == expected


def test_a_number_the_database_cannot_hold_is_a_dutch_400(scratch_app):
    app = scratch_app

    @app.route("/te-groot")
    @public
    def too_big():
        db.session.execute(sa.text("SELECT CAST(:v AS INTEGER)"), {"v": 10**30}).all()
        return "niet bereikt"

    response = app.test_client().get("/te-groot")
    assert response.status_code == 400
    assert "te groot" in response.get_data(as_text=True)


def test_a_simultaneous_duplicate_save_is_a_dutch_409(scratch_app):
    app = scratch_app

    @app.route("/dubbel")
    @public
    def duplicate():
        from sqlalchemy.exc import IntegrityError

        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed"))

    response = app.test_client().get("/dubbel")
    assert response.status_code == 409
    assert "Iemand anders heeft net hetzelfde opgeslagen" in response.get_data(as_text=True)
