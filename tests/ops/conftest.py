"""Builders for the operations tests: filled instances, table and file snapshots."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from monitor import create_app
from monitor.extensions import db
from monitor.models import Role

from ..conftest import BACKEND, base_config


def table_rows(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table the models know (walks ``db.metadata``), in key order."""
    rows = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in db.session.execute(
                sa.select(table).order_by(*order)).all()]
        db.session.remove()
    return rows


def upload_files(app: Flask) -> dict[str, bytes]:
    """Relative path → content of every file in the uploads folder."""
    root = Path(app.config["UPLOAD_FOLDER"])
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def write_uploads(app: Flask, seed: int = 9) -> dict[str, bytes]:
    """Put a deterministic mix of files in the uploads folder (binary, empty, odd names)."""
    rnd = random.Random(seed)
    root = Path(app.config["UPLOAD_FOLDER"])
    files = {
        "verhalen/2026/05/a1b2c3.jpg": rnd.randbytes(70_000),
        "verhalen/2026/05/d4e5f6.png": rnd.randbytes(3_000),
        "verhalen/leeg.bin": b"",
        "bijlagen/wijk Oost – café ü 🌷.txt": "Tekst met é, ĳ en עברית\n".encode(),
        "diep/a/b/c/d/e/f.dat": hashlib.sha256(b"x").digest() * 100,
    }
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


@pytest.fixture
def filled_app(app: Flask, make_user, login_as) -> Flask:
    """The test app with accounts, audit trail, sign-in attempts, counters and uploads."""
    from monitor import ratelimit

    for role in Role:
        make_user(role)
    admin = login_as(Role.ADMIN)
    response = admin.post("/beheer/organisaties/nieuw", data={
        "name": "Buurtkracht 'Oost' & Co", "kind": "welzijn", "description": "Ĳsselmeer\n😀"})
    assert response.status_code == 302
    guest = app.test_client()
    guest.post("/account/inloggen", data={"email": "niemand@test.nl", "password": "fout-fout-fout"})
    with app.app_context():
        ratelimit.hit("test.bucket", "198.51.100.7", 5, 3600)
    write_uploads(app)
    return app


@pytest.fixture
def target_uri(database_uri: str, tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into: a new SQLite file, or a scratch PostgreSQL database.

    The scratch database is named after the test database plus ``_restore`` and is
    created and dropped here; no other database is touched.
    """
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path / 'hersteld.sqlite'}"
        return
    url = sa.make_url(database_uri)
    scratch = f"{url.database}_restore"
    admin = sa.create_engine(database_uri, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    try:
        yield url.set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def make_target(tmp_path: Path, target_uri: str) -> Iterator[Callable[[], Flask]]:
    """``make_target()`` → an app on the empty target database with its own empty instance."""
    apps: list[Flask] = []

    def make() -> Flask:
        target = create_app(base_config(tmp_path / "hersteld-instance", target_uri))
        apps.append(target)
        return target

    yield make
    for target in apps:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()


def database_is_empty(app: Flask) -> bool:
    """No table at all, or only empty ones (an untouched target)."""
    with app.app_context(), db.engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        return all(conn.execute(sa.select(sa.func.count()).select_from(sa.table(n))).scalar_one() == 0
                   for n in names)
