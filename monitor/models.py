"""Core models: places, organisations, periods, users and the audit trail."""

from __future__ import annotations

import calendar
import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db, string_enum
from .timeutil import MONTHS_NL, utcnow


class Role(enum.StrEnum):
    """The roles of the platform; each user has exactly one."""

    ADMIN = "admin"
    ACCOUNTHOUDER = "accounthouder"
    BUURTCOORDINATOR = "buurtcoordinator"
    SOCIAAL_WERKER = "sociaal_werker"
    RAADSLID = "raadslid"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Beheerder",
    Role.ACCOUNTHOUDER: "Accounthouder",
    Role.BUURTCOORDINATOR: "Buurtcoördinator",
    Role.SOCIAAL_WERKER: "Sociaal werker",
    Role.RAADSLID: "Raadslid",
}


class OrganisationKind(enum.StrEnum):
    """What sort of organisation this is."""

    WELZIJN = "welzijn"
    GEMEENTE = "gemeente"
    TOEGANG = "toegang"

    @property
    def label(self) -> str:
        return {
            "welzijn": "Welzijnsorganisatie",
            "gemeente": "Gemeente",
            "toegang": "Toegang (Sociaal Plein)",
        }[self.value]


user_wijken = sa.Table(
    "user_wijken",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("wijk_id", sa.ForeignKey("wijken.id", ondelete="CASCADE"), primary_key=True),
)


class Wijk(db.Model):
    """A district of a gemeente; its name is unique within the gemeente (issue 15)."""

    __tablename__ = "wijken"
    __table_args__ = (sa.UniqueConstraint("gemeente_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    code: Mapped[str | None] = mapped_column(sa.String(20))  # CBS wijkcode, WK040201
    # The CBS gemeentecode (GM0402); empty for a wijk entered by hand without a code.
    gemeente_code: Mapped[str] = mapped_column(sa.String(6), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True)

    buurten: Mapped[list[Buurt]] = relationship(
        back_populates="wijk", order_by="Buurt.name"
    )

    def __repr__(self) -> str:
        return f"<Wijk {self.id} {self.name!r}>"

    def __str__(self) -> str:
        return self.name


class Buurt(db.Model):
    """A neighbourhood inside a wijk."""

    __tablename__ = "buurten"
    __table_args__ = (sa.UniqueConstraint("wijk_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wijk_id: Mapped[int] = mapped_column(sa.ForeignKey("wijken.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    code: Mapped[str | None] = mapped_column(sa.String(10), unique=True)  # CBS buurtcode, BU04020101
    verified: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    wijk: Mapped[Wijk] = relationship(back_populates="buurten")

    def __repr__(self) -> str:
        return f"<Buurt {self.id} {self.name!r}>"

    def __str__(self) -> str:
        return self.name


# Where an organisation works (its werkgebied): for now a plain set of wijken. A later
# werkgebied with dates or city-wide areas can replace this table with a model without
# changing the callers, which ask :meth:`Organisation.works_in`.
organisation_wijken = sa.Table(
    "organisation_wijken",
    db.metadata,
    sa.Column("organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("wijk_id", sa.ForeignKey("wijken.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(db.Model):
    """A welfare organisation, the Sociaal Plein or the municipality itself."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(string_enum(OrganisationKind, 20),
                                                   default=OrganisationKind.WELZIJN)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    wijken: Mapped[list[Wijk]] = relationship(secondary=organisation_wijken, order_by="Wijk.name")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"

    def works_in(self, wijk: Wijk) -> bool:
        """Whether ``wijk`` is in the organisation's werkgebied."""
        return any(w.id == wijk.id for w in self.wijken)

    def __str__(self) -> str:
        return self.name


TERTIAL_MONTHS = {1: (1, 4), 2: (5, 8), 3: (9, 12)}
SESSION_MONTH = {1: 5, 2: 9, 3: 12}


class Period(db.Model):
    """A tertial: the four months reported on and discussed in May, September or December."""

    __tablename__ = "periods"
    __table_args__ = (
        sa.UniqueConstraint("year", "tertial"),
        sa.CheckConstraint("tertial BETWEEN 1 AND 3", name="tertial_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    tertial: Mapped[int]
    deadline: Mapped[date]
    lock_date: Mapped[date | None]

    def __repr__(self) -> str:
        return f"<Period {self.year}-T{self.tertial}>"

    @property
    def session_month(self) -> int:
        return SESSION_MONTH[self.tertial]

    @property
    def label(self) -> str:
        """Label by the month it is reported and discussed in: ``mei 2026``."""
        return f"{MONTHS_NL[self.session_month - 1]} {self.year}"

    @property
    def covers(self) -> str:
        """The months the period covers: ``januari–april 2026``."""
        first, last = TERTIAL_MONTHS[self.tertial]
        return f"{MONTHS_NL[first - 1]}–{MONTHS_NL[last - 1]} {self.year}"

    @property
    def start(self) -> date:
        return date(self.year, TERTIAL_MONTHS[self.tertial][0], 1)

    @property
    def end(self) -> date:
        last = TERTIAL_MONTHS[self.tertial][1]
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    @property
    def ordinal(self) -> int:
        """A number that orders periods: consecutive periods differ by one."""
        return self.year * 3 + self.tertial - 1

    def __str__(self) -> str:
        return self.label


class User(UserMixin, db.Model):
    """A person who signs in; residents and stakeholders never have an account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # The hash before the last change: the same password may not come back at once.
    previous_password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(string_enum(Role, 30))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Bumped on password change or deactivation: invalidates every open session.
    session_version: Mapped[int] = mapped_column(default=1)
    # Second factor (TOTP, monitor/auth/mfa.py): the secret encrypted with a key derived
    # from SECRET_KEY; set but not confirmed while enrolling; the last time step used
    # (a code is accepted once).
    mfa_secret: Mapped[str | None] = mapped_column(sa.String(255))
    mfa_enabled_at: Mapped[datetime | None]
    mfa_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    wijken: Mapped[list[Wijk]] = relationship(secondary=user_wijken, order_by="Wijk.name")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r} {self.role}>"

    def __str__(self) -> str:
        return self.name

    def get_id(self) -> str:
        # The session version is part of the id, so old sessions stop working.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def mfa_enabled(self) -> bool:
        """Whether signing in asks for a code after the password."""
        return self.mfa_enabled_at is not None and self.mfa_secret is not None

    @property
    def wijk_ids(self) -> set[int]:
        return {w.id for w in self.wijken}


class AuditEvent(db.Model):
    """One entry of the audit trail: who did what to which object, with old/new values."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(80))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    old_values: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    new_values: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))

    actor: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.object_type}:{self.object_id}>"


class LoginAttempt(db.Model):
    """A sign-in attempt, kept briefly to throttle guessing.

    Written (and committed) before the password is checked, so concurrent attempts count
    each other; removed again when the attempt is refused over a limit or succeeds, so
    what stays are the failures. Lockout counts them per (account, address), per address
    and per account (any address; not on a browser where the account signed in before):
    see ``monitor/auth/services.py``. Every lock expires by itself.
    """

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ip_address: Mapped[str] = mapped_column(sa.String(64), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))


class CatalogueMixin:
    """A catalogue entry with a validity window, so changing it never rewrites history.

    An entry applies to a period when ``valid_from <= period.start`` and
    (``valid_until`` is empty or ``valid_until >= period.end``).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[date] = mapped_column(default=date(2016, 1, 1))
    valid_until: Mapped[date | None]

    def valid_for(self, period: Period) -> bool:
        """Whether this entry applies to ``period``."""
        return self.valid_from <= period.start and (
            self.valid_until is None or self.valid_until >= period.end
        )

    def __str__(self) -> str:
        return self.name


class Specialism(CatalogueMixin, db.Model):
    """A specialism social workers spend hours on (buurtwerk, jongerenwerk, ...)."""

    __tablename__ = "specialisms"

    def __repr__(self) -> str:
        return f"<Specialism {self.code}>"


class ServiceType(CatalogueMixin, db.Model):
    """A type of service clients receive (individuele ondersteuning, thuishulp, ...)."""

    __tablename__ = "service_types"

    def __repr__(self) -> str:
        return f"<ServiceType {self.code}>"
