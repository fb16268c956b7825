"""The werkgebied of Tellen (issue 18 §1): where, and from when to when, an organisation works,
and its city-wide ("stedelijk") return. Everything through the routes a person uses."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from monitor import mail
from monitor.audit import AuditEvent
from monitor.counts.models import CountReturn, ReturnStatus
from monitor.extensions import db
from monitor.models import Organisation, Period, Role, User
from monitor.registry import registry

from .conftest import GOOD_FORM, as_dict, org_id, period, tables, wijk_id
from .test_api import GOOD, bearer, count, create_token

ALL_WIJKEN = ["Centrum", "Hilversumse Meent", "Noordoost", "Noordwest", "Oost", "Zuid", "Zuidoost", "Zuidwest"]


def set_werkgebied(client, org: str, areas: dict[str, tuple[str, str]], expect: int = 302):
    """Post the werkgebied form: ``{"Oost": ("01-06-2020", ""), "Stedelijk": ("", "")}``."""
    with client.application.app_context():
        oid = org_id(org)
        ids = {name: wijk_id(name) for name in ALL_WIJKEN} | {"Stedelijk": 0}
    data = {}
    for name, (start, end) in areas.items():
        data |= {f"werkt_{ids[name]}": "y", f"vanaf_{ids[name]}": start, f"tot_{ids[name]}": end}
    response = client.post(f"/tellen/werkgebied/{oid}", data=data)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def _werkgebied_rows(client) -> dict[str, str]:
    html = client.get("/tellen/werkgebied").get_data(as_text=True)
    return {row[0]: row[1] for row in tables(html)["Werkgebied per organisatie"][1:]}


def test_the_beheerder_sets_wijken_and_dates_and_the_list_shows_them(app, login_as):
    admin = login_as(Role.ADMIN)
    set_werkgebied(admin, "MEE", {"Oost": ("01-11-2019", ""), "Zuidoost": ("2020-06-01", "31-12-2024"),
                                  "Stedelijk": ("", "")})
    rows = _werkgebied_rows(admin)
    assert "Oost: vanaf 1 november 2019" in rows["MEE"]
    assert "Zuidoost: 1 juni 2020 t/m 31 december 2024" in rows["MEE"]
    assert "Stedelijk: altijd" in rows["MEE"]
    assert "Centrum" not in rows["MEE"]
    with app.app_context():
        mee = db.session.get(Organisation, org_id("MEE"))
        assert sorted(w.name for w in mee.wijken) == ["Oost", "Zuidoost"]  # the admin page's set agrees
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "werkgebied.update")).one()
        assert event.new_values["Zuidoost"] == "1 juni 2020 t/m 31 december 2024"
    # The accounthouder may do it too; a sociaal werker and a council member may not.
    assert login_as(Role.ACCOUNTHOUDER).get(f"/tellen/werkgebied/{org_id_of(app, 'MEE')}").status_code == 200
    assert login_as(Role.SOCIAAL_WERKER).get("/tellen/werkgebied").status_code == 403
    assert login_as(Role.RAADSLID).post(f"/tellen/werkgebied/{org_id_of(app, 'MEE')}", data={}).status_code == 403


def org_id_of(app, name: str) -> int:
    with app.app_context():
        return org_id(name)


def test_a_last_day_before_the_first_is_refused_in_dutch_and_keeps_what_was_typed(app, login_as):
    admin = login_as(Role.ADMIN)
    response = set_werkgebied(admin, "Kwintes", {"Oost": ("01-06-2021", "01-01-2021")}, expect=400)
    html = response.get_data(as_text=True)
    assert "Oost: de laatste dag ligt vóór de eerste dag." in html
    assert 'value="2021-06-01"' in html or 'value="01-06-2021"' in html
    bad = set_werkgebied(admin, "Kwintes", {"Oost": ("31-02-2021", "")}, expect=400)
    assert "Vul een geldige datum in (dd-mm-jjjj)." in bad.get_data(as_text=True)
    rows = _werkgebied_rows(admin)
    assert "altijd" in rows["Kwintes"] and "Centrum" in rows["Kwintes"]  # unchanged: every wijk, always


def test_a_new_organisations_worker_sees_no_overdue_returns_from_before_it_started(app, login_as):
    admin = login_as(Role.ADMIN)
    set_werkgebied(admin, "Sherpa", {"Oost": ("01-05-2026", ""), "Zuid": ("", "")})
    worker = login_as(Role.SOCIAAL_WERKER, organisation="Sherpa", wijken=["Oost", "Noordwest"])
    html = worker.get("/tellen/mijn-opgaven").get_data(as_text=True)
    rows = tables(html)["Opgaven per periode en wijk"][1:]
    with app.app_context():
        started = [p for p in db.session.scalars(sa.select(Period)) if p.start.isoformat() <= "2026-12-02"]
        expected = {p.label for p in started if p.end.isoformat() >= "2026-05-01"}
    assert {r[1] for r in rows} == {"Oost"}  # Noordwest is not in Sherpa's werkgebied
    assert len(rows) <= 2  # mei 2026 (from 1 May) and later: not twenty years of "te laat"
    assert all(r[0].startswith(("september 2026", "december 2026")) for r in rows)
    assert {r[0].split(" 2026")[0] + " 2026" for r in rows} <= expected
    # Entering a return for a period before the start is refused, with the dates.
    with app.app_context():
        old = period(2025, 3).id
        oost = wijk_id("Oost")
    response = worker.post(f"/tellen/opgave/{old}/{oost}", data=dict(GOOD_FORM, action="save"))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Sherpa werkt niet in wijk Oost in september–december 2025 (werkgebied: vanaf 1 mei 2026)" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CountReturn.id))) == 0


def test_completeness_expects_only_the_werkgebied_of_the_period(app, login_as, make_return):
    admin = login_as(Role.ADMIN)
    set_werkgebied(admin, "Kwintes", {"Oost": ("01-11-2020", ""), "Zuidwest": ("01-11-2020", "")})
    set_werkgebied(admin, "Humanitas", {"Stedelijk": ("01-01-2021", "")})
    make_return("Kwintes", "Oost", 2025, 2, status="goedgekeurd")
    with app.app_context():
        pid = period(2025, 2).id
        old_pid = period(2020, 2).id
    html = admin.get(f"/tellen/volledigheid?periode={pid}").get_data(as_text=True)
    # Six welfare organisations: four over all eight wijken, Kwintes in two, Humanitas city-wide.
    expected = 4 * 8 + 2 + 1
    assert f"(1 van {expected})" in html
    assert f'id="overdue-count">{expected - 1}<' in html
    matrix = as_dict(tables(html)["Status per organisatie en wijk, september 2025"])
    assert matrix["Kwintes"]["Oost"].startswith("Goedgekeurd")
    assert matrix["Kwintes"]["Centrum"].startswith("—")
    assert matrix["Humanitas"]["Oost"].startswith("—")
    assert matrix["Humanitas"]["Stedelijk"].startswith("ontbreekt")
    assert matrix["Versa Welzijn"]["Stedelijk"].startswith("—")
    # Before Kwintes started nothing is expected of it, and Humanitas did not exist yet.
    before = admin.get(f"/tellen/volledigheid?periode={old_pid}").get_data(as_text=True)
    assert f"(0 van {4 * 8})" in before
    # A buurtcoördinator sees her own wijken, without the city-wide column.
    bc = login_as(Role.BUURTCOORDINATOR)
    own = tables(bc.get(f"/tellen/volledigheid?periode={pid}").get_data(as_text=True))
    assert own["Status per organisatie en wijk, september 2025"][0] == ["Organisatie", "Hilversumse Meent", "Oost"]


def test_reminders_follow_the_dates_of_the_werkgebied(app, login_as, smtp, make_user):
    with app.app_context():
        for user in db.session.scalars(sa.select(User).where(User.role == Role.SOCIAAL_WERKER)):
            user.active = False  # the demo workers: out of the way
        db.session.commit()
    admin = login_as(Role.ADMIN)
    set_werkgebied(admin, "MEE", {"Oost": ("01-06-2025", ""), "Zuid": ("", "")})
    make_user(Role.SOCIAAL_WERKER, email="oost@mee.nl", organisation="MEE", wijken=["Oost"])
    make_user(Role.SOCIAAL_WERKER, email="zuid@mee.nl", organisation="MEE", wijken=["Zuid"])
    set_werkgebied(admin, "Humanitas", {"Stedelijk": ("", "")})
    make_user(Role.SOCIAAL_WERKER, email="stad@humanitas.nl", organisation="Humanitas", wijken=[])
    with app.app_context():
        registry(app).jobs["tellen: herinneringen opgaven"].func(datetime(2025, 5, 8, 9, 0))  # week before 15 May
        mail.deliver_pending()
    workers = {"oost@mee.nl", "zuid@mee.nl", "stad@humanitas.nl"}
    assert {r.envelope_to[0] for r in smtp.received} & workers == {"zuid@mee.nl", "stad@humanitas.nl"}
    [city] = smtp.to("stad@humanitas.nl")
    assert "- Stedelijk: nog niet begonnen" in city.text()


def test_api_tokens_follow_the_dates_of_the_werkgebied(app, login_as):
    admin = login_as(Role.ACCOUNTHOUDER)
    token = create_token(app, admin)
    set_werkgebied(login_as(Role.ADMIN), "Versa Welzijn", {"Oost": ("01-05-2025", "")})
    api = app.test_client()
    early = api.post("/api/v1/returns", json=GOOD, headers=bearer(token))  # 2025 tertial 1: before the start
    assert early.status_code == 403
    assert "vanaf 1 mei 2025" in early.get_json()["error"]["message"]
    assert count(app) == 0
    assert api.post("/api/v1/returns", json=dict(GOOD, tertial=2), headers=bearer(token)).status_code == 201
    city = api.post("/api/v1/returns", json=dict(GOOD, tertial=2, wijk="Stedelijk"), headers=bearer(token))
    assert city.status_code == 403 and "niet stedelijk" in city.get_json()["error"]["message"]


def test_a_citywide_return_is_entered_once_and_shown_beside_the_wijken(app, login_as):
    admin = login_as(Role.ADMIN)
    set_werkgebied(admin, "Humanitas", {"Stedelijk": ("01-01-2025", "")})
    worker = login_as(Role.SOCIAAL_WERKER, organisation="Humanitas", wijken=["Oost"])
    board = tables(worker.get("/tellen/mijn-opgaven").get_data(as_text=True))["Opgaven per periode en wijk"]
    assert {r[1] for r in board[1:]} == {"Stedelijk"}  # Oost is not in Humanitas' werkgebied
    with app.app_context():
        pid = period(2025, 2).id
    url = f"/tellen/opgave/{pid}/0"
    page = worker.get(url).get_data(as_text=True)
    assert "stedelijk (de hele stad)" in page
    response = worker.post(url, data=dict(GOOD_FORM, action="submit"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        ret = db.session.scalars(sa.select(CountReturn)).one()
        assert ret.wijk_id is None and ret.status == ReturnStatus.INGEDIEND
        ret_id = ret.id
    # A second one for the same period cannot exist: the form edits the same return.
    assert worker.get(url).status_code == 200
    reviewer = login_as(Role.ACCOUNTHOUDER)
    assert "Stedelijk" in reviewer.get("/tellen/te-beoordelen").get_data(as_text=True)
    assert reviewer.post(f"/tellen/opgaven/{ret_id}/goedkeuren").status_code == 302
    # The dashboard per wijk shows it as its own row, after the wijken, not split over them.
    dash = reviewer.get(f"/tellen/dashboard?van={pid}&tot={pid}&perspectief=wijk").get_data(as_text=True)
    per_wijk = tables(dash)
    hours = per_wijk["tabel-per-wijk"]
    assert hours[-1][0] == "Stedelijk" and hours[-1][1] == "500"  # 300 buurtwerk + 200 amw
    assert [r[0] for r in hours[1:]] == ["Stedelijk"]
    # Another organisation's worker cannot open it; Humanitas' other worker can.
    other = login_as(Role.SOCIAAL_WERKER, organisation="Versa Welzijn")
    assert other.get(f"/tellen/opgaven/{ret_id}").status_code == 403
    colleague = login_as(Role.SOCIAAL_WERKER, organisation="Humanitas", wijken=["Zuid"])
    assert colleague.get(f"/tellen/opgaven/{ret_id}").status_code == 200


def test_approved_returns_stay_findable_by_year(app, login_as, make_return):
    make_return("Versa Welzijn", "Oost", 2022, 2, status="vergrendeld")
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    now = worker.get("/tellen/mijn-opgaven").get_data(as_text=True)
    assert not any("september 2022" in r[0] for r in tables(now)["Opgaven per periode en wijk"][1:])
    history = worker.get("/tellen/mijn-opgaven?jaar=2022").get_data(as_text=True)
    rows = tables(history)["Opgaven per periode en wijk"][1:]
    locked = [r for r in rows if r[0].startswith("september 2022") and r[1] == "Oost"]
    assert locked and locked[0][2].startswith("Vergrendeld") and locked[0][4].startswith("Bekijken")
    assert rows and all(r[0].split(" ")[1].startswith("2022") for r in rows)
    assert worker.get("/tellen/mijn-opgaven?jaar=abc").status_code == 200
