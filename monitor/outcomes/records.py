"""Client records of the outcomes module: access log, clients, trajectories and measurements.

Each use case commits once and leaves an audit trail naming the client by its internal
number (not its code), never the scores: administrators read the audit log.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import selectinload

from .. import audit, erasure
from ..errors import DomainError
from ..extensions import db
from ..models import Buurt, ServiceType, User, Wijk
from ..timeutil import utcnow
from .instruments import ZRM_VERSIONS, ladder_steps, zrm_domains
from .models import (
    Client,
    ClientAccess,
    ClosingReason,
    DomainScore,
    Instrument,
    Measurement,
    MeasurementKind,
    Trajectory,
)
from .permissions import CLIENT_EDIT

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely


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
                 summary=f"Cliënt #{client.id} geregistreerd", actor=user)
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
                 summary=f"Gegevens van cliënt #{client.id} gewijzigd", actor=user)
    db.session.commit()
    return client


# --- trajectories -----------------------------------------------------------------------

def workers_of(organisation_id: int | None) -> list[User]:
    """Active social workers of an organisation (candidates for responsible worker)."""
    return list(db.session.scalars(
        sa.select(User).where(User.organisation_id == organisation_id,
                              User.role.in_(CLIENT_EDIT.roles), User.active)
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
                 summary=f"Traject geopend voor cliënt #{client.id}", actor=user)
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
                 summary=f"Traject van cliënt #{trajectory.client_id} afgesloten", actor=user)
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
                 summary=f"{kind_.label} vastgelegd voor cliënt #{trajectory.client_id}", actor=user)
    db.session.commit()
    return measurement


def undo_until(measurement: Measurement) -> datetime | None:
    """Until when a deleted measurement can be restored (naive UTC)."""
    if measurement.deleted_at is None:
        return None
    return measurement.deleted_at + timedelta(days=current_app.config["OUTCOMES_UNDO_DAYS"])


def delete_measurement(measurement: Measurement, user: User, *, at_once: bool = False) -> Trajectory:
    """Remove a measurement entered by mistake: it counts nowhere from now on, and can be
    restored for ``OUTCOMES_UNDO_DAYS`` unless erased ``at_once``."""
    trajectory = measurement.trajectory
    measurement_id = measurement.id
    old = {"trajectory_id": trajectory.id, "kind": measurement.kind,
           "measured_on": measurement.measured_on}
    if at_once:
        db.session.delete(measurement)
        erasure.erase("Measurement", measurement_id, keep=("trajectory_id",))
        new = {"at_once": True}
    else:
        measurement.deleted_at, measurement.deleted_by_id = utcnow(), user.id
        new = {"undo_until": undo_until(measurement)}
    db.session.flush()
    db.session.expire(trajectory, ["measurements", "removed_measurements"])
    log_access(user, trajectory.client, "meting verwijderd")
    audit.record("outcomes.measurement_delete", object_type="Measurement",
                 object_id=measurement_id, old=old, new=new,
                 summary=f"Meting van cliënt #{trajectory.client_id} verwijderd", actor=user)
    db.session.commit()
    return trajectory


def restore_measurement(measurement: Measurement, user: User) -> Trajectory:
    """Undo a deletion within the window.

    :raise DomainError: the window is over, or the measurement no longer fits the
        trajectory (another begin measurement was entered meanwhile, say).
    """
    trajectory = measurement.trajectory
    if undo_until(measurement) <= utcnow():
        raise DomainError("De termijn om deze meting terug te zetten is voorbij.")
    try:
        check_measurement(trajectory, measurement.kind.value, measurement.measured_on,
                          measurement.ladder_step, measurement.score_map())
    except DomainError as err:
        raise DomainError(f"De meting kan niet terug: {err.message}") from None
    measurement.deleted_at, measurement.deleted_by_id = None, None
    db.session.flush()
    db.session.expire(trajectory, ["measurements", "removed_measurements"])
    log_access(user, trajectory.client, "verwijderde meting teruggezet")
    audit.record("outcomes.measurement_restore", object_type="Measurement", object_id=measurement.id,
                 new={"trajectory_id": trajectory.id},
                 summary=f"Meting van cliënt #{trajectory.client_id} teruggezet", actor=user)
    db.session.commit()
    return trajectory


def erase_deleted_measurements(trajectory: Trajectory) -> int:
    """Erase a trajectory's deleted measurements now (the client's records go); the caller
    commits."""
    removed = list(trajectory.removed_measurements)
    for measurement in removed:
        erasure.erase("Measurement", measurement.id)
        db.session.delete(measurement)
    return len(removed)


def purge_deleted_measurements(now: datetime) -> str:
    """The job: erase for good the measurements whose undo window is over."""
    limit = now - timedelta(days=current_app.config["OUTCOMES_UNDO_DAYS"])
    due = list(db.session.scalars(sa.select(Measurement).where(
        Measurement.deleted_at.is_not(None), Measurement.deleted_at <= limit).order_by(Measurement.id)))
    for measurement in due:
        audit.record("outcomes.measurement_purge", object_type="Measurement", object_id=measurement.id,
                     actor_label="systeem", new={"trajectory_id": measurement.trajectory_id},
                     summary="Verwijderde meting na de hersteltermijn gewist")
        erasure.erase("Measurement", measurement.id, keep=("trajectory_id", "undo_until"))
        db.session.delete(measurement)
    db.session.commit()
    return f"{len(due)} verwijderde metingen gewist"
