"""Authentication use cases: password hashing and policy, sign-in throttling."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import LoginAttempt, User
from ..timeutil import format_datetime, utcnow

# A hash to compare against when the account does not exist, so that timing does not
# reveal which e-mail addresses have an account.
_DUMMY_HASH = generate_password_hash("tellen-en-vertellen-dummy")

COMMON_PASSWORDS = {
    "wachtwoord123", "welkom123456", "password1234", "123456789012", "qwertyuiop12",
    "hilversum123", "wachtwoord12", "welkomwelkom", "geheimgeheim",
}


class LoginRefused(DomainError):
    """Sign-in refused; ``status`` is 401 for wrong credentials, 429 when throttled."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


def hash_password(password: str) -> str:
    """Hash with scrypt (Werkzeug's default: memory-hard, salted)."""
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def check_password_policy(password: str, user_email: str = "") -> None:
    """Raise :class:`DomainError` when ``password`` is too weak.

    :raise DomainError: with a Dutch message for the form field.
    """
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise DomainError(f"Het wachtwoord moet minstens {minimum} tekens lang zijn.", "new_password")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 5:
        raise DomainError("Dit wachtwoord is te eenvoudig te raden. Kies een ander.", "new_password")
    local_part = user_email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        raise DomainError("Het wachtwoord mag uw e-mailadres niet bevatten.", "new_password")


def _window_start():
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def authenticate(email: str, password: str, ip: str) -> User:
    """Check credentials, with lockout per (account, address) and throttling per address.

    :raise LoginRefused: with a Dutch message; nothing says whether the account exists.
    """
    email = email.strip().lower()
    since = _window_start()
    ip_failures = db.session.scalar(
        sa.select(sa.func.count(LoginAttempt.id)).where(
            LoginAttempt.ip_address == ip, LoginAttempt.created_at >= since
        )
    )
    if ip_failures >= current_app.config["LOGIN_IP_MAX_FAILURES"]:
        raise LoginRefused(
            "Er zijn vanaf dit adres te veel mislukte inlogpogingen gedaan. "
            "Wacht een kwartier en probeer het dan opnieuw.", 429)
    pair_failures = db.session.scalars(
        sa.select(LoginAttempt.created_at).where(
            LoginAttempt.ip_address == ip,
            LoginAttempt.email == email,
            LoginAttempt.created_at >= since,
        ).order_by(LoginAttempt.created_at)
    ).all()
    max_failures = current_app.config["LOGIN_MAX_FAILURES"]
    if len(pair_failures) >= max_failures:
        until = pair_failures[-max_failures] + timedelta(
            minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
        raise LoginRefused(
            "Te veel mislukte pogingen voor dit account. U kunt het opnieuw proberen na "
            f"{format_datetime(until)}.", 429)

    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not user or not valid or not user.active:
        db.session.add(LoginAttempt(ip_address=ip, email=email[:254]))
        if user:
            audit.record("auth.login_failed", user, actor=user, summary="Mislukte inlogpoging")
        db.session.commit()
        raise LoginRefused("De combinatie van e-mailadres en wachtwoord is onjuist, "
                           "of het account is niet actief.")
    db.session.execute(sa.delete(LoginAttempt).where(
        LoginAttempt.email == email, LoginAttempt.ip_address == ip))
    db.session.execute(sa.delete(LoginAttempt).where(
        LoginAttempt.created_at < utcnow() - timedelta(days=1)))
    user.last_login_at = utcnow()
    audit.record("auth.login", user, actor=user, summary="Ingelogd")
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change the own password; every other open session of the user ends.

    :raise DomainError: wrong current password or a weak new one.
    """
    if not check_password_hash(user.password_hash, current):
        raise DomainError("Het huidige wachtwoord is onjuist.", "current_password")
    if current == new:
        raise DomainError("Kies een ander wachtwoord dan het huidige.", "new_password")
    check_password_policy(new, user.email)
    set_password(user, new)
    user.must_change_password = False
    audit.record("auth.password_change", user, actor=user, summary="Wachtwoord gewijzigd")
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """Store a new hash and end the user's open sessions (no commit)."""
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
