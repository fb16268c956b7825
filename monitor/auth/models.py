"""Models of sign-in: recovery codes of the second factor (the TOTP secret is on the user), account tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class RecoveryCode(db.Model):
    """A one-time code to sign in without the authenticator app; only a keyed hash is kept."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user={self.user_id}{' gebruikt' if self.used_at else ''}>"


class AccountToken(db.Model):
    """A single-use, time-limited link to choose a password: an invitation or a reset.

    Only the SHA-256 of the token is kept (:func:`monitor.tokens.hash_token`); the link is
    in the e-mail alone. Using one, or any new password, ends every other of the user.
    """

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))  # "uitnodiging" or "herstel"
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
