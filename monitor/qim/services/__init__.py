"""QIM use cases, by audience: :mod:`.plans` (the six steps, settling, versions),
:mod:`.rounds` (rounds, links, entered judgements), :mod:`.links` (the stakeholder's
answer through a personal link), :mod:`.tasks` (home page); shared helpers in :mod:`.common`.

Every name is re-exported here, so ``from monitor.qim import services`` keeps working.
"""

from __future__ import annotations

from .common import Answers, judging_groups, monitored_qualities
from .links import THROTTLE_BUCKET, LinkRefused, link_for_token, submit_response
from .mailing import parse_addresses, remind_links, send_links
from .plans import (
    REQUIRED_STEPS,
    STEPS,
    BuurtRow,
    add_own_quality,
    add_stakeholder,
    add_target,
    available_qualities,
    buurten_in_scope,
    can_settle,
    create_plan,
    current_plan,
    executing_organisations,
    intended_qualities,
    new_version,
    overview,
    own_qualities,
    plan_quality_ids,
    plan_versions,
    plans_of_buurt,
    remove_stakeholder,
    remove_target,
    set_commissioner_qualities,
    set_monitored,
    set_organisation_qualities,
    set_step6_done,
    settle,
    settled_plan,
    societal_goals,
    step_status,
)
from .rounds import (
    DEFAULT_LINK_DAYS,
    MAX_LINK_DAYS,
    MAX_LINKS_PER_BATCH,
    close_round,
    create_links,
    enter_judgements,
    judgement_counts,
    links_of_round,
    missing_pairs,
    open_round,
    periods_of_year,
    revoke_link,
    round_for,
    rounds_of_buurt,
)
from .tasks import contribution_tasks, coordinator_tasks

__all__ = [
    "DEFAULT_LINK_DAYS", "MAX_LINK_DAYS", "MAX_LINKS_PER_BATCH", "REQUIRED_STEPS", "STEPS",
    "THROTTLE_BUCKET", "Answers", "BuurtRow", "LinkRefused", "add_own_quality",
    "add_stakeholder", "add_target", "available_qualities", "buurten_in_scope", "can_settle",
    "close_round", "contribution_tasks", "coordinator_tasks", "create_links", "create_plan",
    "current_plan", "enter_judgements", "executing_organisations", "intended_qualities",
    "judgement_counts", "judging_groups", "link_for_token", "links_of_round", "missing_pairs",
    "monitored_qualities", "new_version", "open_round", "overview", "own_qualities",
    "periods_of_year", "plan_quality_ids", "plan_versions", "plans_of_buurt",
    "remove_stakeholder", "remove_target", "revoke_link", "round_for", "rounds_of_buurt",
    "set_commissioner_qualities", "set_monitored", "set_organisation_qualities",
    "set_step6_done", "settle", "settled_plan", "societal_goals", "step_status",
    "submit_response", "parse_addresses", "remind_links", "send_links",
]
