"""No double entry: a registration export (one row per melding or trajectory) is counted
into the returns of one period, per wijk, and no row-level data stays behind."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from monitor.counts.models import CountReturn, ImportMapping, ReturnStatus
from monitor.extensions import db
from monitor.models import Role

from .conftest import period, wijk_id

HEADER = ["Meldnr", "Startdatum", "Wijk", "Dienst", "Einddatum", "Uren", "Contacten", "Verwijzer", "Cliëntnr"]
ROWS = [
    ["M1", "05-01-2025", "Oost", "individuele_ondersteuning", "20-03-2025", "6,5", "9", "Sociaal Plein", "C1"],
    ["M2", "10-02-2025", "Oost", "Individuele ondersteuning (maatschappelijk werk)", "", "", "", "huisarts", "C2"],
    ["M3", "15-09-2024", "oost", "individuele_ondersteuning", "20-04-2025", "10", "12", "zelf", "C1"],
    ["M4", "01-06-2025", "Oost", "individuele_ondersteuning", "", "", "", "", "C3"],
    ["M5", "03-03-2025", "Hilversumse Meent", "", "", "", "", "sociaal plein", "C9"],
]
MAP = {"map_melddatum": "Startdatum", "map_wijk": "Wijk", "map_dienst": "Dienst", "map_afsluitdatum": "Einddatum",
       "map_uren": "Uren", "map_contactmomenten": "Contacten", "map_verwijzer": "Verwijzer",
       "map_client": "Cliëntnr"}


def _csv(rows) -> bytes:
    return "\r\n".join(";".join(r) for r in [HEADER, *rows]).encode("utf-8-sig")


def _upload(client, data: bytes) -> str:
    response = client.post("/tellen/registratie", data={"file": (io.BytesIO(data), "export.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _period_id(app, year=2025, tertial=1) -> int:
    with app.app_context():
        return period(year, tertial).id


def _return(app, wijk: str) -> CountReturn | None:
    with app.app_context():
        ret = db.session.scalar(sa.select(CountReturn).where(CountReturn.wijk_id == wijk_id(wijk)))
        if ret is not None:
            db.session.expunge(ret)
        return ret


def test_rows_are_counted_per_wijk_and_merged_into_concept_returns(app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER)  # Versa Welzijn, Oost and Hilversumse Meent
    # An existing concept for Oost keeps the figures the export does not have.
    assert worker.post(f"/tellen/opgave/{_period_id(app)}/{_wijk(app, 'Oost')}", data={
        "volunteers": "12", "action": "save"}).status_code in (200, 302)
    url = _upload(worker, _csv(ROWS))
    page = worker.get(url).get_data(as_text=True)
    assert 'value="Startdatum" selected' in page and 'value="Einddatum" selected' in page  # suggested by name
    preview = worker.post(url, data={**MAP, "period": _period_id(app), "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "5 regels gelezen; 0 met fouten; 1 zonder iets in deze periode" in html
    assert _return(app, "Hilversumse Meent") is None  # a dry run stores nothing
    response = worker.post(url, data={**MAP, "period": _period_id(app), "action": "commit"})
    assert response.status_code == 302, response.get_data(as_text=True)
    oost, meent = _return(app, "Oost"), _return(app, "Hilversumse Meent")
    # M1 and M2 started in January–April; M1 and M3 closed in it, only M1 within six months.
    assert (oost.meldingen, oost.meldingen_sociaal_plein, oost.closed_total, oost.closed_within_six_months) == (2, 1, 2, 1)
    assert (oost.closed_hours, oost.closed_contact_moments) == (17, 21)  # 6,5 + 10 rounded; 9 + 12
    # M3 took seven months; M2 still runs at the end of April (M4 begins later).
    assert (oost.closed_six_to_twelve_months, oost.closed_over_a_year, oost.running_at_end) == (1, 0, 1)
    with app.app_context():
        ret = db.session.get(CountReturn, oost.id)
        assert {c.service_type.code: c.clients for c in ret.clients} == {"individuele_ondersteuning": 2}  # C1 once
        assert ret.status == ReturnStatus.CONCEPT and ret.volunteers == 12
    assert (meent.meldingen, meent.meldingen_sociaal_plein, meent.closed_total) == (1, 1, 0)
    # The file is gone, and nothing of its rows is stored: only the column names of the mapping.
    assert worker.get(url).status_code == 302
    with app.app_context():
        saved = db.session.scalar(sa.select(ImportMapping.mapping))
    assert saved["registratie:melddatum"] == "Startdatum" and "C1" not in str(saved)
    # Next month's export: the saved mapping is proposed again.
    page = worker.get(_upload(worker, _csv(ROWS[:1]))).get_data(as_text=True)
    assert 'value="Cliëntnr" selected' in page


def _wijk(app, name: str) -> int:
    with app.app_context():
        return wijk_id(name)


def test_unreadable_rows_are_listed_and_nothing_is_stored(app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER)
    bad = [
        ["M1", "35-01-2025", "Oost", "", "", "", "", "", ""],
        ["M2", "05-01-2025", "Atlantis", "", "", "", "", "", ""],
        ["M3", "05-01-2025", "Zuid", "", "", "", "", "", ""],
        ["M4", "05-03-2025", "Oost", "", "01-02-2025", "", "", "", ""],
        ["M5", "05-01-2025", "Oost", "bestaat_niet", "", "veel", "2,5", "", ""],
        ["M6", "05-01-2025", "Oost", "", "", "", "", "", ""],
    ]
    url = _upload(worker, _csv(bad))
    response = worker.post(url, data={**MAP, "period": _period_id(app), "action": "commit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in ("melddatum &#39;35-01-2025&#39; is geen datum", "onbekende wijk &#39;Atlantis&#39;",
                 "u werkt niet in wijk Zuid", "afgesloten vóór de melddatum", "onbekende dienst",
                 "uren &#39;veel&#39; is geen getal", "contactmomenten &#39;2,5&#39; is geen heel getal"):
        assert text in html, text
    assert re.search(r">\s*2\s*</th>", html)  # the line number of the first bad row
    assert _return(app, "Oost") is None
    # Without melddatum or wijk mapped the page says what is missing, and keeps the choices.
    response = worker.post(url, data={**MAP, "map_wijk": "", "period": _period_id(app), "action": "preview"})
    assert response.status_code == 400
    assert "Koppel in elk geval de kolommen melddatum en wijk" in response.get_data(as_text=True)
    assert 'value="Startdatum" selected' in response.get_data(as_text=True)


def test_another_organisations_worker_cannot_use_the_file(app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER)
    url = _upload(worker, _csv(ROWS))
    other = login_as(Role.SOCIAAL_WERKER, organisation="MEE")
    assert other.get(url).status_code == 302  # "not available": the token is per organisation
    assert login_as(Role.RAADSLID).get("/tellen/registratie").status_code == 403
