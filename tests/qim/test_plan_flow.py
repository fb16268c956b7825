"""The six-step plan through the routes: every step, settling, read-only, versions, next year."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Role
from monitor.qim.models import (
    MonitoredPair,
    PlanQuality,
    PlanStatus,
    PlanTarget,
    QimPlan,
    Quality,
    Stakeholder,
)

from .conftest import buurt_id, org_id, quality_id


def _plan(app, plan_id: int) -> QimPlan:
    return db.session.get(QimPlan, plan_id)


def _start_plan(client, app, buurt="Geuzenbuurt", year=2026) -> int:
    with app.app_context():
        bid = buurt_id(buurt)
    response = client.post("/qim/plannen/nieuw", data={"buurt_id": bid, "year": year})
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalar(sa.select(QimPlan.id).where(QimPlan.buurt_id == bid,
                                                             QimPlan.year == year))


def _step_states(html: str) -> list[str]:
    import re

    return re.findall(r'<span class="step__state">([^<]+)<', html)


def test_coordinator_completes_all_six_steps_and_settles(app, login_as):
    client = login_as(Role.BUURTCOORDINATOR)
    plan_id = _start_plan(client, app)
    page = client.get(f"/qim/plannen/{plan_id}").get_data(as_text=True)
    assert _step_states(page) == ["Nog te doen"] * 5 + ["Optioneel"]
    assert "Plan vaststellen" not in page

    with app.app_context():
        k1, k2, k3 = quality_id("K1"), quality_id("K2"), quality_id("K3")
        versa = org_id("Versa Welzijn")

    # Step 1: qualities of the opdrachtgever, plus an own quality with what "good" is.
    assert client.post(f"/qim/plannen/{plan_id}/stap/1",
                       data={"quality_ids": [k1, k2]}).status_code == 302
    response = client.post(f"/qim/plannen/{plan_id}/stap/1/eigen-kwaliteit",
                           data={"name": "Schone straten", "description": "Geen zwerfafval"})
    assert response.status_code == 302
    # Step 2: stakeholders of the opdrachtgever.
    for name in ("Bewoners 75+", "Huisartsen"):
        assert client.post(f"/qim/plannen/{plan_id}/stap/2",
                           data={"name": name, "description": f"{name} in de buurt"}).status_code == 302
    # Step 3: an executing organisation's qualities.
    assert client.post(f"/qim/plannen/{plan_id}/stap/3",
                       data={"organisation_id": versa, "quality_ids": [k3]}).status_code == 302
    # Step 4: that organisation's stakeholders, one out of reach.
    assert client.post(f"/qim/plannen/{plan_id}/stap/4",
                       data={"organisation_id": versa, "name": "Statushouders",
                             "description": "Nieuwe inwoners", "out_of_reach": "y"}).status_code == 302

    with app.app_context():
        plan = _plan(app, plan_id)
        own = db.session.scalar(sa.select(Quality).where(Quality.name == "Schone straten"))
        assert own.buurt_id == buurt_id("Geuzenbuurt") and own.description == "Geen zwerfafval"
        groups = {s.name: s for s in plan.stakeholders}
        assert groups["Statushouders"].out_of_reach and groups["Statushouders"].organisation_id == versa
        assert groups["Huisartsen"].organisation_id is None
        assert {(pq.quality_id, pq.organisation_id) for pq in plan.qualities} == {
            (k1, None), (k2, None), (own.id, None), (k3, versa)}
        elderly, doctors = groups["Bewoners 75+"].id, groups["Huisartsen"].id

    # Step 5: the monitored set.
    response = client.post(f"/qim/plannen/{plan_id}/stap/5",
                           data={"pairs": [f"{elderly}-{k1}", f"{doctors}-{k3}", f"{elderly}-{own.id}"]})
    assert response.status_code == 302
    page = client.get(f"/qim/plannen/{plan_id}").get_data(as_text=True)
    assert _step_states(page) == ["Gedaan"] * 5 + ["Optioneel"]
    assert "Plan vaststellen" in page

    # Step 6: optional target, then the step is done.
    assert client.post(f"/qim/plannen/{plan_id}/stap/6",
                       data={"kind": "financieel", "text": "Budget buurtwerk indicatief € 40.000"}
                       ).status_code == 302
    page = client.get(f"/qim/plannen/{plan_id}").get_data(as_text=True)
    assert _step_states(page) == ["Gedaan"] * 6

    assert client.post(f"/qim/plannen/{plan_id}/vaststellen").status_code == 302
    with app.app_context():
        plan = _plan(app, plan_id)
        assert plan.status == PlanStatus.VASTGESTELD and plan.settled_at is not None
        assert {(m.stakeholder.name, m.quality.code) for m in plan.monitored} == {
            ("Bewoners 75+", "K1"), ("Huisartsen", "K3"), ("Bewoners 75+", own.code)}
        assert [t.text for t in plan.targets] == ["Budget buurtwerk indicatief € 40.000"]
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert {"qim.plan_create", "qim.step1", "qim.quality_create", "qim.stakeholder_add",
                "qim.step3", "qim.step5", "qim.step6_add", "qim.plan_settle"} <= actions


def test_settling_is_refused_until_steps_one_to_five_are_done(app, login_as):
    client = login_as(Role.BUURTCOORDINATOR)
    plan_id = _start_plan(client, app)
    with app.app_context():
        k1 = quality_id("K1")
    client.post(f"/qim/plannen/{plan_id}/stap/1", data={"quality_ids": [k1]})
    response = client.post(f"/qim/plannen/{plan_id}/vaststellen", follow_redirects=True)
    assert "kan nog niet worden vastgesteld: stap 2, 3, 4, 5" in response.get_data(as_text=True)
    with app.app_context():
        assert _plan(app, plan_id).status == PlanStatus.CONCEPT


def test_step6_can_be_marked_done_without_entries(app, login_as):
    client = login_as(Role.BUURTCOORDINATOR)
    plan_id = _start_plan(client, app)
    assert client.post(f"/qim/plannen/{plan_id}/stap/6/afgerond", data={"klaar": "1"}).status_code == 302
    with app.app_context():
        assert _plan(app, plan_id).step6_done is True
    client.post(f"/qim/plannen/{plan_id}/stap/6/afgerond", data={"klaar": "0"})
    with app.app_context():
        assert _plan(app, plan_id).step6_done is False


def test_settled_plan_is_read_only(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026)
    client = login_as(Role.BUURTCOORDINATOR)
    with app.app_context():
        plan = _plan(app, plan_id)
        before = (sorted((pq.quality_id, pq.organisation_id) for pq in plan.qualities),
                  sorted(s.name for s in plan.stakeholders), len(plan.monitored))
        stakeholder_id = plan.stakeholders[0].id
        k7 = quality_id("K7")
    attempts = [
        (f"/qim/plannen/{plan_id}/stap/1", {"quality_ids": [k7]}),
        (f"/qim/plannen/{plan_id}/stap/1/eigen-kwaliteit", {"name": "X", "description": "Y"}),
        (f"/qim/plannen/{plan_id}/stap/2", {"name": "Nieuw", "description": "Nieuw"}),
        (f"/qim/plannen/{plan_id}/stap/3", {"organisation_id": "1", "quality_ids": [k7]}),
        (f"/qim/plannen/{plan_id}/stap/4", {"organisation_id": "1", "name": "N", "description": "N"}),
        (f"/qim/plannen/{plan_id}/stap/5", {"pairs": []}),
        (f"/qim/plannen/{plan_id}/stap/6", {"kind": "strategisch", "text": "Nieuw"}),
        (f"/qim/plannen/{plan_id}/stap/6/afgerond", {"klaar": "1"}),
        (f"/qim/plannen/{plan_id}/stakeholders/{stakeholder_id}/verwijderen", {}),
        (f"/qim/plannen/{plan_id}/vaststellen", {}),
    ]
    for url, data in attempts:
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "vastgesteld en kan niet meer worden gewijzigd" in text, url
    with app.app_context():
        plan = _plan(app, plan_id)
        after = (sorted((pq.quality_id, pq.organisation_id) for pq in plan.qualities),
                 sorted(s.name for s in plan.stakeholders), len(plan.monitored))
        assert after == before
        assert plan.targets == [] and plan.step6_done is False
    # The step pages still show the plan, read-only.
    page = client.get(f"/qim/plannen/{plan_id}/stap/1").get_data(as_text=True)
    assert "Stap 1 opslaan" not in page and "disabled" in page


def test_new_version_replaces_settled_version_when_settled(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026, org_qualities={"MEE": ["K6"]},
                        org_groups={"MEE": ["Ouders"]}, pairs=[
                            ("K1", "Bewoners 75+"), ("K1", "Huisartsen"), ("K2", "Huisartsen"),
                            ("K6", "Ouders")])
    client = login_as(Role.BUURTCOORDINATOR)
    response = client.post(f"/qim/plannen/{plan_id}/nieuwe-versie")
    assert response.status_code == 302
    with app.app_context():
        versions = db.session.scalars(sa.select(QimPlan).where(
            QimPlan.buurt_id == buurt_id("Geuzenbuurt"), QimPlan.year == 2026)
            .order_by(QimPlan.version)).all()
        assert [(p.version, p.status) for p in versions] == [
            (1, PlanStatus.VASTGESTELD), (2, PlanStatus.CONCEPT)]
        new_id = versions[1].id
        assert sorted(s.name for s in versions[1].stakeholders) == sorted(
            s.name for s in versions[0].stakeholders)
        assert len(versions[1].monitored) == len(versions[0].monitored) == 4
    # A second concept version is refused.
    client.post(f"/qim/plannen/{plan_id}/nieuwe-versie")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(QimPlan.id))) == 2
    client.post(f"/qim/plannen/{new_id}/stap/2", data={"name": "Jongeren", "description": "12-23"})
    assert client.post(f"/qim/plannen/{new_id}/vaststellen").status_code == 302
    with app.app_context():
        old, new = db.session.get(QimPlan, plan_id), db.session.get(QimPlan, new_id)
        assert old.status == PlanStatus.VERVANGEN and new.status == PlanStatus.VASTGESTELD
        assert "Jongeren" in [s.name for s in new.stakeholders]
        assert "Jongeren" not in [s.name for s in old.stakeholders]


def test_new_year_starts_as_copy_of_last_year(app, login_as, make_plan):
    last_year = make_plan("Geuzenbuurt", 2025, qualities=("K1", "K4"),
                          groups=("Huisartsen",), org_qualities={"MEE": ["K6"]},
                          org_groups={"MEE": ["Ouders"]},
                          pairs=[("K1", "Huisartsen"), ("K6", "Ouders")])
    client = login_as(Role.BUURTCOORDINATOR)
    new_id = _start_plan(client, app, "Geuzenbuurt", 2026)
    with app.app_context():
        new = db.session.get(QimPlan, new_id)
        assert new.status == PlanStatus.CONCEPT and new.copied_from_id == last_year
        assert sorted((pq.quality.code, pq.organisation.name if pq.organisation else None)
                      for pq in new.qualities) == [("K1", None), ("K4", None), ("K6", "MEE")]
        assert sorted(s.name for s in new.stakeholders) == ["Huisartsen", "Ouders"]
        assert sorted((m.quality.code, m.stakeholder.name) for m in new.monitored) == [
            ("K1", "Huisartsen"), ("K6", "Ouders")]
        # The copy points at its own stakeholder rows, not last year's.
        assert all(m.stakeholder.plan_id == new_id for m in new.monitored)
    # A second plan for the same year is refused.
    client.post("/qim/plannen/nieuw", data={"buurt_id": buurt_id_of(app, "Geuzenbuurt"), "year": 2026})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(QimPlan.id)).where(QimPlan.year == 2026)) == 1


def buurt_id_of(app, name):
    with app.app_context():
        return buurt_id(name)


def test_sociaal_werker_records_own_organisation_steps_3_and_4_only(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026, settled=False)
    worker = login_as(Role.SOCIAAL_WERKER)  # Versa Welzijn, wijken Oost and Meent
    with app.app_context():
        k5, mee, versa = quality_id("K5"), org_id("MEE"), org_id("Versa Welzijn")
    # Posting another organisation's id still records for the worker's own organisation.
    assert worker.post(f"/qim/plannen/{plan_id}/stap/3",
                       data={"organisation_id": versa, "quality_ids": [k5]}).status_code == 302
    assert worker.post(f"/qim/plannen/{plan_id}/stap/4",
                       data={"organisation_id": mee, "name": "Jongeren", "description": "12-23"}
                       ).status_code in (302, 400)
    with app.app_context():
        plan = db.session.get(QimPlan, plan_id)
        assert (quality_id("K5"), versa) in {(pq.quality_id, pq.organisation_id) for pq in plan.qualities}
        assert all(s.organisation_id in (None, versa) for s in plan.stakeholders)
        commissioner_group = next(s for s in plan.stakeholders if s.organisation_id is None)
    # Steps of the opdrachtgever are not the worker's.
    for url in (f"/qim/plannen/{plan_id}/stap/1", f"/qim/plannen/{plan_id}/stap/2",
                f"/qim/plannen/{plan_id}/stap/5", f"/qim/plannen/{plan_id}/stap/6",
                f"/qim/plannen/{plan_id}/vaststellen"):
        assert worker.post(url, data={}).status_code == 403, url
    assert worker.post(f"/qim/plannen/{plan_id}/stakeholders/{commissioner_group.id}/verwijderen"
                       ).status_code == 403


def test_sociaal_werker_outside_own_wijk_is_refused(app, login_as, make_plan):
    plan_id = make_plan("Boomberg", 2026, settled=False)  # Noordwest
    worker = login_as(Role.SOCIAAL_WERKER)
    assert worker.get(f"/qim/plannen/{plan_id}/stap/3").status_code == 403
    assert worker.post(f"/qim/plannen/{plan_id}/stap/4",
                       data={"name": "X", "description": "Y"}).status_code == 403


def test_coordinator_cannot_plan_outside_own_wijken(app, login_as, make_plan):
    client = login_as(Role.BUURTCOORDINATOR)  # Oost and Hilversumse Meent
    with app.app_context():
        boomberg = buurt_id("Boomberg")
    assert client.post("/qim/plannen/nieuw", data={"buurt_id": boomberg, "year": 2026}
                       ).status_code in (302, 403)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(QimPlan.id))) == 0
    plan_id = make_plan("Boomberg", 2026, settled=False)
    assert client.get(f"/qim/plannen/{plan_id}/stap/1").status_code == 403
    # The accounthouder may do the opdrachtgever's steps everywhere.
    manager = login_as(Role.ACCOUNTHOUDER)
    assert manager.get(f"/qim/plannen/{plan_id}/stap/1").status_code == 200


def test_bad_input_gets_dutch_messages_and_keeps_what_was_typed(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026, settled=False)
    client = login_as(Role.BUURTCOORDINATOR)
    response = client.post(f"/qim/plannen/{plan_id}/stap/2", data={"name": "Jongeren", "description": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Beschrijf wie tot deze groep horen." in text
    assert 'value="Jongeren"' in text
    response = client.post(f"/qim/plannen/{plan_id}/stap/1", data={"quality_ids": ["abc"]})
    assert response.status_code == 400
    assert "Kies alleen uit de getoonde mogelijkheden." in response.get_data(as_text=True)
    response = client.post(f"/qim/plannen/{plan_id}/stap/5", data={"pairs": ["999-999", "x"]})
    assert response.status_code == 400
    assert "Kies alleen uit de getoonde mogelijkheden." in response.get_data(as_text=True)
    response = client.post(f"/qim/plannen/{plan_id}/stap/2",
                           data={"name": "Huisartsen", "description": "dubbel"})
    assert response.status_code == 400 and "Deze stakeholdergroep staat er al." in response.get_data(as_text=True)
    for url in ("/qim/plannen/abc", "/qim/plannen/999999", "/qim/?jaar=abc", "/qim/?jaar=99999",
                "/qim/wijken/1?periode=xyz", "/qim/wijken/1?periode=999999"):
        assert client.get(url).status_code in (200, 404), url
    response = client.post("/qim/plannen/nieuw", data={"buurt_id": "x", "year": "twee"},
                           follow_redirects=True)
    assert response.status_code == 200 and "Vul een heel getal in." in response.get_data(as_text=True)


def test_removing_a_stakeholder_drops_its_monitored_pairs(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026, settled=False)
    client = login_as(Role.BUURTCOORDINATOR)
    with app.app_context():
        doctors = db.session.scalar(sa.select(Stakeholder.id).where(
            Stakeholder.plan_id == plan_id, Stakeholder.name == "Huisartsen"))
    assert client.post(f"/qim/plannen/{plan_id}/stakeholders/{doctors}/verwijderen").status_code == 302
    with app.app_context():
        assert db.session.get(Stakeholder, doctors) is None
        assert db.session.scalar(sa.select(sa.func.count(MonitoredPair.id)).where(
            MonitoredPair.stakeholder_id == doctors)) == 0
        assert db.session.scalar(sa.select(sa.func.count(MonitoredPair.id)).where(
            MonitoredPair.plan_id == plan_id)) == 2


def test_deselecting_a_quality_in_step1_drops_its_pairs(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026, settled=False)
    client = login_as(Role.BUURTCOORDINATOR)
    with app.app_context():
        k1 = quality_id("K1")
    assert client.post(f"/qim/plannen/{plan_id}/stap/1", data={"quality_ids": [k1]}).status_code == 302
    with app.app_context():
        plan = db.session.get(QimPlan, plan_id)
        assert {pq.quality.code for pq in plan.qualities} == {"K1"}
        assert {m.quality.code for m in plan.monitored} == {"K1"}
        assert db.session.scalar(sa.select(sa.func.count(PlanQuality.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(PlanTarget.id))) == 0
