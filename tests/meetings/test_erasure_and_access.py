"""Issue 12: a dossier forgets stories its audience may no longer see; preparation stays internal."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.meetings.models import AnnualReport, Dossier, SessionStory
from monitor.models import Role

from ..narratives.conftest import make_story  # noqa: F401  (fixture)
from .conftest import pdf_text, wijk_id
from .test_meetings_flow import open_session


def _stored_copies(app) -> str:
    """Everything the sessions module stores that could quote a story."""
    with app.app_context():
        return json.dumps([
            [s.story_title for s in db.session.scalars(sa.select(SessionStory))],
            [d.snapshot for d in db.session.scalars(sa.select(Dossier))],
            [r.compiled for r in db.session.scalars(sa.select(AnnualReport))],
        ], ensure_ascii=False)


def _issue_with_story(app, coordinator, story_id) -> int:
    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    response = coordinator.post(f"/monitorgesprekken/{session_id}/verhalen",
                                data={"story-story_id": str(story_id)})
    assert response.status_code == 302
    assert coordinator.post(f"/monitorgesprekken/{session_id}/dossier").status_code == 302
    return session_id


def _compile_report(app, login_as) -> tuple:
    accounthouder = login_as(Role.ACCOUNTHOUDER)
    response = accounthouder.post("/monitorgesprekken/jaarrapportages", data={
        "year": "2026", "subject": f"wijk-{wijk_id(app, 'Oost')}"})
    report_url = response.headers["Location"]
    accounthouder.post(report_url, data={"introduction": "", "conclusions": "", "samenstellen": "1"})
    return accounthouder, report_url


# slow: four PDFs rendered and read (~2.5 s quiet, 3-4 s under load); the fast loop keeps
# the withdrawal and anonymisation of quoted stories below.
@pytest.mark.slow
def test_a_story_narrowed_below_the_dossier_audience_is_blanked_like_a_withdrawn_one(
        narr_app, make_story, login_as):  # noqa: F811  (pytest fixture)
    app = narr_app
    story_id = make_story(wijk="Oost", title="De moestuin achter de flat", about=date(2026, 2, 1))
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = _issue_with_story(app, coordinator, story_id)
    council = login_as(Role.RAADSLID)
    assert "De moestuin achter de flat" in council.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    accounthouder, report_url = _compile_report(app, login_as)
    assert "De moestuin achter de flat" in accounthouder.get(report_url).get_data(as_text=True)

    for visibility in ("intern", "raad"):
        assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                                data={"pub-visibility": visibility}).status_code == 302
        pages = [reader.get(f"/monitorgesprekken/{session_id}{path}").get_data(as_text=True)
                 for reader in (council, coordinator) for path in ("", "/dossier")]
        pages.append(pdf_text(council.get(f"/monitorgesprekken/{session_id}/dossier.pdf").data))
        pages += [accounthouder.get(report_url).get_data(as_text=True),
                  pdf_text(accounthouder.get(report_url + ".pdf").data)]
        for page in pages:
            assert "De moestuin achter de flat" not in page, visibility
        assert "Dit verhaal is niet meer beschikbaar." in pages[1]
    # Public again: the dossier shows what it showed when it was issued.
    coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren", data={"pub-visibility": "openbaar"})
    assert "De moestuin achter de flat" in council.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)


def test_withdrawal_and_anonymisation_rewrite_the_copies_dossiers_and_reports_keep(
        narr_app, make_story, login_as):  # noqa: F811  (pytest fixture)
    app = narr_app
    kept = make_story(wijk="Oost", title="Henk Visser en de buurtbus", about=date(2026, 2, 1))
    withdrawn = make_story(wijk="Oost", title="Het bankje van mevrouw Smit", about=date(2026, 3, 1))
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = _issue_with_story(app, coordinator, kept)
    coordinator.post(f"/monitorgesprekken/{session_id}/verhalen", data={"story-story_id": str(withdrawn)})
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")  # version 2 quotes both
    accounthouder, report_url = _compile_report(app, login_as)
    copies = _stored_copies(app)
    assert "Henk Visser" in copies and "mevrouw Smit" in copies

    assert coordinator.post(f"/verhalen/verhaal/{kept}/anonimiseren",
                            data={"ano-names": "Henk Visser"}).status_code == 302
    assert coordinator.post(f"/verhalen/verhaal/{withdrawn}/intrekken").status_code == 302
    copies = _stored_copies(app)
    assert "Henk Visser" not in copies and "mevrouw Smit" not in copies
    assert "[naam] en de buurtbus" in copies
    dossier = coordinator.get(f"/monitorgesprekken/{session_id}/dossier/v1").get_data(as_text=True)
    assert "[naam] en de buurtbus" in dossier
    report = accounthouder.get(report_url).get_data(as_text=True)
    assert "[naam] en de buurtbus" in report and "Dit verhaal is ingetrokken" in report


def test_a_session_in_preparation_is_only_for_those_who_prepare_it(app, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    url = f"/monitorgesprekken/{session_id}"
    council = login_as(Role.RAADSLID)
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])  # Versa Welzijn
    other_org = login_as(Role.SOCIAAL_WERKER, organisation="MEE", wijken=["Oost"])
    other_coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])
    for outsider in (council, worker, other_org, other_coordinator):
        assert outsider.get(url).status_code == 403
        assert outsider.get(url + "/dossier").status_code == 403
        overview = outsider.get("/monitorgesprekken/?jaar=2026").get_data(as_text=True)
        assert f'href="{url}"' not in overview
    page = coordinator.get(url).get_data(as_text=True)
    assert "Opgave " in page and "nog niet begonnen" in page  # the returns still pending
    for preparer in (login_as(Role.ACCOUNTHOUDER), login_as(Role.ADMIN)):
        assert preparer.get(url).status_code == 200

    # Issued: everyone in scope reads it, but what is still pending stays with those whom
    # /tellen/volledigheid shows it.
    assert coordinator.post(url + "/dossier").status_code == 302
    for reader in (council, worker, other_org):
        for path in ("", "/dossier"):
            response = reader.get(url + path)
            assert response.status_code == 200, path
            html = response.get_data(as_text=True)
            assert "nog niet begonnen" not in html and "Nog na te lopen" not in html, path
            assert "Nog niet compleet bij uitgifte" not in html, path
        assert reader.get("/tellen/volledigheid").status_code == 403
        assert "nog niet begonnen" not in pdf_text(reader.get(url + "/dossier.pdf").data)
    assert other_coordinator.get(url).status_code == 403
    dossier = coordinator.get(url + "/dossier").get_data(as_text=True)
    assert "Nog niet compleet bij uitgifte" in dossier and "nog niet begonnen" in dossier
    assert re.search(r"nog niet begonnen", pdf_text(coordinator.get(url + "/dossier.pdf").data))
