"""CSV import of measurements from an organisation's own system: preview, then all-or-nothing.

Columns (header row, any order, ``;`` or ``,`` separated):
``clientcode``, ``datum`` (dd-mm-jjjj or jjjj-mm-dd), ``instrument`` (zrm / ladder),
``soort`` (begin / tussen / eind), ``trede`` (ladder, 1–6) and one column per ZRM domain
code (FIN, WEO, ...): 1–5, ``nvt`` for niet van toepassing, empty for niet besproken.
Each row is matched to the client's trajectory with that instrument running on that date.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import User
from .instruments import all_domain_codes
from .models import Client, Instrument, MeasurementKind, Trajectory
from .services import _new_measurement, check_measurement, log_access

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
REQUIRED = ("clientcode", "datum", "instrument", "soort")
INSTRUMENT_ALIASES = {"zrm": "zrm", "ladder": "ladder", "participatieladder": "ladder",
                      "pl": "ladder"}
KIND_ALIASES = {"begin": "begin", "beginmeting": "begin", "tussen": "tussen",
                "tussenmeting": "tussen", "eind": "eind", "eindmeting": "eind"}
NVT = {"nvt", "n.v.t.", "n.v.t", "nvt."}


@dataclass
class ImportRow:
    line: int
    code: str
    measured_on: date | None = None
    instrument: str = ""
    kind: str = ""
    ladder_step: int | None = None
    scores: dict[str, int | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    trajectory: Trajectory | None = None

    @property
    def summary(self) -> str:
        if self.instrument == "ladder":
            return f"trede {self.ladder_step}" if self.ladder_step else "—"
        parts = [f"{c} {'n.v.t.' if v is None else v}" for c, v in self.scores.items()]
        return ", ".join(parts) or "—"


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file-level problems

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for r in self.rows if r.errors)


def decode(data: bytes) -> str:
    """Decode an uploaded file: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _parse_date(text: str) -> date | None:
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _trajectory_for(client: Client, instrument: str, day: date) -> Trajectory | None:
    candidates = [t for t in client.trajectories
                  if t.instrument == Instrument(instrument) and t.started_on <= day
                  and (t.ended_on is None or day <= t.ended_on)]
    return max(candidates, key=lambda t: t.started_on, default=None)


def parse(organisation_id: int, text: str) -> ImportPreview:
    """Check every row of an import against the organisation's clients; change nothing."""
    preview = ImportPreview()
    if len(text.encode("utf-8")) > MAX_BYTES:
        preview.errors.append("Het bestand is groter dan 2 MB. Splits het in kleinere bestanden.")
        return preview
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        preview.errors.append("Het bestand is leeg of heeft geen kopregel.")
        return preview
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (csv.Error, StopIteration):
        preview.errors.append("De kopregel kon niet worden gelezen.")
        return preview
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        preview.errors.append("Kolommen ontbreken in de kopregel: " + ", ".join(missing) + ".")
        return preview
    domain_cols = {h.upper(): i for i, h in enumerate(header) if h.upper() in all_domain_codes()}
    known = set(REQUIRED) | {"trede"} | {c.lower() for c in domain_cols}
    unknown = [h for h in header if h and h not in known]
    if unknown:
        preview.errors.append("Onbekende kolommen: " + ", ".join(unknown) + ".")
        return preview
    col = {h: i for i, h in enumerate(header)}
    clients = {c.code: c for c in db.session.scalars(
        sa.select(Client).where(Client.organisation_id == organisation_id)
        .options(selectinload(Client.trajectories).selectinload(Trajectory.measurements)))}
    pending: dict[int, list[tuple[str, date]]] = {}
    try:
        records = list(reader)
    except csv.Error as err:
        preview.errors.append(f"Het bestand is geen geldige CSV: {err}.")
        return preview
    if len(records) > MAX_ROWS:
        preview.errors.append(f"Meer dan {MAX_ROWS} regels; splits het bestand.")
        return preview
    for number, record in enumerate(records, start=2):
        if not any(v.strip() for v in record):
            continue
        record = record + [""] * (len(header) - len(record))
        if len(record) > len(header):
            preview.rows.append(ImportRow(number, "", errors=["Meer velden dan kolommen."]))
            continue

        def value(name: str, record=record) -> str:
            return record[col[name]].strip()

        row = ImportRow(number, value("clientcode").upper())
        preview.rows.append(row)
        client = clients.get(row.code)
        if client is None:
            # Never say whether the code exists elsewhere: only own clients are known.
            row.errors.append("Onbekende cliëntcode bij uw organisatie.")
        row.measured_on = _parse_date(value("datum"))
        if row.measured_on is None:
            row.errors.append("Datum onleesbaar (gebruik dd-mm-jjjj).")
        row.instrument = INSTRUMENT_ALIASES.get(value("instrument").lower(), "")
        if not row.instrument:
            row.errors.append("Instrument moet 'zrm' of 'ladder' zijn.")
        row.kind = KIND_ALIASES.get(value("soort").lower(), "")
        if not row.kind:
            row.errors.append("Soort moet 'begin', 'tussen' of 'eind' zijn.")
        if row.instrument == "ladder":
            step = value("trede") if "trede" in col else ""
            if step.isdigit():
                row.ladder_step = int(step)
            else:
                row.errors.append("Trede ontbreekt of is geen getal van 1 tot en met 6.")
            if any(record[i].strip() for i in domain_cols.values()):
                row.errors.append("Een ladder-meting heeft geen ZRM-scores.")
        elif row.instrument == "zrm":
            for code, i in domain_cols.items():
                raw = record[i].strip().lower()
                if not raw:
                    continue
                if raw in NVT:
                    row.scores[code] = None
                elif raw in {"1", "2", "3", "4", "5"}:
                    row.scores[code] = int(raw)
                else:
                    row.errors.append(f"{code}: '{record[i].strip()}' is geen score 1–5 of nvt.")
        if row.errors or client is None:
            continue
        row.trajectory = _trajectory_for(client, row.instrument, row.measured_on)
        if row.trajectory is None:
            row.errors.append("Geen traject met dit instrument dat op deze datum liep.")
            continue
        try:
            check_measurement(row.trajectory, row.kind, row.measured_on, row.ladder_step,
                              row.scores, pending.get(row.trajectory.id))
        except DomainError as err:
            row.errors.append(err.message)
            continue
        pending.setdefault(row.trajectory.id, []).append((row.kind, row.measured_on))
    if not preview.rows and not preview.errors:
        preview.errors.append("Het bestand bevat geen metingen.")
    return preview


def apply(user: User, text: str) -> ImportPreview:
    """Import every row, or none: any error leaves the database untouched.

    :raise DomainError: when the file has errors (check it again with :func:`parse`).
    """
    preview = parse(user.organisation_id, text)
    if not preview.ok:
        db.session.rollback()
        raise DomainError("Het bestand bevat fouten; er is niets geïmporteerd.")
    clients = {}
    for row in preview.rows:
        _new_measurement(row.trajectory, user, MeasurementKind(row.kind), row.measured_on,
                         row.ladder_step, row.scores)
        clients[row.trajectory.client_id] = row.trajectory.client
    for client in clients.values():
        log_access(user, client, "metingen geïmporteerd")
    audit.record("outcomes.import", object_type="Organisation", object_id=user.organisation_id,
                 new={"measurements": len(preview.rows), "clients": len(clients)},
                 summary=f"{len(preview.rows)} metingen geïmporteerd voor {len(clients)} cliënten", actor=user)
    db.session.commit()
    return preview
