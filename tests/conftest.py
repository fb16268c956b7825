"""Shared fixtures: an app per test on SQLite (default) or PostgreSQL.

Set ``TEST_DATABASE_URL`` to run the whole suite on PostgreSQL. The schema is built
once per session by running the migrations from empty, so every run also proves the
migrations; the reference data are seeded once on top of it. Each test then runs in a
transaction on one shared connection that is rolled back afterwards (``tests/dbtx.py``);
tests marked ``real_db`` (several connections, threads, processes, a live server) get
their own committed database instead, reset per test as before.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from monitor import create_app
from monitor.auth import services as auth_services
from monitor.config import normalise_database_url
from monitor.extensions import db
from monitor.models import Organisation, Role, User, Wijk

from . import dbtx
from .storagekit import s3_app, s3_bucket, s3_server  # noqa: F401  (S3 fixtures for every folder)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _cache_url_builders() -> None:
    """Most of ``create_app``'s time is werkzeug compiling a URL builder per route (AST
    to bytecode). Every test makes an app with the same routes, so compile each builder
    once per run: the function depends only on the rule's parts and defaults (converters
    are looked up on the rule when it runs)."""
    original = Rule._compile_builder
    cache: dict = {}

    def compile_builder(self, append_unknown=True):
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())),
               append_unknown)
        if key not in cache:
            cache[key] = original(self, append_unknown)
        return cache[key]

    Rule._compile_builder = compile_builder


def _cache_rule_parsing() -> None:
    """The other half of a rule's compilation, parsing it into parts (regex matching per
    segment), also once per run: the result depends on the rule string and the map's
    converter classes only. Its side effects (the rule's trace, converters, arguments)
    are replayed on every rule; the converter objects, which keep no state of their own
    that differs between apps, are shared."""
    original = Rule._parse_rule
    cache: dict = {}

    def parse_rule(self, rule):
        key = (rule, tuple(sorted(self.map.converters.items())))
        hit = cache.get(key)
        if hit is None:
            trace_start, known = len(self._trace), set(self._converters)
            parts = list(original(self, rule))
            converters = {k: v for k, v in self._converters.items() if k not in known}
            cache[key] = hit = (parts, self._trace[trace_start:], converters)
        else:
            self._trace.extend(hit[1])
            self._converters.update(hit[2])
            self.arguments.update(hit[2])
        return iter(hit[0])

    Rule._parse_rule = parse_rule


_cache_url_builders()
_cache_rule_parsing()



class _SharedTemplateBytecode(jinja2.BytecodeCache):
    """Jinja's compiled templates in memory for the whole run: each test's app has its own
    environment and would otherwise compile every template it renders again. Jinja checks
    the source's checksum, so a changed template is compiled anew."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _SharedTemplateBytecode()}
PASSWORD = "correct-paard-batterij-niet"
BACKEND = "postgresql" if TEST_DATABASE_URL.startswith("postgres") else "sqlite"
TEST_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing in tests only


def base_config(instance: Path, database_uri: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "SEARCH_INDEX_DIR": str(instance / "search-index"),
        "PASSWORD_HASH_METHOD": TEST_HASH_METHOD,
        # Production asks admins and accounthouders for a second factor; tests sign them in
        # with the password only, except the MFA tests, which set this themselves.
        "MFA_REQUIRED_ROLES": frozenset(),
        # The tests' installation is Hilversum's (the environment's default of a real one).
        "MUNICIPALITY_NAME": "Hilversum",
        "MUNICIPALITY_CODE": "GM0402",
    }


# A sign-in for an e-mail address without an account is checked against a dummy hash,
# so that it takes as long as one with an account. The module makes it with production's
# method (scrypt, ~0.1 s a check); the tests hash passwords with the cheap method of
# ``base_config``, so their dummy is made with that one: the same equal timing, at the
# tests' cost.
auth_services._DUMMY_HASH = auth_services.generate_password_hash(
    "tellen-en-vertellen-dummy", method=TEST_HASH_METHOD)


def _migrate(database_uri: str, instance: Path) -> None:
    app = create_app(base_config(instance, database_uri))
    with app.app_context():
        from monitor.cli import run_migrations

        run_migrations()
        db.engine.dispose()


def _sqlite_file(uri: str) -> Path:
    return Path(re.sub(r"^sqlite:///", "", uri))


def _worker_database(uri: str) -> str:
    """PostgreSQL under pytest-xdist (``-n 2``): each worker process gets a database of its
    own, the test database's name plus the worker's (``test_gw0``), created when missing;
    without xdist the test database itself. (On SQLite every worker has its own files
    already: ``tmp_path_factory`` gives each worker a folder of its own.)"""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return uri
    url = sa.make_url(uri)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(uri, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                             {"name": name})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the schema once by migrating from empty; yield the URI tests use.

    SQLite: an empty migrated template file that fixtures copy. PostgreSQL: the test
    database itself; a fixture that empties or fills it calls ``dbtx.Baseline.dirty()``.
    """
    instance = tmp_path_factory.mktemp("migrate-instance")
    if BACKEND == "postgresql":
        uri = _worker_database(normalise_database_url(TEST_DATABASE_URL))
        engine = sa.create_engine(uri)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(uri, instance)
        yield uri
    else:
        template = tmp_path_factory.mktemp("template") / "template.sqlite"
        _migrate(f"sqlite:///{template}", instance)
        yield f"sqlite:///{template}"


def _empty_tables(app: Flask) -> None:
    dbtx.empty_tables(db)
    dbtx.Baseline.dirty()


@pytest.fixture(scope="session")
def seeded_uri(database_uri: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The migrated database plus the reference data, committed once per run.

    SQLite: a second template (copied for the shared connection and for real_db tests).
    """
    instance = tmp_path_factory.mktemp("seed-instance")
    if BACKEND == "sqlite":
        seeded = tmp_path_factory.mktemp("seeded") / "seeded.sqlite"
        shutil.copyfile(_sqlite_file(database_uri), seeded)
        uri = f"sqlite:///{seeded}"
    else:
        uri = database_uri
    app = create_app(base_config(instance, uri))
    with app.app_context():
        if BACKEND == "postgresql":
            dbtx.empty_tables(db)
        dbtx.seed_reference_data(db)
        db.session.remove()
        db.engine.dispose()
    dbtx.Baseline.clean = True
    return uri


@pytest.fixture(scope="session")
def shared_connection(seeded_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The run's one connection (``tests/dbtx.py``); yields the URI the test apps use."""
    if BACKEND == "sqlite":
        shared = tmp_path_factory.mktemp("shared") / "shared.sqlite"
        shutil.copyfile(_sqlite_file(seeded_uri), shared)
        uri = f"sqlite:///{shared}"
    else:
        uri = seeded_uri
    dbtx.install(db)
    dbtx.SHARED.open(uri)
    yield uri
    dbtx.SHARED.close()


def _restore_baseline(seeded_uri: str, instance: Path) -> None:
    """PostgreSQL: empty tables plus reference data again, after a fixture committed."""
    app = create_app(base_config(instance, seeded_uri))
    with app.app_context():
        dbtx.empty_tables(db)
        dbtx.seed_reference_data(db)
        db.session.remove()
        db.engine.dispose()
    dbtx.Baseline.clean = True


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app on empty tables plus the reference data (places, organisations, periods).

    By default the test runs inside a transaction rolled back afterwards. With
    ``@pytest.mark.real_db`` it gets a database of its own whose commits are real
    (a copy of the seeded file on SQLite; emptied and reseeded tables on PostgreSQL).
    """
    instance = tmp_path / "instance"
    seeded_uri = request.getfixturevalue("seeded_uri")
    if request.node.get_closest_marker("real_db"):
        if BACKEND == "sqlite":
            target = tmp_path / "test.sqlite"
            shutil.copyfile(_sqlite_file(seeded_uri), target)
            uri = f"sqlite:///{target}"
        else:
            _restore_baseline(seeded_uri, tmp_path / "reset-instance")
            dbtx.Baseline.dirty()
            uri = seeded_uri
        app = create_app(base_config(instance, uri))
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return
    if not dbtx.Baseline.clean:
        _restore_baseline(seeded_uri, tmp_path / "reset-instance")
    uri = request.getfixturevalue("shared_connection")
    dbtx.SHARED.begin_test()
    try:
        app = create_app(base_config(instance, uri))
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if dbtx.SHARED.violations:
            pytest.fail(f"{dbtx.SHARED.violations[0]}; on one shared connection this test "
                        "behaves differently from production: mark it @pytest.mark.real_db",
                        pytrace=False)
    finally:
        dbtx.SHARED.end_test()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def get_wijk(name: str) -> Wijk:
    return db.session.scalar(sa.select(Wijk).where(Wijk.name == name))


def get_org(name: str) -> Organisation:
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user directly in the database: ``make_user(Role.RAADSLID, email=...)``."""
    counter = {"n": 0}

    def make(role: Role | str = Role.SOCIAAL_WERKER, *, email: str | None = None,
             organisation: str | None = "default", wijken: list[str] | None = None,
             password: str = PASSWORD, active: bool = True, **extra) -> User:
        from monitor.auth.services import set_password

        role = Role(role)
        counter["n"] += 1
        if organisation == "default":
            organisation = "Versa Welzijn" if role == Role.SOCIAAL_WERKER else (
                None if role == Role.RAADSLID else "Gemeente Hilversum")
        if wijken is None:
            wijken = ["Oost", "Hilversumse Meent"] if role in (
                Role.SOCIAAL_WERKER, Role.BUURTCOORDINATOR) else []
        with app.app_context():
            user = User(
                email=email or f"{role.value}{counter['n']}@test.nl",
                name=f"Test {role.label} {counter['n']}", role=role, active=active,
                organisation=get_org(organisation) if organisation else None, **extra)
            user.wijken = [get_wijk(n) for n in wijken]
            set_password(user, password)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


def login(client: FlaskClient, email: str, password: str = PASSWORD):
    """Sign in through the real login form."""
    return client.post("/account/inloggen", data={"email": email, "password": password})


@pytest.fixture
def login_as(app: Flask, make_user) -> Callable[..., FlaskClient]:
    """``login_as(Role.ADMIN)`` → a new test client signed in as a fresh user of that role."""

    def factory(role: Role | str, **kwargs) -> FlaskClient:
        user = make_user(role, **kwargs)
        c = app.test_client()
        response = login(c, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        c.user = user  # type: ignore[attr-defined]
        return c

    return factory


@pytest.fixture
def smtp(app: Flask):
    """A real SMTP server on the loopback (``tests/mailkit.py``); the app sends to it.

    Every feature folder's tests use it: make the notification, then call
    ``monitor.mail.deliver_pending()`` and read ``smtp.to(address)``.
    """
    from monitor import mail

    from .mailkit import SmtpServer

    with SmtpServer() as server:
        mail.reconfigure(app, server.url)
        yield server


def pytest_collection_finish(session: pytest.Session) -> None:
    """Garbage collection: what is loaded by now (the app's modules, the test modules)
    lives for the whole run, so it moves out of the collector's way (``gc.freeze``), and
    young objects are collected less often. Frees nothing less in the end; saves the
    collector rescanning the same long-lived objects in every test (~10 % of the CPU)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
