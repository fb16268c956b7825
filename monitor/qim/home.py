"""QIM tasks on the home page: plans to settle and open rounds awaiting judgements."""

from __future__ import annotations

from flask import url_for

from ..models import User
from ..registry import HomeSection, HomeTask
from .permissions import sees_contribution_tasks, sees_coordination_tasks
from .services.tasks import contribution_tasks, coordinator_tasks


def home_section(user: User) -> HomeSection | None:
    """For buurtcoördinatoren: concept plans to settle, open rounds still lacking judgements.
    For sociaal werkers: concept plans awaiting their organisation's steps 3 and 4."""
    if sees_contribution_tasks(user):
        tasks = [
            HomeTask(
                title=f"QIM-plan {plan.buurt.name} {plan.year}: stap 3 en 4 voor "
                      f"{user.organisation.name}",
                url=url_for("qim.step3", plan_id=plan.id),
                detail="Leg vast welke kwaliteiten uw organisatie wil realiseren en wie "
                       "uw stakeholders zijn.",
            )
            for plan in contribution_tasks(user)
        ]
        return HomeSection("Kwaliteiten (QIM)", tasks,
                           "Er wachten geen QIM-plannen op uw organisatie.", order=40)
    if not sees_coordination_tasks(user):
        return None
    plans, rounds = coordinator_tasks(user)
    tasks = [
        HomeTask(
            title=f"QIM-plan {plan.buurt.name} {plan.year} vaststellen",
            url=url_for("qim.plan", plan_id=plan.id),
            detail=f"Versie {plan.version} is nog concept.",
            urgency="warning",
        )
        for plan in plans
    ]
    tasks += [
        HomeTask(
            title=f"Oordelen {rnd.plan.buurt.name} {rnd.period.label}",
            url=url_for("qim.round", round_id=rnd.id),
            detail=f"{missing} combinatie(s) van kwaliteit en stakeholdergroep hebben nog "
                   "geen oordeel.",
        )
        for rnd, missing in rounds
    ]
    return HomeSection("Kwaliteiten (QIM)", tasks,
                       "Er wachten geen QIM-plannen of oordeelrondes op u.", order=40)
