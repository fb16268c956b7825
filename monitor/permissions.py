"""The one permission policy of the platform: deny by default.

Every view names the permission it needs with :func:`requires` (or is marked
:func:`public`); which roles hold a permission, and any object-level rule, is
defined here and nowhere else. A ``before_request`` hook enforces it for every
endpoint, so a view without a policy entry is refused (403) rather than open.
Templates ask :func:`can` through the ``can`` global; queries use the scoping
helpers below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort, current_app, request
from flask_login import current_user

from . import accesslog
from .models import Role, User

logger = logging.getLogger(__name__)

PUBLIC = "public"

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR, Role.SOCIAAL_WERKER})
MUNICIPALITY = frozenset({Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR})


@dataclass(frozen=True)
class Permission:
    """A named permission: the roles that hold it and an optional object-level rule."""

    name: str
    roles: frozenset[Role]
    description: str
    check: Callable[[User, Any], bool] | None = field(default=None, compare=False)


_PERMISSIONS: dict[str, Permission] = {}


def define(
    name: str,
    roles: Iterable[Role],
    description: str,
    check: Callable[[User, Any], bool] | None = None,
) -> Permission:
    """Add a permission to the policy (modules call this at import time).

    :param check: ``check(user, obj) -> bool`` applied when :func:`can` is given an
        object; it is never consulted for roles outside ``roles``.
    """
    if name in _PERMISSIONS and _PERMISSIONS[name].roles != frozenset(roles):
        raise ValueError(f"permission {name!r} defined twice with different roles")
    perm = Permission(name, frozenset(roles), description, check)
    _PERMISSIONS[name] = perm
    return perm


def get(name: str) -> Permission | None:
    """Return the permission called ``name``, or ``None`` when undefined."""
    return _PERMISSIONS.get(name)


def all_permissions() -> dict[str, Permission]:
    """Every defined permission, by name (for the policy overview and tests)."""
    return dict(_PERMISSIONS)


def can(user: Any, name: str, obj: Any = None) -> bool:
    """Decide whether ``user`` holds permission ``name`` (on ``obj`` when given).

    Unknown permissions, anonymous users and inactive accounts are denied.
    """
    if name == PUBLIC:
        return True
    perm = _PERMISSIONS.get(name)
    if perm is None:
        logger.warning("Permission %r asked for but never defined: denied", name)
        return False
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role not in perm.roles:
        return False
    if obj is not None and perm.check is not None:
        return bool(perm.check(user, obj))
    return True


def requires(name: str) -> Callable:
    """Mark a view as needing permission ``name`` (enforced centrally)."""

    def decorator(view: Callable) -> Callable:
        view.permission = name  # type: ignore[attr-defined]
        return view

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone, signed in or not."""
    view.permission = PUBLIC  # type: ignore[attr-defined]
    return view


# --- machine clients: API views authenticated by a bearer token, not a session ----------

API_PREFIX = "api:"


def api_token(name: str) -> Callable:
    """Mark a view as an API endpoint for token holders with scope ``name``.

    :func:`enforce` leaves such endpoints to the view's own token check, which answers
    a structured JSON 401 without a valid ``Authorization: Bearer`` token, to session
    users and anonymous clients alike.
    """

    def decorator(view: Callable) -> Callable:
        view.permission = API_PREFIX + name  # type: ignore[attr-defined]
        return view

    return decorator


def is_api_permission(name: str | None) -> bool:
    """Whether ``name`` marks a token-authenticated API endpoint."""
    return bool(name) and name.startswith(API_PREFIX)


def endpoint_permission(app: Flask, endpoint: str) -> str | None:
    """The permission name the view behind ``endpoint`` declares, if any."""
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "permission", None)


def enforce() -> Any:
    """``before_request`` hook: apply the policy to the endpoint being requested."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 handler answer
        return None
    name = endpoint_permission(current_app, endpoint)
    if name is None:
        logger.error("Endpoint %s has no permission in the policy: refused", endpoint)
        accesslog.mark(None)
        abort(403)
    if name == PUBLIC or is_api_permission(name):
        return None  # API views check their bearer token themselves (JSON 401)
    if not current_user.is_authenticated:
        from .extensions import login_manager

        return login_manager.unauthorized()
    perm = _PERMISSIONS.get(name)
    if perm is None or not can(current_user, name):
        accesslog.mark(name)
        abort(403)
    return None


def require_object(name: str, obj: Any) -> None:
    """Abort with 403 unless the current user holds ``name`` on ``obj``."""
    if not can(current_user, name, obj):
        accesslog.mark(name, obj)
        abort(403)


def register_refusal_logging(app: Flask) -> None:
    """Every 403 the app answers, from here or from a view, is logged (:mod:`monitor.accesslog`)."""
    from .errors import render_error

    @app.errorhandler(403)
    def forbidden(error):
        accesslog.record_refusal()
        return render_error(403, getattr(error, "dutch_message", None))


# --- scoping helpers used by queries --------------------------------------------------

def sees_all_wijken(user: User) -> bool:
    """Municipality-wide roles see every wijk; others are scoped to their own."""
    return user.role in {Role.ADMIN, Role.ACCOUNTHOUDER, Role.RAADSLID}


def wijk_ids_in_scope(user: User) -> set[int] | None:
    """The wijk ids a user works in, or ``None`` meaning "all wijken"."""
    if sees_all_wijken(user):
        return None
    return user.wijk_ids


def in_own_wijk(user: User, obj: Any) -> bool:
    """Object rule: the object's wijk (``obj.wijk_id`` or a Wijk) is one of the user's."""
    scope = wijk_ids_in_scope(user)
    if scope is None:
        return True
    wijk_id = getattr(obj, "wijk_id", None)
    if wijk_id is None and obj.__class__.__name__ == "Wijk":
        wijk_id = obj.id
    return wijk_id in scope


def in_own_organisation(user: User, obj: Any) -> bool:
    """Object rule: the object belongs to the user's own organisation."""
    org_id = getattr(obj, "organisation_id", None)
    if org_id is None and obj.__class__.__name__ == "Organisation":
        org_id = obj.id
    return user.organisation_id is not None and org_id == user.organisation_id


# --- the foundation's own permissions ------------------------------------------------

define("home.view", ALL_ROLES, "De eigen startpagina zien")
define("account.manage_own", ALL_ROLES, "Het eigen wachtwoord wijzigen")
define("admin.manage", {Role.ADMIN}, "Gebruikers, organisaties, wijken, buurten en perioden beheren")
define("admin.audit", {Role.ADMIN}, "Het auditlogboek inzien")
define("policy.view", STAFF | {Role.RAADSLID}, "Het rechtenoverzicht lezen")


# --- rules about accounts (the admin's set-up tasks) ----------------------------------

def oversees_accounts(user: User) -> bool:
    """The admin is told which accounts cannot work yet."""
    return user.role == Role.ADMIN


def incomplete_scope(user: User) -> str | None:
    """Why an account cannot work (its organisation or wijken are missing), or ``None``."""
    if user.role == Role.SOCIAAL_WERKER and user.organisation_id is None:
        return "sociaal werker zonder organisatie"
    if user.role in (Role.SOCIAAL_WERKER, Role.BUURTCOORDINATOR) and not user.wijken:
        return f"{user.role.label.lower()} zonder wijk"
    return None
