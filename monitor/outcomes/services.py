"""Use cases of the client outcomes module; each commits once and leaves an audit trail.

Audit entries name the client by its internal number (not its code) and what happened,
never the scores: the audit log is read by administrators, who may not see client records.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import selectinload

from .. import audit, erasure
from ..errors import DomainError
from ..extensions import db
from ..models import Buurt, Organisation, Period, Role, ServiceType, User, Wijk
from ..periods import all_periods, period_containing
from .instruments import ZRM_VERSIONS, ladder_steps, zrm_domains, zrm_labels
from .models import (
    Client,
    ClientAccess,
    ClosingReason,
    DomainScore,
    Instrument,
    Measurement,
    MeasurementKind,
    OutcomeFact,
    Trajectory,
)
from .reports import Filters, OutcomeReport, build_report, collect_observations, observations_for

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely


# --- loading ----------------------------------------------------------------------------



def add_months(day: date, months: int) -> date:
    """``day`` shifted by ``months`` (negative: back), clamped to the month's last day."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


# --- access log -------------------------------------------------------------------------

def log_access(user: User, client: Client | None, action: str) -> None:
    """Write one entry of the client access log (the caller commits)."""
    db.session.add(ClientAccess(
        user_id=user.id, user_label=f"{user.name} ({user.email})",
        organisation_id=user.organisation_id,
        client_id=client.id if client else None, client_code=client.code if client else None,
        action=action, ip_address=request.remote_addr if has_request_context() else None,
    ))


def recent_access(client: Client, limit: int = 10) -> list[ClientAccess]:
    """The latest views and changes of a client record, newest first."""
    return list(db.session.scalars(
        sa.select(ClientAccess).where(ClientAccess.client_id == client.id)
        .order_by(ClientAccess.created_at.desc(), ClientAccess.id.desc()).limit(limit)))


def view_client(client: Client, user: User, what: str = "dossier bekeken") -> Client:
    """Record that ``user`` opened (part of) the client record, and return it."""
    log_access(user, client, what)
    db.session.commit()
    return client


def list_clients(user: User, code: str = "") -> list[Client]:
    """The clients of the user's organisation (optionally by code), logged as a list view."""
    query = (sa.select(Client).where(Client.organisation_id == user.organisation_id)
             .options(selectinload(Client.trajectories), selectinload(Client.wijk))
             .order_by(Client.created_at.desc(), Client.id.desc()))
    # Codes hold only A–Z, 2–9 and dashes: anything else cannot match (and NUL bytes
    # would upset PostgreSQL).
    code = "".join(ch for ch in (code or "").upper() if ch.isascii() and (ch.isalnum() or ch == "-"))
    if code:
        query = query.where(Client.code.contains(code))
    clients = list(db.session.scalars(query))
    log_access(user, None, f"cliëntenlijst bekeken ({len(clients)} cliënten)")
    db.session.commit()
    return clients


# --- clients ----------------------------------------------------------------------------

def generate_client_code() -> str:
    """A new random client code such as ``K-7KQ3-M9PD`` (unique, not derived from a person)."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"K-{raw[:4]}-{raw[4:]}"
        if db.session.scalar(sa.select(Client.id).where(Client.code == code)) is None:
            return code


def _check_place(wijk_id: int | None, buurt_id: int | None) -> None:
    if wijk_id is not None and db.session.get(Wijk, wijk_id) is None:
        raise DomainError("Kies een bestaande wijk.", "wijk_id")
    if buurt_id is not None:
        buurt = db.session.get(Buurt, buurt_id)
        if buurt is None:
            raise DomainError("Kies een bestaande buurt.", "buurt_id")
        if wijk_id is None or buurt.wijk_id != wijk_id:
            raise DomainError("Deze buurt ligt niet in de gekozen wijk.", "buurt_id")


def _check_birth_year(birth_year: int | None) -> None:
    if birth_year is not None and not 1900 <= birth_year <= date.today().year:
        raise DomainError(f"Vul een geboortejaar in tussen 1900 en {date.today().year}.",
                          "birth_year")


def register_client(user: User, *, birth_year: int | None, wijk_id: int | None,
                    buurt_id: int | None) -> Client:
    """Register a pseudonymous client for the user's organisation with a generated code.

    :raise DomainError: impossible year of birth or a buurt outside the wijk.
    """
    if user.organisation_id is None:
        raise DomainError("U hoort niet bij een organisatie en kunt geen cliënten registreren.")
    _check_birth_year(birth_year)
    _check_place(wijk_id, buurt_id)
    client = Client(code=generate_client_code(), organisation_id=user.organisation_id,
                    birth_year=birth_year, wijk_id=wijk_id, buurt_id=buurt_id)
    db.session.add(client)
    db.session.flush()
    log_access(user, client, "cliënt geregistreerd")
    audit.record("outcomes.client_create", client, new={"organisation_id": client.organisation_id},
                 summary=f"Cliënt #{client.id} geregistreerd")
    db.session.commit()
    return client


def update_client(client: Client, user: User, *, birth_year: int | None, wijk_id: int | None,
                  buurt_id: int | None) -> Client:
    """Change a client's year of birth and place.

    :raise DomainError: impossible year of birth or a buurt outside the wijk.
    """
    _check_birth_year(birth_year)
    _check_place(wijk_id, buurt_id)
    fields = ("birth_year", "wijk_id", "buurt_id")
    old = audit.snapshot(client, fields)
    client.birth_year, client.wijk_id, client.buurt_id = birth_year, wijk_id, buurt_id
    changed = [k for k, v in audit.snapshot(client, fields).items() if old[k] != v]
    log_access(user, client, "gegevens gewijzigd")
    # Which fields changed, not their values: the audit log is read outside the organisation.
    audit.record("outcomes.client_update", client, new={"gewijzigd": changed},
                 summary=f"Gegevens van cliënt #{client.id} gewijzigd")
    db.session.commit()
    return client


# --- trajectories -----------------------------------------------------------------------

def workers_of(organisation_id: int | None) -> list[User]:
    """Active social workers of an organisation (candidates for responsible worker)."""
    return list(db.session.scalars(
        sa.select(User).where(User.organisation_id == organisation_id,
                              User.role == Role.SOCIAAL_WERKER, User.active)
        .order_by(User.name)))


def service_types() -> list[ServiceType]:
    """The service type catalogue, in its order."""
    return list(db.session.scalars(sa.select(ServiceType).order_by(ServiceType.position)))


def open_trajectory(client: Client, user: User, *, service_type_id: int,
                    worker_id: int | None, instrument: str, zrm_version: str | None,
                    started_on: date) -> Trajectory:
    """Open a trajectory for ``client`` with the chosen instrument.

    :raise DomainError: unknown service type or worker, a bad ZRM version, a start in the
        future, or a second open trajectory with the same instrument.
    """
    try:
        instrument_ = Instrument(instrument)
    except ValueError:
        raise DomainError("Kies ZRM of de participatieladder.", "instrument") from None
    if db.session.get(ServiceType, service_type_id) is None:
        raise DomainError("Kies een soort dienstverlening.", "service_type_id")
    if worker_id is not None and worker_id not in {w.id for w in workers_of(client.organisation_id)}:
        raise DomainError("Kies een sociaal werker van uw eigen organisatie.", "worker_id")
    if instrument_ == Instrument.ZRM:
        zrm_version = zrm_version or "2017"
        if zrm_version not in ZRM_VERSIONS:
            raise DomainError("Kies ZRM 2017 of ZRM 2013.", "zrm_version")
    else:
        zrm_version = None
    if started_on > date.today():
        raise DomainError("De startdatum ligt in de toekomst.", "started_on")
    if any(t.instrument == instrument_ and not t.closed for t in client.trajectories):
        raise DomainError("Deze cliënt heeft al een open traject met dit instrument. "
                          "Sluit dat eerst af.", "instrument")
    trajectory = Trajectory(
        client=client, organisation_id=client.organisation_id, service_type_id=service_type_id,
        worker_id=worker_id, instrument=instrument_, zrm_version=zrm_version,
        started_on=started_on)
    db.session.add(trajectory)
    db.session.flush()
    log_access(user, client, "traject geopend")
    audit.record("outcomes.trajectory_open", trajectory,
                 new=audit.snapshot(trajectory, ("client_id", "instrument", "zrm_version",
                                                 "service_type_id", "worker_id", "started_on")),
                 summary=f"Traject geopend voor cliënt #{client.id}")
    db.session.commit()
    return trajectory


def close_trajectory(trajectory: Trajectory, user: User, *, ended_on: date,
                     reason: str) -> Trajectory:
    """Close a trajectory with an end date and a reason.

    :raise DomainError: already closed, unknown reason, or an end date before the start
        or before a measurement, or in the future.
    """
    if trajectory.closed:
        raise DomainError("Dit traject is al afgesloten.")
    try:
        reason_ = ClosingReason(reason)
    except ValueError:
        raise DomainError("Kies een reden van afsluiten.", "closing_reason") from None
    if ended_on < trajectory.started_on:
        raise DomainError("De einddatum ligt vóór de startdatum van het traject.", "ended_on")
    if ended_on > date.today():
        raise DomainError("De einddatum ligt in de toekomst.", "ended_on")
    last = max((m.measured_on for m in trajectory.measurements), default=None)
    if last is not None and ended_on < last:
        raise DomainError(f"De einddatum ligt vóór de laatste meting ({last:%d-%m-%Y}).",
                          "ended_on")
    trajectory.ended_on, trajectory.closing_reason = ended_on, reason_
    log_access(user, trajectory.client, "traject afgesloten")
    audit.record("outcomes.trajectory_close", trajectory,
                 old={"ended_on": None}, new={"ended_on": ended_on, "closing_reason": reason_},
                 summary=f"Traject van cliënt #{trajectory.client_id} afgesloten")
    db.session.commit()
    return trajectory


# --- measurements -----------------------------------------------------------------------

def check_measurement(trajectory: Trajectory, kind: str, measured_on: date | None,
                      ladder_step: int | None, scores: dict[str, int | None],
                      pending: list[tuple[str, date]] | None = None) -> MeasurementKind:
    """Validate a measurement for ``trajectory`` (shared by the form and the import).

    :param scores: ZRM domain code → 1–5, or ``None`` for "niet van toepassing";
        domains not discussed are simply absent.
    :param pending: (kind, date) of measurements earlier in the same import.
    :raise DomainError: with the field the problem belongs to.
    """
    try:
        kind_ = MeasurementKind(kind)
    except ValueError:
        raise DomainError("Kies begin-, tussen- of eindmeting.", "kind") from None
    if measured_on is None:
        raise DomainError("Vul een geldige datum in (dd-mm-jjjj).", "measured_on")
    if measured_on > date.today():
        raise DomainError("De datum van de meting ligt in de toekomst.", "measured_on")
    if measured_on < trajectory.started_on:
        raise DomainError("De meting ligt vóór de start van het traject "
                          f"({trajectory.started_on:%d-%m-%Y}).", "measured_on")
    if trajectory.ended_on and measured_on > trajectory.ended_on:
        raise DomainError("De meting ligt na het einde van het traject "
                          f"({trajectory.ended_on:%d-%m-%Y}).", "measured_on")
    taken = [(m.kind, m.measured_on) for m in trajectory.measurements]
    taken += [(MeasurementKind(k), d) for k, d in (pending or [])]
    if kind_ != MeasurementKind.TUSSEN and any(k == kind_ for k, _ in taken):
        raise DomainError(f"Dit traject heeft al een {kind_.label.lower()}.", "kind")
    begin = [d for k, d in taken if k == MeasurementKind.BEGIN]
    end = [d for k, d in taken if k == MeasurementKind.EIND]
    if kind_ != MeasurementKind.BEGIN and begin and measured_on < begin[0]:
        raise DomainError("Deze meting ligt vóór de beginmeting.", "measured_on")
    if kind_ != MeasurementKind.EIND and end and measured_on > end[0]:
        raise DomainError("Deze meting ligt na de eindmeting.", "measured_on")
    if kind_ == MeasurementKind.BEGIN and any(d < measured_on for _, d in taken):
        raise DomainError("De beginmeting moet de eerste meting zijn.", "measured_on")
    if kind_ == MeasurementKind.EIND and any(d > measured_on for _, d in taken):
        raise DomainError("De eindmeting moet de laatste meting zijn.", "measured_on")
    if trajectory.instrument == Instrument.LADDER:
        if ladder_step is None or ladder_step not in ladder_steps():
            raise DomainError("Kies een trede van 1 tot en met 6.", "ladder_step")
        if scores:
            raise DomainError("Een meting op de participatieladder heeft geen ZRM-scores.")
    else:
        codes = {d.code for d in zrm_domains(trajectory.zrm_version or "2017")}
        unknown = sorted(set(scores) - codes)
        if unknown:
            raise DomainError(f"Domein(en) {', '.join(unknown)} horen niet bij ZRM "
                              f"{trajectory.zrm_version}.", "scores")
        if any(v is not None and v not in (1, 2, 3, 4, 5) for v in scores.values()):
            raise DomainError("Een ZRM-score is 1, 2, 3, 4 of 5 (of n.v.t.).", "scores")
        if not scores:
            raise DomainError("Scoor minstens één domein (of markeer het als n.v.t.).", "scores")
    return kind_


def _new_measurement(trajectory: Trajectory, user: User, kind: MeasurementKind,
                     measured_on: date, ladder_step: int | None,
                     scores: dict[str, int | None]) -> Measurement:
    measurement = Measurement(
        trajectory=trajectory, organisation_id=trajectory.organisation_id, kind=kind,
        measured_on=measured_on,
        ladder_step=ladder_step if trajectory.instrument == Instrument.LADDER else None,
        created_by_id=user.id if user else None)
    measurement.scores = [DomainScore(domain_code=c, score=s) for c, s in scores.items()]
    db.session.add(measurement)
    return measurement


def record_measurement(trajectory: Trajectory, user: User, *, kind: str, measured_on: date | None,
                       ladder_step: int | None = None,
                       scores: dict[str, int | None] | None = None) -> Measurement:
    """Add a begin, intermediate or end measurement to a trajectory.

    :raise DomainError: see :func:`check_measurement`.
    """
    scores = scores or {}
    kind_ = check_measurement(trajectory, kind, measured_on, ladder_step, scores)
    measurement = _new_measurement(trajectory, user, kind_, measured_on, ladder_step, scores)
    log_access(user, trajectory.client, f"{kind_.label.lower()} vastgelegd")
    audit.record("outcomes.measurement_create", measurement,
                 new={"trajectory_id": trajectory.id, "kind": kind_, "measured_on": measured_on,
                      "domeinen": len(scores)},
                 summary=f"{kind_.label} vastgelegd voor cliënt #{trajectory.client_id}")
    db.session.commit()
    return measurement


def delete_measurement(measurement: Measurement, user: User) -> Trajectory:
    """Remove a measurement entered by mistake."""
    trajectory = measurement.trajectory
    measurement_id = measurement.id
    old = {"trajectory_id": trajectory.id, "kind": measurement.kind,
           "measured_on": measurement.measured_on}
    db.session.delete(measurement)
    db.session.flush()
    db.session.expire(trajectory, ["measurements"])
    log_access(user, trajectory.client, "meting verwijderd")
    audit.record("outcomes.measurement_delete", object_type="Measurement",
                 object_id=measurement_id, old=old,
                 summary=f"Meting van cliënt #{trajectory.client_id} verwijderd")
    db.session.commit()
    return trajectory


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
    return not (user.role == Role.SOCIAAL_WERKER and user.organisation_id is not None
                and filters.organisation_id == user.organisation_id)


def outcome_report(user: User, filters: Filters, grouping: str = "totaal") -> OutcomeReport:
    """The outcome report for ``user`` (suppressed unless it is their own organisation's)."""
    observations = collect_observations(filters)
    return build_report(observations, filters, grouping, report_is_suppressed(user, filters))


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
    return build_report(collect_observations(filters), filters, grouping, suppress=True)


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


# --- retention --------------------------------------------------------------------------

@dataclass
class PurgeResult:
    cutoff: date
    clients: int = 0
    trajectories: int = 0
    measurements: int = 0
    facts: int = 0
    codes: list[str] = field(default_factory=list)


def expired_clients(cutoff: date) -> list[Client]:
    """Clients whose every trajectory closed on or before ``cutoff`` (or who never had one
    and were registered before it)."""
    clients = db.session.scalars(
        sa.select(Client).options(
            selectinload(Client.trajectories).selectinload(Trajectory.measurements)
            .selectinload(Measurement.scores)))
    result = []
    for c in clients:
        if c.trajectories:
            if all(t.closed and t.ended_on <= cutoff for t in c.trajectories):
                result.append(c)
        elif c.created_at.date() <= cutoff:
            result.append(c)
    return result


def purge_expired(today: date | None = None, months: int | None = None,
                  dry_run: bool = False) -> PurgeResult:
    """Remove client data whose retention period has passed.

    The outcomes the removed trajectories contributed are kept as anonymous
    :class:`OutcomeFact` rows (no client link), so reported figures stay the same.
    The client access log stays (it holds only the code).

    :param months: retention after a trajectory closes (default: OUTCOMES_RETENTION_MONTHS).
    :param dry_run: count what would go, change nothing.
    """
    today = today or date.today()
    if months is None:
        months = int(current_app.config["OUTCOMES_RETENTION_MONTHS"])
    if months < 0:
        raise DomainError("De bewaartermijn kan niet negatief zijn.")
    result = PurgeResult(cutoff=add_months(today, -months))
    for client in expired_clients(result.cutoff):
        result.clients += 1
        result.codes.append(client.code)
        for t in client.trajectories:
            result.trajectories += 1
            result.measurements += len(t.measurements)
            for o in observations_for(t, client.wijk_id):
                result.facts += 1
                if not dry_run:
                    db.session.add(OutcomeFact(
                        organisation_id=o.organisation_id, wijk_id=o.wijk_id,
                        service_type_id=o.service_type_id, instrument=o.instrument,
                        zrm_version=o.zrm_version, domain_code=o.domain_code,
                        reference_date=o.reference_date, begin_score=o.begin_score,
                        end_score=o.end_score, improved=o.improved))
        if not dry_run:
            # The trail keeps that there was a client, a trajectory, a measurement; their
            # dates and details go with them.
            erasure.erase("Client", client.id)
            for t in client.trajectories:
                erasure.erase("Trajectory", t.id)
                for m in t.measurements:
                    erasure.erase("Measurement", m.id)
            db.session.delete(client)
    if dry_run:
        db.session.rollback()
        return result
    audit.record(
        "outcomes.purge", object_type="Client", actor_label="systeem (bewaartermijn)",
        old={"clients": result.clients, "trajectories": result.trajectories,
             "measurements": result.measurements},
        new={"anonymous_outcomes_kept": result.facts, "retention_months": months,
             "cutoff": result.cutoff},
        summary=(f"Bewaartermijn: {result.clients} cliënten, {result.trajectories} trajecten en "
                 f"{result.measurements} metingen verwijderd (afgesloten vóór of op "
                 f"{result.cutoff:%d-%m-%Y}); {result.facts} anonieme uitkomsten bewaard"),
    )
    db.session.commit()
    logger.info("Outcome retention purge: %d clients removed", result.clients)
    return result


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
