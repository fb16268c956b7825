"""QIM tasks for the home page: plans to settle, rounds lacking judgements, steps 3 and 4."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from ...extensions import db
from ...models import Buurt, User
from ...permissions import wijk_ids_in_scope
from ..models import (
    JudgementRound,
    PlanStatus,
    QimPlan,
)
from .rounds import missing_pairs

logger = logging.getLogger(__name__)


def coordinator_tasks(user: User) -> tuple[list[QimPlan], list[tuple[JudgementRound, int]]]:
    """Concept plans to settle and open rounds still missing judgements, in the user's wijken."""
    scope = wijk_ids_in_scope(user)
    plan_query = (sa.select(QimPlan).join(Buurt).where(QimPlan.status == PlanStatus.CONCEPT)
                  .order_by(QimPlan.year, Buurt.name))
    round_query = (sa.select(JudgementRound).join(QimPlan).join(Buurt)
                   .where(JudgementRound.closed_at.is_(None)).order_by(Buurt.name))
    if scope is not None:
        plan_query = plan_query.where(Buurt.wijk_id.in_(scope or {-1}))
        round_query = round_query.where(Buurt.wijk_id.in_(scope or {-1}))
    plans = list(db.session.scalars(plan_query))
    rounds = []
    for rnd in db.session.scalars(round_query):
        missing = len(missing_pairs(rnd))
        if missing:
            rounds.append((rnd, missing))
    return plans, rounds



def contribution_tasks(user: User) -> list[QimPlan]:
    """Concept plans in a sociaal werker's wijken where their organisation has recorded
    neither qualities (step 3) nor stakeholders (step 4) yet."""
    if user.organisation_id is None:
        return []
    scope = wijk_ids_in_scope(user)
    query = (sa.select(QimPlan).join(Buurt).where(QimPlan.status == PlanStatus.CONCEPT)
             .order_by(QimPlan.year, Buurt.name))
    if scope is not None:
        query = query.where(Buurt.wijk_id.in_(scope or {-1}))
    return [
        plan for plan in db.session.scalars(query)
        if not any(pq.organisation_id == user.organisation_id for pq in plan.qualities)
        and not any(s.organisation_id == user.organisation_id for s in plan.stakeholders)
    ]
