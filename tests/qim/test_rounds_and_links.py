"""Rounds and personal links: the full story of the issue, expiry, revocation, reuse, throttling."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Role
from monitor.qim.models import Judgement, JudgementRound, JudgementSource, QimPlan, ResponseLink
from monitor.timeutil import utcnow

from .conftest import LINK_RE, buurt_id, dutch, org_id, period_id, quality_id


def _open_round(client, app, plan_id: int, year: int = 2026, tertial: int = 2) -> int:
    with app.app_context():
        pid = period_id(year, tertial)
    response = client.post(f"/qim/plannen/{plan_id}/rondes", data={"period_id": pid})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(sa.select(JudgementRound.id).where(
            JudgementRound.plan_id == plan_id, JudgementRound.period_id == pid))


def _make_links(client, app, round_id: int, group: str, count: int = 3, days: int = 28) -> list[str]:
    with app.app_context():
        rnd = db.session.get(JudgementRound, round_id)
        sid = next(s.id for s in rnd.plan.stakeholders if s.name == group)
    response = client.post(f"/qim/rondes/{round_id}/links",
                           data={"stakeholder_id": sid, "count": count, "days": days})
    assert response.status_code == 200
    tokens = LINK_RE.findall(response.get_data(as_text=True))
    assert len(tokens) == count
    return tokens


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_full_story_six_steps_round_links_three_answers_results_and_refused_reuse(app, login_as):
    """The issue's first 'done when' item, through the routes only."""
    coordinator = login_as(Role.BUURTCOORDINATOR)
    with app.app_context():
        bid, k1, k2, k3 = buurt_id("Electrobuurt"), quality_id("K1"), quality_id("K2"), quality_id("K3")
        versa = org_id("Versa Welzijn")
    coordinator.post("/qim/plannen/nieuw", data={"buurt_id": bid, "year": 2026})
    with app.app_context():
        plan_id = db.session.scalar(sa.select(QimPlan.id).where(QimPlan.buurt_id == bid))
    base = f"/qim/plannen/{plan_id}"
    coordinator.post(f"{base}/stap/1", data={"quality_ids": [k1, k2]})
    coordinator.post(f"{base}/stap/2", data={"name": "Bewoners 75+", "description": "Ouderen"})
    coordinator.post(f"{base}/stap/3", data={"organisation_id": versa, "quality_ids": [k3]})
    coordinator.post(f"{base}/stap/4", data={"organisation_id": versa, "name": "Vrijwilligers",
                                             "description": "Van het buurthuis"})
    with app.app_context():
        groups = {s.name: s.id for s in db.session.get(QimPlan, plan_id).stakeholders}
    coordinator.post(f"{base}/stap/5", data={"pairs": [
        f"{groups['Bewoners 75+']}-{k1}", f"{groups['Bewoners 75+']}-{k2}",
        f"{groups['Vrijwilligers']}-{k3}"]})
    coordinator.post(f"{base}/stap/6/afgerond", data={"klaar": "1"})
    assert coordinator.post(f"{base}/vaststellen").status_code == 302
    round_id = _open_round(coordinator, app, plan_id)
    tokens = _make_links(coordinator, app, round_id, "Bewoners 75+", count=3)

    answers = [(8, 6), (6, 7), (9, None)]  # (K1, K2) per respondent; None = no opinion
    for token, (s1, s2) in zip(tokens, answers, strict=True):
        anonymous = app.test_client()
        page = anonymous.get(f"/qim/oordeel/{token}")
        assert page.status_code == 200
        assert "Bewoners 75+" in page.get_data(as_text=True)
        data = {f"score_{k1}": str(s1), f"motivation_{k1}": "Meer ontmoeting",
                f"score_{k2}": "" if s2 is None else str(s2),
                f"motivation_{k2}": "" if s2 is None else "Vrijwilligers actief"}
        done = anonymous.post(f"/qim/oordeel/{token}", data=data)
        assert done.status_code == 200
        assert "is ontvangen" in done.get_data(as_text=True)

    # The fourth use of a spent link is refused with a clear message.
    again = app.test_client().post(f"/qim/oordeel/{tokens[0]}",
                                   data={f"score_{k1}": "1", f"motivation_{k1}": "nog eens"})
    assert again.status_code == 410
    assert "Deze link is al gebruikt" in again.get_data(as_text=True)
    assert app.test_client().get(f"/qim/oordeel/{tokens[0]}").status_code == 410

    k1_scores, k2_scores = [8, 6, 9], [6, 7]
    with app.app_context():
        stored = db.session.scalars(sa.select(Judgement).where(Judgement.round_id == round_id)).all()
        assert sorted(j.score for j in stored if j.quality_id == k1) == sorted(k1_scores)
        assert sorted(j.score for j in stored if j.quality_id == k2) == sorted(k2_scores)
        assert all(j.source == JudgementSource.LINK and j.entered_by_id is None for j in stored)
    page = coordinator.get(f"/qim/rondes/{round_id}/resultaten").get_data(as_text=True)
    mean1, median1, sd1 = sum(k1_scores) / 3, 8.0, statistics.stdev(k1_scores)
    assert dutch(mean1) in page and dutch(median1) in page and dutch(sd1) in page
    assert dutch(6.5) in page  # K2: mean and median of 6 and 7
    assert "6–9" in page and "Meer ontmoeting" in page
    # K3 is monitored but nobody judged it: shown honestly.
    assert "geen gegevens" in page


def test_judgements_carry_no_reference_to_the_link(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026)
    client = login_as(Role.BUURTCOORDINATOR)
    round_id = _open_round(client, app, plan_id)
    token = _make_links(client, app, round_id, "Huisartsen", count=1)[0]
    with app.app_context():
        k1 = quality_id("K1")
        judgement_columns = {c.name for c in Judgement.__table__.columns}
        link_columns = {c.name for c in ResponseLink.__table__.columns}
    assert not any("link" in c or "token" in c or c.endswith("_at") for c in judgement_columns)
    assert "used_at" not in link_columns and "token" not in link_columns
    app.test_client().post(f"/qim/oordeel/{token}", data={f"score_{k1}": "7", f"motivation_{k1}": "Goed"},
                           environ_base={"REMOTE_ADDR": "203.0.113.9"})
    with app.app_context():
        link = db.session.scalar(sa.select(ResponseLink))
        assert link.spent is True
        assert token not in link.token_hash and len(link.token_hash) == 64
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "qim.response"))
        assert event.ip_address is None
        assert str(link.id) not in (event.object_id or "") or event.object_type == "JudgementRound"


def test_expired_link_is_refused(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026)
    client = login_as(Role.BUURTCOORDINATOR)
    round_id = _open_round(client, app, plan_id)
    token = _make_links(client, app, round_id, "Huisartsen", count=1, days=1)[0]
    with app.app_context():
        link = db.session.scalar(sa.select(ResponseLink))
        link.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        k1 = quality_id("K1")
    response = app.test_client().post(f"/qim/oordeel/{token}",
                                      data={f"score_{k1}": "7", f"motivation_{k1}": "x"})
    assert response.status_code == 410 and "verlopen" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Judgement.id))) == 0


def test_revoked_link_is_refused_and_used_link_cannot_be_revoked(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026)
    client = login_as(Role.BUURTCOORDINATOR)
    round_id = _open_round(client, app, plan_id)
    first, second = _make_links(client, app, round_id, "Huisartsen", count=2)
    with app.app_context():
        k1 = quality_id("K1")
        ids = db.session.scalars(sa.select(ResponseLink.id).order_by(ResponseLink.id)).all()
    assert client.post(f"/qim/links/{ids[0]}/intrekken").status_code == 302
    response = app.test_client().get(f"/qim/oordeel/{first}")
    assert response.status_code == 410 and "ingetrokken" in response.get_data(as_text=True)
    # The second link is used, after which revoking it is refused.
    assert app.test_client().post(f"/qim/oordeel/{second}", data={
        f"score_{k1}": "5", f"motivation_{k1}": "Matig"}).status_code == 200
    page = client.post(f"/qim/links/{ids[1]}/intrekken", follow_redirects=True).get_data(as_text=True)
    assert "al gebruikt en kan niet meer worden ingetrokken" in page
    with app.app_context():
        links = db.session.scalars(sa.select(ResponseLink).order_by(ResponseLink.id)).all()
        assert links[0].revoked_at is not None and not links[0].spent
        assert links[1].revoked_at is None and links[1].spent


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_closed_round_refuses_links_and_entries(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026)
    client = login_as(Role.BUURTCOORDINATOR)
    round_id = _open_round(client, app, plan_id)
    token = _make_links(client, app, round_id, "Huisartsen", count=1)[0]
    assert client.post(f"/qim/rondes/{round_id}/sluiten").status_code == 302
    response = app.test_client().get(f"/qim/oordeel/{token}")
    assert response.status_code == 410 and "gesloten" in response.get_data(as_text=True)
    with app.app_context():
        k1 = quality_id("K1")
        doctors = db.session.scalar(sa.select(JudgementRound).where(JudgementRound.id == round_id)
                                    ).plan.stakeholders[1].id
    response = client.post(f"/qim/rondes/{round_id}/invoeren?groep={doctors}",
                           data={f"score_{k1}": "6", f"motivation_{k1}": "x"}, follow_redirects=True)
    assert "gesloten" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Judgement.id))) == 0
    client.post(f"/qim/rondes/{round_id}/sluiten", data={"heropenen": "1"})
    assert app.test_client().get(f"/qim/oordeel/{token}").status_code == 200


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_unknown_token_is_404_and_guessing_is_throttled(app, login_as, make_plan):
    app.config["QIM_LINK_MAX_FAILURES"] = 5
    guesser = app.test_client()
    for i in range(5):
        response = guesser.get(f"/qim/oordeel/geraden-token-{i:020d}")
        assert response.status_code == 404
        assert "Deze link bestaat niet" in response.get_data(as_text=True)
    response = guesser.get("/qim/oordeel/geraden-token-nog-een-keer-00000")
    assert response.status_code == 429 and "te vaak" in response.get_data(as_text=True)
    # Another address is not affected.
    other = app.test_client().get("/qim/oordeel/geraden-token-00000000000000000",
                                  environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 404


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_answer_needs_a_score_and_a_motivation_in_dutch(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026)
    client = login_as(Role.BUURTCOORDINATOR)
    round_id = _open_round(client, app, plan_id)
    token = _make_links(client, app, round_id, "Huisartsen", count=1)[0]
    with app.app_context():
        k1, k2 = quality_id("K1"), quality_id("K2")
    anonymous = app.test_client()
    response = anonymous.post(f"/qim/oordeel/{token}", data={f"score_{k1}": "", f"score_{k2}": ""})
    assert response.status_code == 400
    assert "Geef voor minstens één kwaliteit een cijfer." in response.get_data(as_text=True)
    response = anonymous.post(f"/qim/oordeel/{token}", data={
        f"score_{k1}": "8", f"motivation_{k1}": "", f"score_{k2}": "11",
        f"motivation_{k2}": "Typ dit niet opnieuw"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vertel kort wat u zag gebeuren" in text
    assert "Kies een cijfer van 1 tot en met 10." in text
    assert "Typ dit niet opnieuw" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Judgement.id))) == 0
        assert db.session.scalar(sa.select(ResponseLink.spent)) is False
    # The link still works after the corrections.
    assert anonymous.post(f"/qim/oordeel/{token}", data={
        f"score_{k1}": "8", f"motivation_{k1}": "Korte lijnen"}).status_code == 200


def test_coordinator_enters_judgements_from_a_meeting(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026)
    client = login_as(Role.BUURTCOORDINATOR)
    round_id = _open_round(client, app, plan_id)
    with app.app_context():
        k1, k2 = quality_id("K1"), quality_id("K2")
        elderly = db.session.get(QimPlan, plan_id).stakeholders[0].id
    page = client.get(f"/qim/rondes/{round_id}/invoeren").get_data(as_text=True)
    assert "Bewoners 75+" in page and "Huisartsen" in page
    response = client.post(f"/qim/rondes/{round_id}/invoeren?groep={elderly}", data={
        f"score_{k1}": "4", f"motivation_{k1}": "Bankje weg", f"score_{k2}": "7",
        f"motivation_{k2}": "Koffieochtend"})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalars(sa.select(Judgement).order_by(Judgement.score)).all()
        assert [(j.score, j.source) for j in stored] == [(4, JudgementSource.COORDINATOR),
                                                         (7, JudgementSource.COORDINATOR)]
        assert all(j.entered_by_id == client.user.id for j in stored)


def test_round_rules_settled_plan_year_and_one_per_period(app, login_as, make_plan):
    concept = make_plan("Geuzenbuurt", 2026, settled=False)
    client = login_as(Role.BUURTCOORDINATOR)
    with app.app_context():
        p2026, p2025 = period_id(2026, 1), period_id(2025, 1)
    text = client.post(f"/qim/plannen/{concept}/rondes", data={"period_id": p2026},
                       follow_redirects=True).get_data(as_text=True)
    assert "alleen voor een vastgesteld plan" in text
    settled = make_plan("Electrobuurt", 2026)
    text = client.post(f"/qim/plannen/{settled}/rondes", data={"period_id": p2025},
                       follow_redirects=True).get_data(as_text=True)
    assert "Kies een periode van het planjaar." in text
    _open_round(client, app, settled, 2026, 1)
    text = client.post(f"/qim/plannen/{settled}/rondes", data={"period_id": p2026},
                       follow_redirects=True).get_data(as_text=True)
    assert "al een oordeelronde" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(JudgementRound.id))) == 1


def test_link_batch_limits_are_checked(app, login_as, make_plan):
    plan_id = make_plan("Geuzenbuurt", 2026)
    client = login_as(Role.BUURTCOORDINATOR)
    round_id = _open_round(client, app, plan_id)
    with app.app_context():
        sid = db.session.get(QimPlan, plan_id).stakeholders[0].id
    response = client.post(f"/qim/rondes/{round_id}/links",
                           data={"stakeholder_id": sid, "count": "500", "days": "400"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kies een aantal van 1 tot en met 50." in text and "Kies 1 tot en met 90 dagen." in text
    response = client.post(f"/qim/rondes/{round_id}/links",
                           data={"stakeholder_id": "abc", "count": "drie", "days": "1"})
    assert response.status_code == 400 and "Vul een heel getal in." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ResponseLink.id))) == 0


def test_rounds_are_managed_only_in_own_wijken(app, login_as, make_plan, make_round):
    plan_id = make_plan("Boomberg", 2026)
    round_id = make_round(plan_id, 2026, 1)
    client = login_as(Role.BUURTCOORDINATOR)
    assert client.get(f"/qim/rondes/{round_id}").status_code == 403
    assert client.post(f"/qim/rondes/{round_id}/links", data={}).status_code == 403
    # Reading the results (aggregated) is open to every role.
    assert client.get(f"/qim/rondes/{round_id}/resultaten").status_code == 200
    assert login_as(Role.RAADSLID).get(f"/qim/rondes/{round_id}/resultaten").status_code == 200
