"""The second sign-in factor: TOTP (RFC 6238, with an authenticator app) and recovery codes.

- The secret is stored encrypted (AES-GCM, key derived with HKDF from ``SECRET_KEY``,
  bound to the user's id) and shown only while enrolling, as text and as a QR code made
  on the server (an ``img`` with an SVG ``data:`` URI: no script, no external service).
- A code is accepted for the current 30-second step and one step either side, and each
  step only once (ASVS 2.8.4): the last step used is kept and moved forward atomically.
- Ten recovery codes are shown once when the factor is confirmed and kept as keyed
  hashes; each works once (marked used atomically).
- Wrong codes are limited per account with :func:`monitor.ratelimit.hit`; after
  ``MFA_MAX_FAILURES`` in ``MFA_WINDOW_SECONDS`` the sign-in must start again later.
- Rotating ``SECRET_KEY`` keeps the old key in ``SECRET_KEY_FALLBACKS`` to decrypt with;
  without it every user has to enrol again (see docs/operations.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from .. import audit, installation, ratelimit
from ..errors import DomainError
from ..extensions import db
from ..models import Role, User
from ..timeutil import utcnow
from .models import RecoveryCode

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_VERSION = "v1"


class TooManyCodes(DomainError):
    """Too many wrong codes for this account: the sign-in has to start again later."""


# --- keys and the encrypted secret ----------------------------------------------------

def _secret_keys() -> list[str]:
    keys = [current_app.config["SECRET_KEY"]]
    fallbacks = current_app.config["SECRET_KEY_FALLBACKS"] or []
    return keys + [k for k in fallbacks if k]


def _derive(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"tellen-vertellen " + purpose).derive(secret_key.encode("utf-8"))


def encrypt_secret(user_id: int, secret: str) -> str:
    """Encrypt a TOTP secret for ``user_id`` with the current key."""
    nonce = os.urandom(12)
    box = AESGCM(_derive(_secret_keys()[0], b"totp-secret v1"))
    sealed = box.encrypt(nonce, secret.encode("ascii"), f"user:{user_id}".encode())
    return f"{_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_secret(user_id: int, stored: str | None) -> str | None:
    """The plain TOTP secret, or ``None`` when there is none or no key opens it."""
    if not stored or not stored.startswith(_VERSION + ":"):
        return None
    raw = base64.urlsafe_b64decode(stored[len(_VERSION) + 1:])
    for key in _secret_keys():
        try:
            plain = AESGCM(_derive(key, b"totp-secret v1")).decrypt(raw[:12], raw[12:], f"user:{user_id}".encode())
        except InvalidTag:
            continue
        return plain.decode("ascii")
    return None


def _code_hashes(code: str) -> list[str]:
    normal = normalise_recovery_code(code).encode()
    return [hmac.new(_derive(key, b"recovery-code v1"), normal, hashlib.sha256).hexdigest()
            for key in _secret_keys()]


def normalise_recovery_code(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


# --- who needs it ---------------------------------------------------------------------

def check_required_roles(roles) -> frozenset[str]:
    """Validate ``MFA_REQUIRED_ROLES`` (at start-up: a typo must not switch the factor off).

    :raise ValueError: a name that is not a role.
    """
    known = {r.value for r in Role}
    unknown = sorted(set(roles or ()) - known)
    if unknown:
        raise ValueError(f"MONITOR_MFA_REQUIRED_ROLES: unknown role(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(sorted(known))}")
    return frozenset(roles or ())


def required_roles() -> frozenset[str]:
    """The roles that must use a second factor (``MFA_REQUIRED_ROLES``)."""
    return frozenset(current_app.config.get("MFA_REQUIRED_ROLES") or ())


def is_required(user: User) -> bool:
    """Whether ``user``'s role must use a second factor."""
    return user.role.value in required_roles()


def needs_enrolment(user: User) -> bool:
    """Signed in with a role that needs a second factor, but none set up yet."""
    return is_required(user) and not user.mfa_enabled


# --- enrolment ------------------------------------------------------------------------

def start_enrolment(user: User) -> None:
    """Create a new (not yet confirmed) secret for ``user``; replaces an unconfirmed one.

    :raise DomainError: a second factor is already active.
    """
    if user.mfa_enabled:
        raise DomainError("U heeft al een tweede factor ingesteld.")
    user.mfa_secret = encrypt_secret(user.id, pyotp.random_base32())
    user.mfa_enabled_at = None
    audit.record("auth.mfa_enrolment_started", user, summary="Instellen tweede factor begonnen")
    db.session.commit()


def pending_secret(user: User) -> str | None:
    """The secret being set up (shown only until it is confirmed)."""
    if user.mfa_enabled:
        return None
    return decrypt_secret(user.id, user.mfa_secret)


def provisioning(user: User, secret: str) -> tuple[str, str]:
    """The ``otpauth://`` address and its QR code (an SVG ``data:`` URI) for an authenticator app."""
    issuer = f"Tellen & Vertellen {installation.current().short_name}".strip()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)
    return uri, segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Activate the pending secret with a code from the app; returns new recovery codes (shown once).

    :raise DomainError: no pending secret or a wrong code (field ``code``).
    """
    secret = pending_secret(user)
    if secret is None:
        raise DomainError("Begin opnieuw met het instellen van de tweede factor.", "code")
    step = _matching_step(secret, code)
    if step is None:
        raise DomainError("Deze code klopt niet. Controleer de tijd op uw telefoon en typ de "
                          "code die de app nu laat zien.", "code")
    user.mfa_enabled_at = utcnow()
    user.mfa_last_step = step
    codes = _new_recovery_codes(user)
    audit.record("auth.mfa_enable", user, summary="Tweede factor ingesteld")
    db.session.commit()
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
             for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hashes(code)[0]))
    return codes


def regenerate_recovery_codes(user: User, password_ok: bool) -> list[str]:
    """Replace the recovery codes (the old ones stop working). :raise DomainError: wrong password."""
    if not user.mfa_enabled:
        raise DomainError("U heeft nog geen tweede factor ingesteld.")
    if not password_ok:
        raise DomainError("Het wachtwoord is onjuist.", "password")
    codes = _new_recovery_codes(user)
    audit.record("auth.mfa_recovery_codes", user, summary="Nieuwe herstelcodes gemaakt")
    db.session.commit()
    return codes


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _clear(user: User) -> None:
    user.mfa_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User, *, password_ok: bool, code: str) -> None:
    """Switch the own second factor off (only for roles that do not need one).

    :raise DomainError: the role needs it, the password is wrong or the code is.
    """
    if is_required(user):
        raise DomainError(f"Voor de rol {user.role.label} is een tweede factor verplicht.")
    if not password_ok:
        raise DomainError("Het wachtwoord is onjuist.", "password")
    verify(user, code)
    _clear(user)
    audit.record("auth.mfa_disable", user, summary="Tweede factor uitgezet")
    db.session.commit()


def reset_by_admin(user: User) -> None:
    """Remove a user's second factor (lost phone); their sessions end; audited."""
    _clear(user)
    user.session_version = (user.session_version or 0) + 1
    audit.record("user.mfa_reset", user, summary="Tweede factor gewist door beheerder")
    db.session.commit()


# --- checking a code ------------------------------------------------------------------

def _matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    code = "".join(c for c in code if not c.isspace())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now or utcnow())
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def verify(user: User, code: str) -> str:
    """Check a code from the app or a recovery code; returns ``"totp"`` or ``"recovery"``.

    Counted per account before deciding (:func:`monitor.ratelimit.hit`).

    :raise TooManyCodes: over ``MFA_MAX_FAILURES`` attempts in the window.
    :raise DomainError: a wrong, used or replayed code (field ``code``).
    """
    config = current_app.config
    user_id, secret = user.id, decrypt_secret(user.id, user.mfa_secret)
    db.session.commit()  # hand the connection back before the counter takes one
    if not ratelimit.hit("auth.mfa", str(user_id), config["MFA_MAX_FAILURES"], config["MFA_WINDOW_SECONDS"]):
        audit.record("auth.mfa_throttled", db.session.get(User, user_id), actor_label="systeem",
                     summary="Te veel codes geprobeerd")
        db.session.commit()
        raise TooManyCodes("Er zijn te veel codes geprobeerd. Wacht een kwartier en log dan opnieuw in.", "code")
    step = _matching_step(secret, code) if secret else None
    if step is not None:
        moved = db.session.execute(sa.update(User).where(
            User.id == user_id, sa.or_(User.mfa_last_step.is_(None), User.mfa_last_step < step),
        ).values(mfa_last_step=step).execution_options(synchronize_session=False))
        db.session.commit()
        if moved.rowcount == 1:
            return "totp"
        # ASVS 2.8.5: a reused code is refused and recorded (someone may have seen it).
        owner = db.session.get(User, user_id)
        audit.record("auth.mfa_replay", owner, actor=owner,
                     summary="Een al gebruikte code uit de app werd nog eens geprobeerd")
        db.session.commit()
        raise DomainError("Deze code is al gebruikt. Wacht tot de app een nieuwe code laat zien.", "code")
    normal = normalise_recovery_code(code)
    if len(normal) == 12:
        used = db.session.execute(sa.update(RecoveryCode).where(
            RecoveryCode.user_id == user_id, RecoveryCode.code_hash.in_(_code_hashes(code)),
            RecoveryCode.used_at.is_(None),
        ).values(used_at=utcnow()).execution_options(synchronize_session=False))
        if used.rowcount == 1:
            owner = db.session.get(User, user_id)
            audit.record("auth.mfa_recovery_used", owner, actor=owner, summary="Herstelcode gebruikt")
            db.session.commit()
            return "recovery"
        db.session.commit()
    owner = db.session.get(User, user_id)
    audit.record("auth.mfa_failed", owner, actor=owner, summary="Onjuiste code voor de tweede factor")
    db.session.commit()
    raise DomainError("Deze code klopt niet. Typ de zescijferige code uit de app, of een herstelcode.", "code")
