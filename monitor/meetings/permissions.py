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


# --- jaarrapportages ---------------------------------------------------------------------
# An organisation drafts its own report (people holding the drafting right a beheerder
# grants), submits it, and the accounthouder returns it with remarks or settles it. A wijk
# report is the municipality's own compilation. Until settled a report is work in progress:
# only those who write or review it read it. Settled, it is read-only and open to every
# reader of reports; outside the organisation with counts of persons protected.

MUNICIPAL_REVIEWERS = frozenset({Role.ADMIN, Role.ACCOUNTHOUDER})


def _report_parts(obj: Any) -> tuple[str | None, int | None, Any]:
    """(scope, organisation id, status) of a report, or of an organisation (no report yet)."""
    from ..models import Organisation
    from .models import ReportScope

    if isinstance(obj, Organisation):
        return ReportScope.ORGANISATIE.value, obj.id, None
    return getattr(obj, "scope", None), getattr(obj, "organisation_id", None), getattr(obj, "status", None)


def holds_author_right(user: User, organisation_id: int | None) -> bool:
    """The beheerder granted ``user`` the right to draft the report of their own organisation."""
    from ..extensions import db
    from .models import ReportAuthor

    if user.role != Role.SOCIAAL_WERKER or organisation_id is None or user.organisation_id != organisation_id:
        return False
    grant = db.session.get(ReportAuthor, user.id)
    return grant is not None and grant.organisation_id == user.organisation_id


def may_draft_report(user: User, obj: Any) -> bool:
    """Own organisation's report (or organisation), for holders of the drafting right."""
    scope, organisation_id, _ = _report_parts(obj)
    return scope == "organisatie" and holds_author_right(user, organisation_id)


def may_manage_report(user: User, obj: Any) -> bool:
    """The municipality edits and compiles wijk reports; an organisation's report is the organisation's."""
    scope, _, _ = _report_parts(obj)
    return scope != "organisatie" or obj.__class__.__name__ == "Organisation"


def may_write_report(user: User, obj: Any) -> bool:
    """Text and figures of a report: the municipality's own wijk reports, the organisation's own."""
    if user.role in MUNICIPAL_REVIEWERS:
        return may_manage_report(user, obj)
    return may_draft_report(user, obj)


def may_read_report(user: User, obj: Any) -> bool:
    """Settled: every reader of reports. Before that: its drafters and its reviewers.

    An organisation's concept is the organisation's own until it is submitted; the
    accounthouder sees that it exists, not what it says.
    """
    from .models import ReportStatus

    scope, organisation_id, status = _report_parts(obj)
    if status == ReportStatus.VASTGESTELD:
        return True
    if scope == "organisatie":
        if holds_author_right(user, organisation_id):
            return True
        return user.role in MUNICIPAL_REVIEWERS and status != ReportStatus.CONCEPT
    return user.role in MUNICIPAL_REVIEWERS


def reads_exact_report(user: User, report: Any) -> bool:
    """Exact counts of persons: the organisation itself (its own figures) and the accounthouder.

    Everyone else (raadsleden, coordinators, other organisations) reads the protected
    compilation, as every outsider does.
    """
    if user.role in MUNICIPAL_REVIEWERS:
        return True
    scope, organisation_id, _ = _report_parts(report)
    return scope == "organisatie" and user.organisation_id is not None and user.organisation_id == organisation_id


def reviews_reports(user: User) -> bool:
    """Accounthouders are reminded of submitted reports waiting for them."""
    return user.role == Role.ACCOUNTHOUDER


define("reports.view", ALL_ROLES,
       "Jaarrapportages lezen: vastgestelde (buiten de organisatie met afgeschermde kleine aantallen); "
       "in concept of ter beoordeling alleen wie eraan schrijft of haar beoordeelt", check=may_read_report)
define("reports.manage", MUNICIPAL_REVIEWERS,
       "Jaarrapportages starten; die van een wijk samenstellen en bewerken", check=may_manage_report)
define("reports.draft", {Role.SOCIAAL_WERKER},
       "De jaarrapportage van de eigen organisatie opstellen en indienen (met het recht dat de beheerder geeft)",
       check=may_draft_report)
define("reports.write", MUNICIPAL_REVIEWERS | {Role.SOCIAAL_WERKER},
       "De tekst van een jaarrapportage bewerken, haar samenstellen en indienen (wijkrapportage: de gemeente; "
       "rapportage van een organisatie: wie het recht heeft die op te stellen)", check=may_write_report)
define("reports.review", {Role.ACCOUNTHOUDER},
       "Jaarrapportages beoordelen: terugsturen met opmerkingen en vaststellen")
define("reports.grant", {Role.ADMIN},
       "Sociaal werkers het recht geven de jaarrapportage van hun organisatie op te stellen")


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
