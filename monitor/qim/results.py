"""QIM results: mean, median, n and spread per group and overall, trends and the wijk roll-up.

Other modules (the monitorgesprek) call :func:`wijk_results` and
:func:`rounds_lacking_judgements`; both are re-exported by :mod:`monitor.qim`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from .. import disclosure
from ..catalogues import Quality
from ..disclosure import SMALL_CELL
from ..extensions import db
from ..models import Buurt, Period, Wijk
from .models import Judgement, JudgementRound, PlanStatus, QimPlan, Stakeholder

# Figures resting on fewer judgements than this are marked as indicative.
MIN_RELIABLE = SMALL_CELL


@dataclass(frozen=True)
class Stats:
    """Summary of a set of 1–10 scores."""

    n: int
    mean: float
    median: float
    sd: float | None  # sample standard deviation; None for a single score
    minimum: int
    maximum: int

    @property
    def small(self) -> bool:
        """Rests on fewer than five judgements: show as indicative."""
        return self.n < MIN_RELIABLE

    def as_dict(self) -> dict:
        return {"n": self.n, "mean": round(self.mean, 2), "median": self.median,
                "sd": None if self.sd is None else round(self.sd, 2),
                "min": self.minimum, "max": self.maximum, "small": self.small}


def summarise(scores: list[int]) -> Stats | None:
    """Summarise scores; ``None`` when there are none (shown as "geen gegevens")."""
    if not scores:
        return None
    return Stats(
        n=len(scores), mean=statistics.fmean(scores), median=float(statistics.median(scores)),
        sd=statistics.stdev(scores) if len(scores) > 1 else None,
        minimum=min(scores), maximum=max(scores),
    )


@dataclass
class GroupResult:
    stakeholder: Stakeholder
    monitored: bool
    stats: Stats | None
    motivations: list[str] = field(default_factory=list)


@dataclass
class QualityResult:
    quality: Quality
    intended_by: list[str]
    monitored: bool
    overall: Stats | None
    groups: list[GroupResult]


def _scores(round_ids: list[int]) -> list[Judgement]:
    if not round_ids:
        return []
    return list(db.session.scalars(
        sa.select(Judgement).where(Judgement.round_id.in_(round_ids))
        # Order by content, never by id: the order of arrival is not revealed.
        .order_by(Judgement.quality_id, Judgement.stakeholder_id, Judgement.score,
                  Judgement.motivation)))


def round_results(rnd: JudgementRound) -> list[QualityResult]:
    """Per quality in the plan (intended or monitored): overall and per-group figures."""
    plan = rnd.plan
    judgements = _scores([rnd.id])
    by_pair: dict[tuple[int, int], list[Judgement]] = defaultdict(list)
    for j in judgements:
        by_pair[(j.quality_id, j.stakeholder_id)].append(j)
    intended: dict[int, list[str]] = defaultdict(list)
    qualities: dict[int, Quality] = {}
    for pq in plan.qualities:
        intended[pq.quality_id].append(pq.organisation.name if pq.organisation else "Opdrachtgever")
        qualities[pq.quality_id] = pq.quality
    pairs = {(m.quality_id, m.stakeholder_id) for m in plan.monitored}
    for m in plan.monitored:
        qualities[m.quality_id] = m.quality
    for j in judgements:
        qualities.setdefault(j.quality_id, j.quality)
    results = []
    for quality in sorted(qualities.values(), key=lambda q: (q.buurt_id is not None, q.position, q.id)):
        groups = []
        all_scores: list[int] = []
        for stakeholder in plan.stakeholders:
            js = by_pair.get((quality.id, stakeholder.id), [])
            monitored = (quality.id, stakeholder.id) in pairs
            if not monitored and not js:
                continue
            scores = [j.score for j in js]
            all_scores += scores
            groups.append(GroupResult(stakeholder, monitored, summarise(scores),
                                      [j.motivation for j in js if j.motivation]))
        results.append(QualityResult(quality, sorted(intended.get(quality.id, [])),
                                     any(g.monitored for g in groups),
                                     summarise(all_scores), groups))
    return results


@dataclass
class TrendRow:
    quality: Quality
    cells: list[Stats | None]  # one per period of the trend


def buurt_trend(buurt_id: int) -> tuple[list[Period], list[TrendRow]]:
    """Overall figures per quality per period over every round of a buurt (oldest first)."""
    rounds = list(db.session.scalars(
        sa.select(JudgementRound).join(QimPlan).join(Period, JudgementRound.period_id == Period.id)
        .where(QimPlan.buurt_id == buurt_id).order_by(Period.year, Period.tertial)))
    periods = [r.period for r in rounds]
    index = {r.id: i for i, r in enumerate(rounds)}
    scores: dict[int, list[list[int]]] = {}
    qualities: dict[int, Quality] = {}
    for j in _scores([r.id for r in rounds]):
        qualities[j.quality_id] = j.quality
        scores.setdefault(j.quality_id, [[] for _ in rounds])[index[j.round_id]].append(j.score)
    rows = [TrendRow(q, [summarise(s) for s in scores[q.id]])
            for q in sorted(qualities.values(), key=lambda q: (q.buurt_id is not None, q.position, q.id))]
    return periods, rows


@dataclass
class BuurtCell:
    buurt: Buurt
    intended: bool
    stats: Stats | None


@dataclass
class WijkQuality:
    quality: Quality
    overall: Stats | None
    buurten: list[BuurtCell]


@dataclass
class WijkResults:
    wijk: Wijk
    period: Period
    buurten: list[Buurt]
    rounds: dict[int, JudgementRound]  # buurt id -> round
    qualities: list[WijkQuality]


def wijk_results(wijk_id: int, period_id: int) -> WijkResults | None:
    """Roll-up from buurten to wijk for a period: per quality the pooled judgements of
    all buurten of the wijk, and each buurt's own figures.

    A buurt whose settled plan aims for a quality but has no judgements shows
    ``stats=None`` with ``intended=True`` ("geen gegevens").

    :return: ``None`` when the wijk or period does not exist.
    """
    wijk = db.session.get(Wijk, wijk_id)
    period = db.session.get(Period, period_id)
    if wijk is None or period is None:
        return None
    buurten = [b for b in wijk.buurten if b.active]
    rounds = {
        r.plan.buurt_id: r for r in db.session.scalars(
            sa.select(JudgementRound).join(QimPlan)
            .where(JudgementRound.period_id == period.id,
                   QimPlan.buurt_id.in_([b.id for b in buurten] or [-1])))
    }
    intended: dict[int, set[int]] = defaultdict(set)  # quality id -> buurt ids
    qualities: dict[int, Quality] = {}
    plans = db.session.scalars(sa.select(QimPlan).where(
        QimPlan.buurt_id.in_([b.id for b in buurten] or [-1]), QimPlan.year == period.year,
        QimPlan.status == PlanStatus.VASTGESTELD))
    for plan in plans:
        for pq in plan.qualities:
            intended[pq.quality_id].add(plan.buurt_id)
            qualities[pq.quality_id] = pq.quality
    per_buurt: dict[tuple[int, int], list[int]] = defaultdict(list)
    round_buurt = {r.id: b for b, r in rounds.items()}
    for j in _scores(list(round_buurt)):
        per_buurt[(j.quality_id, round_buurt[j.round_id])].append(j.score)
        qualities.setdefault(j.quality_id, j.quality)
    rows = []
    for quality in sorted(qualities.values(), key=lambda q: (q.buurt_id is not None, q.position, q.id)):
        cells, pooled = [], []
        for buurt in buurten:
            scores = per_buurt.get((quality.id, buurt.id), [])
            pooled += scores
            cells.append(BuurtCell(buurt, buurt.id in intended[quality.id], summarise(scores)))
        rows.append(WijkQuality(quality, summarise(pooled), cells))
    return WijkResults(wijk, period, buurten, rounds, rows)


@dataclass
class MissingRound:
    """A buurt of the wijk whose round in the period lacks judgements (or is not opened)."""

    buurt: Buurt
    round: JudgementRound | None
    missing: list[tuple[str, str]]  # (quality name, stakeholder group name)


def rounds_lacking_judgements(wijk_id: int, period_id: int) -> list[MissingRound]:
    """Buurten of a wijk with a settled plan for the period's year whose round is not
    opened yet, or whose monitored pairs have no judgement yet."""
    from .services.rounds import missing_pairs

    wijk = db.session.get(Wijk, wijk_id)
    period = db.session.get(Period, period_id)
    if wijk is None or period is None:
        return []
    result = []
    for buurt in wijk.buurten:
        plan = db.session.scalar(sa.select(QimPlan).where(
            QimPlan.buurt_id == buurt.id, QimPlan.year == period.year,
            QimPlan.status == PlanStatus.VASTGESTELD))
        rnd = db.session.scalar(sa.select(JudgementRound).join(QimPlan).where(
            QimPlan.buurt_id == buurt.id, JudgementRound.period_id == period.id))
        if rnd is None:
            if plan is not None:
                result.append(MissingRound(buurt, None, [
                    (m.quality.name, m.stakeholder.name) for m in plan.monitored]))
            continue
        missing = missing_pairs(rnd)
        if missing:
            result.append(MissingRound(buurt, rnd, [(m.quality.name, m.stakeholder.name)
                                                    for m in missing]))
    return result


@dataclass(frozen=True)
class Masked:
    """Figures of a group an outsider may not see: only the mark ("<5" or "×")."""

    mark: str
    mean: None = None
    median: None = None
    sd: None = None
    minimum: None = None
    maximum: None = None
    small: bool = False

    @property
    def n(self) -> str:
        return self.mark


def protect_line(stats: list[Stats | None], pooled: Stats | None) -> tuple[list, Stats | Masked | None]:
    """Mask the groups of one line (and the pooled figure) as outsiders must see them.

    A group resting on 1–4 judgements shows nothing but "<5" (its mean, median, spread and
    range would describe a few identifiable respondents); when the pooled figure is shown,
    a second group is masked ("×") so that pooled minus visible groups does not give it
    back (``monitor.disclosure.protect_groups``).
    """
    states, pooled_state = disclosure.protect_groups([s.n if s else None for s in stats],
                                                     total_shown=pooled is not None)

    def mask(s, state):
        if s is None or state == disclosure.State.VISIBLE:
            return s
        return Masked(disclosure.PRIMARY_TEXT if state == disclosure.State.PRIMARY else disclosure.SECONDARY_TEXT)

    return [mask(s, st) for s, st in zip(stats, states, strict=True)], mask(pooled, pooled_state)


def protect_round(rows: list[QualityResult]) -> None:
    """Mask small groups of every quality of a round in place (outsiders)."""
    for row in rows:
        masked, row.overall = protect_line([g.stats for g in row.groups], row.overall)
        for group, stats in zip(row.groups, masked, strict=True):
            group.stats = stats
            if isinstance(stats, Masked):
                group.motivations = []


def protect_wijk(data: WijkResults | None) -> None:
    """Mask small buurten (and the pooled wijk figure where needed) in place (outsiders)."""
    for row in (data.qualities if data else []):
        masked, row.overall = protect_line([c.stats for c in row.buurten], row.overall)
        for cell, stats in zip(row.buurten, masked, strict=True):
            cell.stats = stats


def protect_trend(rows: list[TrendRow]) -> None:
    """Mask periods of a buurt's trend that rest on 1–4 judgements (outsiders)."""
    for row in rows:
        row.cells = [Masked(disclosure.PRIMARY_TEXT) if s is not None and disclosure.sensitive(s.n) else s
                     for s in row.cells]
