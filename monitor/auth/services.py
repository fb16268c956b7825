"""Authentication use cases: password hashing and policy, sign-in throttling."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit, installation, ratelimit
from ..errors import DomainError
from ..extensions import db
from ..models import LoginAttempt, User
from ..timeutil import format_datetime, utcnow
from . import passwords

logger = logging.getLogger(__name__)

# A hash to compare against when the account does not exist, so that timing does not
# reveal which e-mail addresses have an account.
_DUMMY_HASH = generate_password_hash("tellen-en-vertellen-dummy")

class LoginRefused(DomainError):
    """Sign-in refused; ``status`` is 401 for wrong credentials, 429 when throttled."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


def hash_password(password: str) -> str:
    """Hash with scrypt (Werkzeug's default: memory-hard, salted)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_policy(password: str, user_email: str = "", *, name: str = "",
                          organisation: str = "", previous_hashes: tuple[str | None, ...] = ()) -> None:
    """Raise :class:`DomainError` when ``password`` is too weak or was used before.

    See :mod:`monitor.auth.passwords` for the rules (length, common passwords, words of
    the context such as the municipality, the site and the user's own name).

    :param previous_hashes: hashes of the current and the previous password of the user.
    :raise DomainError: with a Dutch message for the field ``new_password``.
    """
    passwords.check(password, min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                    email=user_email, name=name, organisation=organisation,
                    municipality=installation.current().name)
    for stored in previous_hashes:
        if stored and check_password_hash(stored, password):
            raise DomainError("U heeft dit wachtwoord al eerder gebruikt. Kies een nieuw wachtwoord.",
                              "new_password")


def _window_start():
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


# --- known devices ------------------------------------------------------------------
#
# The per-account limit stops guessers spread over many addresses, but it would let them
# keep the real user out as well. A browser where the account signed in before carries a
# signed cookie naming that account (and the password it used then); on such a browser
# the per-account limit does not apply, only the one per (account, address). This is the
# "device cookie" of OWASP's Authentication Cheat Sheet. The cookie grants nothing by
# itself: the password (and the second factor) are still needed.

DEVICE_COOKIE = "tv_apparaat"
_DEVICE_SALT = "tellen-vertellen.bekend-apparaat"


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def _password_tag(user: User) -> str:
    # A new password (own change or an admin's reset) makes old device cookies worthless.
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]


def device_token(user: User) -> str:
    """The signed value of the known-device cookie for ``user``."""
    return _device_serializer().dumps({"u": user.id, "p": _password_tag(user)})


def device_max_age() -> int:
    """How long a known-device cookie lasts, in seconds."""
    return current_app.config["LOGIN_KNOWN_DEVICE_DAYS"] * 86400


def is_known_device(token: str | None, user: User | None) -> bool:
    """Whether ``token`` (the cookie's value) says this browser signed in as ``user`` before."""
    if not token or user is None or len(token) > 500:
        return False
    try:
        data = _device_serializer().loads(token, max_age=device_max_age())
    except BadData:
        return False
    return (isinstance(data, dict) and data.get("u") == user.id
            and hmac.compare_digest(str(data.get("p", "")), _password_tag(user)))


# --- signing in ---------------------------------------------------------------------

def _count(*conditions) -> int:
    return db.session.scalar(sa.select(sa.func.count(LoginAttempt.id)).where(
        LoginAttempt.created_at >= _window_start(), *conditions))


def _until(times: list, limit: int) -> str:
    """When the oldest failure that keeps a limit exceeded leaves the window."""
    times = sorted(times)
    first = times[-limit] if len(times) >= limit else times[0]
    return format_datetime(first + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]))


def _check_limits(attempt_id: int, email: str, ip: str, user: User | None, known_device: bool) -> None:
    """Refuse when this attempt is over one of the limits.

    The attempt itself is already counted (committed) and every other attempt made at the
    same moment is too, so of any number of concurrent attempts at most ``limit`` pass:
    the k-th to be committed sees at least k rows.
    """
    config = current_app.config
    if _count(LoginAttempt.ip_address == ip) > config["LOGIN_IP_MAX_FAILURES"]:
        raise LoginRefused(
            "Er zijn vanaf dit adres te veel mislukte inlogpogingen gedaan. "
            "Wacht een kwartier en probeer het dan opnieuw.", 429)
    since = _window_start()
    earlier = sa.select(LoginAttempt.created_at, LoginAttempt.ip_address).where(
        LoginAttempt.email == email, LoginAttempt.created_at >= since, LoginAttempt.id != attempt_id)
    rows = db.session.execute(earlier).all()
    pair = [at for at, address in rows if address == ip]
    limit = config["LOGIN_MAX_FAILURES"]
    if len(pair) >= limit:
        raise LoginRefused(
            "Te veel mislukte pogingen voor dit account. U kunt het opnieuw proberen na "
            f"{_until(pair, limit)}.", 429)
    limit = config["LOGIN_ACCOUNT_MAX_FAILURES"]
    if len(rows) >= limit and not known_device:
        logger.warning("Sign-in for an account refused: %d failures from any address within "
                       "the window", len(rows))
        user_id = user.id if user is not None else None
        db.session.commit()  # hand the connection back before the counter takes one
        if user_id is not None and ratelimit.hit(
                "auth.account_locked", str(user_id), 1, config["LOGIN_LOCKOUT_MINUTES"] * 60):
            audit.record("auth.account_throttled", user, actor_label="systeem",
                         summary=f"Inloggen tijdelijk geweigerd: {len(rows)} mislukte pogingen "
                                 "vanaf verschillende adressen")
            db.session.commit()
        raise LoginRefused(
            "Voor dit account zijn in korte tijd te veel mislukte inlogpogingen gedaan. "
            f"U kunt het opnieuw proberen na {_until([at for at, _ in rows], limit)}. "
            "Op een apparaat waarop u hier eerder bent ingelogd, kunt u wel inloggen.", 429)


def authenticate(email: str, password: str, ip: str, device: str | None = None) -> User:
    """Check credentials, with limits per (account, address), per address and per account.

    The attempt is recorded *before* anything is decided, in its own commit, so concurrent
    attempts cannot all slip under a limit. A refused attempt (over a limit) is removed
    again: hammering during a lock does not make it longer, and every lock ends by itself.
    A wrong password keeps its row (that is the failure); a right one clears the rows of
    its own (account, address).

    :param device: the value of the known-device cookie, if the browser sent one.
    :raise LoginRefused: with a Dutch message; nothing says whether the account exists,
        and a refusal over a limit says nothing about the password.
    """
    email = email.strip().lower()[:254]
    ip = (ip or "onbekend")[:64]
    reservation = LoginAttempt(ip_address=ip, email=email)
    db.session.add(reservation)
    db.session.flush()
    attempt_id = reservation.id
    db.session.commit()

    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    try:
        _check_limits(attempt_id, email, ip, user, is_known_device(device, user))
    except LoginRefused:
        db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
        db.session.commit()
        raise
    db.session.commit()  # end the read transaction before the slow hash check

    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not user or not valid or not user.active:
        if user:
            audit.record("auth.login_failed", user, actor=user, summary="Mislukte inlogpoging")
            db.session.commit()
        raise LoginRefused("De combinatie van e-mailadres en wachtwoord is onjuist, "
                           "of het account is niet actief.")
    db.session.execute(sa.delete(LoginAttempt).where(
        LoginAttempt.email == email, LoginAttempt.ip_address == ip))
    db.session.execute(sa.delete(LoginAttempt).where(
        LoginAttempt.created_at < utcnow() - timedelta(days=1)))
    if user.mfa_enabled:
        # Not signed in yet: the view asks for the code (monitor/auth/mfa.py).
        audit.record("auth.login_password", user, actor=user,
                     summary="Wachtwoord juist; de tweede factor wordt gevraagd")
        db.session.commit()
        return user
    record_sign_in(user)
    return user


def get_user(user_id) -> User | None:
    """The user with this id (``None`` for anything else)."""
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < 2**31:
        return None
    return db.session.get(User, user_id)


def record_sign_in(user: User, factor: str | None = None) -> None:
    """Note a completed sign-in (time and audit trail); commits.

    :param factor: ``"totp"`` or ``"recovery"`` when a second factor was used.
    """
    user.last_login_at = utcnow()
    summary = {None: "Ingelogd", "totp": "Ingelogd met wachtwoord en code uit de app",
               "recovery": "Ingelogd met wachtwoord en een herstelcode"}[factor]
    audit.record("auth.login", user, actor=user, summary=summary)
    db.session.commit()


def password_matches(user: User, password: str) -> bool:
    """Whether ``password`` is the user's current password (re-authentication)."""
    return bool(password) and check_password_hash(user.password_hash, password)


def change_password(user: User, current: str, new: str) -> None:
    """Change the own password; every other open session of the user ends.

    :raise DomainError: wrong current password or a weak new one.
    """
    if not check_password_hash(user.password_hash, current):
        raise DomainError("Het huidige wachtwoord is onjuist.", "current_password")
    if current == new:
        raise DomainError("Kies een ander wachtwoord dan het huidige.", "new_password")
    check_password_policy(new, user.email, name=user.name,
                          organisation=user.organisation.name if user.organisation else "",
                          previous_hashes=(user.previous_password_hash,))
    set_password(user, new)
    user.must_change_password = False
    audit.record("auth.password_change", user, actor=user, summary="Wachtwoord gewijzigd")
    from .recovery import notify_password_changed

    notify_password_changed(user)
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """Store a new hash (keeping the previous one) and end the user's open sessions (no commit)."""
    user.previous_password_hash = user.password_hash
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_version = (user.session_version or 0) + 1


def log_out(user: User) -> None:
    """Record a sign-out and end the user's sessions.

    The session lives in a signed cookie: without a new session version a copy of the
    cookie taken before signing out would still work afterwards (OWASP ASVS 3.3.1).
    Bumping the version ends every session of this user, on other devices too.
    """
    user.session_version = (user.session_version or 0) + 1
    audit.record("auth.logout", user, actor=user, summary="Uitgelogd")
    db.session.commit()
