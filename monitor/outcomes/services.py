"""Use cases of the client outcomes module: progress, reports (also for other modules), home tasks.

Client records live in :mod:`.records` and retention in :mod:`.retention`; their names are
importable from here as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Organisation, Period, User, Wijk
from ..periods import all_periods, period_containing
from .counting import indicator_counts
from .instruments import ladder_steps, zrm_domains, zrm_labels
from .models import Instrument, MeasurementKind, Trajectory
from .permissions import sees_unsuppressed
from .records import (
    CODE_ALPHABET,
    _check_birth_year,
    _check_place,
    _new_measurement,
    check_measurement,
    close_trajectory,
    delete_measurement,
    generate_client_code,
    list_clients,
    log_access,
    open_trajectory,
    recent_access,
    record_measurement,
    register_client,
    restore_measurement,
    service_types,
    undo_until,
    update_client,
    view_client,
    workers_of,
)
from .reports import Filters, OutcomeReport, report_from_counts
from .retention import PurgeResult, add_months, expired_clients, purge_expired

__all__ = [
    "CODE_ALPHABET", "Progress", "PurgeResult", "TrajectoryTask", "_check_birth_year", "_check_place",
    "_new_measurement", "add_months", "check_measurement", "close_trajectory", "default_report_range",
    "delete_measurement", "expired_clients", "generate_client_code",
    "list_clients", "list_wijken", "restore_measurement", "undo_until",
    "log_access", "open_trajectory", "organisations_with_clients", "outcome_report", "outcomes_for_wijk",
    "progress", "purge_expired", "recent_access", "record_measurement", "register_client",
    "report_is_suppressed", "report_periods", "service_types", "tasks_for", "update_client",
    "view_client", "workers_of",
]


# --- progress ---------------------------------------------------------------------------

@dataclass
class Progress:
    """One trajectory's measurements as chart data and as the same figures in a table."""

    trajectory: Trajectory
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    chart: dict = field(default_factory=dict)


def progress(trajectory: Trajectory) -> Progress:
    """ZRM scores per domain over time, or the ladder path, for chart and table."""
    ms = trajectory.measurements
    columns = [f"{m.kind.label} {m.measured_on:%d-%m-%Y}" for m in ms]
    if trajectory.instrument == Instrument.LADDER:
        steps = ladder_steps()
        rows = [("Trede", [f"{m.ladder_step} {steps[m.ladder_step]}" if m.ladder_step else "—"
                           for m in ms])]
        datasets = [{"label": "Trede participatieladder",
                     "data": [m.ladder_step for m in ms]}]
        y = {"min": 1, "max": 6, "labels": {str(k): v for k, v in steps.items()}}
    else:
        version = trajectory.zrm_version or "2017"
        labels = zrm_labels(version)
        rows, datasets = [], []
        maps = [m.score_map() for m in ms]
        for d in zrm_domains(version):
            cells, data = [], []
            for sm in maps:
                if d.code not in sm:
                    cells.append("niet besproken")
                    data.append(None)
                elif sm[d.code] is None:
                    cells.append("n.v.t.")
                    data.append(None)
                else:
                    cells.append(f"{sm[d.code]} {labels[sm[d.code]]}")
                    data.append(sm[d.code])
            rows.append((d.name, cells))
            if any(v is not None for v in data):
                datasets.append({"label": d.name, "data": data})
        y = {"min": 1, "max": 5, "labels": {str(k): v for k, v in labels.items()}}
    chart = {"labels": columns, "datasets": datasets, "y": y,
             "title": trajectory.instrument.label}
    return Progress(trajectory, columns, rows, chart)


# --- reports ----------------------------------------------------------------------------

def report_is_suppressed(user: User, filters: Filters) -> bool:
    """Figures are unsuppressed only for a social worker looking at their own organisation."""
    return not sees_unsuppressed(user, filters.organisation_id)


def outcome_report(user: User, filters: Filters, grouping: str = "totaal") -> OutcomeReport:
    """The outcome report for ``user`` (suppressed unless it is their own organisation's)."""
    # Counted in the database (same rules as collect_observations + build_report).
    return report_from_counts(indicator_counts(filters, grouping), filters, grouping,
                              report_is_suppressed(user, filters))


def outcomes_for_wijk(wijk_id: int, first: date | Period, last: date | Period,
                      grouping: str = "totaal") -> OutcomeReport:
    """Aggregated, always suppressed outcomes of one wijk over a period range.

    The service other modules (the monitorgesprek) call: no client record leaves
    this module, and every count below 5 is suppressed as for an outsider.

    :param first: first period of the range, or its first day.
    :param last: last period of the range (inclusive), or its last day.
    :param grouping: ``"totaal"``, ``"organisatie"`` or ``"dienst"``.
    """
    if isinstance(first, Period):
        first = first.start
    if isinstance(last, Period):
        last = last.end
    filters = Filters(first=first, last=last, wijk_id=wijk_id)
    return report_from_counts(indicator_counts(filters, grouping), filters, grouping, suppress=True)


def organisations_with_clients() -> list[Organisation]:
    """Organisations for the report filter."""
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


# --- home tasks -------------------------------------------------------------------------

@dataclass
class TrajectoryTask:
    trajectory: Trajectory
    title: str
    detail: str
    urgency: str


def tasks_for(user: User, today: date | None = None) -> list[TrajectoryTask]:
    """Trajectories of ``user`` missing a begin or end measurement, or overdue a tussenmeting."""
    today = today or date.today()
    months = int(current_app.config["OUTCOMES_INTERMEDIATE_MONTHS"])
    query = (sa.select(Trajectory)
             .where(Trajectory.organisation_id == user.organisation_id,
                    Trajectory.worker_id == user.id)
             .options(selectinload(Trajectory.measurements), selectinload(Trajectory.client))
             .order_by(Trajectory.started_on))
    tasks = []
    for t in db.session.scalars(query):
        code = t.client.code
        kinds = {m.kind for m in t.measurements}
        if t.closed:
            if MeasurementKind.EIND not in kinds:
                tasks.append(TrajectoryTask(
                    t, f"Eindmeting ontbreekt: {code}",
                    f"Traject afgesloten op {t.ended_on:%d-%m-%Y} zonder eindmeting; "
                    "het telt zo niet mee in de uitkomsten.", "error"))
            continue
        if MeasurementKind.BEGIN not in kinds:
            tasks.append(TrajectoryTask(
                t, f"Beginmeting ontbreekt: {code}",
                f"Traject gestart op {t.started_on:%d-%m-%Y}.", "warning"))
            continue
        last = max(m.measured_on for m in t.measurements)
        due = add_months(last, months)
        if due < today:
            tasks.append(TrajectoryTask(
                t, f"Tussenmeting te laat: {code}",
                f"Laatste meting {last:%d-%m-%Y}; een tussenmeting was uiterlijk "
                f"{due:%d-%m-%Y} nodig.", "warning"))
    return tasks


# --- small lookups for forms ------------------------------------------------------------

def list_wijken() -> list[Wijk]:
    """Active wijken with their buurten, by name."""
    return list(db.session.scalars(
        sa.select(Wijk).where(Wijk.active).options(selectinload(Wijk.buurten))
        .order_by(Wijk.name)))


def report_periods() -> list[Period]:
    """Every period, newest first, for the report's range."""
    return all_periods()


def default_report_range(periods: list[Period]) -> tuple[Period | None, Period | None]:
    """The last three periods up to today's (a year), as (first, last)."""
    current = period_containing(date.today()) or (periods[0] if periods else None)
    if current is None:
        return None, None
    first = next((p for p in periods if p.ordinal == current.ordinal - 2), current)
    return first, current
