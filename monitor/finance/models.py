"""Programmes (e.g. Begeleiding in de Wijk), their results per party, money and the
Sociaal Plein's reviews — what the council letters report about a programme.

A programme's results are entered per *party* (one organisation, or several that
report together, "Kwintes en Sherpa samen") and per reporting span; they are counts of
meldingen and trajectories, so outside the municipality they pass the disclosure control.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Organisation, Wijk
from ..timeutil import utcnow

MONEY = sa.Numeric(14, 2)


class Programme(db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(150), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    wijken: Mapped[list[ProgrammeWijk]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="(ProgrammeWijk.start_date, ProgrammeWijk.id)")
    organisations: Mapped[list[ProgrammeOrganisation]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeOrganisation.id")
    results: Mapped[list[ProgrammeResult]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="(ProgrammeResult.party, ProgrammeResult.date_from)")
    money: Mapped[list[MoneyLine]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="(MoneyLine.year, MoneyLine.id)")
    reviews: Mapped[list[SociaalPleinReview]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="SociaalPleinReview.date_from")


class ProgrammeWijk(db.Model):
    """A wijk the programme runs in, since ``start_date``."""

    __tablename__ = "programme_wijken"
    __table_args__ = (sa.UniqueConstraint("programme_id", "wijk_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    wijk_id: Mapped[int] = mapped_column(sa.ForeignKey("wijken.id"))
    start_date: Mapped[date]

    programme: Mapped[Programme] = relationship(back_populates="wijken")
    wijk: Mapped[Wijk] = relationship()


class ProgrammeOrganisation(db.Model):
    """An organisation taking part, from ``start_date`` (and until ``end_date``)."""

    __tablename__ = "programme_organisations"
    __table_args__ = (sa.UniqueConstraint("programme_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    role: Mapped[str] = mapped_column(sa.String(200), default="")

    programme: Mapped[Programme] = relationship(back_populates="organisations")
    organisation: Mapped[Organisation] = relationship()


class ProgrammeResult(db.Model):
    """What one party reported for the programme over ``date_from``–``date_to``."""

    __tablename__ = "programme_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(sa.String(150))  # "Versa Welzijn", "Kwintes en Sherpa samen"
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    date_from: Mapped[date]
    date_to: Mapped[date]
    meldingen: Mapped[int]
    via_sociaal_plein: Mapped[int | None]
    closed: Mapped[int | None]
    closed_within_six_months: Mapped[int | None]
    hours_per_closed: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 1))
    contacts_per_closed: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 1))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    programme: Mapped[Programme] = relationship(back_populates="results")
    organisation: Mapped[Organisation | None] = relationship()


class MoneyLine(db.Model):
    """A line of the programme's money table for one year (source 000: begroting,
    prognose, substitutie; source 001: uitgaven per omschrijving)."""

    __tablename__ = "programme_money"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(300))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    budget: Mapped[Decimal | None] = mapped_column(MONEY)  # begroting / toegekende subsidie
    forecast: Mapped[Decimal | None] = mapped_column(MONEY)  # prognose
    substitution: Mapped[Decimal | None] = mapped_column(MONEY)  # waarvan substitutie
    spent: Mapped[Decimal | None] = mapped_column(MONEY)  # gerealiseerde uitgaven

    programme: Mapped[Programme] = relationship(back_populates="money")
    organisation: Mapped[Organisation | None] = relationship()


class SociaalPleinReview(db.Model):
    """The Sociaal Plein's look at indications at the end of their period (source 001)."""

    __tablename__ = "programme_sp_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    date_from: Mapped[date]
    date_to: Mapped[date]
    reviewed: Mapped[int]  # meldingen aan het eind van een indicatieperiode bekeken
    discussed: Mapped[int]  # daarvan met de wijk besproken
    combined_offer: Mapped[int | None]  # combinatie indicatie + wijk
    not_suitable: Mapped[int | None]  # niet geschikt voor de wijk
    scaled_down_later: Mapped[int | None]  # binnen zes maanden afgeschaald naar de wijk
    scaled_down_now: Mapped[int | None]  # geen nieuwe indicatie, afgeschaald naar de wijk
    reduced_indications: Mapped[int | None]  # indicaties naar beneden bijgesteld in uren
    hours_saved: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 1))  # uren minder toegekend
    wmo_and_wijk: Mapped[int | None]  # inzet van Wmo en wijk samen
    not_extended: Mapped[int | None]  # indicatie niet verlengd
    note: Mapped[str] = mapped_column(sa.Text, default="")

    programme: Mapped[Programme] = relationship(back_populates="reviews")

    OUTCOMES = ("combined_offer", "not_suitable", "scaled_down_later", "scaled_down_now")
