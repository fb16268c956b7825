"""Aggregates of approved returns for the dashboards: trends per period and breakdowns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from .. import disclosure
from ..disclosure import Shown
from ..extensions import db
from ..models import Organisation, Period, ServiceType, Specialism, User, Wijk
from ..permissions import wijk_ids_in_scope
from ..templating import format_number, format_percent
from .figures import weeks_in
from .models import CITYWIDE, CountReturn, PlannedHours, ReturnClients, ReturnHours, ReturnStatus
from .permissions import sees_small_counts
from .publication import WIJK_OR_CITY, Counts

APPROVED = (ReturnStatus.GOEDGEKEURD, ReturnStatus.VERGRENDELD)
PERSPECTIVES = {"wijk": "Per wijk", "organisatie": "Per organisatie", "specialisme": "Per specialisme"}
ORDINAL = Period.year * 3 + Period.tertial - 1


def restricted(user: User) -> bool:
    """Viewers who never see individual returns get small counts of persons as "<5"."""
    return not sees_small_counts(user)


@dataclass
class Filters:
    """What a dashboard shows: a period range and optional wijk, organisation, specialism."""

    period_from: Period
    period_to: Period
    wijk_id: int | None = None
    organisation_id: int | None = None
    specialism_id: int | None = None
    perspective: str = "wijk"


@dataclass
class Series:
    label: str
    values: list[Any]
    kind: str = "number"  # number | person | share | ratio
    table_only: bool = False  # in the table (and exports) beside the chart, not drawn: counts beside shares


def cell(value: Any, kind: str = "number") -> tuple[Any, str]:
    """(value for the chart/export, text for the table) of one figure of a series ``kind``.

    A count of persons arrives as :class:`~monitor.disclosure.Shown`: a hidden one shows
    its mark ("<5" or "×") and is a gap in charts.
    """
    if isinstance(value, Shown):
        if value.hidden:
            return (value.text, value.text)
        value = value.value
    if value is None:
        return (None, "—")
    if kind == "share":
        return (round(float(value) * 100, 1), format_percent(value, 1))
    if kind == "ratio":
        return (round(float(value), 1), format_number(value, 1))
    return (value if isinstance(value, int) else round(float(value), 1),
            format_number(value, 0 if isinstance(value, int) else 1))


@dataclass
class Chart:
    """A chart and the table beside it: the same labels and values."""

    id: str
    title: str
    first_header: str
    labels: list[str]
    series: list[Series]
    chart_type: str = "line"
    note: str = ""
    suppress: bool = False  # counts of persons are protected (the legend is shown)

    def cells(self) -> list[list[tuple[Any, str]]]:
        """Per row the (value for the chart/export, text for the table) of each series.

        Counts of persons arrive as :class:`~monitor.disclosure.Shown` (protected by the
        publication tables); hidden ones show their mark ("<5" or "×") and are gaps in charts.
        """
        return [[cell(s.values[i], s.kind) for s in self.series] for i in range(len(self.labels))]

    def table_rows(self) -> list[tuple[str, list[tuple[Any, str]]]]:
        """(label, cells) per row, for the table beside the chart."""
        return list(zip(self.labels, self.cells(), strict=True))

    def config(self) -> dict:
        """JSON for Chart.js: suppressed or missing values become gaps."""
        cells = self.cells()
        return {
            "id": self.id, "type": self.chart_type, "labels": self.labels,
            "percent": any(s.kind == "share" for s in self.series if not s.table_only),
            "datasets": [{"label": s.label, "data": [
                row[j][0] if isinstance(row[j][0], int | float) else None for row in cells]}
                for j, s in enumerate(self.series) if not s.table_only],
        }


@dataclass
class Dashboard:
    filters: Filters
    periods: list[Period]
    charts: list[Chart] = field(default_factory=list)
    breakdowns: list[Chart] = field(default_factory=list)
    planned_note: str = ""
    returns_counted: int = 0
    legend: str = ""  # what "<5" and "×" mean, when counts are protected


def _div(a: Any, b: Any) -> Decimal | None:
    if a is None or not b:
        return None
    return Decimal(a) / Decimal(b)


def periods_between(first: Period, last: Period) -> list[Period]:
    lo, hi = sorted((first.ordinal, last.ordinal))
    return list(db.session.scalars(sa.select(Period).where(ORDINAL.between(lo, hi)).order_by(ORDINAL)))


def _conditions(filters: Filters, scope: set[int] | None, periods: list[Period]) -> list:
    ids = [p.id for p in periods] or [-1]
    cond = [CountReturn.status.in_(APPROVED), CountReturn.period_id.in_(ids)]
    if filters.wijk_id:
        cond.append(CountReturn.wijk_id == filters.wijk_id)
    if scope is not None:
        cond.append(CountReturn.wijk_id.in_(scope or {-1}))
    if filters.organisation_id:
        cond.append(CountReturn.organisation_id == filters.organisation_id)
    return cond


SUMS = ("volunteers", "meldingen", "meldingen_sociaal_plein", "closed_total", "closed_within_six_months",
        "closed_contact_moments", "closed_hours", "fte")


def scalar_totals(cond: list, group_by) -> dict[Any, dict[str, Any]]:
    """Sums of the scalar figures of approved returns, grouped by ``group_by``."""
    query = sa.select(group_by, sa.func.count(CountReturn.id),
                      *[sa.func.sum(getattr(CountReturn, f)) for f in SUMS]).where(*cond).group_by(group_by)
    result = {}
    for row in db.session.execute(query):
        result[row[0]] = {"returns": row[1], **{f: row[i + 2] for i, f in enumerate(SUMS)}}
    return result


def hours_totals(cond: list, *group_by) -> dict[tuple, int]:
    query = (sa.select(*group_by, sa.func.sum(ReturnHours.hours))
             .join(CountReturn, ReturnHours.return_id == CountReturn.id).where(*cond).group_by(*group_by))
    return {tuple(row[:-1]): int(row[-1] or 0) for row in db.session.execute(query)}


def clients_totals(cond: list, *group_by) -> dict[tuple, int]:
    query = (sa.select(*group_by, sa.func.sum(ReturnClients.clients))
             .join(CountReturn, ReturnClients.return_id == CountReturn.id).where(*cond).group_by(*group_by))
    return {tuple(row[:-1]): int(row[-1] or 0) for row in db.session.execute(query)}


def reported_periods(cond: list) -> set[tuple[int, int]]:
    """(organisation id, period id) with at least one approved return under ``cond``."""
    return {(o, p) for o, p in db.session.execute(
        sa.select(CountReturn.organisation_id, CountReturn.period_id).where(*cond).distinct())}


def planned_for(periods: list[Period], organisation_ids: list[int], specialism_id: int | None,
                reported: set[tuple[int, int]] | None = None
                ) -> tuple[dict[int, Decimal], dict[tuple[int, int], Decimal], dict[int, Decimal]]:
    """Planned hours per period id, per (organisation, specialism) and per specialism over the range.

    Planned hours for a tertial = budgeted hours per week x the weeks the tertial lasts. With
    ``reported``, an organisation's planned hours count only in the periods it has an approved
    return for: realised against planned compares like with like (a period not yet reported
    is not a period without work).
    """
    years = {p.year for p in periods}
    query = sa.select(PlannedHours).where(PlannedHours.year.in_(years or {-1}),
                                          PlannedHours.organisation_id.in_(organisation_ids or [-1]))
    if specialism_id:
        query = query.where(PlannedHours.specialism_id == specialism_id)
    per_period: dict[int, Decimal] = defaultdict(Decimal)
    per_org: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    per_spec: dict[int, Decimal] = defaultdict(Decimal)
    rows = db.session.scalars(query).all()
    for p in periods:
        for row in rows:
            if row.year == p.year and (reported is None or (row.organisation_id, p.id) in reported):
                amount = Decimal(row.hours_per_week) * weeks_in(p)
                per_period[p.id] += amount
                per_org[(row.organisation_id, row.specialism_id)] += amount
                per_spec[row.specialism_id] += amount
    return per_period, per_org, per_spec


def build(user: User, filters: Filters) -> Dashboard:
    """Compute every chart of the dashboard for ``user`` (scoped and suppressed as needed)."""
    return build_scoped(filters, wijk_ids_in_scope(user), restricted(user))


def build_for_outsiders(filters: Filters) -> Dashboard:
    """The dashboard as anyone outside the organisations sees it (monitorgesprek dossiers)."""
    return build_scoped(filters, None, True)


def build_scoped(filters: Filters, scope: set[int] | None, suppress: bool) -> Dashboard:
    """Compute every chart for a wijk scope (``None`` = all) with or without suppression."""
    periods = periods_between(filters.period_from, filters.period_to)
    dash = Dashboard(filters, periods)
    cond = _conditions(filters, scope, periods)
    labels = [p.label for p in periods]
    totals = scalar_totals(cond, CountReturn.period_id)
    dash.returns_counted = sum(t["returns"] for t in totals.values())
    spec_cond = cond + ([ReturnHours.specialism_id == filters.specialism_id] if filters.specialism_id else [])
    hours = hours_totals(spec_cond, CountReturn.period_id)
    clients = clients_totals(cond, CountReturn.period_id, ReturnClients.service_type_id)
    client_sum: dict[int, int] = defaultdict(int)
    for (pid, _), n in clients.items():
        client_sum[pid] += n

    orgs = [filters.organisation_id] if filters.organisation_id else [
        o.id for o in db.session.scalars(sa.select(Organisation))]
    planned_period, planned_org, planned_spec = planned_for(periods, orgs, filters.specialism_id,
                                                            reported_periods(cond))
    planned_ok = not filters.wijk_id and scope is None
    if filters.wijk_id and (scope is None or filters.wijk_id in scope):
        from .planned_wijk import planned_in_wijk

        *in_wijk, with_split = planned_in_wijk(filters.wijk_id, periods, orgs, filters.specialism_id,
                                               reported_periods(cond))
        if with_split:
            planned_period, planned_org, planned_spec = in_wijk
            planned_ok = True
            names = sorted(o.name for o in db.session.scalars(sa.select(Organisation).where(
                Organisation.id.in_(with_split))))
            dash.planned_note = ("Begrote uren in deze wijk: de verdeling per wijk van " + ", ".join(names) +
                                 ". Organisaties zonder begroting per wijk tellen in de begrote uren niet mee.")
    if not planned_ok:
        dash.planned_note = ("Begrote uren gelden voor een hele organisatie, niet per wijk: "
                             "bij een keuze voor één wijk (of als u alleen eigen wijken ziet) tonen wij ze niet, "
                             "tenzij de organisatie haar begroting per wijk heeft verdeeld.")

    counts = Counts(protected=suppress, scope=scope if filters.wijk_id is None else None)
    selection = {"organisation": filters.organisation_id, "wijk": filters.wijk_id}

    def c(measure: str, p: Period, category=None) -> Shown:
        return counts.get(measure, p.year, tertial=p.tertial, category=category, **selection)

    def t(pid: int, key: str) -> Any:
        return totals.get(pid, {}).get(key)

    def ratio(numerator: Any, count: Shown) -> Any:
        """A figure per person: hidden (×) when the count of persons is."""
        if count.hidden:
            return Shown(None, disclosure.State.SECONDARY)
        return _div(numerator, count.value)

    has = [p.id in totals for p in periods]
    dash.charts.append(Chart(
        "uren", "Uren: gerealiseerd en begroot", "Periode", labels, [
            Series("Gerealiseerde uren", [hours.get((p.id,), 0) if h else None for p, h in zip(periods, has, strict=True)]),
            Series("Begrote uren", [round(planned_period[p.id], 1) if planned_ok and p.id in planned_period else None
                                    for p in periods]),
        ], chart_type="bar",
        note="Begrote uren van een tertiaal = begrote uren per week (uit de begroting van de organisatie) "
             "× het aantal weken van het tertiaal (dagen ÷ 7, ongeveer 17,3). Alleen van organisaties met "
             "een goedgekeurde opgave voor dat tertiaal: een periode zonder opgave telt niet als nul uur."))
    dash.charts.append(Chart(
        "caseload", "Caseload: cliënten per FTE", "Periode", labels, [
            Series("Cliënten per FTE", [ratio(None, c("clienten", p)) if c("clienten", p).hidden
                                        else _div(c("clienten", p).value, t(p.id, "fte")) if h else None
                                        for p, h in zip(periods, has, strict=True)], "ratio"),
        ], note="Alle cliënten van de periode (opgeteld over de soorten dienstverlening) gedeeld door de FTE sociaal werkers in de wijk."))
    dash.charts.append(Chart(
        "aandelen", "Doorverwijzing en doorlooptijd", "Periode", labels, [
            Series("Meldingen (aantal)", [c("meldingen", p) if h else None for p, h in zip(periods, has, strict=True)], "person", table_only=True),
            Series("Via het Sociaal Plein (aantal)", [c("meldingen", p, "sociaal_plein") if h else None for p, h in zip(periods, has, strict=True)], "person", table_only=True),
            Series("Meldingen via het Sociaal Plein", [disclosure.share(c("meldingen", p, "sociaal_plein"), c("meldingen", p), suppress) if h else None for p, h in zip(periods, has, strict=True)], "share"),
            Series("Afgesloten trajecten (aantal)", [c("afgesloten", p) if h else None for p, h in zip(periods, has, strict=True)], "person", table_only=True),
            Series("Binnen zes maanden (aantal)", [c("afgesloten", p, "binnen_zes_maanden") if h else None for p, h in zip(periods, has, strict=True)], "person", table_only=True),
            Series("Trajecten afgesloten binnen zes maanden", [disclosure.share(c("afgesloten", p, "binnen_zes_maanden"), c("afgesloten", p), suppress) if h else None for p, h in zip(periods, has, strict=True)], "share"),
        ], suppress=suppress, note="De tabel zet de aantallen naast elk aandeel. " + (
            "Een aandeel staat er alleen als het aantal erboven en het aantal eronder allebei getoond "
            "mogen worden (geen <5 of ×) en het aantal eronder minstens 10 is." if suppress else "")))
    dash.charts.append(Chart(
        "gemiddelden", "Gemiddeld per afgesloten traject", "Periode", labels, [
            Series("Uren per traject", [ratio(t(p.id, "closed_hours"), c("afgesloten", p)) if h else None for p, h in zip(periods, has, strict=True)], "ratio"),
            Series("Contactmomenten per traject", [ratio(t(p.id, "closed_contact_moments"), c("afgesloten", p)) if h else None for p, h in zip(periods, has, strict=True)], "ratio"),
        ], note="Afgeleid uit de totalen: uren (of contactmomenten) van de afgesloten trajecten ÷ het aantal afgesloten trajecten."))
    dash.charts.append(Chart(
        "aantallen", "Meldingen, trajecten en vrijwilligers", "Periode", labels, [
            Series("Nieuwe meldingen", [c("meldingen", p) if h else None for p, h in zip(periods, has, strict=True)], "person"),
            Series("Waarvan via het Sociaal Plein", [c("meldingen", p, "sociaal_plein") if h else None for p, h in zip(periods, has, strict=True)], "person"),
            Series("Afgesloten trajecten", [c("afgesloten", p) if h else None for p, h in zip(periods, has, strict=True)], "person"),
            Series("Waarvan binnen zes maanden", [c("afgesloten", p, "binnen_zes_maanden") if h else None for p, h in zip(periods, has, strict=True)], "person"),
            Series("Actieve vrijwilligers", [c("vrijwilligers", p) if h else None for p, h in zip(periods, has, strict=True)], "person"),
        ], suppress=suppress))
    services = list(db.session.scalars(sa.select(ServiceType).order_by(ServiceType.position, ServiceType.name)))
    used = [s for s in services if any(sid == s.id for (_, sid) in clients)]
    dash.charts.append(Chart(
        "clienten", "Cliënten per soort dienstverlening", "Periode", labels,
        [Series(s.name, [c("clienten", p, s.id) if h and (p.id, s.id) in clients else None
                         for p, h in zip(periods, has, strict=True)], "person") for s in used]
        + [Series("Totaal", [c("clienten", p) if h and client_sum.get(p.id) is not None else None
                             for p, h in zip(periods, has, strict=True)], "person")],
        chart_type="bar", suppress=suppress,
        note="Cliënten per tertiaal kunnen niet bij elkaar worden opgeteld tot een jaar: zie de unieke cliënten per jaar."))
    year_cond = cond + [Period.tertial == 3]
    unique_rows = db.session.execute(
        sa.select(Period.year, sa.func.sum(CountReturn.unique_clients_year), sa.func.count(CountReturn.unique_clients_year))
        .join(Period, CountReturn.period_id == Period.id).where(*year_cond).group_by(Period.year)).all()
    unique = {year: total for year, total, _ in unique_rows}
    summed = any(n > 1 for _, _, n in unique_rows)  # over several organisations or wijken: an upper bound
    years = sorted({p.year for p in periods if p.tertial == 3})
    dash.charts.append(Chart(
        "uniek", "Unieke cliënten per jaar", "Jaar", [str(y) for y in years], [
            Series("Unieke cliënten: som van de decemberopgaven (bovengrens)" if summed
                   else "Unieke cliënten (decemberopgave)",
                   [counts.get("uniek", y, **selection) if unique.get(y) is not None else None for y in years], "person"),
        ], chart_type="bar", suppress=suppress,
        note="Jaarcijfers komen uit de decemberopgave, die iedere cliënt één keer over het hele jaar telt. "
             + ("Opgeteld over organisaties en wijken is het een bovengrens: wie bij twee organisaties of in twee "
                "wijken hulp kreeg, telt twee keer. Ontdubbelen over organisaties heen kan nog niet." if summed else "")))
    dash.breakdowns = _breakdown(filters, cond, spec_cond, planned_ok, planned_org, planned_spec, counts, periods)
    if suppress:
        dash.legend = disclosure.LEGEND
        if filters.organisation_id and filters.wijk_id:
            dash.legend += (" Aantallen personen per organisatie én wijk tegelijk tonen wij alleen aan de "
                            "organisatie zelf en de accounthouder: kies één van beide.")
    return dash


def _breakdown(filters, cond, spec_cond, planned_ok, planned_org, planned_spec, counts, periods) -> list[Chart]:
    """Charts over the whole range by organisation, specialism or wijk (one unit per chart).

    Counts of persons over the range are sums of the protected tertial figures: shown only
    when every tertial's figure may be shown.
    """
    range_note = "Opgeteld over de gekozen perioden."

    def share(measure: str, category: str, **levels) -> float | None:
        return disclosure.share(counts.over(measure, periods, category=category, **levels),
                                counts.over(measure, periods, **levels), counts.protected)

    def with_counts(unit: str, ids: list, **fixed) -> list[Series]:
        """The two shares with their counts beside them (table only), for each ``unit``
        (``organisation`` or ``wijk``) in ``ids``."""
        levels = [dict(fixed, **{unit: i}) for i in ids]

        def over(measure, category=None):
            return [counts.over(measure, periods, category=category, **lv) for lv in levels]
        return [
            Series("Meldingen (aantal)", over("meldingen"), "person", table_only=True),
            Series("Via het Sociaal Plein (aantal)", over("meldingen", "sociaal_plein"), "person", table_only=True),
            Series("Via het Sociaal Plein", [share("meldingen", "sociaal_plein", **lv) for lv in levels], "share"),
            Series("Afgesloten trajecten (aantal)", over("afgesloten"), "person", table_only=True),
            Series("Binnen zes maanden (aantal)", over("afgesloten", "binnen_zes_maanden"), "person", table_only=True),
            Series("Binnen zes maanden afgesloten", [share("afgesloten", "binnen_zes_maanden", **lv) for lv in levels], "share"),
        ]

    if filters.perspective == "organisatie":
        totals = scalar_totals(cond, CountReturn.organisation_id)
        hours = hours_totals(spec_cond, CountReturn.organisation_id)
        names = {o.id: o.name for o in db.session.scalars(sa.select(Organisation))}
        ids = sorted(set(totals), key=lambda i: names[i])
        planned = {oid: sum((v for (o, _), v in planned_org.items() if o == oid), Decimal(0)) for oid in ids}
        labels = [names[i] for i in ids]
        return [
            Chart("per-organisatie", "Uren per organisatie", "Organisatie", labels, [
                Series("Gerealiseerde uren", [hours.get((i,), 0) for i in ids]),
                Series("Begrote uren", [round(planned[i], 1) if planned_ok and planned[i] else None for i in ids]),
            ], chart_type="bar", note=range_note),
            Chart("per-organisatie-aandelen", "Realisatie en aandelen per organisatie", "Organisatie", labels, [
                Series("Gerealiseerd t.o.v. begroot", [_div(hours.get((i,), 0), planned[i]) if planned_ok else None for i in ids], "share"),
                *with_counts("organisation", ids, wijk=filters.wijk_id),
            ], chart_type="bar", suppress=counts.protected, note=range_note),
        ]
    if filters.perspective == "specialisme":
        hours = hours_totals(spec_cond, ReturnHours.specialism_id)
        specs = list(db.session.scalars(sa.select(Specialism).order_by(Specialism.position, Specialism.name)))
        specs = [s for s in specs if (s.id,) in hours or planned_spec.get(s.id)]
        labels = [s.name for s in specs]
        return [
            Chart("per-specialisme", "Uren per specialisme", "Specialisme", labels, [
                Series("Gerealiseerde uren", [hours.get((s.id,), 0) for s in specs]),
                Series("Begrote uren", [round(planned_spec[s.id], 1) if planned_ok and planned_spec.get(s.id) else None for s in specs]),
            ], chart_type="bar", note=range_note),
            Chart("per-specialisme-realisatie", "Realisatie per specialisme", "Specialisme", labels, [
                Series("Gerealiseerd t.o.v. begroot", [_div(hours.get((s.id,), 0), planned_spec.get(s.id)) if planned_ok else None for s in specs], "share"),
            ], chart_type="bar", note=range_note),
        ]
    totals = scalar_totals(cond, WIJK_OR_CITY)
    hours = hours_totals(spec_cond, WIJK_OR_CITY)
    names = {w.id: w.name for w in db.session.scalars(sa.select(Wijk))} | {CITYWIDE.id: CITYWIDE.name}
    ids = sorted(totals, key=lambda i: (i == CITYWIDE.id, names[i]))  # "Stedelijk" after the wijken
    labels = [names[i] for i in ids]

    def caseload(i: int) -> Any:
        clients = counts.over("clienten", periods, organisation=filters.organisation_id, wijk=i)
        if clients.hidden:
            return Shown(None, disclosure.State.SECONDARY)
        return _div(clients.value, totals[i]["fte"])

    return [
        Chart("per-wijk", "Uren per wijk", "Wijk", labels, [
            Series("Gerealiseerde uren", [hours.get((i,), 0) for i in ids])], chart_type="bar", note=range_note),
        Chart("per-wijk-caseload", "Caseload per wijk", "Wijk", labels, [
            Series("Cliënten per FTE", [caseload(i) for i in ids], "ratio")],
            chart_type="bar", note="Cliënten opgeteld over de perioden ÷ FTE opgeteld over de perioden."),
        Chart("per-wijk-aandelen", "Doorverwijzing en doorlooptijd per wijk", "Wijk", labels, [
            *with_counts("wijk", ids, organisation=filters.organisation_id),
        ], chart_type="bar", suppress=counts.protected, note=range_note),
    ]
