"""The quality catalogue: the seven qualities of source 003 and the five maatschappelijke doelen.

Core, not QIM's own: stories and monitorgesprekken link to the same qualities, and the
schema migrates them with the core (revision 0002).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .data import read_reference_csv
from .extensions import db
from .i18n import N_
from .models import Buurt

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
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    position: Mapped[int] = mapped_column(default=0, server_default="0")

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
    goals: Mapped[list[SocietalGoal]] = relationship(
        secondary=quality_goals, order_by=[SocietalGoal.position, SocietalGoal.code])

    def __repr__(self) -> str:
        return f"<Quality {self.code} {self.name!r}>"

    def __str__(self) -> str:
        return self.name


# Which maatschappelijke doelen each quality serves (source 003, introduction and ch. 5).
QUALITY_GOALS = {
    "K1": ["D1", "D5"],
    "K2": ["D1", "D3", "D5"],
    "K3": ["D2"],
    "K4": ["D3"],
    "K5": ["D4", "D2"],
    "K6": ["D2", "D4"],
    "K7": ["D1", "D3"],
}

QUALITY_DESCRIPTIONS = {
    "K1": "Bewoners voelen zich thuis en veilig, kennen elkaar en zorgen samen voor hun buurt.",
    "K2": "Inwoners zetten zich in voor hun buurt en voor elkaar en nemen zelf initiatief.",
    "K3": "Inwoners zijn fysiek, mentaal en sociaal zo fit als voor hen mogelijk is.",
    "K4": "Niemand staat aan de kant: iedereen kan meedoen, ongeacht leeftijd, beperking of inkomen.",
    "K5": "Inwoners, ook kinderen en jongeren, krijgen ruimte om talenten te ontdekken en te ontwikkelen.",
    "K6": "Inwoners houden zelf de regie over hun leven en weten hulp te vinden als dat nodig is.",
    "K7": "Inwoners geven en ontvangen: wie hulp krijgt, doet ook iets voor een ander.",
}

# The seeded names of the qualities (``qualities.csv``), marked for the catalogues: the
# public pages show them in the reader's language (the ``vertaald`` filter) while a quality
# keeps its seeded name; a name the gemeente gave it itself is shown as it is.
SEEDED_QUALITY_NAMES = (
    N_("Leefbare, sterke en betrokken buurten"), N_("Betrokken inwoners"),
    N_("Optimale vitaliteit van inwoners"), N_("Iedereen doet mee"), N_("Ontplooiingsruimte voor inwoners"),
    N_("Zelfregie van inwoners"), N_("Wederkerigheid"),
)


def seed_catalogue() -> list[Quality]:
    """Create the five doelen and seven qualities when missing (no commit)."""
    rows = read_reference_csv("qualities.csv")
    goals = {g.code: g for g in db.session.scalars(sa.select(SocietalGoal))}
    for row in rows:
        if row["kind"] == "doel" and row["code"] not in goals:
            goals[row["code"]] = SocietalGoal(code=row["code"], name=row["name"],
                                              position=len(goals) + 1)
            db.session.add(goals[row["code"]])
    qualities = {q.code: q for q in db.session.scalars(sa.select(Quality))}
    position = 0
    for row in rows:
        if row["kind"] != "kwaliteit":
            continue
        position += 1
        quality = qualities.get(row["code"])
        if quality is None:
            quality = Quality(code=row["code"], name=row["name"], position=position,
                              description=QUALITY_DESCRIPTIONS.get(row["code"], ""))
            quality.goals = [goals[c] for c in QUALITY_GOALS.get(row["code"], [])]
            db.session.add(quality)
            qualities[row["code"]] = quality
    db.session.flush()
    return sorted(qualities.values(), key=lambda q: (q.position, q.code))


def city_qualities(active_only: bool = True) -> list[Quality]:
    """The city-wide catalogue (not a buurt's own qualities), in catalogue order."""
    query = sa.select(Quality).where(Quality.buurt_id.is_(None)).order_by(Quality.position, Quality.code)
    if active_only:
        query = query.where(Quality.active.is_(True))
    return list(db.session.scalars(query))


def city_goals(active_only: bool = False) -> list[SocietalGoal]:
    """The maatschappelijke doelen in catalogue order."""
    query = sa.select(SocietalGoal).order_by(SocietalGoal.position, SocietalGoal.code)
    if active_only:
        query = query.where(SocietalGoal.active.is_(True))
    return list(db.session.scalars(query))
