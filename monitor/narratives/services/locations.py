"""Trusted locations: a buurthuis helps several residents tell their story in an hour.

The public form counts stories per address (a few per hour), which stops a flood from one
machine but also stops a buurthuis whose volunteer helps five residents in a row. A
trusted location (registered by a beheerder or the wijk's buurtcoördinator) gets a pairing
link; opening it on the buurthuis's device gives that device a token (a cookie). Stories
sent with a valid device token count against the location's own limits, higher but still
bounded (at most :data:`MAX_PER_HOUR_CAP` an hour, :data:`MAX_PER_DAY_CAP` a day), instead
of the address's. A made-up token, a token of a revoked location, or one replaced by a new
pairing counts for nothing: the per-address limit applies as for everyone.

Every registration, pairing, revocation and story sent is in the audit trail; only hashes
of the tokens are stored (:func:`monitor.tokens.hash_token`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from ... import audit, ratelimit
from ...errors import DomainError
from ...extensions import db
from ...models import User, Wijk
from ...permissions import wijk_ids_in_scope
from ...timeutil import utcnow
from ...tokens import hash_token
from ..models import TrustedLocation

DEVICE_COOKIE = "tv_locatie"  # the device token, set by pairing (HttpOnly, path /verhalen)
MAX_PER_HOUR_CAP = 60
MAX_PER_DAY_CAP = 200
PAIRING_VALID = timedelta(days=7)
TOKEN_MIN, TOKEN_MAX = 20, 100


@dataclass
class LocationData:
    name: str
    wijk_id: int | None
    max_per_hour: int
    max_per_day: int


def _check(data: LocationData, by: User) -> Wijk | None:
    if not (data.name or "").strip():
        raise DomainError("Geef de locatie een naam, bijvoorbeeld: Buurthuis De Vaart.", "name")
    wijk = db.session.get(Wijk, data.wijk_id) if data.wijk_id else None
    if data.wijk_id and wijk is None:
        raise DomainError("Kies een bestaande wijk.", "wijk_id")
    scope = wijk_ids_in_scope(by)
    if scope is not None and (wijk is None or wijk.id not in scope):
        raise DomainError("U kunt alleen locaties in uw eigen wijken registreren.", "wijk_id")
    if not 1 <= data.max_per_hour <= MAX_PER_HOUR_CAP:
        raise DomainError(f"Kies een aantal per uur van 1 tot en met {MAX_PER_HOUR_CAP}.", "max_per_hour")
    if not data.max_per_hour <= data.max_per_day <= MAX_PER_DAY_CAP:
        raise DomainError(f"Kies een aantal per dag van {data.max_per_hour} (het aantal per uur) tot en met "
                          f"{MAX_PER_DAY_CAP}.", "max_per_day")
    return wijk


def _new_pairing(location: TrustedLocation) -> str:
    token = secrets.token_urlsafe(32)
    location.setup_token_hash = hash_token(token)
    location.setup_expires_at = utcnow() + PAIRING_VALID
    return token


def register_location(data: LocationData, by: User) -> tuple[TrustedLocation, str]:
    """Register a trusted location; returns it and its pairing token (shown once).

    :raise DomainError: no name, a wijk outside the user's scope, limits out of bounds.
    """
    wijk = _check(data, by)
    location = TrustedLocation(name=data.name.strip()[:120], wijk_id=wijk.id if wijk else None,
                               max_per_hour=data.max_per_hour, max_per_day=data.max_per_day,
                               created_by_id=by.id)
    token = _new_pairing(location)
    db.session.add(location)
    db.session.flush()
    audit.record("trusted_location.create", location, actor=by,
                 new={"name": location.name, "wijk_id": location.wijk_id,
                      "max_per_hour": location.max_per_hour, "max_per_day": location.max_per_day},
                 summary=f"Vertrouwde locatie {location.name} geregistreerd")
    db.session.commit()
    return location, token


def new_pairing_link(location: TrustedLocation, by: User) -> str:
    """A new pairing link; the device paired before keeps working until the new link is used.

    :raise DomainError: the location was revoked.
    """
    if not location.active:
        raise DomainError("Deze locatie is ingetrokken.")
    token = _new_pairing(location)
    audit.record("trusted_location.pairing_link", location, actor=by,
                 summary=f"Nieuwe koppellink voor {location.name}")
    db.session.commit()
    return token


def revoke_location(location: TrustedLocation, by: User) -> TrustedLocation:
    """Revoke at once: its device token and any pairing link stop working."""
    if not location.active:
        raise DomainError("Deze locatie is al ingetrokken.")
    location.revoked_at = utcnow()
    location.device_token_hash = None
    location.setup_token_hash = None
    location.setup_expires_at = None
    audit.record("trusted_location.revoke", location, actor=by, old={"active": True}, new={"active": False},
                 summary=f"Vertrouwde locatie {location.name} ingetrokken")
    db.session.commit()
    return location


def _plausible(token: str | None) -> bool:
    return bool(token) and TOKEN_MIN <= len(token) <= TOKEN_MAX and token.isascii()


def pair_device(setup_token: str) -> tuple[TrustedLocation, str] | None:
    """Exchange a pairing link (once, while valid) for a device token; ``None`` when the link
    is unknown, used, expired or the location revoked. The previous device stops working."""
    if not _plausible(setup_token):
        return None
    location = db.session.scalar(sa.select(TrustedLocation).where(
        TrustedLocation.setup_token_hash == hash_token(setup_token)))
    if location is None or not location.active or location.setup_expires_at is None \
            or location.setup_expires_at < utcnow():
        return None
    device_token = secrets.token_urlsafe(32)
    replaced = location.device_token_hash is not None
    location.device_token_hash = hash_token(device_token)
    location.setup_token_hash = None
    location.setup_expires_at = None
    location.paired_at = utcnow()
    event = audit.record("trusted_location.pair", location, actor_label="apparaat van de locatie",
                         new={"replaced": replaced},
                         summary=f"Apparaat gekoppeld aan {location.name}")
    event.ip_address = None
    db.session.commit()
    return location, device_token


def location_for_device(device_token: str | None) -> TrustedLocation | None:
    """The active location whose current device token this is, else ``None``."""
    if not _plausible(device_token):
        return None
    return db.session.scalar(sa.select(TrustedLocation).where(
        TrustedLocation.device_token_hash == hash_token(device_token),
        TrustedLocation.revoked_at.is_(None)))


def count_location_submission(location: TrustedLocation) -> bool:
    """Count a story sent from the location's device against its own limits; ``False``
    when the location reached its maximum per hour or per day (kept, like an address's)."""
    key = f"location:{location.id}"
    if not ratelimit.hit("narratives.location.hour", key, min(location.max_per_hour, MAX_PER_HOUR_CAP), 3600) \
            or not ratelimit.hit("narratives.location.day", key, min(location.max_per_day, MAX_PER_DAY_CAP),
                                 24 * 3600):
        return False
    location.last_used_at = utcnow()
    location.stories_count = (location.stories_count or 0) + 1
    return True


def locations_in_scope(user: User) -> list[TrustedLocation]:
    """The locations the user may see and manage (a coordinator: those of their wijken)."""
    query = sa.select(TrustedLocation).order_by(TrustedLocation.revoked_at.is_not(None), TrustedLocation.name)
    scope = wijk_ids_in_scope(user)
    if scope is not None:
        query = query.where(TrustedLocation.wijk_id.in_(scope or [-1]))
    return list(db.session.scalars(query))
