"""``flask --app wsgi worker`` and ``flask --app wsgi jobs run-due | run | list``."""

from __future__ import annotations

import logging
import re
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .. import logs
from ..timeutil import format_datetime
from . import runner
from .queue import queue

jobs_cli = AppGroup("jobs", help="Periodieke taken (herinneringen, dagoverzicht, e-mail, onderhoud).")

_NOW = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$")


def parse_now(value: str | None) -> datetime | None:
    """``YYYY-MM-DD[THH:MM]`` in local time as naive UTC; a date alone means 12:00 that day."""
    if not value:
        return None
    match = _NOW.match(value.strip())
    if not match:
        raise click.BadParameter("gebruik JJJJ-MM-DD of JJJJ-MM-DDTUU:MM (lokale tijd)", param_hint="--now")
    year, month, day, hour, minute = match.groups()
    try:
        wall = datetime(int(year), int(month), int(day), int(hour or 12), int(minute or 0))
    except ValueError as exc:
        raise click.BadParameter(f"geen bestaand tijdstip ({exc})", param_hint="--now") from exc
    return runner.from_wall_clock(wall)


def _echo(results: list[runner.JobResult]) -> None:
    for result in results:
        click.echo(f"{'ok' if result.ok else 'FOUT'}  {result.name}: {result.message}")


@jobs_cli.command("run-due")
@click.option("--now", "now_text", metavar="JJJJ-MM-DD[TUU:MM]",
              help="Doen alsof het dit tijdstip is (lokale tijd; een datum alleen: 12:00).")
def run_due_command(now_text: str | None) -> None:
    """Run every periodic job that is due, once (for cron and tests)."""
    results = runner.run_due(current_app._get_current_object(), parse_now(now_text))
    _echo(results)
    if not results:
        click.echo("Er is geen taak aan de beurt.")
    if any(not r.ok for r in results):
        raise click.exceptions.Exit(1)


@jobs_cli.command("run")
@click.argument("name")
@click.option("--now", "now_text", metavar="JJJJ-MM-DD[TUU:MM]", help="Zoals bij run-due.")
def run_command(name: str, now_text: str | None) -> None:
    """Run the job NAME now, whether it is due or not."""
    app = current_app._get_current_object()
    try:
        result = runner.run_now(app, name, parse_now(now_text))
    except KeyError as exc:
        raise click.ClickException(f"Onbekende taak {name!r}; zie 'flask jobs list'.") from exc
    if result is None:
        raise click.ClickException(f"De taak {name!r} draait al ergens anders.")
    _echo([result])
    if not result.ok:
        raise click.exceptions.Exit(1)


def _every(job) -> str:
    seconds = int(job.every.total_seconds())
    for unit, label in ((86400 * 7, "week"), (86400, "dag"), (3600, "uur"), (60, "min")):
        if seconds % unit == 0:
            text = f"elke {seconds // unit} {label}" if seconds // unit > 1 else f"elke {label}"
            break
    else:
        text = f"elke {seconds} s"
    if job.offset:
        text += f" (+{int(job.offset.total_seconds() // 60)} min)"
    return text


@jobs_cli.command("list")
@with_appcontext
def list_command() -> None:
    """List the periodic jobs, their last run and whether they are due."""
    rows = runner.status(current_app._get_current_object())
    if not rows:
        click.echo("Er zijn geen periodieke taken geregistreerd.")
    for item in rows:
        row = item.row
        last = format_datetime(row.last_finished_at) if row and row.last_finished_at else "nog nooit"
        state = "aan de beurt" if item.due else f"volgende: {item.next_period:%d-%m-%Y %H:%M}"
        click.echo(f"{item.job.name}  [{_every(item.job)}]  laatst: {last}  {state}")
        if row and row.last_error:
            click.echo(f"    laatste fout: {row.last_error} (poging {row.failures})")
        elif row and row.last_result:
            click.echo(f"    {row.last_result}")
        if row and row.claimed_by:
            click.echo(f"    bezig sinds {format_datetime(row.claimed_at)} ({row.claimed_by})")


@click.command("worker")
@click.option("--threads", default=2, show_default=True, help="Taken tegelijk.")
@with_appcontext
def worker_command(threads: int) -> None:
    """Run the job worker: the queued tasks and, every minute, the due periodic jobs."""
    app = current_app._get_current_object()
    if not app.testing:  # the worker's lines say "process": "worker" (monitor/logs.py)
        logs.configure(app.config["LOG_FORMAT"], "worker")
    logging.getLogger("huey").setLevel(logging.INFO)
    huey = queue(app)
    # The start-up tasks (index repair, clean-up) first, in a worker thread; then every hour
    # as the job "onderhoud".
    huey.monitor_tasks["startup"]()
    consumer = huey.create_consumer(workers=max(1, threads), worker_type="thread", periodic=True,
                                    check_worker_health=True, flush_locks=True,
                                    max_delay=2.0)  # idle polling of the SQLite queue
    click.echo(f"Taakverwerker gestart ({type(huey).__name__}, {threads} draad/draden).")
    consumer.run()
