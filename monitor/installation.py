"""The installation's own settings: which gemeente runs it, its logo and its theme.

Nothing about the gemeente is a code constant. The beheerder sets the name, the short
name, the logo and the theme under *Beheer → Installatie* (one row in
``installation_settings``); what is left empty there comes from the environment
(``MONITOR_MUNICIPALITY_NAME``, ``MONITOR_MUNICIPALITY_SHORT_NAME``,
``MONITOR_MUNICIPALITY_CODE``, ``MONITOR_THEME``). The CBS code tells which wijken entered
by hand (without a code) belong to this gemeente when a CSV of wijken is imported.

Themes are the files ``static/css/theme-<naam>.css``: an NL Design System theme (design
tokens on the Utrecht component CSS) whose first line is ``/* Thema: <label>`` and whose
class is ``.<naam>-theme``. Adding a gemeente's theme is adding such a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g, has_request_context, url_for
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db

DEFAULT_THEME = "tellen"
_THEME_FILE = re.compile(r"^theme-([a-z0-9][a-z0-9-]{0,38})\.css$")
_THEME_LABEL = re.compile(r"^/\*\s*Thema:\s*(.+?)\s*(\*/)?$")


class InstallationSettings(db.Model):
    """One row (id 1): the settings the beheerder changes in the browser."""

    __tablename__ = "installation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_name: Mapped[str] = mapped_column(sa.String(100), default="")
    short_name: Mapped[str] = mapped_column(sa.String(40), default="")
    municipality_code: Mapped[str] = mapped_column(sa.String(6), default="")  # CBS: GM0402
    theme: Mapped[str] = mapped_column(sa.String(40), default="")
    logo_key: Mapped[str | None] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime | None] = mapped_column()


@dataclass(frozen=True)
class Branding:
    """What the pages, documents and messages show of the installation."""

    name: str  # "Hilversum"; empty until set
    short_name: str  # "Hilversum", "GM Gooi"; the name when not set
    code: str  # the CBS gemeentecode, "GM0402"; empty until set
    theme: str  # a key of :func:`themes`
    logo_key: str | None

    @property
    def theme_class(self) -> str:
        return f"{self.theme}-theme"

    @property
    def theme_css(self) -> str:
        return f"css/theme-{self.theme}.css"

    @property
    def logo_url(self) -> str | None:
        if not self.logo_key:
            return None
        return url_for("admin.installation_logo", name=self.logo_key.rsplit("/", 1)[-1])


@lru_cache(maxsize=8)
def _themes(folder: str) -> dict[str, str]:
    found = {}
    for path in sorted(Path(folder, "css").glob("theme-*.css")):
        match = _THEME_FILE.match(path.name)
        if not match:
            continue
        with open(path, encoding="utf-8") as fh:
            label = _THEME_LABEL.match(fh.readline().strip())
        found[match.group(1)] = label.group(1) if label else match.group(1)
    return found


def themes() -> dict[str, str]:
    """Theme key → label, from the theme files in ``static/css``."""
    return _themes(current_app.static_folder)


def stored() -> InstallationSettings | None:
    return db.session.get(InstallationSettings, 1)


def _read() -> Branding:
    config = current_app.config
    try:
        row = stored()
    except sa.exc.SQLAlchemyError:  # no schema yet (before init-db) or no database
        db.session.rollback()
        row = None
    name = (row.municipality_name if row else "") or config.get("MUNICIPALITY_NAME", "")
    short = (row.short_name if row else "") or config.get("MUNICIPALITY_SHORT_NAME", "") or name
    code = (row.municipality_code if row else "") or config.get("MUNICIPALITY_CODE", "")
    theme = (row.theme if row else "") or config.get("THEME", "") or DEFAULT_THEME
    if theme not in themes():
        theme = DEFAULT_THEME
    return Branding(name=name, short_name=short, code=code, theme=theme, logo_key=row.logo_key if row else None)


def current() -> Branding:
    """The installation's branding (read once per request)."""
    if has_request_context():
        branding = g.get("monitor_branding")
        if branding is None:
            branding = g.monitor_branding = _read()
        return branding
    return _read()


def logo_png(name: str | None = None) -> bytes | None:
    """The current logo's PNG (``name``: only when that is the current logo's file name)."""
    from . import storage

    row = stored()
    if row is None or not row.logo_key:
        return None
    if name is not None and row.logo_key.rsplit("/", 1)[-1] != name:
        return None
    try:
        return storage.current().get(row.logo_key)
    except (FileNotFoundError, storage.StorageError):
        return None


def document_header(*parts: str) -> str:
    """A document's running header: "Gemeente <naam> · …", without the gemeente while unnamed."""
    name = current().name
    return " · ".join(([f"Gemeente {name}"] if name else []) + [p for p in parts if p])


def forget() -> None:
    """After a change: the rest of this request reads the new settings."""
    if has_request_context():
        g.pop("monitor_branding", None)
