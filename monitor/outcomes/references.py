"""Organisations' own client references, kept only as a keyed hash (issue 18 §6).

An organisation's registration system knows its clients by its own number
("CL-2024-0012"). So that workers need not retype clients, the measurement import accepts
that number — and forgets it at once: what is stored is
``HMAC-SHA256(key_org, normalised number)``, where ``key_org`` is derived from the
installation's pseudonym secret (``MONITOR_PSEUDONYM_SECRET``, by default the
``SECRET_KEY``; it is never in the database) and a random salt per organisation (in the
database). A copy of the database alone therefore cannot test guessed numbers, the same
number at two organisations gives unrelated hashes, and nobody — not even the
organisation — can read a number back from the platform.

Changing the secret breaks the link between numbers and clients (the next import
would create new clients): set ``MONITOR_PSEUDONYM_SECRET`` explicitly in production and
keep it with the backups of the key material.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

MAX_REFERENCE = 64
_SEPARATORS = re.compile(r"[\W_]+")


class ReferenceKey(db.Model):
    """The random salt of one organisation's client-reference hashes."""

    __tablename__ = "outcome_reference_keys"

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    salt: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClientReference(db.Model):
    """The keyed hash of an organisation's own number for one of its clients."""

    __tablename__ = "outcome_client_references"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "reference_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    client_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outcome_clients.id", ondelete="CASCADE"), index=True)
    reference_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def normalise(reference: str) -> str:
    """Letters and digits only, upper case: ``" cl-2024 0012 "``, ``"CL-2024-0012"`` and
    ``"CL20240012"`` are the same number (systems and spreadsheets differ in separators)."""
    return _SEPARATORS.sub("", reference).upper()


def _key(organisation_id: int) -> bytes:
    row = db.session.get(ReferenceKey, organisation_id)
    if row is None:
        try:
            with db.session.begin_nested():  # two first imports at once: one salt wins
                db.session.add(ReferenceKey(organisation_id=organisation_id, salt=secrets.token_hex(32)))
        except IntegrityError:
            pass
        row = db.session.get(ReferenceKey, organisation_id)
    secret = current_app.config.get("PSEUDONYM_SECRET") or current_app.config["SECRET_KEY"]
    return hmac.new(secret.encode(), b"clientreferentie|" + row.salt.encode(), hashlib.sha256).digest()


class Hasher:
    """Hashes references of one organisation (the key is derived once per import)."""

    def __init__(self, organisation_id: int):
        self.organisation_id = organisation_id
        self._k = _key(organisation_id)

    def __call__(self, reference: str) -> str:
        return hmac.new(self._k, normalise(reference).encode(), hashlib.sha256).hexdigest()

    def all(self) -> dict[str, int]:
        """reference hash → client id for every number this organisation has imported."""
        return dict(db.session.execute(sa.select(ClientReference.reference_hash, ClientReference.client_id)
                                       .where(ClientReference.organisation_id == self.organisation_id)).all())
