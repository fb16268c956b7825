"""Who may read and who may enter a programme's results and money."""

from __future__ import annotations

from ..models import Role, User
from ..permissions import ALL_ROLES, define

VIEW = define(
    "finance.view", ALL_ROLES,
    "Programma's lezen: wijken, deelnemers, resultaten, geld en effect (afgeschermd buiten de gemeente)",
)
EDIT = define(
    "finance.edit", {Role.ADMIN, Role.ACCOUNTHOUDER},
    "Programma's inrichten en hun resultaten, subsidies en uitgaven invoeren",
)


def sees_unsuppressed(user: User) -> bool:
    """The municipality's accounthouders and beheerders enter these figures and see them
    as entered; everyone else (raad, organisations, coordinators) sees them protected."""
    return user.role in (Role.ADMIN, Role.ACCOUNTHOUDER)
