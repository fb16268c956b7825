"""Tellen: the thrice-yearly returns (opgaven), planned hours, import mappings, API tokens."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, string_enum
from ..models import Organisation, Period, ServiceType, Specialism, User, Wijk
from ..timeutil import utcnow


class ReturnStatus(enum.StrEnum):
    """Where a return is in its workflow."""

    CONCEPT = "concept"
    INGEDIEND = "ingediend"
    TERUGGESTUURD = "teruggestuurd"
    GOEDGEKEURD = "goedgekeurd"
    VERGRENDELD = "vergrendeld"

    @property
    def label(self) -> str:
        return {
            "concept": "Concept",
            "ingediend": "Ingediend",
            "teruggestuurd": "Teruggestuurd",
            "goedgekeurd": "Goedgekeurd",
            "vergrendeld": "Vergrendeld",
        }[self.value]

    @property
    def editable(self) -> bool:
        """The organisation may change the figures in this state."""
        return self in (ReturnStatus.CONCEPT, ReturnStatus.TERUGGESTUURD)

    @property
    def approved(self) -> bool:
        """Approved figures count in dashboards and exports."""
        return self in (ReturnStatus.GOEDGEKEURD, ReturnStatus.VERGRENDELD)




CITYWIDE_ID = 0  # the "wijk id" of the city-wide area ("stedelijk") in URLs and forms
CITYWIDE_NAME = "Stedelijk"


@dataclass(frozen=True)
class CityWide:
    """Stands in for a wijk where a city-wide return is shown (boards, completeness, tables)."""

    id: int = CITYWIDE_ID
    name: str = CITYWIDE_NAME
    active: bool = True

    def __str__(self) -> str:
        return self.name


CITYWIDE = CityWide()


class CountReturn(db.Model):
    """One return: an organisation's figures for one wijk (or, without a wijk, the city-wide
    services: "stedelijk") and one period."""

    __tablename__ = "count_returns"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "wijk_id", "period_id"),
        # NULLs are distinct in the constraint above: one city-wide return per organisation and period.
        sa.Index("uq_count_returns_citywide", "organisation_id", "period_id", unique=True,
                 sqlite_where=sa.text("wijk_id IS NULL"), postgresql_where=sa.text("wijk_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    wijk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wijken.id"), index=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("periods.id"), index=True)
    status: Mapped[ReturnStatus] = mapped_column(string_enum(ReturnStatus, 20), default=ReturnStatus.CONCEPT)

    volunteers: Mapped[int | None]
    meldingen: Mapped[int | None]
    meldingen_sociaal_plein: Mapped[int | None]
    closed_total: Mapped[int | None]
    closed_within_six_months: Mapped[int | None]
    closed_six_to_twelve_months: Mapped[int | None]
    closed_over_a_year: Mapped[int | None]
    running_at_end: Mapped[int | None]
    waiting_list: Mapped[int | None]
    closed_contact_moments: Mapped[int | None]
    closed_hours: Mapped[int | None]
    fte: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    unique_clients_year: Mapped[int | None]
    # Figures the organisation does not register ("niet geregistreerd"): their keys; their value is empty.
    not_registered: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    return_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship()
    wijk: Mapped[Wijk | None] = relationship()
    period: Mapped[Period] = relationship()
    decided_by: Mapped[User | None] = relationship()
    hours: Mapped[list[ReturnHours]] = relationship(
        back_populates="count_return", cascade="all, delete-orphan")
    clients: Mapped[list[ReturnClients]] = relationship(
        back_populates="count_return", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<CountReturn {self.id} org={self.organisation_id} wijk={self.wijk_id} period={self.period_id} {self.status}>"

    @property
    def area(self) -> Wijk | CityWide:
        """The wijk, or :data:`CITYWIDE` for a city-wide return (has ``id`` and ``name``)."""
        return self.wijk if self.wijk is not None else CITYWIDE

    @property
    def hours_by_specialism(self) -> dict[int, int]:
        return {h.specialism_id: h.hours for h in self.hours}

    @property
    def clients_by_service(self) -> dict[int, int]:
        return {c.service_type_id: c.clients for c in self.clients}

    @property
    def total_hours(self) -> int:
        return sum(h.hours for h in self.hours)

    @property
    def total_clients(self) -> int:
        return sum(c.clients for c in self.clients)


class WorkArea(db.Model):
    """One piece of an organisation's werkgebied for Tellen: a wijk (or the whole city when
    ``wijk_id`` is empty: "stedelijk") from ``starts_on`` up to and including ``ends_on``
    (either open). See :mod:`monitor.counts.werkgebied` for how it combines with the
    organisation's plain set of wijken."""

    __tablename__ = "count_work_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    wijk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wijken.id", ondelete="CASCADE"))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]

    wijk: Mapped[Wijk | None] = relationship()

    def __repr__(self) -> str:
        return f"<WorkArea org={self.organisation_id} wijk={self.wijk_id} {self.starts_on}–{self.ends_on}>"

    def covers(self, start: date, end: date) -> bool:
        """Whether the area is worked in on any day from ``start`` to ``end``."""
        return (self.starts_on is None or self.starts_on <= end) and (self.ends_on is None or self.ends_on >= start)


class ReturnHours(db.Model):
    """Hours spent on one specialism in one return."""

    __tablename__ = "count_return_hours"

    return_id: Mapped[int] = mapped_column(
        sa.ForeignKey("count_returns.id", ondelete="CASCADE"), primary_key=True)
    specialism_id: Mapped[int] = mapped_column(sa.ForeignKey("specialisms.id"), primary_key=True)
    hours: Mapped[int]

    count_return: Mapped[CountReturn] = relationship(back_populates="hours")
    specialism: Mapped[Specialism] = relationship()

    def __repr__(self) -> str:
        return f"<ReturnHours {self.return_id}/{self.specialism_id}={self.hours}>"


class ReturnClients(db.Model):
    """Clients of one type of service in one return."""

    __tablename__ = "count_return_clients"

    return_id: Mapped[int] = mapped_column(
        sa.ForeignKey("count_returns.id", ondelete="CASCADE"), primary_key=True)
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("service_types.id"), primary_key=True)
    clients: Mapped[int]

    count_return: Mapped[CountReturn] = relationship(back_populates="clients")
    service_type: Mapped[ServiceType] = relationship()

    def __repr__(self) -> str:
        return f"<ReturnClients {self.return_id}/{self.service_type_id}={self.clients}>"


class PlannedHours(db.Model):
    """Budgeted hours per week for a specialism of an organisation in a year (source 003 ch. 6)."""

    __tablename__ = "count_planned_hours"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "specialism_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    specialism_id: Mapped[int] = mapped_column(sa.ForeignKey("specialisms.id"))
    year: Mapped[int]
    hours_per_week: Mapped[Decimal] = mapped_column(sa.Numeric(7, 1))

    def __repr__(self) -> str:
        return f"<PlannedHours org={self.organisation_id} spec={self.specialism_id} {self.year}: {self.hours_per_week}>"


class ImportMapping(db.Model):
    """An organisation's saved column mapping for uploads (target field -> source column)."""

    __tablename__ = "count_import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), unique=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ImportMapping org={self.organisation_id}>"


class ApiToken(db.Model):
    """A bearer token an organisation's system uses for the API; only its hash is stored."""

    __tablename__ = "count_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… org={self.organisation_id}>"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class PublicationTable(db.Model):
    """The protected publication table of one measure and year, shared by every process
    (``monitor.counts.publication_store``): only what outsiders may see — the visible cells'
    values and the hidden cells' states, never a hidden or unpublished value."""

    __tablename__ = "count_publication_tables"

    measure: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of every input of the protection (method version, dimensions, data)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    cells: Mapped[str] = mapped_column(sa.Text)  # JSON, see publication_store.dump
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<PublicationTable {self.measure} {self.year} {self.fingerprint[:8]}>"
