"""Issue 14 §1: the teller of a story staff wrote down gets a private link and a printed slip."""

from __future__ import annotations

import hashlib
import io
import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Role
from monitor.narratives.models import Story, StoryStatus

from .conftest import contribute, image_bytes, quality_id, wijk_id


def _story_form(app, **overrides) -> dict:
    with app.app_context():
        data = {
            "title": "Het bankje bij de vijver", "summary": "Waar buren elkaar weer spreken.",
            "body": "Mevrouw zit er elke ochtend.\n\nNu komen de buren erbij.", "wijk_id": str(wijk_id("Oost")),
            "buurt_id": "", "about_date": "2026-02-01", "form": "tekst", "quality_ids": [str(quality_id("K4"))],
            "tags": "", "teller": "professional", "teller_name": "", "consent_given": "y",
            "consent_method": "mondeling", "consent_date": "2026-02-02",
            "photo_1-file": (io.BytesIO(image_bytes()), "bankje.jpg"), "photo_1-alt_text": "Een bankje aan het water",
            "photo_1-caption": "", }
    data.update(overrides)
    return data


def _write_story(app, worker) -> tuple[int, str]:
    """The worker writes a story down; returns its id and the teller's private path (from the slip)."""
    response = worker.post("/verhalen/nieuw", data=_story_form(app), content_type="multipart/form-data")
    assert response.status_code == 302
    slip_url = response.headers["Location"]
    story_id = int(re.search(r"/verhaal/(\d+)/strookje$", slip_url).group(1))
    slip = worker.get(slip_url).get_data(as_text=True)
    private = re.search(r"https?://localhost(/verhalen/mijn/[A-Za-z0-9_-]+)", slip).group(1)
    return story_id, private, slip


def _story(app, story_id) -> Story:
    with app.app_context():
        story = db.session.get(Story, story_id)
        db.session.expunge(story)
        return story


def test_the_worker_hands_a_slip_and_the_teller_reads_confirms_and_hears_back(narr_app, login_as, client):
    app = narr_app
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id, private, slip = _write_story(app, worker)
    token = private.rsplit("/", 1)[1]
    # The slip: the link, a QR code as inline SVG without style attributes, the reference.
    assert '<svg role="img"' in slip and 'class="qr-code"' in slip and "<path" in slip
    assert "style=" not in slip[slip.index("<svg"):slip.index("</svg>")]
    story = _story(app, story_id)
    assert story.reference in slip and worker.user.name in slip
    assert story.withdrawal_token_hash == hashlib.sha256(token.encode()).hexdigest()
    # Shown once: the token is stored nowhere, a second visit offers a new slip instead.
    again = worker.get(f"/verhalen/verhaal/{story_id}/strookje").get_data(as_text=True)
    assert token not in again and "Nieuw strookje maken" in again

    # The teller (no account) reads the story as written down, photos included.
    page = client.get(private).get_data(as_text=True)
    for text in ("Het bankje bij de vijver", "Waar buren elkaar weer spreken.", "Mevrouw zit er elke ochtend.",
                 "Nu komen de buren erbij.", "Ja, dit is mijn verhaal", "Een bankje aan het water"):
        assert text in page, text
    photo_url = re.search(r'src="(/verhalen/mijn/[^"]+/foto/[^"]+/thumb)"', page).group(1)
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Cache-Control"] == "no-store"
    key = photo_url.split("/foto/")[1].split("/")[0]
    assert client.get(f"/verhalen/foto/{key}/thumb").status_code == 404  # not public: a concept
    assert client.get(f"/verhalen/mijn/{'x' * 43}/foto/{key}/thumb").status_code == 404

    # The teller may not rewrite a story the worker wrote down.
    assert client.post(private, data={"title": "Anders", "summary": "x", "body": "y"}).status_code == 400
    assert _story(app, story_id).title == "Het bankje bij de vijver"

    # Confirmation is recorded, without the teller's address; the worker sees it.
    assert "nog niet bevestigd" in worker.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    assert client.post(private + "/bevestigen").status_code == 302
    assert "U hebt op" in client.get(private).get_data(as_text=True)
    assert "De verteller bevestigde het verhaal op" in worker.get(
        f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "story.teller_confirm"))
        assert event.object_id == str(story_id) and event.ip_address is None and event.actor_id is None
    # A later change of the text asks the teller again.
    data = _story_form(app, body="Mevrouw zit er elke ochtend, ook als het regent.")
    del data["photo_1-file"], data["photo_1-alt_text"], data["photo_1-caption"]
    assert worker.post(f"/verhalen/verhaal/{story_id}/bewerken", data=data).status_code == 302
    page = client.get(private).get_data(as_text=True)
    assert "ook als het regent" in page and "Lees het opnieuw" in page and "Ja, dit is mijn verhaal" in page
    assert "eerdere versie" in worker.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)

    # Published and chosen as most significant: the teller reads why on the same page.
    assert worker.post(f"/verhalen/verhaal/{story_id}/indienen").status_code == 302
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert "nog niet bevestigd" not in coordinator.get(
        f"/verhalen/verhaal/{story_id}/moderatie").get_data(as_text=True)
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    from ..meetings.test_meetings_flow import open_session

    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    coordinator.post(f"/monitorgesprekken/{session_id}/verhalen", data={"story-story_id": str(story_id)})
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    assert coordinator.post(f"/monitorgesprekken/{session_id}/verslag", data={
        "held_on": "2026-05-20", "most_significant_story_id": str(story_id),
        "most_significant_why": "Een bankje brengt een straat bij elkaar."}).status_code == 302
    page = client.get(private).get_data(as_text=True)
    assert "Monitorgesprek Oost, mei 2026" in page and "Een bankje brengt een straat bij elkaar." in page


def test_the_teller_withdraws_and_text_and_photos_are_erased(narr_app, login_as, client):
    app = narr_app
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id, private, _ = _write_story(app, worker)
    with app.app_context():
        from monitor.narratives import services

        story = db.session.get(Story, story_id)
        files = [services.photo_path(story.photos[0], size) for size in ("web", "thumb")]
    assert all(f.exists() for f in files)
    page = client.get(private).get_data(as_text=True)
    photo_url = re.search(r'src="(/verhalen/mijn/[^"]+/foto/[^"]+/thumb)"', page).group(1)
    assert client.post(private + "/intrekken").status_code == 302
    story = _story(app, story_id)
    assert story.status == StoryStatus.INGETROKKEN and story.body == "" and story.summary == ""
    assert not any(f.exists() for f in files)
    page = client.get(private).get_data(as_text=True)
    assert "ingetrokken" in page and "Mevrouw zit er" not in page and "Ja, dit is mijn verhaal" not in page
    assert client.get(photo_url).status_code == 404
    assert client.post(private + "/bevestigen").status_code == 302
    assert _story(app, story_id).teller_confirmed_at is None
    # Nothing left to hand out a new slip for.
    assert worker.post(f"/verhalen/verhaal/{story_id}/strookje").status_code == 403


def test_only_the_writer_or_the_wijk_coordinator_makes_a_new_slip(narr_app, login_as, client, public_form):
    app = narr_app
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id, private, _ = _write_story(app, worker)
    other = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    far_coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])
    for outsider in (other, far_coordinator):
        assert outsider.get(f"/verhalen/verhaal/{story_id}/strookje").status_code == 403
        assert outsider.post(f"/verhalen/verhaal/{story_id}/strookje").status_code == 403
    assert login_as(Role.RAADSLID).get(f"/verhalen/verhaal/{story_id}/strookje").status_code == 403
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/strookje")
    assert response.status_code == 302
    slip = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    new_private = re.search(r"https?://localhost(/verhalen/mijn/[A-Za-z0-9_-]+)", slip).group(1)
    assert new_private != private
    assert client.get(private).status_code == 404  # the old slip no longer works
    assert client.get(new_private).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "story.teller_link")) == 1

    # A story the resident sent in is theirs: no slip from staff, no confirmation to give.
    with app.app_context():
        resident_story, resident_private = contribute(client, public_form, wijk_id=str(wijk_id("Oost")))
    assert coordinator.post(f"/verhalen/verhaal/{resident_story}/strookje").status_code == 403
    page = client.get(resident_private).get_data(as_text=True)
    assert "Ja, dit is mijn verhaal" not in page and "Koffie in het ontmoetingscentrum" in page
    assert client.post(resident_private + "/bevestigen").status_code == 302
    assert _story(app, resident_story).teller_confirmed_at is None
