"""QIM models: plans per buurt, stakeholders, rounds and judgements (qualities: monitor.catalogues)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogues import Quality
from ..extensions import db, string_enum
from ..models import Buurt, Organisation, Period, User
from ..timeutil import utcnow

# --- the QIM plan per buurt per year (issue 4) ------------------------------------------


class PlanStatus(enum.StrEnum):
    """Where a plan is in its life: concept, settled, or replaced by a newer version."""

    CONCEPT = "concept"
    VASTGESTELD = "vastgesteld"
    VERVANGEN = "vervangen"

    @property
    def label(self) -> str:
        return {"concept": "Concept", "vastgesteld": "Vastgesteld",
                "vervangen": "Vervangen door nieuwere versie"}[self.value]




class QimPlan(db.Model):
    """The QIM plan of one buurt for one year; each settled revision is a new version."""

    __tablename__ = "qim_plans"
    __table_args__ = (sa.UniqueConstraint("buurt_id", "year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    buurt_id: Mapped[int] = mapped_column(sa.ForeignKey("buurten.id"), index=True)
    year: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[PlanStatus] = mapped_column(string_enum(PlanStatus, 20), default=PlanStatus.CONCEPT)
    # Step 6 is optional: the opdrachtgever marks it done, with or without entries.
    step6_done: Mapped[bool] = mapped_column(default=False)
    copied_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("qim_plans.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    settled_at: Mapped[datetime | None]
    settled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    buurt: Mapped[Buurt] = relationship()
    settled_by: Mapped[User | None] = relationship(foreign_keys=[settled_by_id])
    copied_from: Mapped[QimPlan | None] = relationship(remote_side=[id])
    qualities: Mapped[list[PlanQuality]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanQuality.id")
    stakeholders: Mapped[list[Stakeholder]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="Stakeholder.id")
    monitored: Mapped[list[MonitoredPair]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="MonitoredPair.id")
    targets: Mapped[list[PlanTarget]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanTarget.id")

    def __repr__(self) -> str:
        return f"<QimPlan {self.id} buurt={self.buurt_id} {self.year} v{self.version} {self.status}>"

    def __str__(self) -> str:
        return f"QIM-plan {self.buurt.name} {self.year} (versie {self.version})"

    @property
    def wijk_id(self) -> int:
        """The wijk of the plan's buurt (object-level permission checks use this)."""
        return self.buurt.wijk_id

    @property
    def is_concept(self) -> bool:
        return self.status == PlanStatus.CONCEPT


class PlanQuality(db.Model):
    """A quality aimed for: by the opdrachtgever (step 1) or an organisation (step 3)."""

    __tablename__ = "qim_plan_qualities"
    __table_args__ = (sa.UniqueConstraint("plan_id", "quality_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("qim_plans.id", ondelete="CASCADE"),
                                         index=True)
    quality_id: Mapped[int] = mapped_column(sa.ForeignKey("qualities.id"))
    # NULL: the opdrachtgever's choice (step 1); set: an executing organisation's (step 3).
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))

    plan: Mapped[QimPlan] = relationship(back_populates="qualities")
    quality: Mapped[Quality] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"<PlanQuality plan={self.plan_id} q={self.quality_id} org={self.organisation_id}>"


class Stakeholder(db.Model):
    """A stakeholder group of a plan: of the opdrachtgever (step 2) or an organisation (step 4)."""

    __tablename__ = "qim_stakeholders"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("qim_plans.id", ondelete="CASCADE"),
                                         index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Step 4: a group the organisation wants to reach but does not reach yet.
    out_of_reach: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[QimPlan] = relationship(back_populates="stakeholders")
    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"<Stakeholder {self.id} {self.name!r}>"

    def __str__(self) -> str:
        return self.name

    @property
    def owner_label(self) -> str:
        return self.organisation.name if self.organisation else "Opdrachtgever"


class MonitoredPair(db.Model):
    """Step 5: this quality is judged by this stakeholder group."""

    __tablename__ = "qim_monitored"
    __table_args__ = (sa.UniqueConstraint("plan_id", "quality_id", "stakeholder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("qim_plans.id", ondelete="CASCADE"),
                                         index=True)
    quality_id: Mapped[int] = mapped_column(sa.ForeignKey("qualities.id"))
    stakeholder_id: Mapped[int] = mapped_column(
        sa.ForeignKey("qim_stakeholders.id", ondelete="CASCADE"))

    plan: Mapped[QimPlan] = relationship(back_populates="monitored")
    quality: Mapped[Quality] = relationship()
    stakeholder: Mapped[Stakeholder] = relationship()


class TargetKind(enum.StrEnum):
    """Step 6 entries: strategic goals, financial frames, quantitative targets."""

    STRATEGISCH = "strategisch"
    FINANCIEEL = "financieel"
    STREEFGETAL = "streefgetal"

    @property
    def label(self) -> str:
        return {"strategisch": "Strategisch doel", "financieel": "Financieel kader",
                "streefgetal": "Kwantitatief streefgetal"}[self.value]


class PlanTarget(db.Model):
    """Step 6: an optional strategic goal, financial frame or indicative target."""

    __tablename__ = "qim_plan_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("qim_plans.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[TargetKind] = mapped_column(string_enum(TargetKind, 20))
    text: Mapped[str] = mapped_column(sa.Text)

    plan: Mapped[QimPlan] = relationship(back_populates="targets")


# --- judgement rounds -------------------------------------------------------------------


class JudgementRound(db.Model):
    """The judgements of one settled plan in one period (tertial)."""

    __tablename__ = "qim_rounds"
    __table_args__ = (sa.UniqueConstraint("plan_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("qim_plans.id"), index=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("periods.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]

    plan: Mapped[QimPlan] = relationship()
    period: Mapped[Period] = relationship()

    def __repr__(self) -> str:
        return f"<JudgementRound {self.id} plan={self.plan_id} period={self.period_id}>"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def wijk_id(self) -> int:
        return self.plan.buurt.wijk_id


class ResponseLink(db.Model):
    """A personal, single-use link a stakeholder answers through (no account).

    Only a hash of the token is stored. The answers given through the link are stored
    without any reference to it, so results can never be traced back to a link.
    """

    __tablename__ = "qim_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("qim_rounds.id"), index=True)
    stakeholder_id: Mapped[int] = mapped_column(sa.ForeignKey("qim_stakeholders.id"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Deliberately no timestamp: a time of use could be matched against answers.
    spent: Mapped[bool] = mapped_column(default=False)
    # Only when the coordinator chose to keep it for one reminder; blanked when the link is
    # used, revoked or reminded, or its round closes. Answers never point to the link.
    reminder_address: Mapped[str | None] = mapped_column(sa.String(320))

    round: Mapped[JudgementRound] = relationship()
    stakeholder: Mapped[Stakeholder] = relationship()

    def __repr__(self) -> str:
        return f"<ResponseLink {self.id} round={self.round_id}>"

    def state(self, now: datetime) -> str:
        """``gebruikt``, ``ingetrokken``, ``verlopen`` or ``open``."""
        if self.spent:
            return "gebruikt"
        if self.revoked_at is not None:
            return "ingetrokken"
        if self.expires_at <= now:
            return "verlopen"
        return "open"


class JudgementSource(enum.StrEnum):
    """How a judgement came in."""

    COORDINATOR = "coordinator"
    LINK = "link"

    @property
    def label(self) -> str:
        return {"coordinator": "Ingevoerd door buurtcoördinator",
                "link": "Via persoonlijke link"}[self.value]


class Judgement(db.Model):
    """One stakeholder's score (1–10) of one quality in one round, with a motivation."""

    __tablename__ = "qim_judgements"
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 10", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("qim_rounds.id"), index=True)
    quality_id: Mapped[int] = mapped_column(sa.ForeignKey("qualities.id"), index=True)
    stakeholder_id: Mapped[int] = mapped_column(sa.ForeignKey("qim_stakeholders.id"))
    score: Mapped[int]
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[JudgementSource] = mapped_column(string_enum(JudgementSource, 20))
    # Only for judgements entered by staff; NULL for answers through a link.
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    round: Mapped[JudgementRound] = relationship()
    quality: Mapped[Quality] = relationship()
    stakeholder: Mapped[Stakeholder] = relationship()

    def __repr__(self) -> str:
        return f"<Judgement {self.id} q={self.quality_id} score={self.score}>"

