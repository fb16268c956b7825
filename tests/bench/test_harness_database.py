"""``make bench`` on a fresh machine: the harness makes its PostgreSQL database, or says why not."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from bench.__main__ import main
from bench.common import DatabaseUnavailable, ensure_database

SERVER = "postgresql://postgres@127.0.0.1:5432"


def _databases() -> set[str]:
    engine = sa.create_engine(f"{SERVER}/postgres".replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return set(conn.scalars(sa.text("SELECT datname FROM pg_database")))
    finally:
        engine.dispose()


def _drop(name: str) -> None:
    engine = sa.create_engine(f"{SERVER}/postgres".replace("postgresql://", "postgresql+psycopg://"),
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


@pytest.fixture
def postgres_server():
    try:
        _databases()
    except sa.exc.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")


def test_a_missing_bench_database_is_created_and_an_existing_one_kept(postgres_server):
    name = f"bench_t_{uuid.uuid4().hex[:8]}"
    try:
        ensure_database(f"{SERVER}/{name}")
        assert name in _databases()
        ensure_database(f"{SERVER}/{name}")  # a second run keeps it
        assert name in _databases()
    finally:
        _drop(name)


def test_an_unreachable_server_is_explained_without_a_traceback(capsys):
    with pytest.raises(DatabaseUnavailable, match="niet bereikbaar"):
        ensure_database("postgresql://postgres@127.0.0.1:9/bench_pg")
    with pytest.raises(SystemExit) as stop:
        main(["--size", "XS", "--db", "postgresql", "--pg-url", "postgresql://postgres@127.0.0.1:9/bench_pg",
              "--only", "aggregates", "--repeat", "1"])
    assert "Niet gemeten: postgresql" in str(stop.value)
    assert "--db sqlite" in capsys.readouterr().out
