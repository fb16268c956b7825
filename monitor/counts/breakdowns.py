"""Breakdowns of a return's new meldingen (issue 18 §3): by doelgroep, leefgebied,
leeftijdsgroep and verwijzer.

Every dimension is optional per return: left empty it is "niet geregistreerd". Once one
cell of a dimension is filled, every cell must be (0 where there were none) and the cells
— "onbekend" included, which is an answer of its own, not a zero — must add up to the
return's new meldingen. Leefgebied is the exception: a melding concerns several
leefgebieden (source 001: "meerdere problemen op ten minste drie leefgebieden"), so each of
its cells is at most the meldingen and they do not add up. The verwijzer "Sociaal Plein"
must equal the return's "waarvan verwezen door het Sociaal Plein".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Organisation
from ..timeutil import utcnow

UNKNOWN = ("onbekend", "Onbekend")


@dataclass(frozen=True)
class Dimension:
    """A breakdown as returns ask it: its categories, "Onbekend" always last."""

    key: str
    label: str
    question: str
    categories: tuple[tuple[str, str], ...]
    multi: bool = False  # a melding may count in several categories

    def label_of(self, code: str) -> str:
        return dict(self.categories).get(code, code)


class BreakdownDimension(db.Model):
    """A breakdown the beheerder defines (like a DHIS2 category combination)."""

    __tablename__ = "breakdown_dimensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(30), unique=True)
    label: Mapped[str] = mapped_column(sa.String(80))
    question: Mapped[str] = mapped_column(sa.String(300))
    multi: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    asked_of_all: Mapped[bool] = mapped_column(default=True)  # else only the organisations listed

    categories: Mapped[list[BreakdownCategory]] = relationship(
        back_populates="dimension", order_by="BreakdownCategory.position", cascade="all, delete-orphan")
    organisations: Mapped[list[Organisation]] = relationship(secondary="breakdown_dimension_organisations")


class BreakdownCategory(db.Model):
    """A category of a breakdown; never deleted once used, deactivated instead."""

    __tablename__ = "breakdown_categories"
    __table_args__ = (sa.UniqueConstraint("dimension_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(sa.ForeignKey("breakdown_dimensions.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    dimension: Mapped[BreakdownDimension] = relationship(back_populates="categories")


breakdown_dimension_organisations = sa.Table(
    "breakdown_dimension_organisations", db.metadata,
    sa.Column("dimension_id", sa.ForeignKey("breakdown_dimensions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


def _as_dimension(row: BreakdownDimension, *, all_categories: bool = False) -> Dimension:
    cats = tuple((c.code, c.label) for c in row.categories if (c.active or all_categories) and c.code != UNKNOWN[0])
    return Dimension(row.key, row.label, row.question, cats + (UNKNOWN,), row.multi)


def dimensions(organisation_id: int | None = None, *, active_only: bool = True,
               all_categories: bool = False) -> tuple[Dimension, ...]:
    """The breakdowns, in their order; with ``organisation_id`` only those asked of it."""
    query = sa.select(BreakdownDimension).order_by(BreakdownDimension.position, BreakdownDimension.id)
    if active_only:
        query = query.where(BreakdownDimension.active.is_(True))
    rows = list(db.session.scalars(query))
    if organisation_id is not None:
        rows = [r for r in rows if r.asked_of_all or any(o.id == organisation_id for o in r.organisations)]
    return tuple(_as_dimension(r, all_categories=all_categories) for r in rows)


def by_key(key: str, *, all_categories: bool = True) -> Dimension | None:
    row = db.session.scalar(sa.select(BreakdownDimension).where(BreakdownDimension.key == key))
    return _as_dimension(row, all_categories=all_categories) if row else None


# The seeds' four breakdowns (source 001, MEE's target groups): reference data for the demo
# and the tests (``seed_defaults``); a new installation's beheerder defines its own.
DEFAULTS: tuple[Dimension, ...] = (
    Dimension("doelgroep", "Doelgroep", "Hoeveel van de nieuwe meldingen per doelgroep?", (
        ("lvb", "Licht verstandelijke beperking (LVB)"), ("auditief", "Auditieve beperking"),
        ("autisme", "Autisme"), ("nah", "Niet-aangeboren hersenletsel (NAH)"),
        ("ggz", "Psychische problemen (GGZ)"), ("ouderen", "Ouderen"),
        ("geen", "Geen specifieke doelgroep"), UNKNOWN)),
    Dimension("leefgebied", "Leefgebied", "Bij hoeveel nieuwe meldingen speelde dit leefgebied? "
              "Een melding kan bij meer leefgebieden horen.", (
                  ("geestelijke_gezondheid", "Geestelijke gezondheid"),
                  ("huiselijke_relaties", "Huiselijke relaties"), ("huisvesting", "Huisvesting"),
                  ("financien", "Financiën"), ("dagbesteding", "Dagbesteding"), ("werk", "Werk"),
                  ("overig", "Ander leefgebied"), UNKNOWN), multi=True),
    Dimension("leeftijdsgroep", "Leeftijdsgroep", "Hoeveel van de nieuwe meldingen per leeftijdsgroep?", (
        ("0-17", "0 tot 18 jaar"), ("18-26", "18 tot 27 jaar"), ("27-44", "27 tot 45 jaar"),
        ("45-64", "45 tot 65 jaar"), ("65-79", "65 tot 80 jaar"), ("80+", "80 jaar en ouder"), UNKNOWN)),
    Dimension("verwijzer", "Verwijzer", "Wie verwees de nieuwe meldingen?", (
        ("sociaal_plein", "Sociaal Plein"), ("huisarts", "Huisarts of praktijkondersteuner"),
        ("woningcorporatie", "Woningcorporatie"), ("zelf", "Zelf of het eigen netwerk"),
        ("onderwijs", "School of kinderopvang"), ("veiligheid", "Politie of Veiligheidshuis"),
        ("overig", "Andere verwijzer"), UNKNOWN)),
)


def seed_defaults() -> None:
    """Create the default breakdowns when there are none yet (idempotent, no commit)."""
    if db.session.scalar(sa.select(BreakdownDimension.id).limit(1)) is not None:
        return
    for position, dim in enumerate(DEFAULTS, start=1):
        row = BreakdownDimension(key=dim.key, label=dim.label, question=dim.question, multi=dim.multi,
                                 position=position)
        row.categories = [BreakdownCategory(code=code, label=label, position=i)
                          for i, (code, label) in enumerate(dim.categories, start=1) if code != UNKNOWN[0]]
        db.session.add(row)


class ReturnBreakdown(db.Model):
    """One cell: how many of a return's new meldingen fall in a category of a dimension."""

    __tablename__ = "return_breakdowns"
    __table_args__ = (sa.UniqueConstraint("return_id", "dimension", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(sa.ForeignKey("count_returns.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(sa.String(30))
    category: Mapped[str] = mapped_column(sa.String(40))
    count: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def check(values: dict[str, dict[str, int | None]], meldingen: int | None,
          via_sociaal_plein: int | None, dims: tuple[Dimension, ...] | None = None) -> dict[str, str]:
    """Dimension key → Dutch error (empty when all is well).

    :param values: dimension → category → count (``None``: left empty).
    """
    errors: dict[str, str] = {}
    for dim in dims if dims is not None else dimensions(active_only=False, all_categories=True):
        cells = values.get(dim.key, {})
        filled = {c: v for c, v in cells.items() if v is not None}
        if not filled:
            continue  # niet geregistreerd
        if len(filled) < len(dim.categories):
            errors[dim.key] = ("Vul bij elke categorie een aantal in (0 als er geen waren), of laat de "
                               "hele uitsplitsing leeg als u dit niet registreert.")
            continue
        if meldingen is None:
            errors[dim.key] = "Vul eerst het aantal nieuwe meldingen van de opgave in."
            continue
        total = sum(filled.values())
        if dim.multi:
            over = [dim.label_of(c) for c, v in filled.items() if v > meldingen]
            if over:
                errors[dim.key] = (f"{', '.join(over)}: meer dan de {meldingen} nieuwe meldingen van de "
                                   "opgave.")
        elif total != meldingen:
            errors[dim.key] = (f"De categorieën tellen op tot {total}, maar de opgave heeft {meldingen} "
                               "nieuwe meldingen. Tel meldingen waarvan u het niet weet bij 'Onbekend'.")
        elif (dim.key == "verwijzer" and via_sociaal_plein is not None and "sociaal_plein" in filled
              and filled["sociaal_plein"] != via_sociaal_plein):
            errors[dim.key] = (f"Sociaal Plein als verwijzer ({filled['sociaal_plein']}) moet gelijk zijn aan "
                               f"'waarvan verwezen door het Sociaal Plein' ({via_sociaal_plein}).")
    return errors


def of_return(return_id: int) -> dict[str, dict[str, int]]:
    """The stored cells of one return: dimension → category → count."""
    result: dict[str, dict[str, int]] = {}
    for row in db.session.scalars(sa.select(ReturnBreakdown).where(ReturnBreakdown.return_id == return_id)):
        result.setdefault(row.dimension, {})[row.category] = row.count
    return result


def replace(return_id: int, values: dict[str, dict[str, int | None]],
            dims: tuple[Dimension, ...]) -> tuple[dict, dict]:
    """Store the cells of one return (no commit); returns (old, new) for the audit log."""
    old = of_return(return_id)
    keys = [d.key for d in dims]
    db.session.execute(sa.delete(ReturnBreakdown).where(ReturnBreakdown.return_id == return_id,
                                                        ReturnBreakdown.dimension.in_(keys)))
    new: dict[str, dict[str, int]] = {}
    for dim in dims:
        filled = {c: v for c, v in values.get(dim.key, {}).items() if v is not None}
        for code, count in filled.items():
            db.session.add(ReturnBreakdown(return_id=return_id, dimension=dim.key, category=code, count=count))
        if filled:
            new[dim.key] = filled
    return old, new
