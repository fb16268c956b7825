"""Who may prepare, read and report on monitorgesprekken."""

from typing import Any

from ..models import Role, User
from ..permissions import ALL_ROLES, can, define, in_own_wijk


def may_view_session(user: User, obj: Any) -> bool:
    """Own wijk; and a session still in preparation only for those who prepare it.

    Until its dossier is issued a session is work in progress (with whose returns are
    still pending): not for council members, nor for the organisations' workers.
    """
    if not in_own_wijk(user, obj):
        return False
    from .models import MonitorSession, SessionStatus

    if isinstance(obj, MonitorSession) and obj.status == SessionStatus.VOORBEREIDING:
        return can(user, "meetings.prepare", obj)
    return True


def opens_sessions(user: User) -> bool:
    """Buurtcoördinatoren open their wijk's sessions: they are reminded of those not yet created."""
    return user.role == Role.BUURTCOORDINATOR


define("meetings.view", ALL_ROLES, "Uitgegeven monitorgesprekken en hun dossiers lezen (eigen wijk voor werkers en "
       "coördinatoren; in voorbereiding alleen wie het voorbereidt)", check=may_view_session)
define("meetings.prepare", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR},
       "Een monitorgesprek voorbereiden, het dossier uitgeven en het verslag vastleggen", check=in_own_wijk)
define("initiatives.view", ALL_ROLES, "Buurtinitiatieven bekijken")
define("initiatives.manage", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR, Role.SOCIAAL_WERKER},
       "Buurtinitiatieven registreren (eigen wijk)", check=in_own_wijk)
define("reports.view", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR, Role.RAADSLID},
       "Jaarrapportages lezen")
define("reports.manage", {Role.ADMIN, Role.ACCOUNTHOUDER}, "Jaarrapportages samenstellen en bewerken")
