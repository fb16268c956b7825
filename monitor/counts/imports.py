"""Upload of returns from an organisation's own system: parse, map columns, dry run, commit."""

from __future__ import annotations

import csv
import io
import logging
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .. import storage
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, Period, ServiceType, Specialism, Wijk
from .figures import SCALARS, clients_key, hours_key
from .models import CITYWIDE_NAME
from .services import _store_mapping, apply_return, catalogue_for, check_return, guard_return

logger = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}$")
IDENTITY = (("jaar", "Jaar"), ("tertiaal", "Tertiaal (1, 2 of 3)"), ("wijk", "Wijk"))
EXTRA = (("toelichting", "Toelichting bij waarschuwingen"),)


def import_targets() -> list[tuple[str, str]]:
    """Every field a column can be mapped to: identity, scalars, hours, clients, explanation."""
    targets = list(IDENTITY) + [(f.key, f.label) for f in SCALARS]
    targets += [(hours_key(s.code), f"Uren {s.name}") for s in db.session.scalars(
        sa.select(Specialism).order_by(Specialism.position))]
    targets += [(clients_key(s.code), f"Cliënten {s.name}") for s in db.session.scalars(
        sa.select(ServiceType).order_by(ServiceType.position))]
    return targets + list(EXTRA)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_table(filename: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """Read a CSV (``;`` or ``,``; UTF-8, UTF-8 with BOM or Windows-1252) or XLSX file.

    :raise DomainError: unreadable, empty, too large or not CSV/XLSX.
    """
    name = (filename or "").lower()
    if len(data) > MAX_BYTES:
        raise DomainError("Het bestand is groter dan 2 MB.", "file")
    if name.endswith(".xlsx"):
        rows = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        text = _decode(data)
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    else:
        raise DomainError("Kies een CSV- of XLSX-bestand.", "file")
    rows = [r for r in rows if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise DomainError("Het bestand bevat geen kopregel met daaronder gegevens.", "file")
    header = [h.strip() for h in rows[0]]
    if len(rows) - 1 > MAX_ROWS:
        raise DomainError(f"Het bestand heeft meer dan {MAX_ROWS} regels.", "file")
    if len(set(h for h in header if h)) != len([h for h in header if h]):
        raise DomainError("De kopregel bevat dezelfde kolomnaam twee keer.", "file")
    width = len(header)
    return header, [(r + [""] * width)[:width] for r in rows[1:]]


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for broken files
        raise DomainError("Dit XLSX-bestand kon niet worden gelezen.", "file") from None
    try:
        sheet = wb.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if c is None else _cell_text(c) for c in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        wb.close()


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value).strip()


# --- the stored upload between the steps ----------------------------------------------

STAGING = "counts-imports"  # the store's folder for uploads between the steps
STAGING_GONE = "Dit bestand is niet (meer) beschikbaar. Upload het opnieuw."


def _staged_key(organisation_id: int, token: str, ext: str) -> str:
    return f"{STAGING}/{organisation_id}-{token}{ext}"


def store_upload(organisation_id: int, filename: str, data: bytes) -> str:
    """Keep an uploaded file for the mapping and preview steps; returns its token.

    Kept in the file store (:mod:`monitor.storage`), so every app server sees it; one never
    finished is removed after ``COUNTS_IMPORT_STAGING_HOURS`` (:func:`remove_abandoned`).
    :raise DomainError: unreadable file, or the store failed (field ``file``).
    """
    parse_table(filename, data)  # refuse unreadable files straight away
    token = secrets.token_urlsafe(24)
    ext = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    content_type = XLSX_TYPE if ext == ".xlsx" else "text/csv"
    try:
        storage.current().put(_staged_key(organisation_id, token, ext), data, content_type)
    except storage.StorageError as err:
        raise DomainError(str(err), "file") from err
    return token


def load_upload(organisation_id: int, token: str) -> tuple[list[str], list[list[str]]]:
    """The stored upload of this organisation. :raise DomainError: unknown, expired or the
    store failed."""
    if not token or not TOKEN.match(token):
        raise DomainError(STAGING_GONE)
    store = storage.current()
    for ext in (".csv", ".xlsx"):
        try:
            return parse_table("x" + ext, store.get(_staged_key(organisation_id, token, ext)))
        except FileNotFoundError:
            continue
        except storage.StorageError as err:
            raise DomainError(str(err)) from err
    raise DomainError(STAGING_GONE)


def discard_upload(organisation_id: int, token: str) -> None:
    """Remove a finished upload (best effort: the periodic clean-up removes what is left)."""
    if token and TOKEN.match(token):
        for ext in (".csv", ".xlsx"):
            try:
                storage.current().delete(_staged_key(organisation_id, token, ext))
            except (OSError, storage.StorageError):
                logger.warning("Could not remove staged import %s", token[:6])


def remove_abandoned(now: datetime, max_age: timedelta) -> int:
    """Remove staged uploads last written more than ``max_age`` before ``now`` (naive UTC)."""
    store = storage.current()
    older_than = time.time() - (now - max_age).replace(tzinfo=UTC).timestamp()
    stale = list(store.keys(STAGING, older_than=older_than))
    for key in stale:
        store.delete(key)
    return len(stale)


def _norm(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def match_columns(header: list[str], targets: list[tuple[str, tuple[str, ...]]],
                  saved: dict[str, str]) -> dict[str, str]:
    """Target -> column: the saved column where it still exists, else the first candidate
    name (key, label, synonyms) that matches a column ignoring case, accents and punctuation."""
    columns = {_norm(h): h for h in header if h}
    result = {}
    for key, candidates in targets:
        if saved.get(key) in header:
            result[key] = saved[key]
            continue
        for candidate in candidates:
            if _norm(candidate) in columns:
                result[key] = columns[_norm(candidate)]
                break
    return result


def suggest_mapping(header: list[str], saved: dict[str, str]) -> dict[str, str]:
    """Target -> column for the return import (see :func:`match_columns`)."""
    return match_columns(header, [(key, (key, key.split(":")[-1], label)) for key, label in import_targets()],
                         saved)


# --- dry run and commit ----------------------------------------------------------------

@dataclass
class RowResult:
    line: int
    label: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[RowResult]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _identity(values: dict[str, str], wijken: dict[str, Wijk], allowed: set[int] | None
              ) -> tuple[Period | None, Wijk | None, list[str]]:
    errors = []
    year = values.get("jaar", "").strip()
    tertial = values.get("tertiaal", "").strip().upper().removeprefix("T")
    period = None
    if not year.isdigit() or not tertial.isdigit() or len(year) > 4 or len(tertial) > 1:
        errors.append("Jaar en tertiaal moeten getallen zijn (bijvoorbeeld 2025 en 2).")
    else:
        period = db.session.scalar(sa.select(Period).where(Period.year == int(year), Period.tertial == int(tertial)))
        if period is None:
            errors.append(f"Er is geen periode {year} tertiaal {tertial}.")
    if _norm(values.get("wijk", "")) == _norm(CITYWIDE_NAME):
        return period, None, errors  # the city-wide return (werkgebied "stedelijk")
    wijk = wijken.get(_norm(values.get("wijk", "")))
    if wijk is None:
        errors.append(f"Onbekende wijk: '{values.get('wijk', '')}'.")
    elif allowed is not None and wijk.id not in allowed:
        errors.append(f"U werkt niet in wijk {wijk.name}.")
    return period, wijk, errors


def run_import(organisation: Organisation, header: list[str], rows: list[list[str]],
               mapping: dict[str, str], *, allowed_wijken: set[int] | None, commit: bool,
               submit: bool = False) -> Preview:
    """Check every row (dry run), or with ``commit`` store all of them — or none.

    :param mapping: target key -> column name in ``header``.
    :raise DomainError: the mapping lacks year, tertial or wijk, or names unknown columns.
    """
    for key, _ in IDENTITY:
        if not mapping.get(key):
            raise DomainError("Koppel in elk geval de kolommen jaar, tertiaal en wijk.", key)
    if any(col not in header for col in mapping.values()):
        raise DomainError("De kolomindeling noemt een kolom die niet in het bestand staat.")
    index = {h: i for i, h in enumerate(header)}
    wijken = {_norm(w.name): w for w in db.session.scalars(sa.select(Wijk))}
    results: list[RowResult] = []
    seen: dict[tuple[int, int], int] = {}
    prepared = []
    for n, row in enumerate(rows, start=2):
        values = {key: row[index[col]] for key, col in mapping.items() if col}
        period, wijk, errors = _identity(values, wijken, allowed_wijken)
        label = f"{values.get('wijk', '?')}, {values.get('jaar', '?')}-T{values.get('tertiaal', '?')}"
        result = RowResult(n, label, errors)
        results.append(result)
        if errors:
            continue
        wijk_id = wijk.id if wijk is not None else None
        if (wijk_id, period.id) in seen:
            result.errors.append(f"Dezelfde wijk en periode staan ook op regel {seen[(wijk_id, period.id)]}.")
            continue
        seen[(wijk_id, period.id)] = n
        cat = catalogue_for(period)
        keys = set(cat.keys(period))
        raw = {k: v for k, v in values.items() if k not in ("jaar", "tertiaal", "wijk", "toelichting")
               and (k in keys or str(v).strip())}  # an empty column not asked in that period is fine
        explanation = values.get("toelichting", "")
        try:
            guard_return(organisation, wijk, period)
        except DomainError as err:
            result.errors.append(err.message)
            continue
        checked = check_return(organisation.id, wijk_id, period, raw, submit=submit, explanation=explanation)
        result.errors = [f"{cat.label(k) if k != 'explanation' else 'Toelichting'}: {m}"
                         for k, m in checked.errors.items()]
        result.warnings = [f"{cat.label(k)}: {m}" for k, m in checked.warnings.items()]
        prepared.append((wijk, period, raw, explanation))
    preview = Preview(results)
    if not (commit and preview.ok):
        return preview
    try:
        for wijk, period, raw, explanation in prepared:
            apply_return(organisation, wijk, period, raw, explanation=explanation, submit=submit)
        _store_mapping(organisation, mapping)
        db.session.commit()
    except DomainError as err:
        # Should not happen after a clean dry run; store nothing all the same.
        db.session.rollback()
        raise DomainError(f"Er is niets opgeslagen: {err.message}") from err
    except Exception:
        db.session.rollback()
        raise
    return preview
