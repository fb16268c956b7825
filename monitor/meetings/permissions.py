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


# --- the council's view: questions for the next session, signals, the agenda -----------

def own_question(user: User, question: Any) -> bool:
    """A council member reads and withdraws only the questions they asked themselves."""
    return question.asked_by_id == user.id


def may_answer(user: User, question: Any) -> bool:
    """Answered in the minutes of the wijk's session, by those who prepare it."""
    return can(user, "meetings.prepare", question)


def follows_the_council_view(user: User) -> bool:
    """Council members' home page shows the agenda, dossiers and signals of the sessions."""
    return user.role == Role.RAADSLID


define("meetings.ask", {Role.RAADSLID},
       "Een vraag achterlaten voor het volgende monitorgesprek van een wijk en de eigen vragen "
       "met hun antwoord lezen", check=own_question)
define("meetings.questions", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR},
       "Open vragen uit de raad zien bij het voorbereiden en beantwoorden in het verslag (eigen wijk)",
       check=may_answer)
define("meetings.signals", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR, Role.SOCIAAL_WERKER,
                            Role.RAADSLID},
       "Het overzicht van de signalen voor beleid uit de verslagen lezen (eigen wijk voor werkers en "
       "coördinatoren)", check=in_own_wijk)
define("meetings.calendar", ALL_ROLES,
       "Een gepland monitorgesprek als agendabestand (.ics) downloaden (eigen wijk)", check=in_own_wijk)
