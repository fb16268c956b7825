"""Issue 17 §1: the beheerder's set-up checklist, a year's periods from a rule, the catalogue."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from monitor.catalogues import Quality, SocietalGoal
from monitor.extensions import db
from monitor.models import AuditEvent, Organisation, OrganisationKind, Period, Role, Wijk

from .conftest import PASSWORD, login


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                       .order_by(AuditEvent.id)))


def _id(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(model.id).filter_by(**where))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the checklist ---------------------------------------------------------------------

def test_checklist_names_what_each_module_misses_and_links_to_the_fix(app, login_as):
    admin = login_as(Role.ADMIN)
    home = admin.get("/start").get_data(as_text=True)
    assert "Alle accounts zijn compleet ingericht" not in home
    # The reference data are there; the people who do the work are not.
    assert "Tellen: Accounthouder (beoordeelt de opgaven)" in home
    assert 'href="/beheer/gebruikers/nieuw?rol=accounthouder"' in home
    assert "Verhalen: Buurtcoördinator per wijk" in home
    with app.app_context():
        wijken = sorted(db.session.scalars(sa.select(Wijk.name).where(Wijk.active.is_(True))))
        welfare = sorted(db.session.scalars(sa.select(Organisation.name).where(
            Organisation.kind == OrganisationKind.WELZIJN)))
    assert f"Geen buurtcoördinator voor: {', '.join(wijken)}." in _text(home)
    for org in welfare:
        assert f"{org}: nog geen sociaal werker." in home
    assert "Basis: Wijken en buurten" not in home and "Basis: Perioden" not in home

    page = _text(admin.get("/inrichting").get_data(as_text=True))
    checks = 6 + 3 + 1  # Basis (installation included), Tellen, Verhalen
    assert f"{checks - 3} van de {checks} onderdelen zijn klaar." in page
    assert "Wijken en buurten Klaar" in page


def test_checklist_reports_missing_periods_and_qualities(app, login_as):
    admin = login_as(Role.ADMIN)
    today = date.today()
    tertial = (today.month - 1) // 4 + 1
    with app.app_context():
        db.session.execute(sa.delete(Period).where(Period.year == today.year, Period.tertial == tertial))
        db.session.execute(sa.update(Quality).values(active=False))
        db.session.commit()
    month = {1: "mei", 2: "september", 3: "december"}[tertial]
    home = admin.get("/start").get_data(as_text=True)
    assert f"Periode {month} {today.year} ontbreekt." in home
    assert f'href="/beheer/perioden/nieuw?jaar={today.year}"' in home
    assert "Er is nog geen actieve kwaliteit" in home


def test_checklist_is_complete_when_every_module_has_what_it_needs(app, login_as, make_user):
    admin = login_as(Role.ADMIN)
    with app.app_context():
        wijken = list(db.session.scalars(sa.select(Wijk.name).where(Wijk.active.is_(True))))
        welfare = list(db.session.scalars(sa.select(Organisation.name).where(
            Organisation.kind == OrganisationKind.WELZIJN)))
    make_user(Role.ACCOUNTHOUDER)
    make_user(Role.BUURTCOORDINATOR, wijken=wijken)
    for org in welfare[:-1]:
        make_user(Role.SOCIAAL_WERKER, organisation=org, wijken=wijken)
    last = make_user(Role.SOCIAAL_WERKER, organisation=welfare[-1], wijken=wijken[:1])
    home = _text(admin.get("/start").get_data(as_text=True))
    assert f"{welfare[-1]}: geen sociaal werker voor {', '.join(sorted(wijken)[1:])}." in home
    with app.app_context():
        from monitor.models import User

        user = db.session.get(User, last.id)
        user.wijken = list(db.session.scalars(sa.select(Wijk)))
        db.session.commit()
    home = _text(admin.get("/start").get_data(as_text=True))
    assert "Alle 10 onderdelen van de inrichtingschecklist zijn klaar." in home
    assert "Let op" not in home.split("Inrichting")[1]


# --- periods of a year ---------------------------------------------------------------

def test_a_year_of_periods_previewed_then_created_and_audited(app, login_as):
    admin = login_as(Role.ADMIN)
    form = {"year": "2031", "mode": "vast", "day": "15", "days_after_end": "14", "lock_days": "42"}
    preview = admin.post("/beheer/perioden/nieuw", data={**form, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    from monitor.timeutil import format_date

    expected = [(date(2031, m, 15), date(2031, m, 15) + timedelta(days=42)) for m in (5, 9, 12)]
    for deadline, lock in expected:
        assert format_date(deadline) in html and format_date(lock) in html
    assert html.count("Wordt aangemaakt") == 3 and "Perioden aanmaken" in html
    assert _id(app, Period, year=2031) is None  # a preview saves nothing

    assert admin.post("/beheer/perioden/nieuw", data={**form, "action": "save"}).status_code == 302
    with app.app_context():
        made = db.session.scalars(sa.select(Period).where(Period.year == 2031).order_by(Period.tertial)).all()
        assert [(p.deadline, p.lock_date) for p in made] == expected
    events = _events(app, "period.create")
    assert [e.summary for e in events] == ["mei 2031", "september 2031", "december 2031"]
    assert events[0].new_values["deadline"] == "2031-05-15" and events[0].actor_id == admin.user.id

    again = admin.post("/beheer/perioden/nieuw", data={**form, "action": "save"})
    assert again.status_code == 400
    assert "De perioden van 2031 bestaan al." in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Period.id)).where(Period.year == 2031)) == 3


def test_rule_after_the_end_of_the_period_and_a_partly_existing_year(app, login_as):
    admin = login_as(Role.ADMIN)
    with app.app_context():
        db.session.add(Period(year=2032, tertial=2, deadline=date(2032, 9, 1), lock_date=None))
        db.session.commit()
    form = {"year": "2032", "mode": "na_einde", "day": "", "days_after_end": "10", "lock_days": "7",
            "action": "preview"}
    html = admin.post("/beheer/perioden/nieuw", data=form).get_data(as_text=True)
    assert html.count("Wordt aangemaakt") == 2 and "Bestaat al; blijft zoals hij is" in html
    assert admin.post("/beheer/perioden/nieuw", data={**form, "action": "save"}).status_code == 302
    with app.app_context():
        rows = {p.tertial: (p.deadline, p.lock_date) for p in db.session.scalars(
            sa.select(Period).where(Period.year == 2032))}
    assert rows == {1: (date(2032, 4, 30) + timedelta(days=10), date(2032, 4, 30) + timedelta(days=17)),
                    2: (date(2032, 9, 1), None),
                    3: (date(2033, 1, 10), date(2033, 1, 17))}


def test_period_form_refuses_nonsense_in_dutch_and_keeps_input(app, login_as):
    admin = login_as(Role.ADMIN)
    response = admin.post("/beheer/perioden/nieuw", data={
        "year": "1850", "mode": "vast", "day": "40", "days_after_end": "", "lock_days": "-3",
        "action": "preview"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kies een jaar tussen 2000 en 2100." in html and "Kies een dag tussen 1 en 31." in html
    assert 'value="1850"' in html
    assert admin.get("/beheer/perioden/nieuw?jaar=2040").status_code == 200


# --- the quality catalogue -------------------------------------------------------------

def test_beheerder_adds_a_quality_that_the_public_form_then_offers(app, login_as):
    admin = login_as(Role.ADMIN)
    d1 = _id(app, SocietalGoal, code="D1")
    response = admin.post("/beheer/kwaliteiten/nieuw", data={
        "code": "k8", "name": "Groen in de wijk", "description": "Genoeg groen om elkaar te ontmoeten.",
        "goal_ids": [str(d1)]})
    assert response.status_code == 302
    with app.app_context():
        quality = db.session.scalar(sa.select(Quality).where(Quality.code == "K8"))
        assert [g.code for g in quality.goals] == ["D1"] and quality.active
        last = max(db.session.scalars(sa.select(Quality.position).where(Quality.buurt_id.is_(None))))
        assert quality.position == last
    assert _events(app, "quality.create")[0].new_values["goals"] == ["D1"]
    assert "Groen in de wijk" in app.test_client().get("/verhalen/vertel").get_data(as_text=True)

    clash = admin.post("/beheer/kwaliteiten/nieuw", data={"code": "K8", "name": "Iets anders"})
    assert clash.status_code == 400 and "Deze code bestaat al." in clash.get_data(as_text=True)


def test_deactivated_quality_is_no_longer_offered_and_a_used_one_is_never_deleted(app, login_as):
    admin = login_as(Role.ADMIN)
    k1 = _id(app, Quality, code="K1")
    with app.app_context():
        k1_name = db.session.get(Quality, k1).name
    # A buurtcoördinator uses K1 in a QIM plan.
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    with app.app_context():
        buurt = db.session.execute(sa.text(
            "select b.id from buurten b join wijken w on w.id = b.wijk_id where w.name = 'Oost' "
            "order by b.name limit 1")).scalar()
    coordinator.post("/qim/plannen/nieuw", data={"buurt_id": buurt, "year": date.today().year})
    with app.app_context():
        plan_id = db.session.execute(sa.text("select id from qim_plans order by id desc limit 1")).scalar()
    assert coordinator.post(f"/qim/plannen/{plan_id}/stap/1", data={"quality_ids": [k1]}).status_code == 302

    page = admin.get("/beheer/kwaliteiten").get_data(as_text=True)
    assert f"/beheer/kwaliteit/{k1}/verwijderen" not in page  # no delete button for a used one
    refused = admin.post(f"/beheer/kwaliteit/{k1}/verwijderen", follow_redirects=True)
    assert "blijft daarom bestaan" in refused.get_data(as_text=True)
    assert _id(app, Quality, code="K1") == k1
    rename = admin.post(f"/beheer/kwaliteiten/{k1}", data={"code": "X1", "name": k1_name})
    assert "haar code verandert niet meer" in rename.get_data(as_text=True)

    assert admin.post(f"/beheer/kwaliteit/{k1}/status").status_code == 302
    assert _events(app, "quality.deactivate")[0].object_id == str(k1)
    assert k1_name not in app.test_client().get("/verhalen/vertel").get_data(as_text=True)
    step1 = coordinator.get(f"/qim/plannen/{plan_id}/stap/1").get_data(as_text=True)
    k2_name = "Betrokken inwoners"
    assert k2_name in step1 and f'value="{k1}"' not in step1

    # An unused one can go (a typing mistake).
    k7 = _id(app, Quality, code="K7")
    assert admin.post(f"/beheer/kwaliteit/{k7}/verwijderen").status_code == 302
    assert _id(app, Quality, code="K7") is None and _events(app, "quality.delete")


def test_qualities_and_goals_are_ordered_and_goals_managed(app, login_as):
    admin = login_as(Role.ADMIN)
    k2 = _id(app, Quality, code="K2")
    assert admin.post(f"/beheer/kwaliteit/{k2}/omhoog").status_code == 302
    with app.app_context():
        codes = list(db.session.scalars(sa.select(Quality.code).where(Quality.buurt_id.is_(None))
                                        .order_by(Quality.position)))
    assert codes[:3] == ["K2", "K1", "K3"]
    assert _events(app, "quality.reorder")[0].new_values["order"][:2] == ["K2", "K1"]

    assert admin.post("/beheer/doelen/nieuw", data={"code": "D6", "name": "Duurzaam samenleven"}).status_code == 302
    d6 = _id(app, SocietalGoal, code="D6")
    assert admin.post(f"/beheer/doel/{d6}/omhoog").status_code == 302
    with app.app_context():
        goals = list(db.session.scalars(sa.select(SocietalGoal.code).order_by(SocietalGoal.position)))
    assert goals == ["D1", "D2", "D3", "D4", "D6", "D5"]
    d1 = _id(app, SocietalGoal, code="D1")
    refused = admin.post(f"/beheer/doel/{d1}/verwijderen", follow_redirects=True).get_data(as_text=True)
    assert "aan kwaliteiten gekoppeld en blijft daarom bestaan" in refused
    assert admin.post(f"/beheer/doel/{d1}/status").status_code == 302
    edit = admin.get(f"/beheer/kwaliteiten/{_id(app, Quality, code='K1')}").get_data(as_text=True)
    assert "(gedeactiveerd)" in edit  # still shown where a quality has it
    assert admin.post(f"/beheer/doel/{d6}/verwijderen").status_code == 302
    assert _id(app, SocietalGoal, code="D6") is None
    assert {e.action for e in _events(app, "societal_goal.create") + _events(app, "societal_goal.delete")
            } == {"societal_goal.create", "societal_goal.delete"}


def test_new_user_form_takes_the_role_the_checklist_asks_for(app, login_as):
    admin = login_as(Role.ADMIN)
    versa = _id(app, Organisation, name="Versa Welzijn")
    html = admin.get(f"/beheer/gebruikers/nieuw?rol=sociaal_werker&organisatie={versa}").get_data(as_text=True)
    assert re.search(r'<option selected value="sociaal_werker">|<option value="sociaal_werker" selected', html)
    assert re.search(rf'<option selected value="{versa}">|<option value="{versa}" selected', html)
    assert admin.get("/beheer/gebruikers/nieuw?rol=keizer&organisatie=abc").status_code == 200
    assert login(app.test_client(), admin.user.email, PASSWORD).status_code == 302
