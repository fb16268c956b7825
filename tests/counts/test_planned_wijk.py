"""Planned hours per wijk where the budget is per wijk (issue 18 §2): entered in the browser,
never more than the organisation's total, used by the wijk dashboard and a first return."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.counts.planned_wijk import PlannedWijkHours
from monitor.extensions import db
from monitor.models import Role

from .conftest import GOOD_FORM, as_dict, org_id, period, spec_id, tables, wijk_id
from .test_dashboard import DAYS, nl


def _ids(app):
    with app.app_context():
        return {"versa": org_id("Versa Welzijn"), "oost": wijk_id("Oost"), "meent": wijk_id("Hilversumse Meent"),
                "buurtwerk": spec_id("buurtwerk"), "amw": spec_id("amw")}


def test_the_accounthouder_splits_the_budget_and_the_wijk_dashboard_uses_it(app, login_as, make_return, plan):
    plan("Versa Welzijn", "buurtwerk", 2024, "40.0")
    make_return("Versa Welzijn", "Oost", 2024, 1, meldingen=20, fte="1.0", hours={"buurtwerk": 500})
    make_return("MEE", "Oost", 2024, 1, meldingen=5, fte="0.5", hours={"amw": 30})
    ah = login_as(Role.ACCOUNTHOUDER)
    ids = _ids(app)
    url = f"/tellen/begroting?organisatie={ids['versa']}&jaar=2024"
    page = ah.get(url).get_data(as_text=True)
    assert "Per wijk (als de begroting per wijk is)" in page and f'name="w_{ids["oost"]}_{ids["buurtwerk"]}"' in page
    # More than the organisation's 40 hours a week over the wijken: refused, typed kept.
    over = {"deel": "wijken", f"w_{ids['oost']}_{ids['buurtwerk']}": "30", f"w_{ids['meent']}_{ids['buurtwerk']}": "15"}
    refused = ah.post(url, data=over)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "zijn meer dan de begrote uren van de organisatie (40)" in html
    assert 'value="15"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PlannedWijkHours.id))) == 0
    ok = {"deel": "wijken", f"w_{ids['oost']}_{ids['buurtwerk']}": "30", f"w_{ids['meent']}_{ids['buurtwerk']}": "5"}
    assert ah.post(url, data=ok).status_code == 302
    # The organisation-wide budget is untouched by the split form.
    assert 'value="40,0"' in ah.get(url).get_data(as_text=True) or 'value="40"' in ah.get(url).get_data(as_text=True)
    with app.app_context():
        query = {"van": period(2024, 1).id, "tot": period(2024, 3).id, "perspectief": "wijk", "wijk": ids["oost"]}
    dashboard = ah.get("/tellen/dashboard", query_string=query).get_data(as_text=True)
    hours = as_dict(tables(dashboard)["tabel-uren"])
    assert hours["mei 2024"] == {"Gerealiseerde uren": "530", "Begrote uren": nl(30.0 * DAYS[1] / 7)}
    assert "de verdeling per wijk van Versa Welzijn" in dashboard and "tellen in de begrote uren niet mee" in dashboard


def test_a_first_return_is_checked_against_its_wijks_split(app, login_as, plan):
    plan("Versa Welzijn", "buurtwerk", 2025, "40.0")
    ah = login_as(Role.ACCOUNTHOUDER)
    ids = _ids(app)
    url = f"/tellen/begroting?organisatie={ids['versa']}&jaar=2025"
    assert ah.post(url, data={"deel": "wijken", f"w_{ids['oost']}_{ids['buurtwerk']}": "2"}).status_code == 302
    sw = login_as(Role.SOCIAAL_WERKER)
    with app.app_context():
        pid = period(2025, 1).id
        weeks = ((period(2025, 1).end - period(2025, 1).start).days + 1) / 7
    assert sw.post(f"/tellen/opgave/{pid}/{ids['oost']}", data=dict(GOOD_FORM, action="save")).status_code == 302
    page = sw.get(f"/tellen/opgave/{pid}/{ids['oost']}").get_data(as_text=True)
    assert f"Begroot is ongeveer {round(2 * weeks)} uur voor deze wijk in deze periode (volgens de verdeling" in page
