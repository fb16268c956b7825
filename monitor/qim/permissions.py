"""QIM permissions: who defines plans, contributes as organisation, runs rounds, reads results."""

from __future__ import annotations

from typing import Any

from ..models import Role, User
from ..permissions import ALL_ROLES, MUNICIPALITY, STAFF, define, in_own_wijk


def _contributes(user: User, obj: Any) -> bool:
    """Steps 3–4: municipality in its wijken; a sociaal werker in its own wijken only."""
    if user.role == Role.SOCIAAL_WERKER and user.organisation_id is None:
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
