"""Dashboards and exports: figures computed here from the fixture data, not by the code under test."""

from __future__ import annotations

import csv
import io

import pytest

from monitor.models import Role

from .conftest import as_dict, period, tables

# Days of the 2024 tertials (a leap year): jan-apr, may-aug, sep-dec.
DAYS = {1: 31 + 29 + 31 + 30, 2: 31 + 30 + 31 + 31, 3: 30 + 31 + 30 + 31}


def nl(x: float, decimals: int = 1) -> str:
    return f"{x:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@pytest.fixture
def data(app, make_return, plan):
    make_return("Versa Welzijn", "Oost", 2024, 1, volunteers=4, meldingen=20, meldingen_sociaal_plein=6,
                closed_total=10, closed_within_six_months=8, closed_contact_moments=90, closed_hours=60, fte="1.0",
                hours={"buurtwerk": 100, "amw": 50}, clients={"individuele_ondersteuning": 12, "formulierenhulp": 3})
    make_return("Versa Welzijn", "Zuid", 2024, 1, volunteers=7, meldingen=10, meldingen_sociaal_plein=5,
                closed_total=4, closed_within_six_months=4, closed_contact_moments=30, closed_hours=20, fte="0.5",
                hours={"buurtwerk": 40}, clients={"individuele_ondersteuning": 8}, status="vergrendeld")
    make_return("MEE", "Oost", 2024, 1, meldingen=2, meldingen_sociaal_plein=1, closed_total=2,
                closed_within_six_months=1, closed_contact_moments=10, closed_hours=8, fte="0.25",
                hours={"amw": 30}, clients={"clientondersteuning": 6})
    # Not approved: never counted.
    make_return("Versa Welzijn", "Oost", 2024, 2, status="ingediend", meldingen=100, fte="1",
                hours={"buurtwerk": 999})
    make_return("Versa Welzijn", "Oost", 2024, 3, volunteers=5, meldingen=12, meldingen_sociaal_plein=3,
                closed_total=9, closed_within_six_months=9, closed_contact_moments=50, closed_hours=40, fte="1.0",
                unique_clients_year=30, hours={"buurtwerk": 120}, clients={"individuele_ondersteuning": 15})
    plan("Versa Welzijn", "buurtwerk", 2024, "10.0")
    plan("Versa Welzijn", "amw", 2024, "5.5")
    plan("MEE", "amw", 2024, "2.0")
    plan("MEE", "amw", 2023, "99.0")  # another year: not in the range
    with app.app_context():
        return {"from": period(2024, 1).id, "to": period(2024, 3).id}


def _get(client, data, **params):
    query = {"van": data["from"], "tot": data["to"], **params}
    response = client.get("/tellen/dashboard", query_string=query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<canvas id="chart-uren"' in html and 'id="counts-charts"' in html
    return tables(html)


def test_trends_for_the_accounthouder(app, login_as, data):
    client = login_as(Role.ACCOUNTHOUDER)
    t = _get(client, data, perspectief="organisatie")
    hours = as_dict(t["tabel-uren"])
    planned_per_week = 10.0 + 5.5 + 2.0
    assert hours["mei 2024"] == {"Gerealiseerde uren": "220", "Begrote uren": nl(planned_per_week * DAYS[1] / 7)}
    # No approved return in September: no planned hours either (issue 18: a period not yet
    # reported is not a period without work, so it does not drag the realisation down).
    assert hours["september 2024"] == {"Gerealiseerde uren": "—", "Begrote uren": "—"}
    assert hours["december 2024"]["Gerealiseerde uren"] == "120"
    shares = as_dict(t["tabel-aandelen"])["mei 2024"]
    assert shares["Meldingen via het Sociaal Plein"] == nl(100 * 12 / 32) + "%"
    assert shares["Trajecten afgesloten binnen zes maanden"] == nl(100 * 13 / 16) + "%"
    # Counts beside every share (issue 18): the table under the chart says "12 of 32", not only 37,5%.
    assert (shares["Meldingen (aantal)"], shares["Via het Sociaal Plein (aantal)"]) == ("32", "12")
    assert (shares["Afgesloten trajecten (aantal)"], shares["Binnen zes maanden (aantal)"]) == ("16", "13")
    averages = as_dict(t["tabel-gemiddelden"])["mei 2024"]
    assert averages == {"Uren per traject": nl(88 / 16), "Contactmomenten per traject": nl(130 / 16)}
    assert as_dict(t["tabel-caseload"])["mei 2024"]["Cliënten per FTE"] == nl(29 / 1.75)
    counts = as_dict(t["tabel-aantallen"])["mei 2024"]
    assert counts == {"Nieuwe meldingen": "32", "Waarvan via het Sociaal Plein": str(6 + 5 + 1),
                      "Afgesloten trajecten": "16", "Waarvan binnen zes maanden": str(8 + 4 + 1),
                      "Actieve vrijwilligers": "11"}
    assert as_dict(t["tabel-uniek"]) == {"2024": {"Unieke cliënten (decemberopgave)": "30"}}
    per_org = as_dict(t["tabel-per-organisatie"])
    per_org_shares = as_dict(t["tabel-per-organisatie-aandelen"])
    weeks = (DAYS[1] + DAYS[3]) / 7  # Versa's approved periods: May and December
    assert per_org["Versa Welzijn"]["Gerealiseerde uren"] == "310"
    assert per_org["Versa Welzijn"]["Begrote uren"] == nl(15.5 * weeks)
    assert per_org_shares["Versa Welzijn"]["Gerealiseerd t.o.v. begroot"] == nl(100 * 310 / (15.5 * weeks)) + "%"
    versa = per_org_shares["Versa Welzijn"]  # May (Oost 20/6, Zuid 10/5) and December (Oost 12/3)
    assert (versa["Meldingen (aantal)"], versa["Via het Sociaal Plein (aantal)"]) == ("42", "14")
    assert versa["Via het Sociaal Plein"] == nl(100 * 14 / 42) + "%"
    assert (versa["Afgesloten trajecten (aantal)"], versa["Binnen zes maanden (aantal)"]) == ("23", "21")
    assert per_org["MEE"]["Begrote uren"] == nl(2.0 * DAYS[1] / 7)  # MEE reported only for May


def test_wijk_and_specialism_perspectives(app, login_as, data):
    client = login_as(Role.ACCOUNTHOUDER)
    with app.app_context():
        from .conftest import spec_id, wijk_id

        oost, buurtwerk = wijk_id("Oost"), spec_id("buurtwerk")
    t = _get(client, data, perspectief="wijk")
    per_wijk = as_dict(t["tabel-per-wijk"])
    assert per_wijk["Oost"]["Gerealiseerde uren"] == str(100 + 50 + 30 + 120)
    assert as_dict(t["tabel-per-wijk-caseload"])["Oost"]["Cliënten per FTE"] == nl((12 + 3 + 6 + 15) / (1.0 + 0.25 + 1.0))
    assert as_dict(t["tabel-per-wijk-aandelen"])["Zuid"]["Binnen zes maanden afgesloten"] == "100,0%"
    t = _get(client, data, perspectief="wijk", wijk=oost)
    assert as_dict(t["tabel-uren"])["mei 2024"] == {"Gerealiseerde uren": "180", "Begrote uren": "—"}
    t = _get(client, data, perspectief="specialisme", specialisme=buurtwerk)
    per_spec = as_dict(t["tabel-per-specialisme"])
    assert list(per_spec) == ["Buurtwerk"]
    assert per_spec["Buurtwerk"]["Gerealiseerde uren"] == "260"
    assert per_spec["Buurtwerk"]["Begrote uren"] == nl(10.0 * (DAYS[1] + DAYS[3]) / 7)
    assert as_dict(t["tabel-uren"])["mei 2024"] == {"Gerealiseerde uren": "140", "Begrote uren": nl(10.0 * DAYS[1] / 7)}


def test_council_member_sees_small_counts_as_less_than_five(app, login_as, data):
    client = login_as(Role.RAADSLID)
    with app.app_context():
        from .conftest import org_id, wijk_id

        mee, versa, oost = org_id("MEE"), org_id("Versa Welzijn"), wijk_id("Oost")
    t = _get(client, data, organisatie=mee)
    counts = as_dict(t["tabel-aantallen"])["mei 2024"]
    assert counts["Nieuwe meldingen"] == "<5" and counts["Afgesloten trajecten"] == "<5"
    shares = as_dict(t["tabel-aandelen"])["mei 2024"]
    counted = {k: v for k, v in shares.items() if k.endswith("(aantal)")}
    assert {k: v for k, v in shares.items() if k not in counted} == {
        "Meldingen via het Sociaal Plein": "—", "Trajecten afgesloten binnen zes maanden": "—"}  # denominators 2 and 2 < 10
    assert set(counted.values()) == {"<5"}  # the counts beside them, protected as everywhere
    # Organisation x wijk is no publication unit for outsiders: every count is hidden (x).
    t = _get(client, data, organisatie=versa, wijk=oost)
    clients = as_dict(t["tabel-clienten"])["mei 2024"]
    assert set(clients.values()) == {"×"}
    assert set(as_dict(t["tabel-aantallen"])["mei 2024"].values()) == {"×"}
    # Oost as a whole (Versa 12 + 3, MEE 6 in May): "Formulieren" is 3 and hidden as <5; a cell
    # hidden only to protect it is marked x, never as a false "<5"; nothing gives the 3 back.
    t = _get(client, data, wijk=oost)
    clients = as_dict(t["tabel-clienten"])["mei 2024"]
    assert clients["Formulieren- en financiële hulp"] == "<5"
    assert "3" not in clients.values()
    assert all(v == "×" or v.isdigit() and int(v) >= 5 for k, v in clients.items()
               if k != "Formulieren- en financiële hulp"), clients
    # The export carries the same suppression.
    response = client.get("/tellen/dashboard/export.csv", query_string={"van": data["from"], "tot": data["to"],
                                                                         "organisatie": mee})
    text = response.get_data().decode("utf-8-sig")
    assert "mei 2024;<5;<5;" in text
    # Council members never get raw returns.
    assert client.get("/tellen/export/opgaven.csv").status_code == 403


def test_coordinator_sees_only_own_wijken(app, login_as, data):
    client = login_as(Role.BUURTCOORDINATOR)  # Oost and Hilversumse Meent
    t = _get(client, data)
    assert list(as_dict(t["tabel-per-wijk"])) == ["Oost"]
    assert as_dict(t["tabel-uren"])["mei 2024"] == {"Gerealiseerde uren": "180", "Begrote uren": "—"}


def test_exports(app, login_as, data):
    client = login_as(Role.ACCOUNTHOUDER)
    query = {"van": data["from"], "tot": data["to"], "perspectief": "organisatie"}
    response = client.get("/tellen/dashboard/export.csv", query_string=query)
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert f"mei 2024;220;{nl(17.5 * DAYS[1] / 7)}" in text
    response = client.get("/tellen/dashboard/export.xlsx", query_string=query)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(response.get_data()))
    sheet = next(ws for ws in wb.worksheets if "gerealiseerd en begroot" in ws.title)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Periode", "Gerealiseerde uren", "Begrote uren")
    assert rows[1][:2] == ("mei 2024", 220)
    response = client.get("/tellen/export/opgaven.csv", query_string=query)
    reader = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert len(reader) == 4  # the submitted (not approved) return is left out
    zuid = next(r for r in reader if r["Wijk"] == "Zuid")  # Dutch column names (issue 18 §5)
    assert zuid["Status"] == "Vergrendeld" and zuid["Nieuwe meldingen"] == "10"
    assert zuid["FTE sociaal werkers actief in de wijk"] == "0,50"
    assert zuid["Uren Buurtwerk"] == "40"
    response = client.get("/tellen/export/opgaven.xlsx", query_string=query)
    wb = load_workbook(io.BytesIO(response.get_data()))
    assert wb.worksheets[0].max_row == 5


def test_bad_filters_do_not_fail(app, login_as, data):
    client = login_as(Role.RAADSLID)
    for query in ({"van": "x", "tot": "-1"}, {"wijk": "999999", "organisatie": "abc"}, {"perspectief": "<script>"},
                  {"van": "99999999999999999999"}):
        assert client.get("/tellen/dashboard", query_string=query).status_code == 200
