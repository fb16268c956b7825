"""QIM permissions: who defines plans, contributes as organisation, runs rounds, reads results."""

from __future__ import annotations

from typing import Any

from ..models import Role, User
from ..permissions import ALL_ROLES, MUNICIPALITY, STAFF, define, in_own_wijk


def acts_for_own_organisation(user: User) -> bool:
    """Steps 3–4: a sociaal werker acts for their own organisation; the municipality
    chooses the executing organisation it records for."""
    return user.role == Role.SOCIAAL_WERKER


def may_change_group(user: User, stakeholder: Any) -> bool:
    """An executing organisation's stakeholder group is changed by the municipality or by
    a sociaal werker of that organisation (the commissioner's groups: ``qim.plan_manage``)."""
    return not acts_for_own_organisation(user) or stakeholder.organisation_id == user.organisation_id


def sees_contribution_tasks(user: User) -> bool:
    """Home page: sociaal werkers see the concept plans awaiting their steps 3 and 4."""
    return user.role == Role.SOCIAAL_WERKER


def sees_coordination_tasks(user: User) -> bool:
    """Home page: buurtcoördinatoren see plans to settle and rounds lacking judgements."""
    return user.role == Role.BUURTCOORDINATOR


def _contributes(user: User, obj: Any) -> bool:
    """Steps 3–4: municipality in its wijken; a sociaal werker in its own wijken only."""
    if acts_for_own_organisation(user) and user.organisation_id is None:
        return False
    return in_own_wijk(user, obj)


define("qim.view", ALL_ROLES,
       "QIM-plannen en geaggregeerde oordelen (gemiddelden, medianen, trends) lezen")
define("qim.plan_manage", MUNICIPALITY,
       "Als opdrachtgever een QIM-plan opstellen (stap 1, 2, 5, 6), vaststellen en kopiëren "
       "(buurtcoördinator: eigen wijken)", check=in_own_wijk)
define("qim.plan_contribute", STAFF,
       "Als uitvoerende organisatie kwaliteiten en stakeholders vastleggen (stap 3 en 4; "
       "sociaal werker: eigen organisatie, eigen wijken)", check=_contributes)
define("qim.round_manage", MUNICIPALITY,
       "Oordeelrondes openen en sluiten, persoonlijke links maken en intrekken, oordelen "
       "invoeren (buurtcoördinator: eigen wijken)", check=in_own_wijk)
define("qim.motivations", STAFF,
       "De toelichtingen van stakeholders bij hun oordelen lezen (eigen wijken)",
       check=in_own_wijk)
