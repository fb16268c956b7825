"""Wijken and buurten with their CBS codes from a CSV file, for any gemeente.

One line per buurt (or per wijk without buurten), with a header naming the columns;
``;`` or ``,`` as separator, UTF-8 or Windows-1252. The columns, in any order (the CBS
*Wijk- en buurtkaart* names are understood too):

    gemeentecode (GM_CODE, optional: follows from the wijkcode), wijkcode (WK_CODE),
    wijknaam (WK_NAAM), buurtcode (BU_CODE), buurtnaam (BU_NAAM)

A wijk is found by its code, else by its name within the gemeente (a wijk entered by hand,
without code, gets the code); a buurt likewise within its wijk. Names are unique within
their parent only: two gemeenten may each have a wijk "Centrum". :func:`plan` checks the
whole file and lists what would change or, per line, what is wrong (in Dutch); :func:`apply`
writes a plan without errors in one transaction. Nothing is deleted: a wijk or buurt that is
not in the file stays as it is.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from .. import audit, installation
from ..extensions import db
from ..models import Buurt, User, Wijk

MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 20_000
NAME_MAX = 100
_GM, _WK, _BU = re.compile(r"^GM\d{4}$"), re.compile(r"^WK\d{6}$"), re.compile(r"^BU\d{8}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
COLUMNS = {
    "gemeentecode": "gemeentecode", "gm_code": "gemeentecode", "gwb_code_gm": "gemeentecode",
    "wijkcode": "wijkcode", "wk_code": "wijkcode",
    "wijknaam": "wijknaam", "wk_naam": "wijknaam", "wijk": "wijknaam",
    "buurtcode": "buurtcode", "bu_code": "buurtcode",
    "buurtnaam": "buurtnaam", "bu_naam": "buurtnaam", "buurt": "buurtnaam",
}


def _describe(existing, name: str, code: str, moved_from: str | None = None) -> str:
    """What importing a line does to ``existing`` (a Wijk or Buurt, or None)."""
    if existing is None:
        return "nieuw"
    changed = []
    if existing.name != name:
        changed.append(f"naam was {existing.name}")
    if moved_from:
        changed.append(f"was in wijk {moved_from}")
    if (existing.code or "") != code:
        changed.append("krijgt de CBS-code")
    return "; ".join(changed) or "ongewijzigd"


@dataclass
class WijkChange:
    code: str
    name: str
    gemeente_code: str
    existing: Wijk | None = None
    line: int = 0

    @property
    def action(self) -> str:
        return _describe(self.existing, self.name, self.code)


@dataclass
class BuurtChange:
    code: str
    name: str
    wijk: WijkChange
    existing: Buurt | None = None
    line: int = 0

    @property
    def action(self) -> str:
        moved = self.existing is not None and (
            self.wijk.existing is None or self.existing.wijk_id != self.wijk.existing.id)
        return _describe(self.existing, self.name, self.code,
                         self.existing.wijk.name if moved else None)


@dataclass
class Plan:
    wijken: list[WijkChange] = field(default_factory=list)
    buurten: list[BuurtChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return sum(1 for c in [*self.wijken, *self.buurten] if c.action != "ongewijzigd")


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _rows(text: str, plan: Plan) -> list[tuple[int, dict[str, str]]]:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        plan.errors.append("Het bestand is leeg. De eerste regel noemt de kolommen: "
                           "wijkcode;wijknaam;buurtcode;buurtnaam.")
        return []
    if len(lines) > MAX_LINES + 1:
        plan.errors.append(f"Het bestand heeft meer dan {MAX_LINES} regels.")
        return []
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [COLUMNS.get(h.strip().lower().replace(" ", "_")) for h in next(reader)]
    missing = [c for c in ("wijkcode", "wijknaam") if c not in header]
    if missing:
        plan.errors.append("Regel 1: de kolom " + " en ".join(missing) + " ontbreekt. Kolommen: "
                           "gemeentecode (mag), wijkcode, wijknaam, buurtcode en buurtnaam.")
        return []
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {name: (values[i].strip() if i < len(values) else "")
               for i, name in enumerate(header) if name}
        rows.append((number, row))
    if not rows:
        plan.errors.append("Het bestand heeft geen regels onder de kolomnamen.")
    return rows


def _name_problem(label: str, name: str) -> str | None:
    if not name:
        return f"de {label} ontbreekt"
    if len(name) > NAME_MAX:
        return f"de {label} is langer dan {NAME_MAX} tekens"
    if _CONTROL.search(name):
        return f"de {label} bevat een teken dat niet in een naam hoort"
    return None


def plan(text: str) -> Plan:
    """What importing ``text`` would do, or what is wrong with it, line by line."""
    result = Plan()
    wijken: dict[str, WijkChange] = {}
    wijk_names: dict[tuple[str, str], WijkChange] = {}
    buurten: dict[str, BuurtChange] = {}
    buurt_names: dict[tuple[str, str], BuurtChange] = {}
    try:
        rows = _rows(text, result)
    except csv.Error:
        result.errors.append("Dit bestand is geen leesbare CSV (een veld is te lang of de "
                             "aanhalingstekens kloppen niet).")
        rows = []
    for number, row in rows:
        problems = []
        wk, wname = row.get("wijkcode", "").upper(), " ".join(row.get("wijknaam", "").split())
        bu, bname = row.get("buurtcode", "").upper(), " ".join(row.get("buurtnaam", "").split())
        gm = row.get("gemeentecode", "").upper()
        if not _WK.match(wk):
            problems.append(f"de wijkcode '{wk[:20]}' is geen CBS-wijkcode (WK en zes cijfers)")
        elif gm and gm != "GM" + wk[2:6]:
            problems.append(f"de wijkcode {wk} hoort niet bij gemeentecode {gm[:20]}")
        elif gm and not _GM.match(gm):
            problems.append(f"de gemeentecode '{gm[:20]}' is geen CBS-code (GM en vier cijfers)")
        if problem := _name_problem("wijknaam", wname):
            problems.append(problem)
        if bu or bname:
            if not _BU.match(bu):
                problems.append(f"de buurtcode '{bu[:20]}' is geen CBS-buurtcode (BU en acht cijfers)")
            elif _WK.match(wk) and bu[2:8] != wk[2:8]:
                problems.append(f"de buurtcode {bu} hoort niet bij wijk {wk}")
            if problem := _name_problem("buurtnaam", bname):
                problems.append(problem)
        if not problems:
            gm = "GM" + wk[2:6]
            known = wijken.get(wk)
            same_name = wijk_names.get((gm, _fold(wname)))
            if known is not None and _fold(known.name) != _fold(wname):
                problems.append(f"wijk {wk} heet op regel {known.line} '{known.name}'")
            elif same_name is not None and same_name.code != wk:
                problems.append(f"de wijknaam '{wname}' staat op regel {same_name.line} bij wijk {same_name.code}")
            elif known is None:
                known = wijken[wk] = wijk_names[(gm, _fold(wname))] = WijkChange(wk, wname, gm, line=number)
                result.wijken.append(known)
            if not problems and bu:
                seen = buurten.get(bu)
                twin = buurt_names.get((wk, _fold(bname)))
                if seen is not None:
                    problems.append(f"buurt {bu} staat al op regel {seen.line}")
                elif twin is not None:
                    problems.append(f"de buurtnaam '{bname}' staat in wijk {wk} al op regel {twin.line}")
                else:
                    change = buurten[bu] = buurt_names[(wk, _fold(bname))] = BuurtChange(bu, bname, known, line=number)
                    result.buurten.append(change)
        for problem in problems:
            result.errors.append(f"Regel {number}: {problem}.")
    if not result.errors:
        _match_existing(result)
    return result


def _gemeente(wijk: Wijk, own: str) -> str:
    """A wijk entered by hand (no gemeente code) belongs to the installation's own gemeente."""
    return wijk.gemeente_code or own or "?"


def _match_existing(result: Plan) -> None:
    own = installation.current().code
    all_wijken = list(db.session.scalars(sa.select(Wijk)))
    if not own and any(not w.gemeente_code for w in all_wijken):
        result.notes.append("De CBS-gemeentecode van deze installatie is niet ingesteld (Beheer › "
                            "Installatie): wijken zonder code worden daarom niet herkend en komen "
                            "als nieuwe wijk in de lijst.")
    by_code = {w.code.upper(): w for w in all_wijken if w.code}
    for change in result.wijken:
        found = by_code.get(change.code)
        if found is None:
            found = next((w for w in all_wijken if not w.code and _gemeente(w, own) == change.gemeente_code
                          and _fold(w.name) == _fold(change.name)), None)
        clash = next((w for w in all_wijken if w is not found and _gemeente(w, own) == change.gemeente_code
                      and _fold(w.name) == _fold(change.name)), None)
        if clash is not None:
            result.errors.append(f"Regel {change.line}: er is al een wijk '{clash.name}' met code "
                                 f"{clash.code or '(geen)'} in deze gemeente.")
        change.existing = found
    all_buurten = list(db.session.scalars(sa.select(Buurt)))
    buurt_codes = {b.code.upper(): b for b in all_buurten if b.code}
    for change in result.buurten:
        wijk = change.wijk.existing
        found = buurt_codes.get(change.code)
        if found is None and wijk is not None:
            found = next((b for b in all_buurten if not b.code and b.wijk_id == wijk.id
                          and _fold(b.name) == _fold(change.name)), None)
        if wijk is not None:
            clash = next((b for b in all_buurten if b is not found and b.wijk_id == wijk.id
                          and _fold(b.name) == _fold(change.name)), None)
            if clash is not None:
                result.errors.append(f"Regel {change.line}: wijk {wijk.name} heeft al een buurt "
                                     f"'{clash.name}' met code {clash.code or '(geen)'}.")
        change.existing = found


def apply(result: Plan, *, actor: User) -> tuple[int, int]:
    """Write a plan without errors (one commit); returns (wijken, buurten) created or changed."""
    if result.errors:
        raise ValueError("a plan with errors is never applied")
    counts = [0, 0]
    for change in result.wijken:
        if change.action == "ongewijzigd":
            continue
        wijk = change.existing
        if wijk is None:
            wijk = change.existing = Wijk(name=change.name, code=change.code, gemeente_code=change.gemeente_code)
            db.session.add(wijk)
        else:
            wijk.name, wijk.code, wijk.gemeente_code = change.name, change.code, change.gemeente_code
        counts[0] += 1
    db.session.flush()
    for change in result.buurten:
        if change.action == "ongewijzigd":
            continue
        buurt = change.existing
        if buurt is None:
            db.session.add(Buurt(name=change.name, code=change.code, wijk_id=change.wijk.existing.id,
                                 verified=True))
        else:
            buurt.name, buurt.code, buurt.wijk_id = change.name, change.code, change.wijk.existing.id
        counts[1] += 1
    audit.record("places.import", None, object_type="Wijk", actor=actor,
                 new={"wijken": counts[0], "buurten": counts[1]},
                 summary=f"Wijken en buurten geïmporteerd: {counts[0]} wijk(en), {counts[1]} buurt(en) nieuw of gewijzigd")
    db.session.commit()
    return counts[0], counts[1]
