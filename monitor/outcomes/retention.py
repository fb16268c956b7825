"""Retention of client data: records whose retention period has passed are removed,
their outcomes kept as anonymous facts."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from .. import audit, erasure
from ..errors import DomainError
from ..extensions import db
from .models import Client, Measurement, OutcomeFact, Trajectory
from .records import erase_deleted_measurements
from .reports import observations_for

logger = logging.getLogger(__name__)


def add_months(day: date, months: int) -> date:
    """``day`` shifted by ``months`` (negative: back), clamped to the month's last day."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


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
                erase_deleted_measurements(t)  # deleted ones waiting for their undo window too
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
