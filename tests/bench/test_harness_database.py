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


@pytest.mark.slow  # migrates and fills an XS database, waits out a 20 s step limit
def test_a_failing_or_slow_step_is_reported_and_the_run_goes_on(monkeypatch, capsys):
    """An exception and a step past its time limit each become a row 'niet gemeten' with the
    reason; the steps after them still run, and the run ends non-zero without a traceback."""
    import time

    from bench import aggregates, search_engine

    def slow(*args, **kwargs):
        time.sleep(120)

    def broken(*args, **kwargs):
        raise RuntimeError("kapotte stap")

    monkeypatch.setattr(search_engine, "run", slow)
    monkeypatch.setattr(aggregates, "run", broken)
    with pytest.raises(SystemExit) as stop:
        main(["--size", "XS", "--db", "sqlite", "--only", "search,aggregates", "--repeat", "1",
              "--step-timeout", "20"])
    assert stop.value.code not in (0, None)
    assert "Niet gemeten: 1/5 zoeken sqlite" in str(stop.value)
    assert "3 aggregatie sqlite" in str(stop.value)
    out, err = capsys.readouterr()
    table = out[out.index("Alle cijfers"):]
    assert "| 1/5 zoeken sqlite | herindexeren en zoeken | niet gemeten: langer dan 20 s (--step-timeout)" in table
    assert "| 3 aggregatie sqlite | wijkdashboard en uitkomstenrapport | niet gemeten: RuntimeError: kapotte stap" in table
    assert "Traceback" not in out + err
