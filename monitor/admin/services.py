"""Admin use cases; every change is audited with its old and new values."""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa

from .. import audit, installation
from ..auth.services import check_password_policy, set_password
from ..errors import DomainError
from ..extensions import db
from ..models import AuditEvent, Buurt, Organisation, OrganisationKind, Period, Role, User, Wijk

USER_FIELDS = ("name", "email", "role", "organisation_id", "active")


def generate_password() -> str:
    """A strong initial password that is still typeable (about 100 bits)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def _user_snapshot(user: User) -> dict:
    data = audit.snapshot(user, USER_FIELDS)
    data["wijken"] = sorted(w.name for w in user.wijken)
    return data


def _check_user_scope(role: Role, organisation_id: int | None, wijk_ids: list[int]) -> None:
    if role == Role.SOCIAAL_WERKER and organisation_id is None:
        raise DomainError("Een sociaal werker hoort bij een organisatie.", "organisation_id")
    if role in (Role.SOCIAAL_WERKER, Role.BUURTCOORDINATOR) and not wijk_ids:
        raise DomainError("Kies minstens één wijk voor deze rol.", "wijk_ids")


def _wijken(ids: list[int]) -> list[Wijk]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Wijk).where(Wijk.id.in_(ids))))


def create_user(
    *, name: str, email: str, role: Role | str, organisation_id: int | None = None,
    wijk_ids: list[int] | None = None, password: str | None = None,
    must_change_password: bool = True, invite_by: User | None = None,
) -> tuple[User, str]:
    """Create an account; returns the user and the initial password.

    :param invite_by: mail the new user an invitation to choose their own password (the
        beheerder's screen): the generated password is then never shown to anyone.
    :raise DomainError: duplicate e-mail, incomplete scope or a weak password.
    """
    role = Role(role)
    email = email.strip().lower()
    wijk_ids = wijk_ids or []
    if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email)):
        raise DomainError("Er bestaat al een account met dit e-mailadres.", "email")
    _check_user_scope(role, organisation_id, wijk_ids)
    if password:
        organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
        check_password_policy(password, email, name=name,
                              organisation=organisation.name if organisation else "")
    else:
        password = generate_password()
    user = User(name=name.strip(), email=email, role=role, organisation_id=organisation_id,
                must_change_password=must_change_password and invite_by is None)
    user.wijken = _wijken(wijk_ids)
    set_password(user, password)
    db.session.add(user)
    audit.record("user.create", user, new=_user_snapshot(user), summary=f"Account {email} aangemaakt")
    if invite_by is not None:
        from ..auth.recovery import send_invitation

        db.session.flush()
        send_invitation(user, invite_by)
    db.session.commit()
    return user, password


def update_user(user: User, *, name: str, email: str, role: Role | str,
                organisation_id: int | None, wijk_ids: list[int]) -> User:
    """Change an account's details, role and scope.

    :raise DomainError: duplicate e-mail or incomplete scope.
    """
    role = Role(role)
    email = email.strip().lower()
    clash = db.session.scalar(
        sa.select(User.id).where(sa.func.lower(User.email) == email, User.id != user.id))
    if clash:
        raise DomainError("Er bestaat al een account met dit e-mailadres.", "email")
    _check_user_scope(role, organisation_id, wijk_ids)
    old = _user_snapshot(user)
    scope_changed = role != user.role or organisation_id != user.organisation_id
    user.name, user.email, user.role, user.organisation_id = name.strip(), email, role, organisation_id
    user.wijken = _wijken(wijk_ids)
    if scope_changed:
        user.session_version += 1  # rights changed: sign the user in again
    before, after = audit.changes(old, _user_snapshot(user))
    if after:
        audit.record("user.update", user, old=before, new=after, summary=f"Account {email} gewijzigd")
    db.session.commit()
    return user


def set_user_active(user: User, active: bool, by: User) -> None:
    """(De)activate an account; a deactivated account's sessions end at once.

    :raise DomainError: when an admin tries to deactivate their own account.
    """
    if user.id == by.id and not active:
        raise DomainError("U kunt uw eigen account niet deactiveren.")
    if user.active == active:
        return
    user.active = active
    user.session_version += 1
    audit.record("user.activate" if active else "user.deactivate", user,
                 old={"active": not active}, new={"active": active})
    db.session.commit()


def reset_password(user: User, by: User | None = None) -> None:
    """End the user's password and sessions and mail a new invitation to choose one.

    The new password is random and known to nobody: the user chooses their own through
    the link (nobody, the beheerder included, sees it).
    """
    from ..auth.recovery import send_invitation

    set_password(user, generate_password())
    user.must_change_password = False
    audit.record("user.password_reset", user, actor=by,
                 summary="Wachtwoord ingetrokken door beheerder; nieuwe uitnodiging gestuurd")
    send_invitation(user, by)
    db.session.commit()


def reset_mfa(user: User, by: User) -> None:
    """Remove a user's second factor (a lost phone); they set it up again at next sign-in.

    :raise DomainError: for the own account (that goes through *Mijn account*).
    """
    from ..auth import mfa

    if user.id == by.id:
        raise DomainError("Uw eigen tweede factor wijzigt u via Mijn account.")
    if user.mfa_secret is None:
        raise DomainError(f"{user.name} heeft geen tweede factor ingesteld.")
    mfa.reset_by_admin(user)


def _unique_name(model, name: str, exclude_id: int | None = None, **scope) -> None:
    # Compared in Python: SQLite's lower() folds only ASCII, so "Ç…" and "ç…" slipped
    # past a lower() = lower() check and hit the unique constraint (a 500). The lists
    # compared here (wijken, buurten of one wijk, organisations) are short.
    query = sa.select(model.id, model.name)
    for key, value in scope.items():
        query = query.where(getattr(model, key) == value)
    wanted = name.strip().casefold()
    for row_id, existing in db.session.execute(query):
        if row_id != exclude_id and existing.strip().casefold() == wanted:
            raise DomainError("Deze naam bestaat al.", "name")


def _organisation_snapshot(org: Organisation) -> dict:
    data = audit.snapshot(org, ("name", "kind", "description"))
    data["wijken"] = sorted(w.name for w in org.wijken)
    return data


def save_organisation(org: Organisation | None, *, name: str, kind: str,
                      description: str = "", wijk_ids: list[int] | None = None) -> Organisation:
    """Create or update an organisation and its werkgebied (the wijken it works in).

    :raise DomainError: duplicate name, or a wijk that does not exist.
    """
    _unique_name(Organisation, name, org.id if org else None)
    wijk_ids = sorted(set(wijk_ids or []))
    wijken = _wijken(wijk_ids)
    if len(wijken) != len(wijk_ids):
        raise DomainError("Kies alleen bestaande wijken.", "wijk_ids")
    if org is None:
        org = Organisation(name=name.strip(), kind=OrganisationKind(kind), description=description or "")
        org.wijken = wijken
        db.session.add(org)
        audit.record("organisation.create", org, new=_organisation_snapshot(org))
    else:
        old = _organisation_snapshot(org)
        org.name, org.kind, org.description = name.strip(), OrganisationKind(kind), description or ""
        org.wijken = wijken
        before, after = audit.changes(old, _organisation_snapshot(org))
        if after:
            audit.record("organisation.update", org, old=before, new=after)
    db.session.commit()
    return org


def save_wijk(wijk: Wijk | None, *, name: str, code: str | None = None) -> Wijk:
    """Create or update a wijk. :raise DomainError: duplicate name."""
    # Unique within the gemeente only: another gemeente may have a wijk of the same name.
    _unique_name(Wijk, name, wijk.id if wijk else None, gemeente_code=wijk.gemeente_code if wijk else "")
    own = installation.current().code
    if own and (wijk is None or wijk.gemeente_code in ("", own)):  # hand-made: the own gemeente
        _unique_name(Wijk, name, wijk.id if wijk else None, gemeente_code=own)
    if wijk is None:
        wijk = Wijk(name=name.strip(), code=code or None)
        db.session.add(wijk)
        audit.record("wijk.create", wijk, new={"name": wijk.name, "code": wijk.code})
    else:
        old = audit.snapshot(wijk, ("name", "code"))
        wijk.name, wijk.code = name.strip(), code or None
        before, after = audit.changes(old, audit.snapshot(wijk, ("name", "code")))
        if after:
            audit.record("wijk.update", wijk, old=before, new=after)
    db.session.commit()
    return wijk


def save_buurt(buurt: Buurt | None, *, name: str, wijk_id: int, verified: bool = False) -> Buurt:
    """Create or update a buurt. :raise DomainError: duplicate name in the wijk."""
    if db.session.get(Wijk, wijk_id) is None:
        raise DomainError("Kies een bestaande wijk.", "wijk_id")
    _unique_name(Buurt, name, buurt.id if buurt else None, wijk_id=wijk_id)
    fields = ("name", "wijk_id", "verified")
    if buurt is None:
        buurt = Buurt(name=name.strip(), wijk_id=wijk_id, verified=verified)
        db.session.add(buurt)
        audit.record("buurt.create", buurt, new=audit.snapshot(buurt, fields))
    else:
        old = audit.snapshot(buurt, fields)
        buurt.name, buurt.wijk_id, buurt.verified = name.strip(), wijk_id, verified
        before, after = audit.changes(old, audit.snapshot(buurt, fields))
        if after:
            audit.record("buurt.update", buurt, old=before, new=after)
    db.session.commit()
    return buurt


def set_active(obj: Organisation | Wijk | Buurt, active: bool) -> None:
    """(De)activate a reference record; records are never hard-deleted."""
    if obj.active == active:
        return
    obj.active = active
    kind = obj.__class__.__name__.lower()
    audit.record(f"{kind}.{'activate' if active else 'deactivate'}", obj,
                 old={"active": not active}, new={"active": active})
    db.session.commit()


def update_period(period: Period, *, deadline: date, lock_date: date | None) -> None:
    """Change a period's deadline and lock date. :raise DomainError: lock before deadline."""
    if lock_date and lock_date < deadline:
        raise DomainError("De vergrendeldatum kan niet vóór de deadline liggen.", "lock_date")
    old = audit.snapshot(period, ("deadline", "lock_date"))
    period.deadline, period.lock_date = deadline, lock_date
    before, after = audit.changes(old, audit.snapshot(period, ("deadline", "lock_date")))
    if after:
        audit.record("period.update", period, old=before, new=after, summary=period.label)
    db.session.commit()


def audit_page(page: int, per_page: int = 50, action: str | None = None):
    """A page of the audit trail, newest first, optionally filtered by action prefix."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    # A page number from the address bar can be huge: the offset must fit the database.
    page = min(max(page, 1), 1_000_000)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def list_users() -> list[User]:
    """Every account, active ones first, by name."""
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)))


def list_organisations(active_only: bool = False) -> list[Organisation]:
    """Organisations by name."""
    query = sa.select(Organisation).order_by(Organisation.name)
    if active_only:
        query = query.where(Organisation.active.is_(True))
    return list(db.session.scalars(query))


def list_wijken(active_only: bool = False) -> list[Wijk]:
    """Wijken by name."""
    query = sa.select(Wijk).order_by(Wijk.name)
    if active_only:
        query = query.where(Wijk.active.is_(True))
    return list(db.session.scalars(query))


def list_buurten() -> list[Buurt]:
    """Buurten grouped by wijk."""
    return list(db.session.scalars(sa.select(Buurt).join(Wijk).order_by(Wijk.name, Buurt.name)))


