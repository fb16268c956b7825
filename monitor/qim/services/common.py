"""QIM services shared by rounds and links: what a group judges, and checking answers."""

from __future__ import annotations

import logging

from ...catalogues import Quality
from ...errors import DomainError
from ..models import (
    QimPlan,
    Stakeholder,
)

logger = logging.getLogger(__name__)


def monitored_qualities(plan: QimPlan, stakeholder: Stakeholder) -> list[Quality]:
    """The qualities a stakeholder group judges in a plan (step 5), in catalogue order."""
    qualities = [m.quality for m in plan.monitored if m.stakeholder_id == stakeholder.id]
    return sorted(qualities, key=lambda q: (q.buurt_id is not None, q.position, q.id))


def judging_groups(plan: QimPlan) -> list[Stakeholder]:
    """The stakeholder groups that judge at least one quality in the plan."""
    ids = {m.stakeholder_id for m in plan.monitored}
    return [s for s in plan.stakeholders if s.id in ids]


Answers = dict[int, tuple[int, str]]


def _validate_answers(qualities: list[Quality], answers: Answers) -> Answers:
    allowed = {q.id for q in qualities}
    clean = {qid: a for qid, a in answers.items() if a[0] is not None}
    if not clean:
        raise DomainError("Geef voor minstens één kwaliteit een cijfer.")
    for qid, (score, _motivation) in clean.items():
        if qid not in allowed:
            raise DomainError("Deze kwaliteit hoort niet bij deze groep.")
        if not 1 <= int(score) <= 10:
            raise DomainError("Een cijfer ligt tussen 1 en 10.", f"score_{qid}")
    return clean
