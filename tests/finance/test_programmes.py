"""Geld en effect: an accounthouder enters the council letter's figures in the browser
and the letter's tables can be read off the programme page; outsiders see them protected."""

from __future__ import annotations

import html as htmllib
import random
import re

import pytest
import sqlalchemy as sa

from monitor.disclosure import sensitive
from monitor.extensions import db
from monitor.finance.figures import PARTS, Party, hidden_parties
from monitor.finance.models import Programme, ProgrammeResult
from monitor.models import AuditEvent, Role

from ..conftest import get_org, get_wijk


def _html(response) -> str:
    return response.get_data(as_text=True)


def _cells(html: str, row_label: str) -> list[str]:
    """The cells of the table row whose header starts with ``row_label`` (text only)."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        header = re.search(r"<th[^>]*>(.*?)</th>", row, re.S)
        if header and re.sub(r"<[^>]+>", "", header.group(1)).strip().startswith(row_label):
            return [htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c))).strip()
                    for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no row {row_label!r}")


def _programme(app, ah) -> int:
    response = ah.post("/programmas/nieuw", data={
        "name": "Begeleiding in de Wijk", "description": "Algemene voorziening.",
        "start_date": "01-11-2019", "end_date": ""})
    assert response.status_code == 302, _html(response)
    with app.app_context():
        return db.session.scalar(sa.select(Programme.id))


def _ids(app) -> dict:
    with app.app_context():
        return {"Versa": get_org("Versa Welzijn").id, "MEE": get_org("MEE").id,
                "Kwintes": get_org("Kwintes").id, "Oost": get_wijk("Oost").id,
                "Zuidwest": get_wijk("Zuidwest").id, "Noordoost": get_wijk("Noordoost").id}


def _letter(app, ah, pid: int, ids: dict) -> None:
    """Source 001's figures, typed as an accounthouder would."""
    for wijk, start in (("Oost", "01-11-2019"), ("Zuidwest", "01-11-2019"), ("Noordoost", "01-06-2020")):
        assert ah.post(f"/programmas/{pid}/wijk", data={"wijk_id": ids[wijk], "start_date": start}).status_code == 302
    assert ah.post(f"/programmas/{pid}/deelnemer", data={
        "organisation_id": ids["Versa"], "start_date": "01-11-2019", "role": "maatschappelijk werk"}).status_code == 302
    base = {"date_from": "01-11-2019", "date_to": "31-12-2020", "party": "", "note": "",
            "contacts_per_closed": ""}
    for data in ({"organisation_id": ids["Versa"], "meldingen": "248", "via_sociaal_plein": "82", "closed": "146",
                  "closed_within_six_months": "124", "hours_per_closed": "6", "contacts_per_closed": "9"},
                 {"organisation_id": ids["MEE"], "meldingen": "212", "via_sociaal_plein": "17", "closed": "153",
                  "closed_within_six_months": "133", "hours_per_closed": "7"},
                 {"organisation_id": "", "party": "Kwintes en Sherpa samen", "date_from": "01-11-2020",
                  "meldingen": "14", "via_sociaal_plein": "", "closed": "", "closed_within_six_months": "",
                  "hours_per_closed": ""}):
        response = ah.post(f"/programmas/{pid}/resultaat", data={**base, **data})
        assert response.status_code == 302, _html(response)
    for description, org, spent in (("Aanvullende subsidie Versa", ids["Versa"], "170.000,00"),
                                    ("Extra capaciteit Wmo", "", "20.250"),
                                    ("Onderzoek en advies", "", "€ 62.361")):
        response = ah.post(f"/programmas/{pid}/geld", data={
            "year": "2020", "description": description, "organisation_id": org, "budget": "",
            "forecast": "", "substitution": "", "spent": spent})
        assert response.status_code == 302, _html(response)
    assert ah.post(f"/programmas/{pid}/geld", data={
        "year": "2020", "description": "Budget voor de inrichting", "organisation_id": "",
        "budget": "350.000", "forecast": "", "substitution": "", "spent": ""}).status_code == 302
    response = ah.post(f"/programmas/{pid}/sociaal-plein", data={
        "date_from": "01-11-2020", "date_to": "20-01-2021", "reviewed": "53", "discussed": "8",
        "combined_offer": "2", "not_suitable": "2", "scaled_down_later": "2", "scaled_down_now": "2",
        "reduced_indications": "6", "hours_saved": "7,5", "wmo_and_wijk": "3", "not_extended": "7", "note": ""})
    assert response.status_code == 302, _html(response)


def test_the_letters_tables_can_be_read_off_the_programme_page(app, login_as):
    ah = login_as(Role.ACCOUNTHOUDER)
    pid = _programme(app, ah)
    _letter(app, ah, pid, _ids(app))
    full = _html(ah.get(f"/programmas/{pid}"))
    assert _cells(full, "Noordoost")[0] == "1 juni 2020"
    page = full.split('id="resultaten"')[1]
    versa = _cells(page, "Versa Welzijn")
    # meldingen, via SP (share), closed, within six months (share), longer, running, hours …
    assert versa[1:8] == ["248", "82 (33,1%)", "146", "124 (84,9%)", "22", "102", "6,0"]
    assert versa[8] == "876"  # 146 closed × 6 hours: the total the worker no longer computes
    mee = _cells(page, "MEE")
    assert mee[1:7] == ["212", "17 (8,0%)", "153", "133 (86,9%)", "20", "59"]
    total = _cells(page, "Totaal*")
    assert total[1] == "474"  # Versa, MEE, Kwintes and Sherpa: the letter's 474
    assert total[3] == "299" and total[6] == "—"  # running is unknown where closure is not registered
    assert "niet geregistreerd, niet nul" in page
    # Money and derived cost: Versa's subsidy over its closed trajectories and their hours.
    assert "€ 252.611,00" in page and "€ 350.000,00" in page
    costs = page.split('id="kosten"')[1]
    assert _cells(costs, "Versa Welzijn") == ["€ 170.000,00", "€ 1.164,38", "€ 194,06"]
    # The Sociaal Plein's look at ending indications, unprotected for the municipality.
    plein = page.split('id="sociaal-plein"')[1]
    assert _cells(plein, "Meldingen bekeken") == ["53"]
    assert _cells(plein, "— binnen zes maanden afgeschaald") == ["2"]
    assert _cells(plein, "Uren minder toegekend") == ["7,5"]
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("programma.%"))))
    assert {"programma.aanmaken", "programma.resultaat_invoeren", "programma.bedrag_invoeren"} <= actions


def test_council_member_sees_small_counts_protected_and_cannot_enter(app, login_as):
    ah = login_as(Role.ACCOUNTHOUDER)
    pid = _programme(app, ah)
    _letter(app, ah, pid, _ids(app))
    raad = login_as(Role.RAADSLID)
    page = _html(raad.get(f"/programmas/{pid}")).split('id="resultaten"')[1]
    assert _cells(page, "Versa Welzijn")[1] == "248"
    plein = page.split('id="sociaal-plein"')[1]
    assert _cells(plein, "Met de wijk besproken") == ["8"]
    for label in ("— combinatie", "— niet geschikt", "— binnen zes maanden", "— geen nieuwe indicatie",
                  "Niet besproken: inzet van Wmo en wijk"):
        assert _cells(plein, label) == ["<5"], label
    assert "Programma toevoegen" not in _html(raad.get("/programmas/"))
    assert raad.post(f"/programmas/{pid}/resultaat", data={"meldingen": "1"}).status_code == 403
    assert raad.get(f"/programmas/{pid}/geld").status_code == 403
    worker = login_as(Role.SOCIAAL_WERKER)
    assert worker.get(f"/programmas/{pid}").status_code == 200
    assert worker.post(f"/programmas/{pid}/resultaat/1/verwijderen").status_code == 403


def test_a_small_count_cannot_be_recovered_from_totals_or_costs(app, login_as):
    """Versa's line hides 3 still-running trajectories: the total, the other lines and the
    cost per trajectory must not give it back (to the raad, nor to a worker of MEE)."""
    ah = login_as(Role.ACCOUNTHOUDER)
    pid = _programme(app, ah)
    ids = _ids(app)
    base = {"date_from": "01-01-2021", "date_to": "31-12-2021", "party": "", "note": "",
            "via_sociaal_plein": "", "hours_per_closed": "5", "contacts_per_closed": ""}
    for org, m, c, w in (("Versa", "50", "47", "30"), ("MEE", "100", "60", "40"), ("Kwintes", "80", "70", "50")):
        assert ah.post(f"/programmas/{pid}/resultaat", data={
            **base, "organisation_id": ids[org], "meldingen": m, "closed": c,
            "closed_within_six_months": w}).status_code == 302
    assert ah.post(f"/programmas/{pid}/geld", data={
        "year": "2021", "description": "Subsidie Versa", "organisation_id": ids["Versa"], "budget": "",
        "forecast": "", "substitution": "", "spent": "47.000"}).status_code == 302
    raad = login_as(Role.RAADSLID)
    page = _html(raad.get(f"/programmas/{pid}")).split('id="resultaten"')[1]
    versa = _cells(page, "Versa Welzijn")
    assert versa[1:7] == ["<5", "—", "<5", "<5", "<5", "<5"] and "47" not in " ".join(versa)
    costs = page.split('id="kosten"')[1]
    assert _cells(costs, "Versa Welzijn")[1:] == ["—", "—"]  # 47.000 / cost would give 47 closed
    lines = {name: _cells(page, name) for name in ("MEE", "Kwintes")}
    total = _cells(page, "Totaal")
    # Hiding Versa alone: total minus the others gives it back. Hiding MEE as well: a worker of
    # MEE subtracts MEE's own figures. So all three lines go, and the total (the programme's
    # figure for the raad) stays, from which no single party can be isolated.
    assert all(cells[1] == "×" and cells[3] == "×" for cells in lines.values())
    assert total[1] == "230" and total[3] == "177"
    # The accounthouder sees everything as entered.
    assert _cells(_html(ah.get(f"/programmas/{pid}")).split('id="resultaten"')[1], "Versa Welzijn")[1:7] == ["50", "—", "47", "30 (63,8%)", "17", "3"]


def test_hiding_rule_holds_for_every_attacker_on_random_programmes():
    rng = random.Random(18)
    for _ in range(400):
        parties = []
        for i in range(rng.randint(1, 5)):
            m = rng.choice([0, 1, 3, 6, 12, 40, 200])
            c = rng.randint(0, m)
            w = rng.randint(0, c)
            v = rng.choice([None, rng.randint(0, m)])
            parties.append(Party(f"p{i}", i, None, None, meldingen=m, via_sp=v, closed=c, within=w))
        hidden, totals = hidden_parties(parties)
        parts = [p.parts() for p in parties]
        for i, pp in enumerate(parts):
            if any(sensitive(v) for v in pp.values()):
                assert i in hidden
        if totals and hidden:
            for attacker in [None, *hidden]:
                others = hidden - {attacker}
                if others:
                    assert len(others) >= 2
                    for key in PARTS:
                        assert not sensitive(sum(parts[i][key] or 0 for i in others))


def test_bad_input_gets_a_dutch_message_and_keeps_what_was_typed(app, login_as):
    ah = login_as(Role.ACCOUNTHOUDER)
    pid = _programme(app, ah)
    ids = _ids(app)
    response = ah.post(f"/programmas/{pid}/geld", data={
        "year": "2020", "description": "Subsidie", "organisation_id": "", "budget": "12,345",
        "forecast": "", "substitution": "", "spent": ""})
    assert response.status_code == 400
    assert "hoogstens twee cijfers achter de komma" in _html(response) and 'value="12,345"' in _html(response)
    response = ah.post(f"/programmas/{pid}/resultaat", data={
        "organisation_id": ids["Versa"], "party": "", "date_from": "01-01-2021", "date_to": "31-12-2021",
        "meldingen": "20", "via_sociaal_plein": "", "closed": "10", "closed_within_six_months": "12",
        "hours_per_closed": "6,5", "contacts_per_closed": "", "note": "eerste jaar"})
    assert response.status_code == 400
    html = _html(response)
    assert "Binnen zes maanden afgesloten kan niet meer zijn" in html
    assert 'value="6,5"' in html and "eerste jaar" in html and 'value="12"' in html
    response = ah.post(f"/programmas/{pid}/resultaat", data={
        "organisation_id": "", "party": "", "date_from": "31-12-2021", "date_to": "01-01-2021",
        "meldingen": "abc"})
    assert response.status_code == 400 and "Vul een getal in." in _html(response)
    response = ah.post(f"/programmas/{pid}/sociaal-plein", data={
        "date_from": "01-11-2020", "date_to": "20-01-2021", "reviewed": "5", "discussed": "8"})
    assert response.status_code == 400 and "niet meer meldingen besproken" in _html(response)
    assert ah.post("/programmas/nieuw", data={"name": "Begeleiding in de wijk", "start_date": "01-01-2020"}
                   ).status_code == 400  # same name, other case
    assert ah.get("/programmas/999").status_code == 404


def test_removing_a_line_asks_first_and_is_logged(app, login_as):
    ah = login_as(Role.ACCOUNTHOUDER)
    pid = _programme(app, ah)
    _letter(app, ah, pid, _ids(app))
    page = _html(ah.get(f"/programmas/{pid}"))
    assert "Ja, verwijderen" in page and "kan niet ongedaan worden gemaakt" in page
    with app.app_context():
        result_id = db.session.scalar(sa.select(ProgrammeResult.id).where(ProgrammeResult.party == "MEE"))
    assert ah.post(f"/programmas/{pid}/resultaat/{result_id}/verwijderen").status_code == 302
    assert "212" not in _html(ah.get(f"/programmas/{pid}"))
    assert ah.post(f"/programmas/{pid}/resultaat/{result_id}/verwijderen").status_code == 302  # gone: a message
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.id).where(
            AuditEvent.action == "programma.resultaat_verwijderen")) is not None


@pytest.mark.parametrize("path", ["/programmas/", "/programmas/nieuw"])
def test_an_empty_installation_starts_from_the_list(login_as, path):
    ah = login_as(Role.ACCOUNTHOUDER)
    response = ah.get(path)
    assert response.status_code == 200
    assert "Programma" in _html(response)


def test_a_form_sent_with_only_the_required_fields_is_accepted(app, login_as):
    """A browser (or a script) may leave out optional fields altogether: no 500."""
    ah = login_as(Role.ACCOUNTHOUDER)
    assert ah.post("/programmas/nieuw", data={"name": "Pilot", "start_date": "01-01-2026"}).status_code == 302
    with app.app_context():
        pid = db.session.scalar(sa.select(Programme.id))
        versa = get_org("Versa Welzijn").id
    assert ah.post(f"/programmas/{pid}/deelnemer", data={"organisation_id": versa}).status_code == 302
    assert ah.post(f"/programmas/{pid}/resultaat", data={
        "organisation_id": versa, "date_from": "01-01-2026", "date_to": "30-04-2026", "meldingen": "7"}).status_code == 302
    assert ah.post(f"/programmas/{pid}/geld", data={"year": "2026", "description": "Subsidie",
                                                    "spent": "1.000"}).status_code == 302
