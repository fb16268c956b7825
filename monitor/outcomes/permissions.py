"""Who may see client records (only the owning organisation) and the aggregated reports."""

from __future__ import annotations

from ..models import Role, User
from ..permissions import ALL_ROLES, define, in_own_organisation

# Client records are health and social data: only social workers, and only of the
# organisation that owns the record (object rule on ``organisation_id``).
CLIENT_VIEW = define(
    "outcomes.client_view", {Role.SOCIAAL_WERKER},
    "Cliëntdossiers (code, trajecten, metingen) van de eigen organisatie inzien",
    check=in_own_organisation,
)
CLIENT_EDIT = define(
    "outcomes.client_edit", {Role.SOCIAAL_WERKER},
    "Cliënten van de eigen organisatie registreren, trajecten openen en sluiten, scoren",
    check=in_own_organisation,
)
IMPORT = define(
    "outcomes.import", {Role.SOCIAAL_WERKER},
    "Metingen uit het eigen systeem importeren (CSV) voor de eigen organisatie",
)
# Everyone signed in may read the aggregated, suppressed outcome reports.
REPORT = define(
    "outcomes.report", ALL_ROLES,
    "Geaggregeerde uitkomsten (ZRM, participatieladder) tegen de streefwaarden lezen",
)


def sees_unsuppressed(user: User, organisation_id: int | None) -> bool:
    """Outcome figures are unsuppressed only for a social worker of the organisation shown."""
    return (user.role == Role.SOCIAAL_WERKER and user.organisation_id is not None
            and organisation_id == user.organisation_id)


def reports_on_own_organisation(user: User) -> bool:
    """A social worker's outcome report starts with the own organisation's figures."""
    return user.role == Role.SOCIAAL_WERKER
