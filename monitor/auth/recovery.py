"""Account mail: the invitation of a new account, a password reset, and security notices.

- An **invitation** (made with a new account, or again by the beheerder) and a **reset**
  (asked for on the sign-in page, "Wachtwoord vergeten?") are single-use links with a
  random 256-bit token; only its SHA-256 is stored (:mod:`monitor.tokens`). An invitation
  lasts ``ACCOUNT_INVITATION_DAYS`` days, a reset ``PASSWORD_RESET_MINUTES`` minutes. Using
  one sets the password, ends every session and every other link of the user; the second
  factor is still asked at the next sign-in.
- Asking for a reset gives the same answer, with the same work in the request, whether
  the address has an account or not (no account enumeration), and is limited per address
  asked for and per client address (:mod:`monitor.ratelimit`).
- A **notice** goes out after every password change, and to beheerders after a sign-in
  from a browser they never signed in from before.

All four kinds are ``required``: they are mailed whatever the user's preferences. Without
a mail server the messages are ``.eml`` files the beheerder finds at ``/beheer/berichten``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from .. import audit, ratelimit
from ..errors import DomainError
from ..extensions import db
from ..models import Role, User
from ..registry import NotificationKind, add_notification_kind
from ..timeutil import format_datetime, utcnow
from ..tokens import hash_token
from .models import AccountToken

INVITATION, RESET = "uitnodiging", "herstel"
KINDS = (
    NotificationKind("account.invitation", "Uitnodiging voor een nieuw account",
                     "Een link om het wachtwoord van uw nieuwe account te kiezen.", required=True),
    NotificationKind("account.password_reset", "Wachtwoord herstellen",
                     "Een link om een nieuw wachtwoord te kiezen, als u daarom vroeg.", required=True),
    NotificationKind("account.password_changed", "Wachtwoord gewijzigd",
                     "Een bericht als het wachtwoord van uw account is gewijzigd.", required=True),
    NotificationKind("account.new_device", "Inloggen vanaf een nieuw apparaat",
                     "Voor beheerders: een bericht na inloggen vanaf een onbekende browser.", required=True),
)
NOTICE_ROLES = frozenset({Role.ADMIN})  # who hears of a sign-in from a new browser


def register(app: Flask) -> None:
    for kind in KINDS:
        add_notification_kind(app, kind)


def _lifetime(purpose: str) -> timedelta:
    config = current_app.config
    if purpose == INVITATION:
        return timedelta(days=config["ACCOUNT_INVITATION_DAYS"])
    return timedelta(minutes=config["PASSWORD_RESET_MINUTES"])


def _issue(user: User, purpose: str) -> tuple[AccountToken, str]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.execute(sa.delete(AccountToken).where(AccountToken.expires_at < now))
    row = AccountToken(user_id=user.id, purpose=purpose, token_hash=hash_token(token),
                       created_at=now, expires_at=now + _lifetime(purpose))
    db.session.add(row)
    db.session.flush()
    return row, token


def _link(token: str) -> str:
    from ..notifications import absolute_url

    return absolute_url("auth.set_password", token=token)


def send_invitation(user: User, by: User | None = None) -> None:
    """Queue an invitation with a fresh link (earlier links stop working); no commit."""
    from ..notifications import notify

    db.session.execute(sa.delete(AccountToken).where(AccountToken.user_id == user.id))
    row, token = _issue(user, INVITATION)
    days = current_app.config["ACCOUNT_INVITATION_DAYS"]
    notify("account.invitation", f"token:{row.id}", [user],
           subject="Uw account voor Tellen & Vertellen", template="account/invitation",
           context={"by": by, "days": days, "user": user}, link=_link(token),
           reason="de beheerder een account voor u heeft aangemaakt.")
    audit.record("user.invitation", user, actor=by, summary=f"Uitnodiging gestuurd naar {user.email}")


def request_reset(email: str, client_address: str) -> bool:
    """"Wachtwoord vergeten?": mail a reset link when ``email`` has an active account.

    The caller shows the same answer either way. Returns ``False`` when over a limit
    (then nothing is done, for any address).
    """
    from ..notifications import notify
    from ..notifications.services import render_mail

    email = (email or "").strip().lower()[:254]
    config = current_app.config
    window = config["PASSWORD_RESET_WINDOW_SECONDS"]
    if not ratelimit.hit("auth.reset.client", client_address or "onbekend",
                         config["PASSWORD_RESET_MAX_PER_CLIENT"], window):
        return False
    if not ratelimit.hit("auth.reset.account", hash_token(email), config["PASSWORD_RESET_MAX_PER_ACCOUNT"],
                         window):
        return False
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    token = secrets.token_urlsafe(32)
    minutes = config["PASSWORD_RESET_MINUTES"]
    context = {"minutes": minutes}
    if user is not None and user.active:
        db.session.execute(sa.delete(AccountToken).where(
            AccountToken.user_id == user.id, AccountToken.purpose == RESET))
        row, token = _issue(user, RESET)
        notify("account.password_reset", f"token:{row.id}", [user], subject="Nieuw wachtwoord kiezen",
               template="account/password_reset", context=context, link=_link(token),
               reason="iemand (hopelijk u) op de inlogpagina vroeg om een nieuw wachtwoord.")
        audit.record("auth.password_reset_requested", user, actor_label="systeem",
                     summary="Link om het wachtwoord te herstellen gestuurd")
    else:
        # The same work as a real request (a token, the two renders), then nothing kept.
        hash_token(token)
        for suffix in ("txt", "html"):
            render_mail(f"mail/account/password_reset.{suffix}", recipient=User(name="", email=email),
                        link=_link(token), reason="-", preferences_url="", **context)
    db.session.commit()
    return True


def find_token(token: str) -> AccountToken | None:
    """The unused, unexpired link for ``token`` (``None`` otherwise)."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(sa.select(AccountToken).where(AccountToken.token_hash == hash_token(token)))
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return row


def use_token(token: str, password: str) -> User:
    """Set the password through an invitation or reset link; the link is used up.

    :raise DomainError: the link is unknown, used or expired (field ``None``), or the
        password is too weak (field ``new_password``).
    """
    from .services import check_password_policy, set_password

    row = find_token(token)
    if row is None:
        raise DomainError("Deze link werkt niet meer: hij is al gebruikt of verlopen. Vraag een nieuwe "
                          "aan via ‘Wachtwoord vergeten?’ op de inlogpagina.")
    user = db.session.get(User, row.user_id)
    check_password_policy(password, user.email, name=user.name,
                          organisation=user.organisation.name if user.organisation else "",
                          previous_hashes=(user.password_hash, user.previous_password_hash))
    claimed = db.session.execute(
        sa.update(AccountToken).where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # used in a concurrent request just now
        db.session.rollback()
        raise DomainError("Deze link is zojuist al gebruikt.")
    set_password(user, password)
    user.must_change_password = False
    db.session.execute(sa.delete(AccountToken).where(AccountToken.user_id == user.id,
                                                     AccountToken.id != row.id))
    action = "auth.password_set_by_invitation" if row.purpose == INVITATION else "auth.password_reset"
    audit.record(action, user, actor=user, summary="Wachtwoord ingesteld via de link uit de e-mail")
    notify_password_changed(user)
    db.session.commit()
    return user


def notify_password_changed(user: User) -> None:
    """Tell the user their password changed (in the caller's transaction)."""
    from ..notifications import absolute_url, notify

    when = user.password_changed_at or utcnow()
    notify("account.password_changed", f"password:{user.id}:{when.isoformat()}", [user],
           subject="Uw wachtwoord is gewijzigd", template="account/password_changed",
           context={"when": format_datetime(when)}, link=absolute_url("auth.login"),
           reason="het wachtwoord van uw account is gewijzigd.")


def notify_new_device(user: User, client_address: str, user_agent: str) -> None:
    """Tell a beheerder about a sign-in from a browser not seen before; commits."""
    from ..notifications import absolute_url, notify

    if user.role not in NOTICE_ROLES:
        return
    now = utcnow()
    notify("account.new_device", f"device:{user.id}:{now.isoformat()}", [user],
           subject="Ingelogd vanaf een nieuw apparaat", template="account/new_device",
           context={"when": format_datetime(now), "address": client_address[:64],
                    "browser": (user_agent or "onbekend")[:200]},
           link=absolute_url("auth.account"),
           reason="u beheerder bent en er met uw account werd ingelogd vanaf een browser "
                  "waarop dat nog niet eerder gebeurde.")
    db.session.commit()
