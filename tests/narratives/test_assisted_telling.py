"""Issue 19 §5: a worker records a story on behalf of a resident; the resident confirms or
corrects it through the private link (or the slip's QR code) before it can be published."""

from __future__ import annotations

import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Role
from monitor.narratives.models import Story, StoryStatus, TellingWay
from monitor.notifications.models import Notification, OutgoingMessage

from .test_teller_link import _story, _story_form

CORRECTION = "Het was niet mijn buurvrouw maar mijn zus Fatima die mij hielp."


def _record_on_behalf(app, worker, **overrides) -> tuple[int, str]:
    data = _story_form(app, **{"teller": "inwoner", "told_how": "vertaald", "told_in": "Arabisch", **overrides})
    response = worker.post("/verhalen/nieuw", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    story_id = int(re.search(r"/verhaal/(\d+)/strookje$", response.headers["Location"]).group(1))
    slip = worker.get(response.headers["Location"]).get_data(as_text=True)
    private = re.search(r"https?://localhost(/verhalen/mijn/[A-Za-z0-9_-]+)", slip).group(1)
    return story_id, private


def _edit_data(app, **overrides) -> dict:
    data = _story_form(app, **{"teller": "inwoner", "told_how": "vertaald", "told_in": "Arabisch", **overrides})
    del data["photo_1-file"], data["photo_1-alt_text"], data["photo_1-caption"]
    return data


def _publish(coordinator, story_id):
    return coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren", data={"pub-visibility": "openbaar"},
                            follow_redirects=True)


def test_a_story_told_in_arabic_waits_for_the_teller_then_goes_through_a_correction(narr_app, login_as, client):
    app = narr_app
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id, private = _record_on_behalf(app, worker)
    story = _story(app, story_id)
    assert story.told_how == TellingWay.VERTAALD and story.told_in == "Arabisch"
    edit_page = worker.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    assert "kan pas worden gepubliceerd als de verteller" in edit_page
    assert worker.post(f"/verhalen/verhaal/{story_id}/indienen").status_code == 302

    # Submitted, but the coordinator cannot publish what the teller has not confirmed.
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    moderation = coordinator.get(f"/verhalen/verhaal/{story_id}/moderatie").get_data(as_text=True)
    assert "Opgeschreven namens de verteller door" in moderation and "verteld in het Arabisch" in moderation
    page = _publish(coordinator, story_id).get_data(as_text=True)
    assert "De verteller heeft het verhaal nog niet bevestigd" in page
    assert _story(app, story_id).status == StoryStatus.INGEDIEND
    assert client.get(f"/verhalen/verhaal/{story_id}").status_code == 404

    # The teller asks for a correction. An empty one is refused in Dutch; a long one keeps the text.
    response = client.post(private + "/correctie", data={"correction": "  "})
    assert response.status_code == 400 and "Schrijf op wat er niet klopt." in response.get_data(as_text=True)
    too_long = "Bijna goed. " * 400
    response = client.post(private + "/correctie", data={"correction": too_long})
    assert response.status_code == 400 and too_long.strip()[:200] in response.get_data(as_text=True)
    assert client.post(private + "/correctie", data={"correction": CORRECTION}).status_code == 302
    story = _story(app, story_id)
    assert story.teller_correction == CORRECTION and story.teller_confirmed_at is None
    assert "U vroeg op" in client.get(private).get_data(as_text=True)

    # The story goes back to the worker, who reads the correction on the story's page and gets
    # a notice that does not quote it; the coordinator sees it too.
    assert _story(app, story_id).status == StoryStatus.TERUGGESTUURD
    assert CORRECTION in worker.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    assert CORRECTION in coordinator.get(f"/verhalen/verhaal/{story_id}/moderatie").get_data(as_text=True)
    with app.app_context():
        notice = db.session.scalar(sa.select(Notification).where(
            Notification.kind == "narratives.teller_correction", Notification.user_id == worker.user.id))
        assert notice is not None and story.reference in notice.title
        for message in db.session.scalars(sa.select(OutgoingMessage).where(
                OutgoingMessage.kind == "narratives.teller_correction")):
            assert "Fatima" not in message.body_text + message.body_html + message.subject
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "story.teller_correction"))
        assert event.ip_address is None and "Fatima" not in str(event.new_values) + (event.summary or "")
    page = _publish(coordinator, story_id).get_data(as_text=True)
    assert "De verteller vroeg om een correctie" in page
    assert _story(app, story_id).status == StoryStatus.TERUGGESTUURD

    # The worker corrects the text and submits it again; the teller reads the new version
    # and confirms it.
    new_body = "Mijn zus Fatima zit er elke ochtend met mij."
    assert worker.post(f"/verhalen/verhaal/{story_id}/bewerken",
                       data=_edit_data(app, body=new_body)).status_code == 302
    page = _publish(coordinator, story_id).get_data(as_text=True)
    assert "De verteller vroeg om een correctie" in page
    assert worker.post(f"/verhalen/verhaal/{story_id}/indienen").status_code == 302
    teller_page = client.get(private).get_data(as_text=True)
    assert new_body in teller_page and "Ja, dit is mijn verhaal" in teller_page
    assert client.post(private + "/bevestigen").status_code == 302
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.teller_correction == "" and story.teller_confirmed_current

    page = _publish(coordinator, story_id).get_data(as_text=True)
    assert _story(app, story_id).status == StoryStatus.GEPUBLICEERD, page
    public = client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert "Verteld in een andere taal en vertaald" in public and new_body in public


def test_a_change_after_confirmation_asks_the_teller_again_before_publication(narr_app, login_as, client):
    app = narr_app
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id, private = _record_on_behalf(app, worker, told_how="verteld", told_in="")
    assert client.post(private + "/bevestigen").status_code == 302
    assert worker.post(f"/verhalen/verhaal/{story_id}/bewerken",
                       data=_edit_data(app, told_how="verteld", told_in="",
                                       body="Een andere tekst dan de verteller las.")).status_code == 302
    assert worker.post(f"/verhalen/verhaal/{story_id}/indienen").status_code == 302
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    page = _publish(coordinator, story_id).get_data(as_text=True)
    assert "aangepast nadat de verteller het bevestigde" in page
    assert _story(app, story_id).status == StoryStatus.INGEDIEND


def test_how_it_was_told_is_checked_and_nothing_typed_is_lost(narr_app, login_as):
    app = narr_app
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    data = _story_form(app, teller="inwoner", told_how="vertaald", told_in="", title="Thee op het plein")
    response = worker.post("/verhalen/nieuw", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 or response.status_code == 400, response.status_code
    assert "Schrijf op in welke taal de verteller het verhaal vertelde." in page
    assert 'value="Thee op het plein"' in page
    assert re.search(r'<input[^>]*(value="vertaald"[^>]*checked|checked[^>]*value="vertaald")', page)
    # Told by a resident, yet marked as the professional's own report: refused.
    data = _story_form(app, teller="professional", told_how="verteld")
    page = worker.post("/verhalen/nieuw", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Kies dan bij &#39;Wie vertelt?&#39; de inwoner." in page or "Kies dan bij 'Wie vertelt?' de inwoner." in page
    # A value outside the list is refused, not stored.
    data = _story_form(app, teller="inwoner", told_how="gefluisterd")
    page = worker.post("/verhalen/nieuw", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Ongeldige keuze" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Story.id))) == 0


def test_withdrawal_erases_the_tellers_correction(narr_app, login_as, client):
    app = narr_app
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id, private = _record_on_behalf(app, worker)
    assert client.post(private + "/correctie", data={"correction": CORRECTION}).status_code == 302
    assert client.post(private + "/intrekken").status_code == 302
    story = _story(app, story_id)
    assert story.status == StoryStatus.INGETROKKEN and story.teller_correction == ""
    assert "Fatima" not in worker.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    # A correction on a withdrawn story is refused.
    response = client.post(private + "/correctie", data={"correction": CORRECTION}, follow_redirects=True)
    assert _story(app, story_id).teller_correction == ""
    assert response.status_code in (200, 400)
