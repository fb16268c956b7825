"""The counts of persons in the returns as publication tables (see ``monitor.disclosure``).

One table per measure and calendar year, over the approved returns: organisation ×
wijk × tertial × category. Outsiders see cells for one organisation (city-wide) or for
one wijk (all organisations together), never organisation × wijk; the table's
suppression pattern is the same on every page, export and API that shows a cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from .. import disclosure
from ..disclosure import TOTAL, Dim, Shown
from ..extensions import db
from ..models import Period
from . import publication_store
from .models import CITYWIDE_ID, CountReturn, PublicationTable, ReturnClients, ReturnStatus

APPROVED = (ReturnStatus.GOEDGEKEURD, ReturnStatus.VERGRENDELD)


@dataclass(frozen=True)
class Measure:
    """A count of persons in the returns and how it is split."""

    key: str
    label: str
    flow: bool  # tertials add up to a year (meldingen, closed trajectories)
    categories: tuple[tuple[str, str], ...] = ()  # (key, label); empty: no split


MEASURES = {
    "meldingen": Measure("meldingen", "Nieuwe meldingen", True,
                         (("sociaal_plein", "Via het Sociaal Plein"), ("overig", "Op een andere manier"))),
    "afgesloten": Measure("afgesloten", "Afgesloten trajecten", True,
                          (("binnen_zes_maanden", "Binnen zes maanden"), ("later", "Na meer dan zes maanden"))),
    "vrijwilligers": Measure("vrijwilligers", "Actieve vrijwilligers", False),
    "clienten": Measure("clienten", "Cliënten", False),  # categories: the service types
    "uniek": Measure("uniek", "Unieke cliënten over het jaar", False),
}

def outsider_cell(key: tuple) -> bool:
    """Outsiders see one organisation city-wide, or one wijk for all organisations."""
    return key[0] is TOTAL or key[1] is TOTAL


# A city-wide return ("stedelijk") is its own cell beside the wijken: wijk CITYWIDE_ID (0).
WIJK_OR_CITY = sa.func.coalesce(CountReturn.wijk_id, CITYWIDE_ID)


def _rows(kind: str, year: int) -> list[tuple]:
    """The approved returns of ``year``: their client rows (``clienten``) or their figures."""
    cond = [CountReturn.status.in_(APPROVED), Period.year == year]
    if kind == "clienten":
        query = (sa.select(CountReturn.organisation_id, WIJK_OR_CITY, Period.tertial,
                           ReturnClients.service_type_id, ReturnClients.clients)
                 .join(CountReturn, ReturnClients.return_id == CountReturn.id)
                 .join(Period, CountReturn.period_id == Period.id).where(*cond))
    else:
        query = (sa.select(CountReturn.organisation_id, WIJK_OR_CITY, Period.tertial,
                           CountReturn.volunteers, CountReturn.meldingen, CountReturn.meldingen_sociaal_plein,
                           CountReturn.closed_total, CountReturn.closed_within_six_months,
                           CountReturn.unique_clients_year)
                 .join(Period, CountReturn.period_id == Period.id).where(*cond))
    return [tuple(r) for r in db.session.execute(query)]


def _atoms(measure: str, year: int, rows: list[tuple] | None = None) -> dict[tuple, int]:
    """The approved data of ``year`` at the finest level (organisation, wijk, tertial, category).

    :param rows: what :func:`_rows` gives for this measure's kind (read when ``None``).
    """
    if rows is None:
        rows = _rows("clienten" if measure == "clienten" else "returns", year)
    atoms: dict[tuple, int] = defaultdict(int)
    if measure == "clienten":
        for org, wijk, tertial, service, n in rows:
            atoms[(org, wijk, tertial, service)] += n or 0
        return atoms
    for org, wijk, tertial, volunteers, meldingen, sp, closed, within, unique in rows:
        if measure == "meldingen":
            atoms[(org, wijk, tertial, "sociaal_plein")] += sp or 0
            atoms[(org, wijk, tertial, "overig")] += (meldingen or 0) - (sp or 0)
        elif measure == "afgesloten":
            atoms[(org, wijk, tertial, "binnen_zes_maanden")] += within or 0
            atoms[(org, wijk, tertial, "later")] += (closed or 0) - (within or 0)
        elif measure == "vrijwilligers":
            atoms[(org, wijk, tertial)] += volunteers or 0
        elif measure == "uniek" and tertial == 3:
            atoms[(org, wijk)] += unique or 0
    return atoms


def _dims(measure: str, atoms: dict[tuple, int]) -> tuple[Dim, ...]:
    spec = MEASURES[measure]
    orgs = tuple(sorted({k[0] for k in atoms}))
    wijken = tuple(sorted({k[1] for k in atoms}))
    dims = [Dim("organisatie", orgs, owner=True), Dim("wijk", wijken)]
    if measure == "uniek":
        return tuple(dims)
    dims.append(Dim("tertiaal", (1, 2, 3), total=spec.flow))
    if measure == "clienten":
        dims.append(Dim("categorie", tuple(sorted({k[3] for k in atoms}))))
    elif spec.categories:
        dims.append(Dim("categorie", tuple(k for k, _ in spec.categories)))
    return tuple(dims)


def table(measure: str, year: int, rows: list[tuple] | None = None) -> disclosure.Table:
    """The protected publication table of ``measure`` in ``year``: computed once per change
    of its data and shared by every process through the database (``publication_store``).

    :param rows: the year's rows from :func:`_rows` (read when ``None``).
    """
    atoms = _atoms(measure, year, rows)
    return publication_store.protected_table(measure, year, _dims(measure, atoms), atoms, outsider_cell)


def refresh_tables(now=None) -> str:
    """Job: store every publication table whose data changed (after an approval or a
    reopening, and hourly), so the next reader finds it ready; drop the tables of years
    without approved returns. Idempotent; safe beside another run of itself."""
    years = set(db.session.scalars(sa.select(Period.year).join(CountReturn, CountReturn.period_id == Period.id)
                                   .where(CountReturn.status.in_(APPROVED)).distinct()))
    gone = db.session.execute(sa.delete(PublicationTable).where(PublicationTable.year.not_in(years))).rowcount
    db.session.commit()
    done = 0
    for year in sorted(years):
        rows = {kind: _rows(kind, year) for kind in ("returns", "clienten")}
        for measure in MEASURES:
            atoms = _atoms(measure, year, rows["clienten" if measure == "clienten" else "returns"])
            if publication_store.store_if_stale(measure, year, _dims(measure, atoms), atoms, outsider_cell):
                done += 1
    return f"{done} publicatietabel(len) bijgewerkt, {gone} vervallen"


def after_restore() -> str:
    """After a restore: drop the stored tables (the data are others) and compute them again
    at once, as the search index is rebuilt, so no raadslid's first dashboard waits for them."""
    return f"{publication_store.forget_all()}; {refresh_tables()}"


def data_changed() -> None:
    """Approved figures change in the current transaction: bring the stored tables up to
    date soon after it commits (readers never depend on it: they check the fingerprint)."""
    from ..jobs import run_after_commit

    run_after_commit(publication_store.JOB)


class Counts:
    """Counts of persons for one viewer: protected for outsiders, exact for insiders.

    :param protected: the viewer is outside the organisations (suppression applies).
    :param scope: wijk ids the viewer may see (``None``: all); several wijken are added up
        from their visible cells only.
    """

    def __init__(self, protected: bool, scope: set[int] | None = None) -> None:
        self.protected = protected
        self.scope = scope
        self._tables: dict[tuple[str, int], disclosure.Table] = {}
        # The four measures read from the returns share one read of the year's rows.
        self._rows: dict[tuple[str, int], list[tuple]] = {}

    def _table(self, measure: str, year: int) -> disclosure.Table:
        if (measure, year) not in self._tables:
            kind = "clienten" if measure == "clienten" else "returns"
            if (kind, year) not in self._rows:
                self._rows[(kind, year)] = _rows(kind, year)
            self._tables[(measure, year)] = table(measure, year, self._rows[(kind, year)])
        return self._tables[(measure, year)]

    def get(self, measure: str, year: int, *, organisation: int | None = None, wijk: int | None = None,
            tertial: int | None = None, category=None) -> Shown:
        """One figure; ``None`` in a dimension means all (the year, for a flow's tertial)."""
        if wijk is None and self.scope is not None:
            return disclosure.sum_shown(
                self.get(measure, year, organisation=organisation, wijk=w, tertial=tertial, category=category)
                for w in sorted(self.scope))
        tab = self._table(measure, year)
        levels: dict = {"organisatie": organisation, "wijk": wijk}
        if measure != "uniek":
            levels["tertiaal"] = tertial
            if len(tab.dims) > 3:
                levels["categorie"] = category
        if not self.protected:
            return Shown(tab.exact(**levels))
        return tab.get(**levels)

    def over(self, measure: str, periods: Iterable[Period], **levels) -> Shown:
        """A figure summed over several tertials: only from visible cells."""
        return disclosure.sum_shown(self.get(measure, p.year, tertial=p.tertial, **levels) for p in periods)
