"""The policy entries of Tellen (returns, dashboards, catalogues, tokens)."""

from __future__ import annotations

from typing import Any

from ..models import Role, User
from ..permissions import ALL_ROLES, define, in_own_organisation, in_own_wijk


def own_return(user: User, obj: Any) -> bool:
    """Social workers only touch their own organisation's returns in their own wijken (and its
    city-wide return)."""
    if user.role != Role.SOCIAAL_WERKER:
        return True
    if getattr(obj, "wijk_id", 0) is None:  # a city-wide return: any of the organisation's workers
        return in_own_organisation(user, obj)
    return in_own_organisation(user, obj) and in_own_wijk(user, obj)


define("counts.index", ALL_ROLES, "Tellen: het overzicht van de module zien")
define("counts.enter", {Role.SOCIAAL_WERKER},
       "Opgaven van de eigen organisatie in de eigen wijken invoeren en indienen", check=own_return)
define("counts.import", {Role.SOCIAAL_WERKER},
       "Opgaven van de eigen organisatie uit een bestand (CSV/XLSX) inlezen")
define("counts.read_return", {Role.SOCIAAL_WERKER, Role.ACCOUNTHOUDER, Role.ADMIN},
       "Een opgave met haar geschiedenis inzien (sociaal werker: alleen eigen)", check=own_return)
define("counts.review", {Role.ACCOUNTHOUDER},
       "Opgaven goedkeuren, terugsturen, vergrendelen en heropenen")
define("counts.completeness", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR},
       "De volledigheid van de opgaven per periode zien")
define("counts.dashboard", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR, Role.RAADSLID},
       "Dashboards met geaggregeerde cijfers zien en exporteren (kleine aantallen als <5)")
define("counts.export_raw", {Role.ADMIN, Role.ACCOUNTHOUDER},
       "Goedgekeurde opgaven als ruwe gegevens exporteren")
define("counts.catalogue", {Role.ADMIN}, "De catalogi specialismen en soorten dienstverlening beheren")
define("counts.plan", {Role.ADMIN, Role.ACCOUNTHOUDER}, "Begrote uren per week per specialisme beheren")
define("counts.tokens", {Role.ADMIN, Role.ACCOUNTHOUDER}, "API-sleutels van organisaties beheren")
define("counts.breakdowns", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR, Role.RAADSLID,
                             Role.SOCIAAL_WERKER},
       "Uitsplitsingen van de meldingen lezen (buiten de gemeente: de stad, afgeschermd; sociaal werker: "
       "de eigen organisatie)")


def enters_returns(user: User) -> bool:
    """A social worker of an organisation: the one who enters that organisation's returns."""
    return user.role == Role.SOCIAAL_WERKER and user.organisation_id is not None


def is_return_worker(user: User) -> bool:
    """Social workers work on their own returns (Tellen opens on their board)."""
    return user.role == Role.SOCIAAL_WERKER


def reviews_returns(user: User) -> bool:
    """Accounthouders review submitted returns (their home page lists those waiting)."""
    return user.role == Role.ACCOUNTHOUDER


def sees_small_counts(user: User) -> bool:
    """Viewers who see individual returns also see small counts of persons unprotected."""
    return user.role in (Role.ADMIN, Role.ACCOUNTHOUDER)


def shows_wijk_trends(user: User) -> bool:
    """Council members' start page shows the trend of every wijk's main figures."""
    return user.role == Role.RAADSLID


define("counts.werkgebied", {Role.ADMIN, Role.ACCOUNTHOUDER},
       "Het werkgebied van organisaties voor de opgaven beheren (wijken, stedelijk, data)")
