"""A buurtcoördinator prepares, issues, holds and follows up a monitorgesprek."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.meetings.models import Dossier, MonitorSession, SessionAction
from monitor.models import AuditEvent, Role

from .conftest import docx_text, pdf_text, period_id, wijk_id


def open_session(client, app, wijk="Oost", year=2026, tertial=1) -> int:
    response = client.post("/monitorgesprekken/nieuw", data={
        "wijk_id": wijk_id(app, wijk), "period_id": period_id(app, year, tertial)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_prepare_issue_pdf_minutes_and_follow_up(app, login_as, figures, stories):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    assert open_session(coordinator, app) == session_id  # one session per wijk and period

    response = coordinator.post(f"/monitorgesprekken/{session_id}", data={
        "scheduled_at": "2026-05-20T15:00", "place": "De Kleine Lelie", "facilitator": "Accounthouder",
        "introduction": "Terugblik op januari–april.", "discussion_questions": "Wat zagen we?\nWie missen we?"})
    assert response.status_code == 302
    coordinator.post(f"/monitorgesprekken/{session_id}/deelnemers",
                     data={"p-name": "Sanne (Versa)", "p-kind": "sociaal_werker", "p-organisation": "Versa Welzijn"})
    coordinator.post(f"/monitorgesprekken/{session_id}/verhalen", data={"story-story_id": "7",
                                                                      "story-storyteller_present": "y"})
    page = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert "Uren per specialisme" in page and ">120<" in page
    assert "Opgave van MEE nog niet goedgekeurd" in page  # what is missing is flagged
    assert "Samen koken in de Meent" in page and "Sanne (Versa)" in page

    assert coordinator.post(f"/monitorgesprekken/{session_id}/dossier").status_code == 302
    figures["hours"] = 95  # a later correction of the underlying figures
    live = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert ">95<" in live
    dossier = coordinator.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    assert ">120<" in dossier and ">95<" not in dossier
    assert "Wie missen we?" in dossier and "De Kleine Lelie" in dossier
    pdf = coordinator.get(f"/monitorgesprekken/{session_id}/dossier.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Buurtwerk" in text and "120" in text and "95" not in text.split("Buurtwerk")[1][:20]
    assert "Samen koken in de Meent" in text and "Terugblik op januari–april." in text

    # Minutes after the meeting; the story's teller hears why it was chosen.
    with app.app_context():
        participant = db.session.scalar(sa.select(MonitorSession).where(MonitorSession.id == session_id)).participants[0]
        k1 = db.session.execute(sa.text("select id from qualities where code='K1'")).scalar()
    response = coordinator.post(f"/monitorgesprekken/{session_id}/verslag", data={
        "held_on": "2026-05-20", "present_ids": [str(participant.id)], f"conclusie-{k1}": "Meer ontmoeting.",
        "signaal-0": "Huisartsen verwijzen weinig door.", "most_significant_story_id": "7",
        "most_significant_why": "Het laat zien hoe buren elkaar vinden.", "dissenting_views": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stories == [(7, "Monitorgesprek Oost, mei 2026", "Het laat zien hoe buren elkaar vinden.")]
    held = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert ">120<" in held and ">95<" not in held  # a held session shows what was discussed
    coordinator.post(f"/monitorgesprekken/{session_id}/acties", data={
        "a-description": "Huisartsen uitnodigen", "a-owner": "Buurtcoördinator", "a-due_on": "2026-07-01"})

    # The September session shows the open action and can close it.
    september = open_session(coordinator, app, tertial=2)
    page = coordinator.get(f"/monitorgesprekken/{september}").get_data(as_text=True)
    assert "Huisartsen uitnodigen" in page
    with app.app_context():
        action_id = db.session.scalar(sa.select(SessionAction.id))
    coordinator.post(f"/monitorgesprekken/acties/{action_id}/afgerond",
                     data={"d-done_on": "2026-06-15", "d-follow_up": "Kennismaking gehouden", "terug": september})
    page = coordinator.get(f"/monitorgesprekken/{september}").get_data(as_text=True)
    assert "Er staan geen acties open." in page
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("session.%"))))
    assert {"session.create", "session.update", "session.dossier_issue", "session.minutes",
            "session.action_add", "session.action_done"} <= actions


def test_minutes_need_an_issued_dossier(app, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    response = coordinator.post(f"/monitorgesprekken/{session_id}/verslag", data={"held_on": "2026-05-20"})
    assert response.status_code == 400
    assert "Geef eerst het dossier uit" in response.get_data(as_text=True)


def test_most_significant_story_needs_a_reason(app, login_as, stories):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    coordinator.post(f"/monitorgesprekken/{session_id}/verhalen", data={"story-story_id": "8"})
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    response = coordinator.post(f"/monitorgesprekken/{session_id}/verslag", data={
        "held_on": "2026-05-20", "most_significant_story_id": "8", "most_significant_why": ""})
    assert "Schrijf op waarom" in response.get_data(as_text=True)
    assert stories == []


def test_only_published_stories_of_the_wijk_can_be_chosen(app, login_as, stories):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    coordinator.post(f"/monitorgesprekken/{session_id}/verhalen", data={"story-story_id": "99"})
    with app.app_context():
        assert db.session.get(MonitorSession, session_id).stories == []


def test_pinned_and_hidden_sections(app, login_as, figures):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    coordinator.post(f"/monitorgesprekken/{session_id}/secties/initiatives/pin")
    coordinator.post(f"/monitorgesprekken/{session_id}/secties/fake_counts/hide")
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    with app.app_context():
        snapshot = db.session.scalar(sa.select(Dossier.snapshot))
    keys = [s["key"] for s in snapshot["sections"]]
    assert keys[0] == "initiatives" and "fake_counts" not in keys
    assert "Opgave van MEE nog niet goedgekeurd" not in snapshot["missing"]


def test_reissue_keeps_earlier_versions(app, login_as, figures):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    figures["hours"] = 130
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    assert ">130<" in coordinator.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    assert ">120<" in coordinator.get(f"/monitorgesprekken/{session_id}/dossier/v1").get_data(as_text=True)
    assert coordinator.get(f"/monitorgesprekken/{session_id}/dossier/v3").status_code == 404


def test_scoping_by_wijk_and_role(app, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    other = login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])
    assert other.get(f"/monitorgesprekken/{session_id}").status_code == 403
    other.post("/monitorgesprekken/nieuw", data={
        "wijk_id": wijk_id(app, "Oost"), "period_id": period_id(app, 2026, 2)})
    with app.app_context():  # another wijk's coordinator cannot open a session there
        assert db.session.scalar(sa.select(sa.func.count(MonitorSession.id))) == 1
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    assert worker.get(f"/monitorgesprekken/{session_id}/dossier").status_code == 200
    assert worker.post(f"/monitorgesprekken/{session_id}/dossier").status_code == 403
    outsider = login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"])
    assert outsider.get(f"/monitorgesprekken/{session_id}/dossier").status_code == 403
    council = login_as(Role.RAADSLID)
    assert council.get(f"/monitorgesprekken/{session_id}/dossier.pdf").status_code == 200
    assert council.get(f"/monitorgesprekken/{session_id}/verslag").status_code == 403


def test_overview_shows_status_per_wijk(app, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    open_session(coordinator, app)
    html = coordinator.get("/monitorgesprekken/?jaar=2026").get_data(as_text=True)
    assert "In voorbereiding" in html and "Zuidwest" not in html
    assert login_as(Role.ADMIN).get("/monitorgesprekken/?jaar=abc").status_code == 200


def test_bad_input_keeps_what_was_typed(app, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    response = coordinator.post(f"/monitorgesprekken/{session_id}", data={
        "scheduled_at": "volgende week", "place": "Buurthuis", "introduction": "Mijn inleiding"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Mijn inleiding" in html and 'value="Buurthuis"' in html


def test_annual_report_compiles_and_exports(app, login_as, figures, stories):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    for tertial in (1, 2, 3):
        session_id = open_session(coordinator, app, tertial=tertial)
        if tertial == 1:
            coordinator.post(f"/monitorgesprekken/{session_id}/verhalen", data={"story-story_id": "7"})
        figures["hours"] = 100 + tertial
        coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    accounthouder = login_as(Role.ACCOUNTHOUDER)
    response = accounthouder.post("/monitorgesprekken/jaarrapportages", data={
        "year": "2026", "subject": f"wijk-{wijk_id(app, 'Oost')}"})
    assert response.status_code == 302
    report_url = response.headers["Location"]
    accounthouder.post(report_url, data={"introduction": "Een jaar in Oost.", "conclusions": "Het werkt.",
                                         "samenstellen": "1"})
    html = accounthouder.get(report_url).get_data(as_text=True)
    for hours in ("101", "102", "103"):
        assert f">{hours}<" in html
    pdf = pdf_text(accounthouder.get(report_url + ".pdf").data)
    docx = docx_text(accounthouder.get(report_url + ".docx").data)
    for text in (pdf, docx):
        assert "Jaarrapportage 2026" in text and "Een jaar in Oost." in text and "Het werkt." in text
        assert "101" in text and "102" in text and "103" in text and "Samen koken in de Meent" in text
    council = login_as(Role.RAADSLID)
    # A council member reads a report once it is settled (issue 14), never edits it.
    assert council.get(report_url).status_code == 403
    assert accounthouder.post(report_url + "/vaststellen", data={}).status_code == 302
    assert council.get(report_url).status_code == 200
    assert council.post(report_url, data={"introduction": "x"}).status_code == 403
    assert accounthouder.post("/monitorgesprekken/jaarrapportages", data={
        "year": "2026", "subject": "wijk-999999"}).status_code == 400
    assert accounthouder.post("/monitorgesprekken/jaarrapportages", data={
        "year": "2026", "subject": "onzin"}).status_code == 400


@pytest.mark.slow
def test_qim_judgements_appear_in_the_session(app, login_as, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    from monitor.models import Buurt, Period, Wijk
    from monitor.qim.models import Judgement, JudgementRound, QimPlan

    with app.app_context():
        # Independently of the QIM code: the mean of all judgements of one quality in
        # the rounds of the wijk's buurten for one closed period.
        row = db.session.execute(
            sa.select(Wijk.name, Period.year, Period.tertial, Judgement.quality_id,
                      sa.func.count(Judgement.id), sa.func.avg(Judgement.score))
            .select_from(Judgement).join(JudgementRound, Judgement.round_id == JudgementRound.id)
            .join(QimPlan, JudgementRound.plan_id == QimPlan.id).join(Buurt, QimPlan.buurt_id == Buurt.id)
            .join(Wijk, Buurt.wijk_id == Wijk.id).join(Period, JudgementRound.period_id == Period.id)
            .group_by(Wijk.name, Period.year, Period.tertial, Judgement.quality_id)
            .having(sa.func.count(Judgement.id) >= 5).limit(1)).one()
    wijk, year, tertial, _, n, mean = row
    coordinator = login_as(Role.ADMIN)
    session_id = open_session(coordinator, app, wijk=wijk, year=year, tertial=tertial)
    html = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    expected = f"{mean:.1f}".replace(".", ",") + f" (n={n})"
    assert "Kwaliteiten: het oordeel van belanghebbenden" in html and expected in html
