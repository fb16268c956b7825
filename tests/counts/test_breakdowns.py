"""Breakdowns of the new meldingen: entered per return, adding up (or marked not
registered), read per year — exact inside, protected for the raad."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from monitor.counts.breakdowns import ReturnBreakdown
from monitor.counts.models import ReturnStatus
from monitor.disclosure import sensitive
from monitor.extensions import db
from monitor.models import AuditEvent, Role

from .conftest import period, tables, wijk_id

YEAR = 2025


def _ids(app, wijk="Oost"):
    with app.app_context():
        return period(YEAR, 1).id, wijk_id(wijk)


def _form(**dims) -> dict[str, str]:
    data = {}
    for dim, cells in dims.items():
        for code, value in cells.items():
            data[f"{dim}__{code}"] = value
    return data


DOELGROEP = {"lvb": "3", "auditief": "0", "autisme": "10", "nah": "0", "ggz": "0", "ouderen": "0",
             "geen": "0", "onbekend": "7"}
VERWIJZER = {"sociaal_plein": "6", "huisarts": "4", "woningcorporatie": "0", "zelf": "8", "onderwijs": "0",
             "veiligheid": "0", "overig": "0", "onbekend": "2"}
LEEFGEBIED = {"geestelijke_gezondheid": "12", "huiselijke_relaties": "9", "huisvesting": "15", "financien": "18",
              "dagbesteding": "4", "werk": "3", "overig": "0", "onbekend": "1"}


def test_worker_splits_the_meldingen_and_an_unregistered_dimension_stays_empty(app, make_return, login_as):
    worker = login_as(Role.SOCIAAL_WERKER)  # Versa Welzijn, Oost
    ret_id = make_return("Versa Welzijn", "Oost", YEAR, 1, status=ReturnStatus.CONCEPT, meldingen=20,
                         meldingen_sociaal_plein=6)
    pid, wid = _ids(app)
    url = f"/tellen/opgave/{pid}/{wid}/uitsplitsing"
    page = worker.get(url).get_data(as_text=True)
    assert "Doelgroep: Hoeveel van de nieuwe meldingen per doelgroep?" in page  # the legend asks the question
    response = worker.post(url, data=_form(doelgroep=DOELGROEP, verwijzer=VERWIJZER, leefgebied=LEEFGEBIED))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        cells = {(b.dimension, b.category): b.count for b in db.session.scalars(
            sa.select(ReturnBreakdown).where(ReturnBreakdown.return_id == ret_id))}
        audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "count_return.breakdown"))
    assert cells[("doelgroep", "lvb")] == 3 and cells[("doelgroep", "auditief")] == 0
    assert cells[("leefgebied", "financien")] == 18  # several leefgebieden per melding: more than 20 in all
    assert not any(d == "leeftijdsgroep" for d, _ in cells)  # niet geregistreerd, not zeros
    assert "Doelgroep" in audit.new_values and "doelgroep" not in audit.new_values  # Dutch in the audit trail
    # The page shows what is stored; 0 stays 0 and an unregistered dimension stays empty.
    page = worker.get(url).get_data(as_text=True)
    assert 'id="doelgroep__auditief" name="doelgroep__auditief" value="0"' in page
    assert 'id="leeftijdsgroep__80+" name="leeftijdsgroep__80+" value=""' in page


@pytest.mark.parametrize("change, message", [
    ({"doelgroep__onbekend": ""}, "Vul bij elke categorie een aantal in"),
    ({"doelgroep__onbekend": "6"}, "De categorieën tellen op tot 19, maar de opgave heeft 20 nieuwe meldingen"),
    ({"verwijzer__sociaal_plein": "5", "verwijzer__onbekend": "3"}, "moet gelijk zijn aan"),
    ({"leefgebied__financien": "21"}, "Financiën: meer dan de 20 nieuwe meldingen"),
    ({"doelgroep__lvb": "drie"}, "Vul een getal in"),
    ({"doelgroep__lvb": "-1"}, "niet negatief"),
])
def test_a_breakdown_that_does_not_fit_is_refused_and_kept_as_typed(app, make_return, login_as, change, message):
    worker = login_as(Role.SOCIAAL_WERKER)
    make_return("Versa Welzijn", "Oost", YEAR, 1, status=ReturnStatus.CONCEPT, meldingen=20,
                meldingen_sociaal_plein=6)
    pid, wid = _ids(app)
    data = {**_form(doelgroep=DOELGROEP, verwijzer=VERWIJZER, leefgebied=LEEFGEBIED), **change}
    response = worker.post(f"/tellen/opgave/{pid}/{wid}/uitsplitsing", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    key, value = next(iter(change.items()))
    assert f'name="{key}" value="{value}"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ReturnBreakdown.id))) == 0


def test_changing_the_meldingen_afterwards_is_flagged_and_locked_returns_refuse(app, make_return, login_as):
    worker = login_as(Role.SOCIAAL_WERKER)
    make_return("Versa Welzijn", "Oost", YEAR, 1, status=ReturnStatus.CONCEPT, meldingen=20,
                meldingen_sociaal_plein=6)
    pid, wid = _ids(app)
    assert worker.post(f"/tellen/opgave/{pid}/{wid}/uitsplitsing", data=_form(doelgroep=DOELGROEP)).status_code == 302
    with app.app_context():
        from monitor.counts.models import CountReturn
        ret = db.session.scalar(sa.select(CountReturn))
        ret.meldingen = 22
        db.session.commit()
    page = worker.get(f"/tellen/opgave/{pid}/{wid}").get_data(as_text=True)
    assert "De uitsplitsing past niet meer bij de opgave" in page and "tellen op tot 20" in page
    with app.app_context():
        ret = db.session.scalar(sa.select(CountReturn))
        ret.status = ReturnStatus.GOEDGEKEURD
        db.session.commit()
    response = worker.post(f"/tellen/opgave/{pid}/{wid}/uitsplitsing", data=_form(doelgroep=DOELGROEP))
    assert response.status_code == 200 and "kan niet meer worden gewijzigd" in response.get_data(as_text=True)
    # No return yet for a wijk: first the return.
    _, zuid = _ids(app, "Hilversumse Meent")
    assert worker.get(f"/tellen/opgave/{pid}/{zuid}/uitsplitsing").status_code == 302


def _approved_with_breakdowns(app, make_return):
    a = make_return("Versa Welzijn", "Oost", YEAR, 1, meldingen=20, meldingen_sociaal_plein=6)
    b = make_return("MEE", "Zuid", YEAR, 2, meldingen=20, meldingen_sociaal_plein=0)
    with app.app_context():
        for ret, cells in ((a, {"lvb": 3, "autisme": 10, "onbekend": 7}), (b, {"autisme": 8, "ggz": 12})):
            for code in ("lvb", "auditief", "autisme", "nah", "ggz", "ouderen", "geen", "onbekend"):
                db.session.add(ReturnBreakdown(return_id=ret, dimension="doelgroep", category=code,
                                               count=cells.get(code, 0)))
        db.session.commit()


def _rows(html: str) -> dict[str, list[str]]:
    table = next(rows for name, rows in tables(html).items() if name.startswith("Doelgroep"))
    return {r[0]: r[1:] for r in table[1:]}


def test_accounthouder_sees_exact_figures_per_wijk(app, make_return, login_as):
    _approved_with_breakdowns(app, make_return)
    rows = _rows(login_as(Role.ACCOUNTHOUDER).get(f"/tellen/uitsplitsing?dimensie=doelgroep&jaar={YEAR}")
                 .get_data(as_text=True))
    assert rows["Licht verstandelijke beperking (LVB)"][0] == "3"
    assert rows["Totaal"][0] == "40"


def test_the_raad_cannot_recover_a_small_category_from_the_total(app, make_return, login_as):
    _approved_with_breakdowns(app, make_return)
    raad = login_as(Role.RAADSLID)
    html = raad.get(f"/tellen/uitsplitsing?dimensie=doelgroep&jaar={YEAR}").get_data(as_text=True)
    rows = _rows(html)
    assert len(next(iter(rows.values()))) == 1  # the city only: no wijk or organisation columns
    assert rows["Licht verstandelijke beperking (LVB)"] == ["<5"]
    shown = {k: v[0] for k, v in rows.items() if k != "Totaal"}
    hidden = [k for k, v in shown.items() if v in ("<5", "×")]
    total = rows["Totaal"][0]
    if total not in ("<5", "×"):
        rest = int(total) - sum(int(v) for v in shown.values() if v not in ("<5", "×"))
        assert len(hidden) >= 2 and not sensitive(rest), (hidden, rest)
    # MEE's worker knows MEE's own figures (LVB 0): it cannot isolate Versa's 3 either.
    csv = raad.get(f"/tellen/uitsplitsing.csv?dimensie=doelgroep&jaar={YEAR}").get_data(as_text=True)
    assert "Licht verstandelijke beperking (LVB);<5" in csv and ";3\r\n" not in csv
    # A social worker sees only the own organisation, exactly.
    worker = login_as(Role.SOCIAAL_WERKER, organisation="MEE", wijken=["Zuid"])
    rows = _rows(worker.get(f"/tellen/uitsplitsing?dimensie=doelgroep&jaar={YEAR}").get_data(as_text=True))
    assert rows["Licht verstandelijke beperking (LVB)"][0] == "0" and rows["Totaal"][0] == "20"


def test_odd_choices_fall_back_and_outsiders_cannot_enter(app, login_as):
    raad = login_as(Role.RAADSLID)
    assert raad.get("/tellen/uitsplitsing?dimensie=<script>&jaar=99999999999").status_code == 200
    assert raad.get("/tellen/opgave/1/1/uitsplitsing").status_code == 403


def test_the_beheerder_defines_a_breakdown_and_who_is_asked(app, make_return, login_as):
    admin = login_as(Role.ADMIN)
    with app.app_context():
        from .conftest import org_id
        mee = org_id("MEE")
    page = admin.get("/tellen/uitsplitsingen").get_data(as_text=True)
    assert "Doelgroep" in page and "Licht verstandelijke beperking (LVB)" in page  # the seeds' four
    # A new breakdown asked of MEE only; "Onbekend" is added by itself.
    response = admin.post("/tellen/uitsplitsingen/nieuw", data={
        "label": "Woonsituatie", "question": "Hoe woonden de nieuwe meldingen?",
        "categories": "Alleen\nMet partner\nMet kinderen\n", "asked": "gekozen", "organisation_ids": [str(mee)],
        "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    # Versa is not asked; MEE is, and its cells must add up like any other.
    versa_worker = login_as(Role.SOCIAAL_WERKER)
    make_return("Versa Welzijn", "Oost", YEAR, 1, status=ReturnStatus.CONCEPT, meldingen=20, meldingen_sociaal_plein=6)
    pid, wid = _ids(app)
    assert "Woonsituatie" not in versa_worker.get(f"/tellen/opgave/{pid}/{wid}/uitsplitsing").get_data(as_text=True)
    mee_worker = login_as(Role.SOCIAAL_WERKER, organisation="MEE", wijken=["Zuid"])
    make_return("MEE", "Zuid", YEAR, 1, status=ReturnStatus.CONCEPT, meldingen=10)
    _, zuid = _ids(app, "Zuid")
    url = f"/tellen/opgave/{pid}/{zuid}/uitsplitsing"
    assert "Woonsituatie: Hoe woonden de nieuwe meldingen?" in mee_worker.get(url).get_data(as_text=True)
    refused = mee_worker.post(url, data=_form(woonsituatie={"alleen": "5", "met_partner": "1", "met_kinderen": "1",
                                                            "onbekend": "2"}))
    assert refused.status_code == 400 and "tellen op tot 9" in refused.get_data(as_text=True)
    assert mee_worker.post(url, data=_form(woonsituatie={"alleen": "5", "met_partner": "2", "met_kinderen": "1",
                                                         "onbekend": "2"})).status_code == 302
    # Removing a category deactivates it; what was entered stays stored.
    with app.app_context():
        from monitor.counts.breakdowns import BreakdownDimension
        dim_id = db.session.scalar(sa.select(BreakdownDimension.id).where(BreakdownDimension.key == "woonsituatie"))
    assert admin.post(f"/tellen/uitsplitsingen/{dim_id}", data={
        "label": "Woonsituatie", "question": "Hoe woonden de nieuwe meldingen?", "categories": "Alleen\nMet partner",
        "asked": "gekozen", "organisation_ids": [str(mee)], "active": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(ReturnBreakdown.count).where(
            ReturnBreakdown.dimension == "woonsituatie", ReturnBreakdown.category == "met_kinderen")) == 1
    assert 'name="woonsituatie__met_kinderen"' not in mee_worker.get(url).get_data(as_text=True)
    # Bad definitions get a Dutch message and keep what was typed.
    bad = admin.post("/tellen/uitsplitsingen/nieuw", data={"label": "Leeg", "question": "?", "categories": "Onbekend",
                                                           "asked": "gekozen"})
    assert bad.status_code == 400 and "minstens één categorie naast" in bad.get_data(as_text=True)
    assert login_as(Role.ACCOUNTHOUDER).get("/tellen/uitsplitsingen").status_code == 403


def test_an_installation_without_breakdowns_says_so_instead_of_failing(app, login_as):
    with app.app_context():
        from monitor.counts.breakdowns import BreakdownDimension
        db.session.execute(sa.delete(BreakdownDimension))
        db.session.commit()
    admin = login_as(Role.ADMIN)
    page = admin.get("/tellen/uitsplitsing")
    assert page.status_code == 200 and "Stel de eerste uitsplitsing in" in page.get_data(as_text=True)
    assert "De beheerder stelt ze in" in login_as(Role.RAADSLID).get("/tellen/uitsplitsing").get_data(as_text=True)
    assert admin.get("/tellen/uitsplitsing.csv").status_code == 404
