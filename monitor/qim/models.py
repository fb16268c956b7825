"""QIM models: the quality catalogue shared with the story archive."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Buurt

quality_goals = sa.Table(
    "quality_goals",
    db.metadata,
    sa.Column("quality_id", sa.ForeignKey("qualities.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("goal_id", sa.ForeignKey("societal_goals.id", ondelete="CASCADE"), primary_key=True),
)


class SocietalGoal(db.Model):
    """One of the municipality's five maatschappelijke doelen (D1–D5)."""

    __tablename__ = "societal_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))

    def __repr__(self) -> str:
        return f"<SocietalGoal {self.code}>"

    def __str__(self) -> str:
        return self.name


class Quality(db.Model):
    """A societal quality aimed for (K1–K7 city-wide, or a buurt's own quality)."""

    __tablename__ = "qualities"
    __table_args__ = (sa.UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Set for a quality a buurt added itself; NULL for the city-wide catalogue.
    buurt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buurten.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    buurt: Mapped[Buurt | None] = relationship()
    goals: Mapped[list[SocietalGoal]] = relationship(secondary=quality_goals, order_by="SocietalGoal.code")

    def __repr__(self) -> str:
        return f"<Quality {self.code} {self.name!r}>"

    def __str__(self) -> str:
        return self.name
