"""Outcomes against the targets: definitions, Wilson intervals, observations, aggregation.

The disclosure control for outsiders (publication unit, tables) lives in :mod:`.publication`.

Definitions (also shown on the report page, see :data:`DEFINITIONS`):

* **Participatieladder** — of the closed ladder trajectories with a begin and an end
  measurement, the share whose end step is at least one step above the begin step.
  Target: 50%.
* **ZRM, per domain** — of the trajectories with a begin and an end measurement that
  both score that domain (1–5; "niet van toepassing" and "niet besproken" excluded)
  and whose begin score is below 5, the share whose end score is at least one point
  higher. Target: 50% per domain.

The unit is the trajectory (a client with two qualifying trajectories counts twice).
A trajectory falls in a period range by its reference date: the closing date, or the
date of the end measurement while it is still open (ZRM only). Outcomes of purged
clients are kept as anonymous :class:`OutcomeFact` rows and counted the same way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from .. import disclosure
from ..disclosure import MIN_SHARE_DENOMINATOR, PRIMARY_TEXT, SECONDARY_TEXT, TOTAL
from ..extensions import db
from ..models import Organisation, Period, ServiceType, Wijk
from .counting import filter_facts, filter_trajectories
from .instruments import TARGET_SHARE, all_domain_codes, domain_name, domain_versions
from .models import Client, DomainScore, Instrument, Measurement, MeasurementKind, OutcomeFact, Trajectory
from .publication import outsider_cell, outsider_selection, protect_year, publication_unit  # noqa: F401 (re-exported)

Z_95 = 1.959963984540054  # two-sided 95% normal quantile

DEFINITIONS = {
    "ladder": (
        "Participatieladder: van de afgesloten trajecten met een begin- en een eindmeting op de "
        "ladder, het aandeel waarbij de eindtrede minstens één trede hoger ligt dan de begintrede. "
        "Streefwaarde: 50%."
    ),
    "zrm": (
        "Zelfredzaamheid-Matrix, per domein: van de trajecten met een begin- en een eindmeting "
        "die dit domein allebei scoren (1–5; 'niet van toepassing' en 'niet besproken' tellen "
        "niet mee) en waarbij de beginscore lager is dan 5, het aandeel waarbij de eindscore "
        "minstens één punt hoger is. Streefwaarde: 50% per domein."
    ),
    "unit": (
        "Eenheid is het traject: een cliënt met twee trajecten die meetellen, telt twee keer. "
        "Een traject valt in de gekozen perioden op de datum van afsluiten, of (ZRM, traject nog "
        "open) op de datum van de eindmeting. Uitkomsten van cliënten die na de bewaartermijn zijn "
        "verwijderd, tellen anoniem mee, zodat eerder gerapporteerde cijfers niet veranderen."
    ),
    "interval": (
        "Het 95%-betrouwbaarheidsinterval is het Wilson-score-interval: bij weinig metingen is het "
        "breed, zodat bijvoorbeeld 3 van de 4 niet als een zeker succes wordt gelezen."
    ),
    "privacy": (
        "Buiten de eigen organisatie staat elk aantal van 1 tot 5 cliënten als '<5'. Een cel die "
        "alleen is afgeschermd zodat zo'n klein aantal elders niet terug te rekenen is, staat als '×'. "
        "Wie buiten de organisatie staat, ziet uitkomsten per heel tertiaal of heel jaar, en per wijk, "
        "organisatie of soort dienstverlening (niet gecombineerd). Een aandeel staat er pas bij "
        "minstens 10 metingen."
    ),
}


# --- statistics ---------------------------------------------------------------------

def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion (no continuity correction).

    :param successes: number of successes ``k`` (0 <= k <= n).
    :param n: number of trials; ``None`` is returned for ``n == 0``.
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


# --- observations ---------------------------------------------------------------------

@dataclass(frozen=True)
class Observation:
    """One counted outcome: a ladder trajectory or one ZRM domain of a trajectory."""

    instrument: Instrument
    domain_code: str | None
    zrm_version: str | None
    organisation_id: int
    wijk_id: int | None
    service_type_id: int
    reference_date: date
    begin_score: int
    end_score: int

    @property
    def improved(self) -> bool:
        return self.end_score >= self.begin_score + 1

    @property
    def indicator(self) -> str:
        return "ladder" if self.instrument == Instrument.LADDER else f"zrm:{self.domain_code}"


def observations_for(trajectory: Trajectory, wijk_id: int | None) -> list[Observation]:
    """The outcomes a trajectory contributes to the reports (see the module definitions)."""
    begin = trajectory.measurement(MeasurementKind.BEGIN)
    end = trajectory.measurement(MeasurementKind.EIND)
    if begin is None or end is None:
        return []
    reference = trajectory.ended_on or end.measured_on
    common = dict(instrument=trajectory.instrument, zrm_version=trajectory.zrm_version,
                  organisation_id=trajectory.organisation_id, wijk_id=wijk_id,
                  service_type_id=trajectory.service_type_id, reference_date=reference)
    if trajectory.instrument == Instrument.LADDER:
        if not trajectory.closed or begin.ladder_step is None or end.ladder_step is None:
            return []
        return [Observation(domain_code=None, begin_score=begin.ladder_step,
                            end_score=end.ladder_step, **common)]
    before, after = begin.score_map(), end.score_map()
    result = []
    for code, b in before.items():
        e = after.get(code)
        if b is None or e is None or b >= 5:
            continue
        result.append(Observation(domain_code=code, begin_score=b, end_score=e, **common))
    return result


@dataclass(frozen=True)
class Filters:
    """What a report covers: a period range and optional wijk/organisation/service type."""

    first: date
    last: date
    wijk_id: int | None = None
    organisation_id: int | None = None
    service_type_id: int | None = None


def _live_observations(filters: Filters) -> list[Observation]:
    """Outcomes of current trajectories, read as plain rows rather than ORM objects.

    Same rules as :func:`observations_for` (begin and eind measurement; ladder only when
    closed; ZRM domains scored at both, below 5 at the begin), with the period range
    filtered in SQL: building ~10 ORM objects per trajectory made the report ~100× slower
    than its bare query (docs/benchmarks.md).
    """
    begin = aliased(Measurement)
    end = aliased(Measurement)
    reference = sa.func.coalesce(Trajectory.ended_on, end.measured_on, type_=sa.Date)
    query = (
        sa.select(Trajectory.instrument, Trajectory.zrm_version, Trajectory.organisation_id,
                  Client.wijk_id, Trajectory.service_type_id, reference, Trajectory.ended_on,
                  begin.id, begin.ladder_step, end.id, end.ladder_step)
        .join(Client, Client.id == Trajectory.client_id)
        .join(begin, sa.and_(begin.trajectory_id == Trajectory.id, begin.kind == MeasurementKind.BEGIN,
                                      begin.deleted_at.is_(None)))
        .join(end, sa.and_(end.trajectory_id == Trajectory.id, end.kind == MeasurementKind.EIND,
                                    end.deleted_at.is_(None)))
        .where(reference.between(filters.first, filters.last))
        .order_by(Trajectory.id)
    )
    query = filter_trajectories(query, filters)
    rows = db.session.execute(query).all()
    zrm_ids = [i for r in rows if r[0] == Instrument.ZRM for i in (r[7], r[9])]
    scores: dict[int, dict[str, int | None]] = defaultdict(dict)
    for start in range(0, len(zrm_ids), 900):
        for measurement_id, code, score in db.session.execute(
                sa.select(DomainScore.measurement_id, DomainScore.domain_code, DomainScore.score)
                .where(DomainScore.measurement_id.in_(zrm_ids[start:start + 900]))):
            scores[measurement_id][code] = score
    result = []
    for (instrument, version, organisation_id, wijk_id, service_type_id, reference_date, ended_on,
         begin_id, begin_step, end_id, end_step) in rows:
        common = dict(instrument=instrument, zrm_version=version, organisation_id=organisation_id,
                      wijk_id=wijk_id, service_type_id=service_type_id, reference_date=reference_date)
        if instrument == Instrument.LADDER:
            if ended_on is not None and begin_step is not None and end_step is not None:
                result.append(Observation(domain_code=None, begin_score=begin_step,
                                          end_score=end_step, **common))
            continue
        after = scores.get(end_id, {})
        for code, b in scores.get(begin_id, {}).items():
            e = after.get(code)
            if b is None or e is None or b >= 5:
                continue
            result.append(Observation(domain_code=code, begin_score=b, end_score=e, **common))
    return result


def collect_observations(filters: Filters) -> list[Observation]:
    """Live outcomes of current trajectories plus the anonymous facts of purged ones."""
    observations = _live_observations(filters)
    facts = sa.select(OutcomeFact).where(
        OutcomeFact.reference_date.between(filters.first, filters.last))
    facts = filter_facts(facts, filters)
    for f in db.session.scalars(facts):
        observations.append(Observation(
            instrument=f.instrument, domain_code=f.domain_code, zrm_version=f.zrm_version,
            organisation_id=f.organisation_id, wijk_id=f.wijk_id,
            service_type_id=f.service_type_id, reference_date=f.reference_date,
            begin_score=f.begin_score, end_score=f.end_score))
    return observations


# --- aggregation with suppression -------------------------------------------------------

@dataclass
class OutcomeCell:
    """n, number improved, share, Wilson interval and target, as they may be shown."""

    n: int
    improved: int
    hide_n: bool = False
    hide_improved: bool = False
    hide_share: bool = False
    note: str = ""
    n_mark: str = PRIMARY_TEXT
    improved_mark: str = PRIMARY_TEXT

    @property
    def n_text(self) -> str:
        return self.n_mark if self.hide_n else str(self.n)

    @property
    def improved_text(self) -> str:
        return self.improved_mark if self.hide_improved else str(self.improved)

    @property
    def share(self) -> float | None:
        if self.hide_share or self.n == 0:
            return None
        return self.improved / self.n

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.share is None:
            return None
        return wilson_interval(self.improved, self.n)

    @property
    def target_met(self) -> bool | None:
        share = self.share
        return None if share is None else share >= TARGET_SHARE

    @property
    def certain(self) -> bool:
        """Whether the whole interval lies on one side of the target."""
        interval = self.interval
        if interval is None:
            return False
        return interval[0] >= TARGET_SHARE or interval[1] < TARGET_SHARE

    @property
    def verdict(self) -> str:
        if self.target_met is None:
            return self.note or "te weinig metingen"
        text = "gehaald" if self.target_met else "niet gehaald"
        if not self.certain:
            text += " (onzeker: het interval omvat 50%)"
        return text


def unprotected_cell(improved: int, n: int) -> OutcomeCell:
    return OutcomeCell(n=n, improved=improved)


def protected_cell(table: disclosure.Table, **levels) -> OutcomeCell:
    """A cell of an outcome publication table as an outsider may see it."""
    n = table.get(uitkomst=TOTAL, **levels)
    k = table.get(uitkomst="vooruit", **levels)
    rest = table.get(uitkomst="niet_vooruit", **levels)
    cell = OutcomeCell(n=n.value or 0, improved=k.value or 0)
    cell.hide_n = n.hidden
    cell.n_mark = n.text if n.hidden else PRIMARY_TEXT
    cell.hide_improved = k.hidden or rest.hidden
    cell.improved_mark = (k.text if k.hidden else SECONDARY_TEXT) if cell.hide_improved else PRIMARY_TEXT
    if cell.hide_improved or cell.hide_n:
        cell.hide_share = True
        cell.note = "afgeschermd"
    elif cell.n < MIN_SHARE_DENOMINATOR:
        cell.hide_share = True
        cell.note = "te weinig metingen"
    return cell


def publication_tables(year: int) -> dict[str, disclosure.Table]:
    """Per indicator the protected publication table of ``year`` (every observation of it)."""
    observations = collect_observations(Filters(first=date(year, 1, 1), last=date(year, 12, 31)))
    return protect_year(year, observations)


def suppress_outcomes(pairs: Sequence[tuple[int, int]], suppress: bool) -> list[OutcomeCell]:
    """Cells for (improved, n) pairs without protection (the owning organisation)."""
    return [OutcomeCell(n=n, improved=k) for k, n in pairs]


GROUPINGS = {
    "totaal": "Geen indeling (totaal)",
    "wijk": "Per wijk",
    "organisatie": "Per organisatie",
    "dienst": "Per soort dienstverlening",
}


@dataclass
class IndicatorReport:
    """One indicator (the ladder, or one ZRM domain): a row per group and a total."""

    key: str
    label: str
    rows: list[tuple[str, OutcomeCell]]
    total: OutcomeCell


@dataclass
class OutcomeReport:
    """The outcome report for one selection, ready for a template or another module."""

    filters: Filters
    grouping: str
    suppressed: bool
    indicators: list[IndicatorReport] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=lambda: dict(DEFINITIONS))
    refusal: str = ""  # why an outsider gets no figures for this choice

    @property
    def total_observations(self) -> int:
        return sum(i.total.n for i in self.indicators)


def _group_labels(grouping: str) -> dict[int | None, str]:
    if grouping == "wijk":
        labels: dict[int | None, str] = {w.id: w.name for w in db.session.scalars(sa.select(Wijk))}
        labels[None] = "Wijk onbekend"
        return labels
    model = Organisation if grouping == "organisatie" else ServiceType
    return {m.id: m.name for m in db.session.scalars(sa.select(model))}


def _group_key(o: Observation, grouping: str) -> int | None:
    return {"wijk": o.wijk_id, "organisatie": o.organisation_id,
            "dienst": o.service_type_id}.get(grouping)


def indicator_label(key: str) -> str:
    if key == "ladder":
        return "Participatieladder: minstens één trede hoger"
    code = key.split(":", 1)[1]
    versions = domain_versions(code)
    suffix = " (alleen ZRM 2013)" if versions == ["2013"] else ""
    return f"ZRM {domain_name(code)}{suffix}: minstens één punt beter"


def build_report(observations: Iterable[Observation], filters: Filters, grouping: str,
                 suppress: bool) -> OutcomeReport:
    """Aggregate observations per indicator and group, suppressed when ``suppress``."""
    if grouping not in GROUPINGS:
        raise ValueError(grouping)
    by_indicator: dict[str, dict[int | None, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0]))
    for o in observations:
        slot = by_indicator[o.indicator][_group_key(o, grouping)]
        slot[0] += int(o.improved)
        slot[1] += 1
    return report_from_counts(by_indicator, filters, grouping, suppress)


def report_from_counts(by_indicator: dict[str, dict[int | None, list[int]]], filters: Filters,
                       grouping: str, suppress: bool) -> OutcomeReport:
    """The report from ``{indicator: {group: [improved, n]}}`` (:mod:`.counting` counts them
    in the database; :func:`build_report` from observations)."""
    if grouping not in GROUPINGS:
        raise ValueError(grouping)
    labels = _group_labels(grouping) if grouping != "totaal" else {}
    order = ["ladder"] + [f"zrm:{c}" for c in all_domain_codes()]
    report = OutcomeReport(filters=filters, grouping=grouping, suppressed=suppress)
    if suppress:
        return _protected_report(report, by_indicator, labels, order)
    for key in order:
        groups = by_indicator.get(key)
        if not groups:
            continue
        total_k = sum(v[0] for v in groups.values())
        total_n = sum(v[1] for v in groups.values())
        total = suppress_outcomes([(total_k, total_n)], suppress)[0]
        rows: list[tuple[str, OutcomeCell]] = []
        if grouping != "totaal":
            keys = sorted(groups, key=lambda g: labels.get(g, "~"))
            cells = suppress_outcomes([tuple(groups[g]) for g in keys], suppress)
            rows = [(labels.get(g, "Onbekend"), c) for g, c in zip(keys, cells, strict=True)]
        report.indicators.append(IndicatorReport(key, indicator_label(key), rows, total))
    return report


def _protected_report(report: OutcomeReport, by_indicator, labels, order) -> OutcomeReport:
    """The report as outsiders see it: cells of the year's publication tables."""
    selection = outsider_selection(report.filters, report.grouping)
    if selection.refusal:
        report.refusal = selection.refusal
        return report
    tables = publication_tables(selection.year)
    fixed, dim = selection.fixed, selection.dim
    for key in order:
        table = tables.get(key)
        groups = by_indicator.get(key)
        if table is None or not groups:
            continue
        total = protected_cell(table, **fixed)
        rows: list[tuple[str, OutcomeCell]] = []
        if dim is not None:
            leaves = next(d.leaves for d in table.dims if d.name == dim)
            shown = [g for g in groups if (g if g is not None else "onbekend") in leaves
                     or (dim != "wijk" and g in leaves)]
            for g in sorted(shown, key=lambda g: labels.get(g, "~")):
                level = "onbekend" if dim == "wijk" and g is None else g
                if fixed.get(dim) is not None and fixed[dim] != g:
                    continue
                rows.append((labels.get(g, "Onbekend"), protected_cell(table, **{**fixed, dim: level})))
        report.indicators.append(IndicatorReport(key, indicator_label(key), rows, total))
    return report


def period_bounds(first: Period, last: Period) -> tuple[date, date]:
    """The first and last day of a period range (in either order)."""
    if first.ordinal > last.ordinal:
        first, last = last, first
    return first.start, last.end
