"""Client outcome models: pseudonymous clients, trajectories, measurements, access log.

A client record holds nothing that names the person: a generated code, the year of
birth (for age groups) and the wijk/buurt. There is deliberately no free-text field.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, string_enum
from ..models import Buurt, Organisation, ServiceType, User, Wijk
from ..timeutil import utcnow


class Instrument(enum.StrEnum):
    """The instrument chosen for a trajectory (source 003: one per individual)."""

    ZRM = "zrm"
    LADDER = "ladder"

    @property
    def label(self) -> str:
        return {"zrm": "Zelfredzaamheid-Matrix (ZRM)", "ladder": "Participatieladder"}[self.value]


class MeasurementKind(enum.StrEnum):
    """When in the trajectory a measurement was taken."""

    BEGIN = "begin"
    TUSSEN = "tussen"
    EIND = "eind"

    @property
    def label(self) -> str:
        return {"begin": "Beginmeting", "tussen": "Tussenmeting", "eind": "Eindmeting"}[self.value]


class ClosingReason(enum.StrEnum):
    """Why a trajectory ended."""

    AFGEROND = "afgerond"
    DOORVERWEZEN = "doorverwezen"
    GESTOPT = "gestopt"
    VERHUISD = "verhuisd"
    ANDERS = "anders"

    @property
    def label(self) -> str:
        return CLOSING_REASON_LABELS[self]


CLOSING_REASON_LABELS = {
    ClosingReason.AFGEROND: "Afgerond: doelen (grotendeels) bereikt",
    ClosingReason.DOORVERWEZEN: "Doorverwezen naar andere hulp",
    ClosingReason.GESTOPT: "Voortijdig gestopt (door cliënt of organisatie)",
    ClosingReason.VERHUISD: "Verhuisd of buiten bereik",
    ClosingReason.ANDERS: "Andere reden",
}


class Client(db.Model):
    """A pseudonymous client of one organisation."""

    __tablename__ = "outcome_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    birth_year: Mapped[int | None]
    wijk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wijken.id"), index=True)
    buurt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buurten.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    wijk: Mapped[Wijk | None] = relationship()
    buurt: Mapped[Buurt | None] = relationship()
    trajectories: Mapped[list[Trajectory]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Trajectory.started_on"
    )
    # Keyed hashes of the organisation's own numbers for this client (references.py).
    references: Mapped[list[ClientReference]] = relationship(cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Client {self.id} {self.code}>"

    def __str__(self) -> str:
        return self.code


class Trajectory(db.Model):
    """A support trajectory of a client, scored with one instrument."""

    __tablename__ = "outcome_trajectories"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outcome_clients.id", ondelete="CASCADE"), index=True)
    # Copied from the client: the owning organisation is checked on every object.
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("service_types.id"))
    worker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    instrument: Mapped[Instrument] = mapped_column(string_enum(Instrument, 20))
    zrm_version: Mapped[str | None] = mapped_column(sa.String(4))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    closing_reason: Mapped[ClosingReason | None] = mapped_column(string_enum(ClosingReason, 20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client] = relationship(back_populates="trajectories")
    service_type: Mapped[ServiceType] = relationship()
    worker: Mapped[User | None] = relationship()
    # Deleted measurements (with undo, docs/privacy.md) stay out of ``measurements``.
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="trajectory", cascade="all, delete-orphan",
        order_by="(Measurement.measured_on, Measurement.id)",
        primaryjoin="and_(Trajectory.id == Measurement.trajectory_id, Measurement.deleted_at.is_(None))",
    )
    removed_measurements: Mapped[list[Measurement]] = relationship(
        viewonly=True, order_by="Measurement.deleted_at",
        primaryjoin="and_(Trajectory.id == Measurement.trajectory_id, Measurement.deleted_at.is_not(None))",
    )

    def __repr__(self) -> str:
        return f"<Trajectory {self.id} {self.instrument} client={self.client_id}>"

    @property
    def closed(self) -> bool:
        return self.ended_on is not None

    def measurement(self, kind: MeasurementKind) -> Measurement | None:
        """The (single) begin or end measurement, if taken."""
        return next((m for m in self.measurements if m.kind == kind), None)


class Measurement(db.Model):
    """A dated measurement: a ladder step or ZRM scores per domain."""

    __tablename__ = "outcome_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outcome_trajectories.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    kind: Mapped[MeasurementKind] = mapped_column(string_enum(MeasurementKind, 20))
    measured_on: Mapped[date]
    ladder_step: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Deleted with undo: counts nowhere; purged for good after OUTCOMES_UNDO_DAYS.
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    trajectory: Mapped[Trajectory] = relationship(back_populates="measurements")
    scores: Mapped[list[DomainScore]] = relationship(
        back_populates="measurement", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("ladder_step IS NULL OR ladder_step BETWEEN 1 AND 6",
                           name="ladder_step_range"),
    )

    def __repr__(self) -> str:
        return f"<Measurement {self.id} {self.kind} {self.measured_on}>"

    def score_map(self) -> dict[str, int | None]:
        """Domain code → score (``None`` = niet van toepassing); absent = niet besproken."""
        return {s.domain_code: s.score for s in self.scores}


class DomainScore(db.Model):
    """The ZRM score of one domain in one measurement; NULL means "niet van toepassing"."""

    __tablename__ = "outcome_domain_scores"
    __table_args__ = (
        sa.UniqueConstraint("measurement_id", "domain_code"),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measurement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outcome_measurements.id", ondelete="CASCADE"), index=True)
    domain_code: Mapped[str] = mapped_column(sa.String(10))
    score: Mapped[int | None]

    measurement: Mapped[Measurement] = relationship(back_populates="scores")

    def __repr__(self) -> str:
        return f"<DomainScore {self.domain_code}={self.score}>"


class ClientAccess(db.Model):
    """One view of (or change to) a client record: who, which client, when, what.

    ``client_id`` has no foreign key on purpose: the log outlives a purged client.
    """

    __tablename__ = "outcome_client_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    user_label: Mapped[str] = mapped_column(sa.String(120))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    client_id: Mapped[int | None] = mapped_column(index=True)
    client_code: Mapped[str | None] = mapped_column(sa.String(20))
    action: Mapped[str] = mapped_column(sa.String(60))
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<ClientAccess {self.user_id} {self.client_code} {self.action}>"


class OutcomeFact(db.Model):
    """An anonymous outcome kept after its client was purged (no client link at all).

    One row per ladder trajectory or per ZRM domain of a trajectory that counted in
    the reports, so figures already reported stay the same after the retention purge.
    """

    __tablename__ = "outcome_facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    wijk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wijken.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("service_types.id"))
    instrument: Mapped[Instrument] = mapped_column(string_enum(Instrument, 20))
    zrm_version: Mapped[str | None] = mapped_column(sa.String(4))
    domain_code: Mapped[str | None] = mapped_column(sa.String(10))
    reference_date: Mapped[date] = mapped_column(index=True)
    begin_score: Mapped[int]
    end_score: Mapped[int]
    improved: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<OutcomeFact {self.instrument} {self.domain_code} {self.improved}>"


from .references import ClientReference  # noqa: E402  (its table refers to outcome_clients)
