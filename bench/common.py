"""Shared helpers of the benchmark harness: the app, timing, figures and their printing."""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/bench_pg"


def sqlalchemy_url(url: str) -> str:
    """The app's own driver choice (psycopg 3) for a plain ``postgresql://`` URL."""
    from monitor.config import normalise_database_url

    return normalise_database_url(url)


def build_app(url: str | None, instance: str):
    """The real app, on ``url`` (or a SQLite file in ``instance``), with its own folders."""
    config = {"TESTING": False, "SECRET_KEY": "bench-secret-key-not-for-production-use", "INSTANCE_PATH": instance,
              "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url) if url else f"sqlite:///{instance}/bench.sqlite",
              "UPLOAD_FOLDER": f"{instance}/uploads", "SEARCH_INDEX_DIR": f"{instance}/index"}
    return create_app(config)


class DatabaseUnavailable(Exception):
    """The PostgreSQL server of the bench cannot be reached or the database not made."""


def ensure_database(url: str) -> None:
    """Create the bench database when it does not exist yet (``make bench`` on a fresh machine).

    :raise DatabaseUnavailable: with a one-line explanation, when the server cannot be
        reached or refuses to create it.
    """
    target = sa.engine.make_url(sqlalchemy_url(url))
    name = target.database
    admin = target.set(database="postgres")
    try:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                print(f"Database {name} aangemaakt op {target.host}:{target.port or 5432}.")
        engine.dispose()
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseUnavailable(
            f"PostgreSQL-database {name} op {target.host}:{target.port or 5432} niet bereikbaar of niet "
            f"aan te maken ({reason}). Geef een andere op met BENCH_DATABASE_URL of --pg-url, of sla "
            f"PostgreSQL over met --db sqlite.") from exc


def reset_schema(url: str) -> None:
    """Drop and recreate the public schema of a PostgreSQL bench database."""
    engine = sa.create_engine(sqlalchemy_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def timed(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    """Wall-clock milliseconds of ``repeat`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class Figure:
    """One measured figure beside its baseline."""

    name: str
    unit: str
    value: list[float]
    baseline_name: str
    baseline: list[float]
    lower_is_better: bool = True
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.value)

    @property
    def base_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def ratio(self) -> float:
        return _ratio(self.median, self.base_median, self.lower_is_better)

    @property
    def p95_ratio(self) -> float:
        return _ratio(p95(self.value), p95(self.baseline), self.lower_is_better)


def _ratio(value: float, base: float, lower_is_better: bool) -> float:
    if not base or not value:
        return float("nan")
    return value / base if lower_is_better else base / value


@dataclass
class Missing:
    """A step of the run that could not be measured, and why."""

    name: str
    reason: str


class StepTimeout(Exception):
    """A step of the harness ran past its time limit (``--step-timeout``)."""


@dataclass
class Step:
    """What :meth:`Report.step` yields: whether the step failed."""

    failed: bool = False


def reason_of(exc: BaseException) -> str:
    """One line saying what went wrong and where (the last frame in the harness or app)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, StepTimeout | DatabaseUnavailable):
        text = f"{type(exc).__name__}: {text}"
    frames = [] if isinstance(exc, DatabaseUnavailable) else [
        f for f in traceback.extract_tb(exc.__traceback__) if "/bench/" in f.filename or "/monitor/" in f.filename]
    where = f" ({os.path.relpath(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    return (text[:300] + "…" if len(text) > 300 else text) + where


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`StepTimeout` in the block after ``seconds`` (main thread only)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise StepTimeout(f"langer dan {seconds:.0f} s (--step-timeout)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Report:
    """All figures of one run, printed as they come and again as a table at the end;
    a step that fails is a row ``niet gemeten`` with its reason (:meth:`step`)."""

    figures: list[tuple[str, Figure | Missing]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    timeout: float | None = None

    def add(self, section: str, figure: Figure) -> None:
        self.figures.append((section, figure))
        print(self.format(section, figure), flush=True)

    @property
    def missing(self) -> list[tuple[str, Missing]]:
        return [(s, f) for s, f in self.figures if isinstance(f, Missing)]

    def fail(self, section: str, name: str, reason: str) -> None:
        self.figures.append((section, Missing(name, reason)))
        print(f"[{section}] {name}: niet gemeten — {reason}", flush=True)

    @contextlib.contextmanager
    def step(self, section: str, name: str) -> Iterator[Step]:
        """Run one step of the harness: an exception or running past ``timeout`` becomes a
        row ``niet gemeten`` with the reason, and the run goes on with the next step."""
        state = Step()
        try:
            with _time_limit(self.timeout):
                yield state
        except Exception as exc:  # noqa: BLE001  (every failure of a step is reported, none ends the run)
            state.failed = True
            self.fail(section, name, reason_of(exc))

    def note(self, text: str) -> None:
        self.lines.append(text)
        print(text, flush=True)

    @staticmethod
    def format(section: str, f: Figure) -> str:
        return (f"[{section}] {f.name}: mediaan {f.median:.2f} {f.unit}, p95 {p95(f.value):.2f} {f.unit}"
                f" | basis {f.baseline_name}: mediaan {f.base_median:.2f} {f.unit}, p95 {p95(f.baseline):.2f}"
                f" {f.unit} | verhouding {f.ratio:.1f}x (p95 {f.p95_ratio:.1f}x){(' — ' + f.note) if f.note else ''}")

    def table(self) -> str:
        rows = ["| onderdeel | meting | mediaan | p95 | basis | basis mediaan | basis p95 | verhouding "
                "| verhouding p95 |", "|---|---|---:|---:|---|---:|---:|---:|---:|"]
        for section, f in self.figures:
            if isinstance(f, Missing):
                rows.append(f"| {section} | {f.name} | niet gemeten: {f.reason.replace('|', '/')} "
                            "| | | | | | |")
                continue
            rows.append(f"| {section} | {f.name} | {f.median:.2f} {f.unit} | {p95(f.value):.2f} | "
                        f"{f.baseline_name} | {f.base_median:.2f} | {p95(f.baseline):.2f} | {f.ratio:.1f}× | "
                        f"{f.p95_ratio:.1f}× |")
        return "\n".join(rows)


def dispose() -> None:
    db.session.remove()
    db.engine.dispose()


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")
