"""Exports never turn text typed by a user into a live spreadsheet formula (CSV injection)."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from monitor.extensions import db
from monitor.models import Organisation, Role
from monitor.spreadsheets import safe_cell

from .conftest import period

FORMULA = '=HYPERLINK("http://x","y")'


def _returns(app, make_return):
    make_return("Versa Welzijn", "Oost", 2024, 1, volunteers=4, meldingen=-3, fte="1.25",
                explanation=FORMULA)
    make_return("MEE", "Oost", 2024, 1, volunteers=2, explanation="\tverborgen")
    with app.app_context():
        mee = db.session.scalar(sa.select(Organisation).where(Organisation.name == "MEE"))
        mee.name = "@SUM(1+1)*cmd|' /C calc'!A0"
        db.session.commit()
        return {"van": period(2024, 1).id, "tot": period(2024, 1).id, "perspectief": "organisatie"}


def test_raw_export_neutralises_formulas_and_keeps_numbers(app, login_as, make_return):
    query = _returns(app, make_return)
    client = login_as(Role.ACCOUNTHOUDER)
    response = client.get("/tellen/export/opgaven.csv", query_string=query)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    versa = next(r for r in rows if r["Organisatie"] == "Versa Welzijn")
    assert versa["Toelichting"] == "'" + FORMULA
    assert versa["Nieuwe meldingen"] == "-3" and versa["FTE sociaal werkers actief in de wijk"] == "1,25"  # numbers stay numbers
    mee = next(r for r in rows if r["Organisatie"] != "Versa Welzijn")
    assert mee["Organisatie"].startswith("'@") and mee["Toelichting"] == "'\tverborgen"

    response = client.get("/tellen/export/opgaven.xlsx", query_string=query)
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = {sheet.cell(row=r, column=1).value: {h: sheet.cell(row=r, column=i + 1) for i, h in enumerate(header)}
             for r in range(2, sheet.max_row + 1)}
    versa = cells["Versa Welzijn"]
    assert versa["Toelichting"].data_type == "s" and versa["Toelichting"].value == "'" + FORMULA
    assert versa["Nieuwe meldingen"].data_type == "n" and versa["Nieuwe meldingen"].value == -3
    assert versa["FTE sociaal werkers actief in de wijk"].data_type == "n" and versa["FTE sociaal werkers actief in de wijk"].value == 1.25
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_dashboard_export_neutralises_labels(app, login_as, make_return):
    query = _returns(app, make_return)
    client = login_as(Role.ACCOUNTHOUDER)
    text = client.get("/tellen/dashboard/export.csv", query_string=query).get_data().decode("utf-8-sig")
    lines = text.splitlines()
    assert not any(line.startswith(("=", "+", "-", "@", "\t", "\r")) for line in lines)
    assert any(line.startswith("'@SUM(1+1)") for line in lines)
    wb = load_workbook(io.BytesIO(client.get("/tellen/dashboard/export.xlsx", query_string=query).get_data()))
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_safe_cell():
    for text in ("=1+1", "+31 6", "-2", "@A1", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    for value in (-5, -1.5, 0, 12, None, "Oost", "<5", "—", " =x"):
        assert safe_cell(value) == value
    assert isinstance(safe_cell(-5), int)
