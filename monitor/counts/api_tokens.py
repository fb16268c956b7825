"""API tokens of Tellen: created and revoked by the municipality, used by organisations' systems."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, OrganisationKind, User
from ..timeutil import utcnow
from ..tokens import hash_token
from .models import ApiToken


def create_token(organisation: Organisation, name: str, by: User) -> tuple[ApiToken, str]:
    """Create a token; the plain value is returned once and never stored."""
    if organisation.kind != OrganisationKind.WELZIJN:
        raise DomainError("Alleen welzijnsorganisaties leveren opgaven aan.", "organisation_id")
    plain = "tv_" + secrets.token_urlsafe(32)
    token = ApiToken(organisation=organisation, name=name.strip(), token_hash=hash_token(plain),
                     prefix=plain[:10], created_by=by)
    db.session.add(token)
    audit.record("api_token.create", token, new={"organisation": organisation.name, "name": token.name,
                                                 "prefix": token.prefix}, actor=by)
    db.session.commit()
    return token, plain


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record("api_token.revoke", token, old={"revoked_at": None}, new={"revoked_at": token.revoked_at})
    db.session.commit()


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


def authenticate_token(plain: str) -> ApiToken | None:
    """The active token with this value, marking it used; ``None`` when unknown or revoked."""
    if not plain or len(plain) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None or not token.organisation.active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token
