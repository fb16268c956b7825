"""The beheerder's installation settings: gemeente name, short name, theme and logo."""

from __future__ import annotations

import io
import secrets

from flask import current_app

from .. import audit, installation, storage
from ..errors import DomainError
from ..extensions import db
from ..installation import InstallationSettings
from ..models import User
from ..timeutil import utcnow

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 4000 * 4000
LOGO_HEIGHT = 96  # shown at 48 px high, sharp on a high-density screen
LOGO_PREFIX = "huisstijl"
FIELDS = ["municipality_name", "short_name", "municipality_code", "theme", "logo_key"]


def _row() -> InstallationSettings:
    row = installation.stored()
    if row is None:
        row = InstallationSettings(id=1, municipality_name="", short_name="", municipality_code="",
                                   theme="")
        db.session.add(row)
    return row


def normalise_logo(data: bytes) -> bytes:
    """A PNG or JPEG made into a small PNG without metadata; a Dutch error otherwise."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise DomainError("Het logo is groter dan 1 MB. Kies een kleiner bestand.", "logo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in {"PNG", "JPEG"}:
                raise DomainError("Het logo moet een PNG- of JPEG-bestand zijn.", "logo")
            if image.width * image.height > LOGO_MAX_PIXELS:
                raise DomainError("Het logo heeft te veel beeldpunten (meer dan 4000 × 4000).", "logo")
            image.load()
            image = image.convert("RGBA")
            if image.height > LOGO_HEIGHT:
                width = max(1, round(image.width * LOGO_HEIGHT / image.height))
                image = image.resize((width, LOGO_HEIGHT), Image.LANCZOS)
            out = io.BytesIO()
            image.save(out, "PNG", optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as err:
        raise DomainError("Dit bestand is geen bruikbare afbeelding (PNG of JPEG).", "logo") from err


def update_settings(*, actor: User, municipality_name: str, short_name: str, theme: str,
                    municipality_code: str = "",
                    logo: bytes | None = None, remove_logo: bool = False) -> InstallationSettings:
    """Save the settings; a new logo is stored before the commit, the old one deleted after."""
    themes = installation.themes()
    if theme and theme not in themes:
        raise DomainError("Kies een van de thema's.", "theme")
    row = _row()
    before = audit.snapshot(row, FIELDS)
    png = normalise_logo(logo) if logo else None
    old_key = row.logo_key
    row.municipality_name = municipality_name.strip()
    row.short_name = short_name.strip()
    row.municipality_code = municipality_code.strip().upper()
    row.theme = theme
    store = storage.current()
    if png is not None:
        row.logo_key = f"{LOGO_PREFIX}/logo-{secrets.token_hex(8)}.png"
        store.put(row.logo_key, png, "image/png")
    elif remove_logo:
        row.logo_key = None
    row.updated_at = utcnow()
    after = audit.snapshot(row, FIELDS)
    old, new = audit.changes(before, after)
    audit.record("installation.update", row, old=old, new=new, actor=actor,
                 summary="Installatie-instellingen gewijzigd")
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if png is not None and row.logo_key:
            store.delete(row.logo_key)
        raise
    if old_key and old_key != row.logo_key:
        store.delete(old_key)
    installation.forget()
    current_app.logger.info("Installation settings changed by user %s", actor.id)
    return row


def logo_bytes(name: str) -> bytes | None:
    """The stored logo called ``name`` when it is the current one, else ``None``."""
    return installation.logo_png(name)
