"""The outcome counts a report shows, counted inside the database.

A report needs, per indicator (the ladder, a ZRM domain) and group (wijk, organisation or
service type), only how many outcomes there are and how many improved. Counting them
with ``GROUP BY`` — begin and end measurement (and, for the ZRM, their domain scores)
joined per trajectory — returns a few dozen rows instead of every begin and end score
(docs/benchmarks.md). The rules are those of :func:`.reports.observations_for`: a begin
and an eind measurement; the ladder only when the trajectory is closed and both steps are
known; a ZRM domain only when both measurements score it (1–5) and the begin score is
below 5; improved is at least one step or point higher; the reference date (closing date,
else the date of the eind measurement) in the range. The anonymous facts of purged
clients count the same way.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..extensions import db
from .models import Client, DomainScore, Instrument, Measurement, MeasurementKind, OutcomeFact, Trajectory

Counts = dict[str, dict[int | None, list[int]]]  # indicator → group → [improved, n]


def _improved(end, begin):
    return sa.func.sum(sa.case((end >= begin + 1, 1), else_=0))


def indicator_counts(filters, grouping: str) -> Counts:
    """``{indicator: {group: [improved, n]}}`` for :class:`.reports.Filters` and a grouping
    (``totaal`` gives the group ``None``), live trajectories and facts together."""
    begin, end = aliased(Measurement), aliased(Measurement)
    reference = sa.func.coalesce(Trajectory.ended_on, end.measured_on, type_=sa.Date)
    group = {"wijk": Client.wijk_id, "organisatie": Trajectory.organisation_id,
             "dienst": Trajectory.service_type_id}.get(grouping)
    group_cols = [group] if group is not None else []

    def live(query):
        query = (query.select_from(Trajectory)
                 .join(Client, Client.id == Trajectory.client_id)
                 .join(begin, sa.and_(begin.trajectory_id == Trajectory.id,
                                      begin.kind == MeasurementKind.BEGIN,
                                      begin.deleted_at.is_(None)))
                 .join(end, sa.and_(end.trajectory_id == Trajectory.id,
                                    end.kind == MeasurementKind.EIND,
                                    end.deleted_at.is_(None)))
                 .where(reference.between(filters.first, filters.last)))
        return filter_trajectories(query, filters)

    counts: Counts = defaultdict(lambda: defaultdict(lambda: [0, 0]))

    def add(indicator: str, key, n: int, improved: int | None) -> None:
        slot = counts[indicator][key]
        slot[0] += int(improved or 0)
        slot[1] += int(n)

    sb, se = aliased(DomainScore), aliased(DomainScore)
    zrm = live(sa.select(sb.domain_code, *group_cols, sa.func.count(), _improved(se.score, sb.score))) \
        .join(sb, sb.measurement_id == begin.id) \
        .join(se, sa.and_(se.measurement_id == end.id, se.domain_code == sb.domain_code)) \
        .where(Trajectory.instrument == Instrument.ZRM, sb.score.is_not(None), sb.score < 5,
               se.score.is_not(None)) \
        .group_by(sb.domain_code, *group_cols)
    for row in db.session.execute(zrm):
        add(f"zrm:{row[0]}", row[1] if group_cols else None, row[-2], row[-1])

    ladder = live(sa.select(*group_cols, sa.func.count(), _improved(end.ladder_step, begin.ladder_step))) \
        .where(Trajectory.instrument == Instrument.LADDER, Trajectory.ended_on.is_not(None),
               begin.ladder_step.is_not(None), end.ladder_step.is_not(None)) \
        .group_by(*group_cols)
    for row in db.session.execute(ladder):
        if row[-2]:
            add("ladder", row[0] if group_cols else None, row[-2], row[-1])

    fact_group = {"wijk": OutcomeFact.wijk_id, "organisatie": OutcomeFact.organisation_id,
                  "dienst": OutcomeFact.service_type_id}.get(grouping)
    fact_cols = [fact_group] if fact_group is not None else []
    facts = (sa.select(OutcomeFact.instrument, OutcomeFact.domain_code, *fact_cols, sa.func.count(),
                       _improved(OutcomeFact.end_score, OutcomeFact.begin_score))
             .where(OutcomeFact.reference_date.between(filters.first, filters.last))
             .group_by(OutcomeFact.instrument, OutcomeFact.domain_code, *fact_cols))
    facts = filter_facts(facts, filters)
    for row in db.session.execute(facts):
        indicator = "ladder" if row[0] == Instrument.LADDER else f"zrm:{row[1]}"
        add(indicator, row[2] if fact_cols else None, row[-2], row[-1])
    return counts


def filter_trajectories(query, filters):
    """``query`` (joining Trajectory and Client) narrowed to the report's organisation, service
    and wijk, where chosen."""
    if filters.organisation_id:
        query = query.where(Trajectory.organisation_id == filters.organisation_id)
    if filters.service_type_id:
        query = query.where(Trajectory.service_type_id == filters.service_type_id)
    if filters.wijk_id:
        query = query.where(Client.wijk_id == filters.wijk_id)
    return query


def filter_facts(query, filters):
    """``query`` of anonymous outcome facts narrowed the same way."""
    if filters.organisation_id:
        query = query.where(OutcomeFact.organisation_id == filters.organisation_id)
    if filters.service_type_id:
        query = query.where(OutcomeFact.service_type_id == filters.service_type_id)
    if filters.wijk_id:
        query = query.where(OutcomeFact.wijk_id == filters.wijk_id)
    return query
