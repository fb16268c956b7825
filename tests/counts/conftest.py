"""Builders for the Tellen tests: returns straight into the database, form data, HTML tables."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from monitor.counts.models import CountReturn, PlannedHours, ReturnClients, ReturnHours, ReturnStatus
from monitor.extensions import db
from monitor.models import Organisation, Period, ServiceType, Specialism, Wijk


def org_id(name: str) -> int:
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def wijk_id(name: str) -> int:
    return db.session.scalar(sa.select(Wijk.id).where(Wijk.name == name))


def period(year: int, tertial: int) -> Period:
    return db.session.scalar(sa.select(Period).where(Period.year == year, Period.tertial == tertial))


def spec_id(code: str) -> int:
    return db.session.scalar(sa.select(Specialism.id).where(Specialism.code == code))


def service_id(code: str) -> int:
    return db.session.scalar(sa.select(ServiceType.id).where(ServiceType.code == code))


@pytest.fixture
def make_return(app):
    """``make_return("Versa Welzijn", "Oost", 2024, 1, status=..., meldingen=..., hours={...}, clients={...})``."""

    def make(org: str, wijk: str, year: int, tertial: int, *, status=ReturnStatus.GOEDGEKEURD,
             hours: dict[str, int] | None = None, clients: dict[str, int] | None = None, **figures) -> int:
        with app.app_context():
            ret = CountReturn(organisation_id=org_id(org), wijk_id=wijk_id(wijk), period_id=period(year, tertial).id,
                              status=ReturnStatus(status))
            for key, value in figures.items():
                setattr(ret, key, Decimal(str(value)) if key == "fte" else value)
            for code, n in (hours or {}).items():
                ret.hours.append(ReturnHours(specialism_id=spec_id(code), hours=n))
            for code, n in (clients or {}).items():
                ret.clients.append(ReturnClients(service_type_id=service_id(code), clients=n))
            db.session.add(ret)
            db.session.commit()
            return ret.id

    return make


@pytest.fixture
def plan(app):
    def make(org: str, code: str, year: int, per_week: str) -> None:
        with app.app_context():
            db.session.add(PlannedHours(organisation_id=org_id(org), specialism_id=spec_id(code), year=year,
                                        hours_per_week=Decimal(per_week)))
            db.session.commit()

    return make


# A complete, valid return as typed in the form (field names use "__" for ":").
GOOD_FORM = {
    "volunteers": "12", "meldingen": "20", "meldingen_sociaal_plein": "6", "closed_total": "10",
    "closed_within_six_months": "8", "closed_contact_moments": "90", "closed_hours": "60", "fte": "1,5",
    "uren__buurtwerk": "300", "uren__amw": "200", "clienten__individuele_ondersteuning": "35",
    "clienten__formulierenhulp": "7", "explanation": "",
}


class TableParser(HTMLParser):
    """Collect every table on a page: {table id or caption: [[cell text, ...], ...]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._stack: list[tuple[str, list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stack.append((attrs.get("id") or "", []))
        elif tag == "tr" and self._stack:
            self._stack[-1][1].append([])
        elif tag in ("td", "th") and self._stack:
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._stack:
            self._stack[-1][1][-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            caption = re.sub(r"\s+", " ", "".join(self._caption)).strip()
            if self._stack and not self._stack[-1][0]:
                self._stack[-1] = (caption, self._stack[-1][1])
            self._caption = None
        elif tag == "table" and self._stack:
            name, rows = self._stack.pop()
            self.tables[name] = rows

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = TableParser()
    parser.feed(html)
    return parser.tables


def as_dict(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    """Header row + data rows → {row label: {column header: text}}."""
    header = rows[0]
    return {r[0]: dict(zip(header[1:], r[1:], strict=False)) for r in rows[1:]}
