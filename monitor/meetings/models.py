"""Monitorgesprek models: buurtinitiatieven, sessions, dossiers, minutes, annual reports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogues import Quality
from ..extensions import db, string_enum
from ..models import Buurt, Organisation, Period, User, Wijk
from ..timeutil import utcnow


class InitiativeStatus(enum.StrEnum):
    IDEE = "idee"
    ACTIEF = "actief"
    GEPAUZEERD = "gepauzeerd"
    AFGEROND = "afgerond"

    @property
    def label(self) -> str:
        return {"idee": "Idee", "actief": "Actief", "gepauzeerd": "Gepauzeerd",
                "afgerond": "Afgerond"}[self.value]


initiative_qualities = sa.Table(
    "initiative_qualities",
    db.metadata,
    sa.Column("initiative_id", sa.ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("quality_id", sa.ForeignKey("qualities.id", ondelete="CASCADE"), primary_key=True),
)


class Initiative(db.Model):
    """A residents' initiative in a buurt (buurtinitiatief)."""

    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    buurt_id: Mapped[int] = mapped_column(sa.ForeignKey("buurten.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # A group, never a private person's contact details (e.g. "bewonerscommissie").
    contact_group: Mapped[str] = mapped_column(sa.String(200), default="")
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    status: Mapped[InitiativeStatus] = mapped_column(string_enum(InitiativeStatus, 30), default=InitiativeStatus.ACTIEF)
    supported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    buurt: Mapped[Buurt] = relationship()
    supported_by: Mapped[Organisation | None] = relationship()
    qualities: Mapped[list[Quality]] = relationship(secondary=initiative_qualities, order_by="Quality.position")

    @property
    def wijk_id(self) -> int:
        return self.buurt.wijk_id

    def active_in(self, period: Period) -> bool:
        """Whether the initiative ran during (part of) ``period``."""
        return self.started_on <= period.end and (self.ended_on is None or self.ended_on >= period.start)

    def __repr__(self) -> str:
        return f"<Initiative {self.id} {self.title!r}>"


class SessionStatus(enum.StrEnum):
    VOORBEREIDING = "voorbereiding"
    DOSSIER_UITGEGEVEN = "dossier_uitgegeven"
    GEHOUDEN = "gehouden"

    @property
    def label(self) -> str:
        return {"voorbereiding": "In voorbereiding", "dossier_uitgegeven": "Dossier uitgegeven",
                "gehouden": "Gehouden"}[self.value]


class MonitorSession(db.Model):
    """The monitorgesprek of one wijk in one period."""

    __tablename__ = "monitor_sessions"
    __table_args__ = (sa.UniqueConstraint("wijk_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wijk_id: Mapped[int] = mapped_column(sa.ForeignKey("wijken.id"), index=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("periods.id"), index=True)
    scheduled_at: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    facilitator: Mapped[str] = mapped_column(sa.String(200), default="")
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    discussion_questions: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[SessionStatus] = mapped_column(string_enum(SessionStatus, 30), default=SessionStatus.VOORBEREIDING)
    # Section keys the coordinator pinned to the top or hid from the dossier.
    pinned_sections: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    hidden_sections: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # After the meeting.
    held_on: Mapped[date | None]
    policy_signals: Mapped[str] = mapped_column(sa.Text, default="")
    most_significant_story_id: Mapped[int | None]
    most_significant_why: Mapped[str] = mapped_column(sa.Text, default="")
    dissenting_views: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The calendar SEQUENCE of the invitation: 0 = not invited yet; +1 when date or place
    # changes after the invitation (calendars then update the same event, by its UID).
    invitation_sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    wijk: Mapped[Wijk] = relationship()
    period: Mapped[Period] = relationship()
    participants: Mapped[list[SessionParticipant]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionParticipant.id")
    stories: Mapped[list[SessionStory]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionStory.position")
    dossiers: Mapped[list[Dossier]] = relationship(
        back_populates="session", order_by="Dossier.version.desc()")
    conclusions: Mapped[list[QualityConclusion]] = relationship(
        back_populates="session", cascade="all, delete-orphan")
    actions: Mapped[list[SessionAction]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionAction.id",
        foreign_keys="SessionAction.session_id")

    @property
    def title(self) -> str:
        return f"Monitorgesprek {self.wijk.name}, {self.period.label}"

    @property
    def current_dossier(self) -> Dossier | None:
        return self.dossiers[0] if self.dossiers else None

    def __repr__(self) -> str:
        return f"<MonitorSession {self.id} wijk={self.wijk_id} period={self.period_id}>"


class ParticipantKind(enum.StrEnum):
    SOCIAAL_WERKER = "sociaal_werker"
    BUURTCOORDINATOR = "buurtcoordinator"
    SOCIAAL_PLEIN = "sociaal_plein"
    ACCOUNTHOUDER = "accounthouder"
    INWONER = "inwoner"
    RAADSLID = "raadslid"
    WETHOUDER = "wethouder"
    OVERIG = "overig"

    @property
    def label(self) -> str:
        return PARTICIPANT_LABELS[self]


PARTICIPANT_LABELS = {
    ParticipantKind.SOCIAAL_WERKER: "Sociaal werker",
    ParticipantKind.BUURTCOORDINATOR: "Buurtcoördinator",
    ParticipantKind.SOCIAAL_PLEIN: "Consulent Sociaal Plein",
    ParticipantKind.ACCOUNTHOUDER: "Accounthouder",
    ParticipantKind.INWONER: "Inwoner",
    ParticipantKind.RAADSLID: "Raadslid",
    ParticipantKind.WETHOUDER: "Wethouder",
    ParticipantKind.OVERIG: "Overig",
}


class SessionParticipant(db.Model):
    """Someone invited to (and perhaps present at) a monitorgesprek."""

    __tablename__ = "session_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("monitor_sessions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ParticipantKind] = mapped_column(string_enum(ParticipantKind, 30))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    # For the invitation (with a calendar file), updates, the dossier and the minutes.
    # Never in the dossier; removed with the participant.
    email: Mapped[str | None] = mapped_column(sa.String(320))
    present: Mapped[bool] = mapped_column(default=False)

    session: Mapped[MonitorSession] = relationship(back_populates="participants")


class SessionStory(db.Model):
    """A published story chosen for part two of a session."""

    __tablename__ = "session_stories"
    __table_args__ = (sa.UniqueConstraint("session_id", "story_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("monitor_sessions.id", ondelete="CASCADE"), index=True)
    story_id: Mapped[int]
    story_title: Mapped[str] = mapped_column(sa.String(300))
    storyteller_present: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[MonitorSession] = relationship(back_populates="stories")


class Dossier(db.Model):
    """An issued dossier: the session's figures frozen at the moment of issue."""

    __tablename__ = "session_dossiers"
    __table_args__ = (sa.UniqueConstraint("session_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("monitor_sessions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    session: Mapped[MonitorSession] = relationship(back_populates="dossiers")
    issued_by: Mapped[User | None] = relationship()


class QualityConclusion(db.Model):
    """What the session concluded about one quality."""

    __tablename__ = "session_conclusions"
    __table_args__ = (sa.UniqueConstraint("session_id", "quality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("monitor_sessions.id", ondelete="CASCADE"), index=True)
    quality_id: Mapped[int] = mapped_column(sa.ForeignKey("qualities.id"))
    text: Mapped[str] = mapped_column(sa.Text)

    session: Mapped[MonitorSession] = relationship(back_populates="conclusions")
    quality: Mapped[Quality] = relationship()


class SessionAction(db.Model):
    """An agreed action: owner, due date; followed up in the wijk's next session."""

    __tablename__ = "session_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("monitor_sessions.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]
    follow_up: Mapped[str] = mapped_column(sa.Text, default="")

    session: Mapped[MonitorSession] = relationship(back_populates="actions", foreign_keys=[session_id])

    @property
    def is_open(self) -> bool:
        return self.done_on is None


class ReportScope(enum.StrEnum):
    WIJK = "wijk"
    ORGANISATIE = "organisatie"


class ReportStatus(enum.StrEnum):
    """Where a jaarrapportage is: drafted, submitted, returned with remarks, or settled."""

    CONCEPT = "concept"
    INGEDIEND = "ingediend"
    TERUGGESTUURD = "teruggestuurd"
    VASTGESTELD = "vastgesteld"

    @property
    def label(self) -> str:
        return {"concept": "In concept", "ingediend": "Ingediend, wacht op de accounthouder",
                "teruggestuurd": "Teruggestuurd met opmerkingen", "vastgesteld": "Vastgesteld"}[self.value]

    @property
    def editable(self) -> bool:
        """Whether the drafters may still change text and figures."""
        return self in (ReportStatus.CONCEPT, ReportStatus.TERUGGESTUURD)


class AnnualReport(db.Model):
    """A jaarrapportage per wijk or per organisation, compiled from the year's sessions.

    An organisation's report is drafted by the organisation (holders of a
    :class:`ReportAuthor` right), submitted, reviewed by the accounthouder (returned with
    remarks, or settled); a wijk report is compiled and settled by the municipality.
    ``compiled`` is what outsiders read (counts of persons protected); ``compiled_internal``
    the same with the exact figures, for the organisation itself and the accounthouder.
    """

    __tablename__ = "annual_reports"
    __table_args__ = (sa.UniqueConstraint("year", "scope", "wijk_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    scope: Mapped[ReportScope] = mapped_column(string_enum(ReportScope, 20))
    wijk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wijken.id"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    conclusions: Mapped[str] = mapped_column(sa.Text, default="")
    compiled: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    compiled_internal: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    compiled_at: Mapped[datetime | None]
    status: Mapped[ReportStatus] = mapped_column(string_enum(ReportStatus, 20), default=ReportStatus.CONCEPT)
    submitted_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    settled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    wijk: Mapped[Wijk | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    settled_by: Mapped[User | None] = relationship()
    reviews: Mapped[list[ReportReview]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportReview.id")

    @property
    def subject(self) -> str:
        return self.wijk.name if self.scope == ReportScope.WIJK else self.organisation.name

    @property
    def title(self) -> str:
        return f"Jaarrapportage {self.year} — {self.subject}"


class ReviewKind(enum.StrEnum):
    INGEDIEND = "ingediend"
    TERUGGESTUURD = "teruggestuurd"
    VASTGESTELD = "vastgesteld"

    @property
    def label(self) -> str:
        return {"ingediend": "Ingediend", "teruggestuurd": "Teruggestuurd",
                "vastgesteld": "Vastgesteld"}[self.value]


class ReportReview(db.Model):
    """One step of a report's review: submitted, returned (with remarks) or settled."""

    __tablename__ = "annual_report_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("annual_reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReviewKind] = mapped_column(string_enum(ReviewKind, 20))
    remarks: Mapped[str] = mapped_column(sa.Text, default="")
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[AnnualReport] = relationship(back_populates="reviews")
    by: Mapped[User | None] = relationship()


class ReportAuthor(db.Model):
    """The right, granted by a beheerder, to draft one's own organisation's jaarrapportage.

    Given to a person (a sociaal werker) for the organisation they belong to at the time:
    moving to another organisation voids it, so no one drafts for an organisation they
    left.
    """

    __tablename__ = "annual_report_authors"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PolicySignal(db.Model):
    """A "signaal voor beleid" from a session's minutes, optionally about one quality.

    ``MonitorSession.policy_signals`` keeps the same signals as text (one per line) for the
    dossier, the exports and the annual report.
    """

    __tablename__ = "session_signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("monitor_sessions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text)
    quality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("qualities.id"))

    session: Mapped[MonitorSession] = relationship()
    quality: Mapped[Quality | None] = relationship()

    def __repr__(self) -> str:
        return f"<PolicySignal {self.id} session={self.session_id}>"


class CouncilQuestion(db.Model):
    """A council member's question for the next monitorgesprek of a wijk, and its answer.

    Open while ``answered_at`` is empty; the minutes of the session that discussed it
    record the answer and set ``session_id``.
    """

    __tablename__ = "council_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    wijk_id: Mapped[int] = mapped_column(sa.ForeignKey("wijken.id"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("monitor_sessions.id", ondelete="SET NULL"), index=True)
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None]

    wijk: Mapped[Wijk] = relationship()
    asked_by: Mapped[User | None] = relationship()
    session: Mapped[MonitorSession | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    def __repr__(self) -> str:
        return f"<CouncilQuestion {self.id} wijk={self.wijk_id}>"
