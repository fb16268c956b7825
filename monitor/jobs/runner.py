"""Running the periodic jobs modules register with :func:`monitor.registry.add_job`.

:func:`run_due` is what the worker's scheduler calls every minute and what
``flask --app wsgi jobs run-due`` calls once (from cron, or a test with ``--now``). For
every job whose current period (see :class:`monitor.registry.Job`) has not been completed
in the table ``job_runs``, it claims the job with a conditional UPDATE, runs it in a fresh
app context and records the period as done, or the error and when to try again. Several
workers, and cron beside them, can run it at the same moment: each job runs once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from .. import claims, logs
from ..extensions import db
from ..registry import Job, registry
from ..timeutil import AMSTERDAM, utcnow
from .models import JobRun

logger = logging.getLogger(__name__)

# Periods are counted from a Monday at midnight, local time (weekly jobs start on Monday).
EPOCH = datetime(2000, 1, 3)
# A claim older than this is taken over (the worker holding it hangs or died elsewhere).
STALE_RUN = timedelta(minutes=30)
# After a failure the job is tried again after this long (doubling), at most one period.
RETRY_FIRST = timedelta(minutes=1)


@dataclass
class JobResult:
    name: str
    ok: bool
    message: str


def wall_clock(now: datetime) -> datetime:
    """A naive-UTC moment as the local wall clock (naive)."""
    from datetime import UTC

    return now.replace(tzinfo=UTC).astimezone(AMSTERDAM).replace(tzinfo=None)


def from_wall_clock(wall: datetime) -> datetime:
    """A local wall-clock moment (naive) as naive UTC."""
    from datetime import UTC

    return wall.replace(tzinfo=AMSTERDAM).astimezone(UTC).replace(tzinfo=None)


def period_start(job: Job, now: datetime) -> datetime:
    """Start (local wall clock) of the period of ``job`` that ``now`` (naive UTC) falls in."""
    base = EPOCH + job.offset
    return base + ((wall_clock(now) - base) // job.every) * job.every


def _row(name: str) -> JobRun:
    row = db.session.get(JobRun, name)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(JobRun(name=name))
        except sa.exc.IntegrityError:  # another worker made it just now
            pass
        db.session.commit()
        row = db.session.get(JobRun, name)
    return row


def is_due(job: Job, row: JobRun | None, now: datetime) -> bool:
    if row is None:
        return True
    if row.last_period is not None and row.last_period >= period_start(job, now):
        return False
    return row.retry_at is None or row.retry_at <= now


def _claim(job: Job, now: datetime, force: bool) -> str | None:
    """Claim ``job`` for this process; ``None`` when it is not due or somebody runs it."""
    row = _row(job.name)
    db.session.refresh(row)
    if not force and not is_due(job, row, now):
        db.session.commit()
        return None
    held = row.claimed_by
    if held and row.claimed_at and row.claimed_at >= utcnow() - STALE_RUN \
            and not claims.holder_is_dead(held):
        db.session.commit()
        return None
    me = claims.token()
    # Compare and swap: nobody claimed it, nor completed this period, since our read.
    same_period = (JobRun.last_period.is_(None) if row.last_period is None
                   else JobRun.last_period == row.last_period)
    result = db.session.execute(
        sa.update(JobRun).where(JobRun.name == job.name, JobRun.claimed_by == held, same_period)
        .values(claimed_by=me, claimed_at=utcnow(), last_started_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount != 1:
        return None  # another process claimed it between our read and our update
    if held:
        logger.warning("Job %s: took over the claim of %s (stale or dead)", job.name, held)
    return me


def _finish(job: Job, me: str, now: datetime, message: str | None, error: Exception | None) -> None:
    values: dict = {"claimed_by": "", "claimed_at": None, "last_finished_at": utcnow()}
    if error is None:
        values.update(last_period=period_start(job, now), last_result=(message or "klaar")[:500],
                      last_error="", failures=0, retry_at=None)
    else:
        failures = (db.session.scalar(sa.select(JobRun.failures).where(JobRun.name == job.name)) or 0) + 1
        wait = min(RETRY_FIRST * 2 ** (failures - 1), job.every)
        values.update(last_error=f"{type(error).__name__}: {error}"[:500], failures=failures,
                      retry_at=now + wait)
    db.session.execute(sa.update(JobRun).where(JobRun.name == job.name, JobRun.claimed_by == me)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def _jobs(app: Flask) -> list[Job]:
    return sorted(registry(app).jobs.values(), key=lambda j: (j.order, j.name))


def run_job(app: Flask, job: Job, now: datetime, *, force: bool = False) -> JobResult | None:
    """Claim and run one job in its own app context; ``None`` when not due or taken."""
    with app.app_context():
        try:
            me = _claim(job, now, force)
        except Exception:  # noqa: BLE001 - the database is away: the next round tries again
            logger.exception("Job %s could not be claimed", job.name)
            db.session.rollback()
            db.session.remove()
            return None
        if me is None:
            db.session.remove()
            return None
        with logs.job_context(job.name, me):
            return _run_claimed(job, me, now)


def _run_claimed(job: Job, me: str, now: datetime) -> JobResult:
    """Run ``job`` under the claim ``me`` and record how it went."""
    try:
        message = job.func(now)
    except Exception as exc:  # noqa: BLE001 - isolate every job
        logger.exception("Job %s failed", job.name)
        db.session.rollback()
        _finish(job, me, now, None, exc)
        result = JobResult(job.name, False, f"mislukt: {type(exc).__name__}: {exc}")
    else:
        db.session.commit()
        _finish(job, me, now, message, None)
        result = JobResult(job.name, True, message or "klaar")
        logger.info("Job %s: %s", job.name, result.message)
    finally:
        db.session.remove()
    return result


def run_due(app: Flask | None = None, now: datetime | None = None) -> list[JobResult]:
    """Run every job that is due at ``now`` (naive UTC, default: now); returns what ran."""
    app = app or current_app._get_current_object()
    now = now or utcnow()
    results = []
    for job in _jobs(app):
        result = run_job(app, job, now)
        if result is not None:
            results.append(result)
    return results


def run_now(app: Flask, name: str, now: datetime | None = None) -> JobResult | None:
    """Run the job ``name`` at once, due or not (still never twice at the same time)."""
    job = registry(app).jobs.get(name)
    if job is None:
        raise KeyError(name)
    return run_job(app, job, now or utcnow(), force=True)


def run_unrecorded(app: Flask, name: str) -> str | None:
    """Run ``name`` outside its schedule without claiming it (:func:`monitor.jobs.run_soon`).

    Only for jobs safe to run beside another run of themselves (sending mail claims per
    message); the scheduled runs are unaffected.
    """
    job = registry(app).jobs.get(name)
    if job is None:
        return None
    with app.app_context(), logs.job_context(name, f"soon:{claims.token()}"):
        try:
            return job.func(utcnow())
        except Exception:  # noqa: BLE001 - the scheduled run tries again
            logger.exception("Job %s (run soon) failed", name)
            db.session.rollback()
            return None
        finally:
            db.session.remove()


@dataclass
class JobStatus:
    job: Job
    row: JobRun | None
    due: bool
    next_period: datetime  # local wall clock


def status(app: Flask, now: datetime | None = None) -> list[JobStatus]:
    """Every registered job with its last run and whether it is due (for ``jobs list``)."""
    now = now or utcnow()
    rows = {r.name: r for r in db.session.scalars(sa.select(JobRun))}
    out = []
    for job in _jobs(app):
        row = rows.get(job.name)
        due = is_due(job, row, now)
        nxt = period_start(job, now) + (timedelta(0) if due else job.every)
        out.append(JobStatus(job, row, due, nxt))
    return out
