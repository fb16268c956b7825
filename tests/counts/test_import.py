"""Upload: Dutch CSV and XLSX files, column mapping saved per organisation, dry run, all or nothing."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from monitor.counts.models import CountReturn, ImportMapping, ReturnStatus
from monitor.extensions import db
from monitor.models import Role

HEADER = ["Jaar", "Periode", "Wijknaam", "Vrijwilligers", "Meldingen", "Via SP", "Afgesloten", "Binnen 6 mnd",
          "Contacten", "Uren trajecten", "FTE", "Uren buurtwerk", "Cliënten IO"]
MAPPING_FIELDS = {"jaar": "Jaar", "tertiaal": "Periode", "wijk": "Wijknaam", "volunteers": "Vrijwilligers",
                  "meldingen": "Meldingen", "meldingen_sociaal_plein": "Via SP", "closed_total": "Afgesloten",
                  "closed_within_six_months": "Binnen 6 mnd", "closed_contact_moments": "Contacten",
                  "closed_hours": "Uren trajecten", "fte": "FTE", "uren:buurtwerk": "Uren buurtwerk",
                  "clienten:individuele_ondersteuning": "Cliënten IO"}
GOOD_ROWS = [
    ["2025", "1", "Oost", "10", "1.200", "5", "9", "7", "80", "55", "1,5", "400", "30"],
    ["2025", "1", "Hilversumse Meent", "4", "8", "2", "3", "3", "20", "15", "0,8", "210", "12"],
]


def csv_bytes(rows, encoding="utf-8-sig", sep=";"):
    return "\r\n".join(sep.join(r) for r in [HEADER, *rows]).encode(encoding)


def upload(client, data: bytes, name="export.csv"):
    response = client.post("/tellen/import", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def mapping_form(client, url):
    """Read the mapping form as the browser would submit it (the suggested selections)."""
    html = client.get(url).get_data(as_text=True)
    data = {}
    for select in re.finditer(r'<select class="utrecht-select" id="(map_\d+)" name="map_\d+">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select.group(2))
        data[select.group(1)] = chosen.group(1) if chosen else ""
    labels = dict(re.findall(r'<label class="utrecht-form-label" for="(map_\d+)">([^<]*)</label>', html))
    return data, labels, html


def choose(data, labels, mapping_by_label):
    for field, label in labels.items():
        if label in mapping_by_label:
            data[field] = mapping_by_label[label]
    return data


def stored(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(CountReturn.id)))


LABELS = {"Jaar": "Jaar", "Tertiaal (1, 2 of 3)": "Periode", "Wijk": "Wijknaam", "Actieve vrijwilligers": "Vrijwilligers",
          "Nieuwe meldingen": "Meldingen", "Waarvan verwezen door het Sociaal Plein": "Via SP",
          "Afgesloten trajecten": "Afgesloten", "Waarvan afgesloten binnen zes maanden": "Binnen 6 mnd",
          "Contactmomenten van de afgesloten trajecten (totaal)": "Contacten",
          "Uren besteed aan de afgesloten trajecten (totaal)": "Uren trajecten",
          "FTE sociaal werkers actief in de wijk": "FTE", "Uren Buurtwerk": "Uren buurtwerk",
          "Cliënten Individuele ondersteuning (maatschappelijk werk)": "Cliënten IO"}


def test_good_csv_dry_run_then_commit_and_mapping_is_remembered(app, login_as):
    sw = login_as(Role.SOCIAAL_WERKER)
    url = upload(sw, csv_bytes(GOOD_ROWS))
    data, labels, html = mapping_form(sw, url)
    assert "Wijknaam" in html
    data = choose(data, labels, LABELS)
    response = sw.post(url, data=dict(data, action="preview"))
    assert response.status_code == 200
    assert "alle regels zijn in orde" in response.get_data(as_text=True)
    assert stored(app) == 0  # a dry run stores nothing
    response = sw.post(url, data=dict(data, action="commit", submit_returns="y"))
    assert response.status_code == 302
    with app.app_context():
        rets = db.session.scalars(sa.select(CountReturn).order_by(CountReturn.meldingen.desc())).all()
        assert [(r.wijk.name, r.meldingen, str(r.fte), r.status) for r in rets] == [
            ("Oost", 1200, "1.50", ReturnStatus.INGEDIEND), ("Hilversumse Meent", 8, "0.80", ReturnStatus.INGEDIEND)]
        assert rets[0].total_hours == 400 and rets[0].total_clients == 30
        saved = db.session.scalar(sa.select(ImportMapping)).mapping
        assert saved["wijk"] == "Wijknaam" and saved["uren:buurtwerk"] == "Uren buurtwerk"
    # Next time the saved mapping is suggested, even for columns no name match would find.
    url = upload(sw, csv_bytes([["2025", "2", "Oost", "10", "20", "5", "9", "7", "80", "55", "1,5", "400", "30"]]))
    data, labels, _ = mapping_form(sw, url)
    suggested = {labels[k]: v for k, v in data.items() if v}
    assert suggested["Wijk"] == "Wijknaam" and suggested["Uren Buurtwerk"] == "Uren buurtwerk"


def test_bad_rows_are_listed_and_nothing_is_stored(app, login_as):
    sw = login_as(Role.SOCIAAL_WERKER)
    rows = GOOD_ROWS + [
        ["2025", "1", "Zuid", "1", "1", "0", "1", "1", "1", "1", "1", "1", "1"],          # not my wijk
        ["2025", "1", "Nergenshuizen", "1", "1", "0", "1", "1", "1", "1", "1", "1", "1"],  # unknown wijk
        ["2025", "2", "Oost", "1", "3", "5", "1", "2", "1", "1", "1", "1", "1"],          # sp > meldingen, within > closed
        ["2025", "1", "Oost", "1", "3", "0", "1", "1", "1", "1", "1", "1", "1"],          # duplicate of line 2
        ["twintig", "1", "Oost", "1", "3", "0", "1", "1", "1", "1", "1", "1", "1"],       # bad year
        ["2025", "3", "Oost", "1", "2,5", "0", "1", "1", "1", "1", "0", "10", "1"],       # decimal count, hours without FTE
    ]
    url = upload(sw, csv_bytes(rows, encoding="cp1252"))
    data, labels, _ = mapping_form(sw, url)
    data = choose(data, labels, LABELS)
    response = sw.post(url, data=dict(data, action="commit"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert stored(app) == 0
    assert "6 van de 8 regels bevatten fouten" in html
    assert "U werkt niet in wijk Zuid." in html
    assert "Onbekende wijk: &#39;Nergenshuizen&#39;." in html
    assert "Er kunnen niet meer meldingen via het Sociaal Plein komen" in html
    assert "Binnen zes maanden afgesloten kan niet meer zijn" in html
    assert "Dezelfde wijk en periode staan ook op regel 2." in html
    assert "Jaar en tertiaal moeten getallen zijn" in html
    assert "Nieuwe meldingen: Vul een heel getal in (zonder komma)." in html
    assert "vul de FTE in" in html


def test_xlsx_and_comma_separated_utf8(app, login_as):
    from openpyxl import Workbook

    sw = login_as(Role.SOCIAAL_WERKER)
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append([2025, 1, "Oost", 10, 20, 5, 9, 7, 80, 55, 1.5, 400, 30])
    buffer = io.BytesIO()
    wb.save(buffer)
    url = upload(sw, buffer.getvalue(), "export.xlsx")
    data, labels, _ = mapping_form(sw, url)
    response = sw.post(url, data=dict(choose(data, labels, LABELS), action="commit"))
    assert response.status_code == 302
    with app.app_context():
        ret = db.session.scalar(sa.select(CountReturn))
        assert ret.meldingen == 20 and str(ret.fte) == "1.50" and ret.status == ReturnStatus.CONCEPT
    url = upload(sw, csv_bytes([["2025", "2", "Oost", "10", "20", "5", "9", "7", "80", "55", "1.5", "400", "30"]],
                               encoding="utf-8", sep=","))
    data, labels, _ = mapping_form(sw, url)
    assert sw.post(url, data=dict(choose(data, labels, LABELS), action="commit")).status_code == 302
    assert stored(app) == 2


def test_unreadable_uploads_and_missing_mapping(app, login_as):
    sw = login_as(Role.SOCIAAL_WERKER)
    for name, content, message in [
        ("foto.png", b"\x89PNG....", "Kies een CSV- of XLSX-bestand."),
        ("leeg.csv", b"Jaar;Wijk\r\n", "geen kopregel met daaronder gegevens"),
        ("kapot.xlsx", b"not a zip", "kon niet worden gelezen"),
    ]:
        response = sw.post("/tellen/import", data={"file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    url = upload(sw, csv_bytes(GOOD_ROWS))
    response = sw.post(url, data={"action": "preview"})  # nothing mapped
    assert response.status_code == 400
    assert "Koppel in elk geval de kolommen jaar, tertiaal en wijk." in response.get_data(as_text=True)
    assert stored(app) == 0
    # Tokens of other organisations or made-up tokens lead back to the upload step.
    response = sw.get("/tellen/import/../../etc/passwd")
    assert response.status_code in (302, 404)
    response = sw.get("/tellen/import/abcdefghijklmnopqrstuvwxyz")
    assert response.status_code == 302 and response.headers["Location"].endswith("/tellen/import")
    other = login_as(Role.SOCIAAL_WERKER, organisation="MEE")
    assert other.get(url).status_code == 302


def test_an_upload_may_carry_the_citywide_return(app, login_as):
    from .test_werkgebied import set_werkgebied

    set_werkgebied(login_as(Role.ADMIN), "Humanitas", {"Stedelijk": ("", "")})
    sw = login_as(Role.SOCIAAL_WERKER, organisation="Humanitas", wijken=[])
    rows = [["2025", "1", "stedelijk", "10", "20", "5", "9", "7", "80", "55", "1,5", "400", "30"]]
    url = upload(sw, csv_bytes(rows))
    data, labels, _ = mapping_form(sw, url)
    response = sw.post(url, data=dict(choose(data, labels, LABELS), action="commit"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        ret = db.session.scalar(sa.select(CountReturn))
        assert ret.wijk_id is None and ret.meldingen == 20
