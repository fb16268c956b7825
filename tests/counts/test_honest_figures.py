"""Honest headline figures (issue 18 §2): a first return's plausibility, unique clients summed
as an upper bound, a whole year to choose on the dashboard. Through the routes."""

from __future__ import annotations

import re

from monitor.models import Role

from .conftest import GOOD_FORM, as_dict, period, tables, wijk_id
from .test_workflow import _return as _stored


def test_a_first_return_is_checked_against_hours_per_fte_and_the_plan(app, login_as, plan):
    plan("Versa Welzijn", "buurtwerk", 2025, "10.0")  # 10 a week, spread over the eight wijken
    sw = login_as(Role.SOCIAAL_WERKER)
    with app.app_context():
        pid, oost = period(2025, 1).id, wijk_id("Oost")
        weeks = ((period(2025, 1).end - period(2025, 1).start).days + 1) / 7
    url = f"/tellen/opgave/{pid}/{oost}"
    # 300 + 200 hours with 4 FTE: about 7 hours a week per FTE; buurtwerk 300 against ~22 planned.
    data = dict(GOOD_FORM, fte="4", action="save")
    assert sw.post(url, data=data).status_code == 302  # warnings never block saving
    page = sw.get(url).get_data(as_text=True)
    per_week = f"{500 / (4 * weeks):.1f}".replace(".", ",")
    assert f"{per_week} uur per week per FTE is weinig" in page
    assert f"Begroot is ongeveer {round(10 * weeks / 8)} uur voor deze wijk" in page
    # Submitting needs an explanation, as for any warning.
    refused = sw.post(url, data=dict(data, action="submit"))
    assert refused.status_code == 400 and "licht ze toe voordat u indient" in refused.get_data(as_text=True)
    ok = sw.post(url, data=dict(data, action="submit", explanation="Nieuwe collega's in de wijk, nog in opleiding."))
    assert ok.status_code == 302
    # A plausible first return raises nothing.
    with app.app_context():
        zuid = wijk_id("Zuid")
    calm = dict(GOOD_FORM, uren__buurtwerk="20", uren__amw="20", fte="0,2", action="save")
    assert sw.post(f"/tellen/opgave/{pid}/{zuid}", data=calm).status_code == 403  # not her wijk
    sw2 = login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"])
    assert sw2.post(f"/tellen/opgave/{pid}/{zuid}", data=calm).status_code == 302
    page = sw2.get(f"/tellen/opgave/{pid}/{zuid}").get_data(as_text=True)
    assert "per FTE is weinig" not in page and "Begroot is ongeveer" not in page


def test_unique_clients_over_organisations_are_an_upper_bound(app, login_as, make_return):
    make_return("Versa Welzijn", "Oost", 2024, 3, unique_clients_year=30, meldingen=12)
    make_return("MEE", "Oost", 2024, 3, unique_clients_year=20, meldingen=12)
    with app.app_context():
        first, last, oost = period(2024, 1).id, period(2024, 3).id, wijk_id("Oost")
    ah = login_as(Role.ACCOUNTHOUDER)
    html = ah.get("/tellen/dashboard", query_string={"van": first, "tot": last}).get_data(as_text=True)
    unique = as_dict(tables(html)["tabel-uniek"])
    assert unique == {"2024": {"Unieke cliënten: som van de decemberopgaven (bovengrens)": "50"}}
    assert "Opgeteld over organisaties en wijken is het een bovengrens" in html
    # One organisation in one wijk: one December return, an exact count.
    from .conftest import org_id

    with app.app_context():
        versa = org_id("Versa Welzijn")
    one = ah.get("/tellen/dashboard", query_string={"van": first, "tot": last, "wijk": oost,
                                                    "organisatie": versa}).get_data(as_text=True)
    assert as_dict(tables(one)["tabel-uniek"]) == {"2024": {"Unieke cliënten (decemberopgave)": "30"}}


def test_the_dashboard_offers_a_whole_year(app, login_as, make_return):
    make_return("Versa Welzijn", "Oost", 2023, 2, meldingen=40, meldingen_sociaal_plein=10)
    make_return("Versa Welzijn", "Oost", 2024, 1, meldingen=30, meldingen_sociaal_plein=6)
    ah = login_as(Role.ACCOUNTHOUDER)
    html = ah.get("/tellen/dashboard").get_data(as_text=True)
    with app.app_context():
        ids = (period(2023, 1).id, period(2023, 3).id)
    link = re.search(r'href="(/tellen/dashboard\?[^"]*van=%d[^"]*tot=%d[^"]*)">2023<' % ids, html.replace("&amp;", "&"))
    assert link, "a link for the whole of 2023"
    year = ah.get(link.group(1)).get_data(as_text=True)
    counts = as_dict(tables(year)["tabel-aandelen"])
    assert list(counts) == ["mei 2023", "september 2023", "december 2023"]
    assert counts["september 2023"]["Meldingen (aantal)"] == "40"
    assert '<strong aria-current="page">2023</strong>' in year


def test_niet_geregistreerd_is_an_answer_of_its_own(app, login_as):
    sw = login_as(Role.SOCIAAL_WERKER)
    with app.app_context():
        pid, oost = period(2025, 3).id, wijk_id("Oost")
    url = f"/tellen/opgave/{pid}/{oost}"
    # December: unique clients over the year are asked. This organisation does not register
    # them, nor the contact moments: it ticks the box instead of typing a false 0.
    data = dict(GOOD_FORM, closed_contact_moments="", unique_clients_year="", action="submit")
    refused = sw.post(url, data=data)
    assert refused.status_code == 400
    assert "of vink ‘onbekend / niet geregistreerd’ aan" in refused.get_data(as_text=True)
    # A number and the box together: a Dutch error, the number kept in the form.
    both = sw.post(url, data=dict(data, closed_contact_moments="90", ng__closed_contact_moments="y"))
    html = both.get_data(as_text=True)
    assert both.status_code == 400 and "niet allebei" in html and 'value="90"' in html
    ok = sw.post(url, data=dict(data, ng__closed_contact_moments="y", ng__unique_clients_year="y"))
    assert ok.status_code == 302, ok.get_data(as_text=True)
    ret = _stored(app, pid, oost)
    assert ret.closed_contact_moments is None and ret.unique_clients_year is None
    assert ret.not_registered == ["closed_contact_moments", "unique_clients_year"]
    assert ret.volunteers == 12  # the other figures as typed
    detail = sw.get(f"/tellen/opgaven/{ret.id}").get_data(as_text=True)
    rows = {r[0]: r[1] for r in next(t for t in tables(detail).values()
                                     if any(r and r[0] == "Actieve vrijwilligers" for r in t))}
    assert rows["Contactmomenten van de afgesloten trajecten (totaal)"] == "niet geregistreerd"
    assert rows["Actieve vrijwilligers"] == "12"
    # Through the API: a list of names, returned as such.
    from .test_api import GOOD, bearer, create_token

    token = create_token(app, login_as(Role.ACCOUNTHOUDER))
    figures = {k: v for k, v in GOOD["figures"].items() if k != "closed_contact_moments"}
    api = app.test_client()
    created = api.post("/api/v1/returns", json=dict(GOOD, figures=figures, not_registered=["closed_contact_moments"],
                                                    submit=True), headers=bearer(token))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["not_registered"] == ["closed_contact_moments"] and body["figures"]["closed_contact_moments"] is None
    clash = api.post("/api/v1/returns", json=dict(GOOD, not_registered=["closed_contact_moments"]), headers=bearer(token))
    assert clash.status_code == 422
    assert {"field": "figures.closed_contact_moments",
            "message": "Een getal én 'niet geregistreerd' kan niet."} in clash.get_json()["error"]["errors"]


def test_closed_within_six_months_has_its_companions(app, login_as):
    sw = login_as(Role.SOCIAAL_WERKER)
    with app.app_context():
        pid, oost = period(2025, 1).id, wijk_id("Oost")
    url = f"/tellen/opgave/{pid}/{oost}"
    # 10 closed: 8 within six months, then 1 + 2 is one too many.
    bad = sw.post(url, data=dict(GOOD_FORM, closed_six_to_twelve_months="1", closed_over_a_year="2", action="save"))
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "De doorlooptijden samen (11) zijn meer dan het aantal afgesloten trajecten (10)." in text
    assert 'value="2"' in text  # nothing typed is lost
    short = sw.post(url, data=dict(GOOD_FORM, closed_six_to_twelve_months="1", closed_over_a_year="0", action="save"))
    assert "samen (9) moeten gelijk zijn aan de afgesloten trajecten (10)" in short.get_data(as_text=True)
    ok = sw.post(url, data=dict(GOOD_FORM, closed_six_to_twelve_months="1", closed_over_a_year="1",
                                running_at_end="14", waiting_list="3", action="submit"))
    assert ok.status_code == 302, ok.get_data(as_text=True)
    ret = _stored(app, pid, oost)
    assert (ret.closed_six_to_twelve_months, ret.closed_over_a_year, ret.running_at_end, ret.waiting_list) == (1, 1, 14, 3)
    # They are optional: an organisation without them still submits (the form above had them empty before).
    with app.app_context():
        zuid = wijk_id("Zuid")
    other = login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"])
    assert other.post(f"/tellen/opgave/{pid}/{zuid}", data=dict(GOOD_FORM, action="submit")).status_code == 302


def test_year_figures_are_asked_only_when_the_year_is_complete(app, login_as, make_return):
    from datetime import date

    sw = login_as(Role.SOCIAAL_WERKER)
    with app.app_context():
        open_year, oost = period(date.today().year, 3), wijk_id("Oost")
        done = period(2025, 3).id
    data = {k: v for k, v in GOOD_FORM.items()} | {"unique_clients_year": "", "action": "submit"}
    if open_year.start <= date.today() <= date(open_year.year, 12, 31):
        # This year's December return is due before the year ends: unique clients can wait.
        page = sw.get(f"/tellen/opgave/{open_year.id}/{oost}").get_data(as_text=True)
        assert "het jaar is nog niet voorbij" in page
        assert sw.post(f"/tellen/opgave/{open_year.id}/{oost}", data=data).status_code == 302
        ret = _stored(app, open_year.id, oost)
        refused = sw.post(f"/tellen/opgaven/{ret.id}/jaarcijfer", data={"unique_clients_year": "40"},
                          follow_redirects=True)
        assert "pas worden aangevuld als het jaar voorbij is" in refused.get_data(as_text=True)
        assert _stored(app, open_year.id, oost).unique_clients_year is None
    # Once the year is over the figure is required in a December return ...
    assert sw.post(f"/tellen/opgave/{done}/{oost}", data=data).status_code == 400
    # ... and one submitted before the year ended gets it added on its page.
    with app.app_context():
        zuid = wijk_id("Zuid")
    ret_id = make_return("Versa Welzijn", "Zuid", 2025, 3, status="goedgekeurd", meldingen=5)
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"])
    page = worker.get(f"/tellen/opgaven/{ret_id}").get_data(as_text=True)
    assert "Jaarcijfer aanvullen" in page
    bad = worker.post(f"/tellen/opgaven/{ret_id}/jaarcijfer", data={"unique_clients_year": "veel"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Vul een getal in" in bad and _stored(app, done, zuid).unique_clients_year is None
    assert worker.post(f"/tellen/opgaven/{ret_id}/jaarcijfer", data={"unique_clients_year": "41"}).status_code == 302
    assert _stored(app, done, zuid).unique_clients_year == 41
    assert "Jaarcijfer aanvullen" not in worker.get(f"/tellen/opgaven/{ret_id}").get_data(as_text=True)
    again = worker.post(f"/tellen/opgaven/{ret_id}/jaarcijfer", data={"unique_clients_year": "50"}, follow_redirects=True)
    assert "al ingevuld" in again.get_data(as_text=True) and _stored(app, done, zuid).unique_clients_year == 41
    # Another organisation's worker cannot.
    other = login_as(Role.SOCIAAL_WERKER, organisation="MEE", wijken=["Zuid"])
    assert other.post(f"/tellen/opgaven/{ret_id}/jaarcijfer", data={"unique_clients_year": "1"}).status_code == 403


def test_a_first_return_is_compared_with_the_other_organisations_in_the_wijk(app, login_as, make_return):
    """Hours per closed trajectory ten times what two other organisations in the wijk report:
    a warning that names no figure of theirs; with only one other organisation, none."""
    make_return("MEE", "Oost", 2025, 1, meldingen=30, closed_total=10, closed_hours=60)
    sw = login_as(Role.SOCIAAL_WERKER)
    with app.app_context():
        pid, oost = period(2025, 1).id, wijk_id("Oost")
    url = f"/tellen/opgave/{pid}/{oost}"
    odd = dict(GOOD_FORM, closed_hours="600", action="save")  # 60 hours per trajectory
    assert sw.post(url, data=odd).status_code == 302
    assert "wijkt sterk af van wat de andere organisaties" not in sw.get(url).get_data(as_text=True)
    make_return("Kwintes", "Oost", 2025, 1, meldingen=20, closed_total=8, closed_hours=56)
    page = sw.get(url).get_data(as_text=True)
    assert "Het aantal uren per afgesloten traject (60) wijkt sterk af" in page
    assert "(6)" not in page and "(7)" not in page  # no figure of the others
    calm = dict(GOOD_FORM, action="save")  # 6 hours per trajectory, like the others
    assert sw.post(url, data=calm).status_code == 302
    assert "wijkt sterk af" not in sw.get(url).get_data(as_text=True)
