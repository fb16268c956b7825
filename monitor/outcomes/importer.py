"""CSV import of measurements from an organisation's own system: preview, then all-or-nothing.

Columns (header row, any order, ``;`` or ``,`` separated):
``clientcode`` or ``clientnummer``, ``datum`` (dd-mm-jjjj or jjjj-mm-dd), ``instrument``
(zrm / ladder), ``soort`` (begin / tussen / eind), ``trede`` (ladder, 1–6) and one column
per ZRM domain code (FIN, WEO, ...): 1–5, ``nvt`` for niet van toepassing, empty for niet
besproken. Each row is matched to the client's trajectory with that instrument running on
that date.

``clientnummer`` is the organisation's own number from its registration system: it is
pseudonymised on import (:mod:`.references`; only a keyed hash is kept). A number the
platform does not know yet, or a known one without a running trajectory, starts a new
client and trajectory on a ``begin`` row; ``dienst`` (soort dienstverlening, code or
name) is then required and ``wijk`` (name or CBS code) optional.
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
from ..models import ServiceType, User, Wijk
from .instruments import all_domain_codes
from .models import Client, Instrument, MeasurementKind, Trajectory
from .references import MAX_REFERENCE, ClientReference, Hasher
from .services import _new_measurement, check_measurement, generate_client_code, log_access

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
REQUIRED = ("datum", "instrument", "soort")
IDENTIFIERS = ("clientcode", "clientnummer")
EXTRA = ("trede", "dienst", "wijk")
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
    reference_hash: str | None = None  # the row named the client by the organisation's number
    new_client: bool = False
    new_trajectory: bool = False

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
    # Made on import only (not yet in the session): (client, reference hash), (trajectory, client).
    new_clients: list[tuple[Client, str]] = field(default_factory=list)
    new_trajectories: list[tuple[Trajectory, Client]] = field(default_factory=list)

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


class _Places:
    """Resolves an organisation's own client numbers and what a new trajectory needs.

    New clients and trajectories stay out of the session (no relationship to a persistent
    object is set) until :func:`apply` adds them, so a dry run writes nothing.
    """

    def __init__(self, organisation_id: int, columns: dict[str, int]):
        self.organisation_id, self._columns = organisation_id, columns
        self.hasher = Hasher(organisation_id) if "clientnummer" in columns else None
        self.known = self.hasher.all() if self.hasher else {}
        self.pending: dict[str, Client] = {}
        self.new_clients: list[tuple[Client, str]] = []
        self.new_trajectories: list[tuple[Trajectory, Client]] = []
        self.opened: dict[tuple[int, str], Trajectory] = {}
        self._types: dict[str, int] | None = None
        self._wijken: dict[str, int] | None = None

    def client_for(self, row: ImportRow, reference: str, by_id: dict[int, Client]) -> Client | None:
        if len(reference) > MAX_REFERENCE:
            row.errors.append(f"Het cliëntnummer is langer dan {MAX_REFERENCE} tekens.")
            return None
        row.reference_hash = digest = self.hasher(reference)
        if digest in self.pending:
            return self.pending[digest]
        client = by_id.get(self.known.get(digest, -1))
        row.new_client = client is None
        return client

    def new_client(self, row: ImportRow, value) -> Client | None:
        if row.kind != "begin":
            row.errors.append("Onbekend cliëntnummer bij uw organisatie. Een nieuwe cliënt begint "
                              "met een beginmeting (in het bestand vóór de andere metingen).")
            return None
        wijk_id = None
        wijk = value("wijk") if "wijk" in self._columns else ""
        if wijk:
            wijk_id = self.wijken().get(wijk.lower())
            if wijk_id is None:
                row.errors.append(f"Onbekende wijk '{wijk}'.")
                return None
        client = Client(code="", organisation_id=self.organisation_id, wijk_id=wijk_id)
        self.pending[row.reference_hash] = client
        self.new_clients.append((client, row.reference_hash))
        return client

    def opened_for(self, client: Client, row: ImportRow) -> Trajectory | None:
        trajectory = self.opened.get((id(client), row.instrument))
        return trajectory if trajectory and trajectory.started_on <= row.measured_on else None

    def new_trajectory(self, row: ImportRow, client: Client, value) -> Trajectory | None:
        service = value("dienst") if "dienst" in self._columns else ""
        service_type_id = self.types().get(service.lower()) if service else None
        if service_type_id is None:
            row.errors.append("Voor een nieuw traject is de kolom 'dienst' nodig (code of naam van de "
                              "soort dienstverlening)." if not service else f"Onbekende dienst '{service}'.")
            return None
        trajectory = Trajectory(organisation_id=self.organisation_id, service_type_id=service_type_id,
                                instrument=Instrument(row.instrument),
                                zrm_version="2017" if row.instrument == "zrm" else None,
                                started_on=row.measured_on)
        row.new_trajectory = True
        self.opened[(id(client), row.instrument)] = trajectory
        self.new_trajectories.append((trajectory, client))
        return trajectory

    def types(self) -> dict[str, int]:
        if self._types is None:
            self._types = {}
            for t in db.session.scalars(sa.select(ServiceType)):
                self._types[t.code.lower()] = self._types[t.name.lower()] = t.id
        return self._types

    def wijken(self) -> dict[str, int]:
        if self._wijken is None:
            self._wijken = {}
            for w in db.session.scalars(sa.select(Wijk)):
                self._wijken[w.name.lower()] = w.id
                if w.code:
                    self._wijken[w.code.lower()] = w.id
        return self._wijken


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
    if not any(c in header for c in IDENTIFIERS):
        missing.insert(0, "clientcode of clientnummer")
    if missing:
        preview.errors.append("Kolommen ontbreken in de kopregel: " + ", ".join(missing) + ".")
        return preview
    domain_cols = {h.upper(): i for i, h in enumerate(header) if h.upper() in all_domain_codes()}
    known = set(REQUIRED) | set(IDENTIFIERS) | set(EXTRA) | {c.lower() for c in domain_cols}
    unknown = [h for h in header if h and h not in known]
    if unknown:
        preview.errors.append("Onbekende kolommen: " + ", ".join(unknown) + ".")
        return preview
    col = {h: i for i, h in enumerate(header)}
    clients = {c.code: c for c in db.session.scalars(
        sa.select(Client).where(Client.organisation_id == organisation_id)
        .options(selectinload(Client.trajectories).selectinload(Trajectory.measurements)))}
    by_id = {c.id: c for c in clients.values()}
    places = _Places(organisation_id, col)
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

        code = value("clientcode").upper() if "clientcode" in col else ""
        reference = value("clientnummer") if "clientnummer" in col else ""
        row = ImportRow(number, code or reference)
        preview.rows.append(row)
        if code:
            client = clients.get(code)
            if client is None:
                # Never say whether the code exists elsewhere: only own clients are known.
                row.errors.append("Onbekende cliëntcode bij uw organisatie.")
        elif reference:
            client = places.client_for(row, reference, by_id)
        else:
            client = None
            row.errors.append("Cliëntcode of cliëntnummer ontbreekt.")
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
        if row.errors or (client is None and not row.new_client):
            continue
        if client is None:
            client = places.new_client(row, value)
            if client is None:
                continue
        row.trajectory = (places.opened_for(client, row)
                          or _trajectory_for(client, row.instrument, row.measured_on))
        if row.trajectory is None and row.reference_hash and row.kind == "begin":
            row.trajectory = places.new_trajectory(row, client, value)
            if row.trajectory is None:
                continue
        if row.trajectory is None:
            row.errors.append("Geen traject met dit instrument dat op deze datum liep."
                              + (" Een nieuw traject begint met een beginmeting." if row.reference_hash else ""))
            continue
        try:
            check_measurement(row.trajectory, row.kind, row.measured_on, row.ladder_step,
                              row.scores, pending.get(id(row.trajectory)))
        except DomainError as err:
            row.errors.append(err.message)
            continue
        pending.setdefault(id(row.trajectory), []).append((row.kind, row.measured_on))
    if not preview.rows and not preview.errors:
        preview.errors.append("Het bestand bevat geen metingen.")
    preview.new_clients, preview.new_trajectories = places.new_clients, places.new_trajectories
    return preview


def apply(user: User, text: str) -> ImportPreview:
    """Import every row, or none: any error leaves the database untouched.

    :raise DomainError: when the file has errors (check it again with :func:`parse`).
    """
    preview = parse(user.organisation_id, text)
    if not preview.ok:
        db.session.rollback()
        raise DomainError("Het bestand bevat fouten; er is niets geïmporteerd.")
    for client, digest in preview.new_clients:
        client.code = generate_client_code()
        client.references.append(ClientReference(organisation_id=user.organisation_id,
                                                 reference_hash=digest))
        db.session.add(client)
    for trajectory, client in preview.new_trajectories:
        trajectory.client = client
        db.session.add(trajectory)
    db.session.flush()
    clients = {}
    for row in preview.rows:
        _new_measurement(row.trajectory, user, MeasurementKind(row.kind), row.measured_on,
                         row.ladder_step, row.scores)
        clients[row.trajectory.client_id] = row.trajectory.client
    for client in clients.values():
        log_access(user, client, "metingen geïmporteerd")
    audit.record("outcomes.import", object_type="Organisation", object_id=user.organisation_id,
                 new={"measurements": len(preview.rows), "clients": len(clients),
                      "new_clients": len(preview.new_clients), "new_trajectories": len(preview.new_trajectories)},
                 summary=f"{len(preview.rows)} metingen geïmporteerd voor {len(clients)} cliënten "
                         f"({len(preview.new_clients)} nieuw)", actor=user)
    db.session.commit()
    return preview
