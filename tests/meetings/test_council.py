"""The council's view of the monitorgesprekken: questions, signals, the agenda file, the start page."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from monitor.extensions import db
from monitor.meetings.models import CouncilQuestion, MonitorSession, PolicySignal, SessionStatus
from monitor.models import AuditEvent, Role
from monitor.timeutil import AMSTERDAM

from .conftest import period_id, wijk_id
from .test_meetings_flow import open_session


def quality_id(app, code: str) -> int:
    with app.app_context():
        return db.session.execute(sa.text("select id from qualities where code=:c"), {"c": code}).scalar()


def hold(coordinator, session_id: int, data: dict) -> None:
    assert coordinator.post(f"/monitorgesprekken/{session_id}/dossier").status_code == 302
    response = coordinator.post(f"/monitorgesprekken/{session_id}/verslag", data={"held_on": "2026-05-20", **data})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_question_from_the_council_is_prepared_answered_and_read_back(app, login_as, stories):
    member = login_as(Role.RAADSLID)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    other_member = login_as(Role.RAADSLID)
    oost = wijk_id(app, "Oost")

    # Nothing typed is lost when the question is empty.
    response = member.post("/monitorgesprekken/vragen", data={"wijk_id": str(oost), "text": "  "})
    assert response.status_code == 400 and "Schrijf uw vraag op." in response.get_data(as_text=True)
    response = member.post("/monitorgesprekken/vragen", data={"wijk_id": str(oost),
                                                              "text": "Hoe gaat het met de mantelzorgers?"})
    assert response.status_code == 302
    with app.app_context():
        question = db.session.scalar(sa.select(CouncilQuestion))
        assert question.is_open and question.wijk_id == oost
        question_id = question.id

    session_id = open_session(coordinator, app)
    page = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert "Vragen uit de raad" in page and "Hoe gaat het met de mantelzorgers?" in page

    # Others cannot read or withdraw the question; a coordinator of another wijk does not see it.
    assert other_member.post(f"/monitorgesprekken/vragen/{question_id}/intrekken").status_code == 403
    assert "mantelzorgers" not in other_member.get("/monitorgesprekken/vragen").get_data(as_text=True)
    elsewhere = login_as(Role.BUURTCOORDINATOR, wijken=["Centrum"])
    centrum_session = open_session(elsewhere, app, wijk="Centrum")
    assert "mantelzorgers" not in elsewhere.get(f"/monitorgesprekken/{centrum_session}").get_data(as_text=True)
    assert coordinator.get("/monitorgesprekken/vragen").status_code == 403

    minutes = coordinator.get(f"/monitorgesprekken/{session_id}/verslag").get_data(as_text=True)
    assert f'name="antwoord-{question_id}"' in minutes
    hold(coordinator, session_id, {f"antwoord-{question_id}": "Zij voelen zich gesteund door het steunpunt.",
                                   "signaal-0": "Mantelzorgers vragen om respijtzorg."})

    page = member.get("/monitorgesprekken/vragen").get_data(as_text=True)
    assert "Zij voelen zich gesteund door het steunpunt." in page
    assert "monitorgesprek oost, mei 2026" in page
    # The answered question can no longer be withdrawn.
    member.post(f"/monitorgesprekken/vragen/{question_id}/intrekken")
    with app.app_context():
        question = db.session.get(CouncilQuestion, question_id)
        assert question.session_id == session_id and not question.is_open
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("council_question.%"))))
    assert actions == {"council_question.ask", "council_question.answer"}
    # The held session shows the answer to every reader of the session.
    held = other_member.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert "Zij voelen zich gesteund door het steunpunt." in held


def test_open_question_can_be_withdrawn(app, login_as):
    member = login_as(Role.RAADSLID)
    member.post("/monitorgesprekken/vragen", data={"wijk_id": str(wijk_id(app, "Zuid")), "text": "Vraag?"})
    with app.app_context():
        question_id = db.session.scalar(sa.select(CouncilQuestion.id))
    assert member.post(f"/monitorgesprekken/vragen/{question_id}/intrekken").status_code == 302
    with app.app_context():
        assert db.session.get(CouncilQuestion, question_id) is None


def test_signals_are_recorded_with_quality_and_filtered(app, login_as, stories):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost", "Zuid"])
    k1, k3 = quality_id(app, "K1"), quality_id(app, "K3")
    oost = open_session(coordinator, app)
    zuid = open_session(coordinator, app, wijk="Zuid")
    hold(coordinator, oost, {"signaal-0": "Huisartsen verwijzen weinig door.", "signaal-0-kwaliteit": str(k3),
                             "signaal-1": "", "signaal-2": "Te weinig ruimte voor initiatieven.",
                             "signaal-2-kwaliteit": str(k1)})
    hold(coordinator, zuid, {"signaal-0": "Jongeren missen een plek.", "signaal-0-kwaliteit": "999999"})
    with app.app_context():
        session = db.session.get(MonitorSession, oost)
        # The text form is kept for the dossier, the exports and the annual report.
        assert session.policy_signals == "Huisartsen verwijzen weinig door.\nTe weinig ruimte voor initiatieven."
        assert db.session.scalar(sa.select(PolicySignal.quality_id).where(PolicySignal.session_id == zuid)) is None

    member = login_as(Role.RAADSLID)
    page = member.get("/monitorgesprekken/signalen").get_data(as_text=True)
    assert page.count("Huisartsen verwijzen") == 1 and "Jongeren missen een plek." in page
    page = member.get(f"/monitorgesprekken/signalen?kwaliteit={k3}").get_data(as_text=True)
    assert "Huisartsen verwijzen" in page and "Te weinig ruimte" not in page and "Jongeren" not in page
    page = member.get(f"/monitorgesprekken/signalen?wijk={wijk_id(app, 'Zuid')}&jaar=2026").get_data(as_text=True)
    assert "Jongeren missen een plek." in page and "Huisartsen" not in page
    assert "Jongeren" not in member.get("/monitorgesprekken/signalen?jaar=2025").get_data(as_text=True)
    # Staff of another wijk see only their own wijk's signals.
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"])
    page = worker.get("/monitorgesprekken/signalen").get_data(as_text=True)
    assert "Jongeren missen een plek." in page and "Huisartsen" not in page
    # Re-opening the minutes keeps the signals in their rows.
    minutes = coordinator.get(f"/monitorgesprekken/{oost}/verslag").get_data(as_text=True)
    assert 'value="Te weinig ruimte voor initiatieven."' in minutes


def test_agenda_file_and_council_start_page(app, login_as, stories):
    from icalendar import Calendar

    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app, year=2026, tertial=3)
    soon = (datetime.now(AMSTERDAM) + timedelta(days=10)).replace(tzinfo=None, second=0, microsecond=0)
    coordinator.post(f"/monitorgesprekken/{session_id}", data={
        "scheduled_at": soon.strftime("%Y-%m-%dT%H:%M"), "place": "Wijkcentrum Oost"})
    member = login_as(Role.RAADSLID)

    response = member.get(f"/monitorgesprekken/{session_id}/agenda.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    event = next(iter(Calendar.from_ical(response.data).walk("VEVENT")))
    assert str(event["summary"]) == "Monitorgesprek Oost, december 2026"
    assert str(event["location"]) == "Wijkcentrum Oost"
    start = event.decoded("dtstart")
    assert start.replace(tzinfo=None) == soon and str(start.tzinfo) == "Europe/Amsterdam"
    assert event.decoded("dtend") - start == timedelta(hours=2)

    # A worker of another wijk gets no agenda file of Oost; a session without a date has none.
    assert login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"]).get(
        f"/monitorgesprekken/{session_id}/agenda.ics").status_code == 403
    undated = open_session(coordinator, app, year=2026, tertial=2)
    assert member.get(f"/monitorgesprekken/{undated}/agenda.ics").status_code == 404

    home = member.get("/start").get_data(as_text=True)
    assert "Komende monitorgesprekken" in home and "Monitorgesprek Oost, december 2026" in home
    assert f"/monitorgesprekken/{session_id}/agenda.ics" in home
    # In preparation: the member sees the date, not the unfinished session page.
    assert f'href="/monitorgesprekken/{session_id}"' not in home
    assert "Er zijn nog geen dossiers uitgegeven." in home

    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    home = member.get("/start").get_data(as_text=True)
    assert f"/monitorgesprekken/{session_id}/dossier" in home and "Dossier Oost, december 2026 (versie 1)" in home
    # Coordinators keep their own start page.
    assert "Komende monitorgesprekken" not in coordinator.get("/start").get_data(as_text=True)


def test_index_picks_year_and_wijk(app, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost", "Zuid"])
    open_session(coordinator, app, year=2021, tertial=2)
    page = coordinator.get(f"/monitorgesprekken/?jaar=2021&wijk={wijk_id(app, 'Oost')}").get_data(as_text=True)
    assert "Monitorgesprekken in Oost in 2021" in page and "In voorbereiding" in page
    assert '<option value="2021" selected>' in page
    assert ">Zuid</th>" not in page
    page = coordinator.get("/monitorgesprekken/?jaar=2021").get_data(as_text=True)
    assert ">Zuid</th>" in page and ">Oost</th>" in page
    assert period_id(app, 2021, 2)
    with app.app_context():
        assert db.session.scalar(sa.select(MonitorSession.status)) == SessionStatus.VOORBEREIDING
