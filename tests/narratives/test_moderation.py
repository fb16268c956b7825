"""Moderation by coordinators of the story's wijk; writing by social workers; home tasks."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Role
from monitor.narratives import services
from monitor.narratives.models import Story, StoryStatus, Visibility

from .conftest import image_bytes, quality_id, wijk_id


def _story(app, story_id: int) -> Story:
    return db.session.get(Story, story_id)


def test_only_coordinators_of_the_wijk_moderate(narr_app, make_story, login_as):
    story_id = make_story(wijk="Zuid", status=StoryStatus.INGEDIEND)
    own = login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])  # Zuid has its own coordinator
    other = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert login_as(Role.ADMIN).get(f"/verhalen/verhaal/{story_id}/moderatie").status_code == 403
    assert other.get(f"/verhalen/verhaal/{story_id}/moderatie").status_code == 403
    assert other.post(f"/verhalen/verhaal/{story_id}/publiceren",
                      data={"pub-visibility": "openbaar"}).status_code == 403
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"])
    assert worker.post(f"/verhalen/verhaal/{story_id}/publiceren",
                       data={"pub-visibility": "openbaar"}).status_code == 403
    council = login_as(Role.RAADSLID)
    assert council.get("/verhalen/moderatie").status_code == 403
    with narr_app.app_context():
        assert _story(narr_app, story_id).status == StoryStatus.INGEDIEND
    assert own.get(f"/verhalen/verhaal/{story_id}/moderatie").status_code == 200
    assert own.post(f"/verhalen/verhaal/{story_id}/publiceren",
                    data={"pub-visibility": "intern"}).status_code == 302
    with narr_app.app_context():
        story = _story(narr_app, story_id)
        assert story.status == StoryStatus.GEPUBLICEERD and story.visibility == Visibility.INTERN
        events = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "Story", AuditEvent.object_id == str(story_id))).all()
        assert "story.publish" in events


def test_return_and_reject_need_remarks_and_keep_input(narr_app, make_story, login_as):
    story_id = make_story(wijk="Oost", status=StoryStatus.INGEDIEND)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/terugsturen", data={"ret-remarks": ""})
    assert response.status_code == 400
    assert "Schrijf op wat er moet veranderen." in response.get_data(as_text=True)
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/afwijzen", data={"rej-reason": "  "})
    assert response.status_code == 400
    assert "Geef een reden" in response.get_data(as_text=True)
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/afwijzen",
                                data={"rej-reason": "Gaat niet over de buurt."})
    assert response.status_code == 302
    with narr_app.app_context():
        story = _story(narr_app, story_id)
        assert story.status == StoryStatus.AFGEWEZEN
        assert story.rejection_reason == "Gaat niet over de buurt."
    # A rejected story cannot be returned any more: a clear message, no 500.
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/terugsturen",
                                data={"ret-remarks": "Toch nog iets"})
    assert response.status_code == 400


def test_anonymise_replaces_names_everywhere(narr_app, make_story, login_as):
    story_id = make_story(wijk="Oost", status=StoryStatus.INGEDIEND, title="Fatima en Kees",
                          body="Fatima belde Kees. KEES kwam meteen. Keesje niet.",
                          summary="Over Fatima.")
    with narr_app.app_context():
        _story(narr_app, story_id).teller_name = "Fatima B."
        db.session.commit()
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/anonimiseren",
                                data={"ano-names": "Fatima\nKees"})
    assert response.status_code == 302
    with narr_app.app_context():
        story = _story(narr_app, story_id)
        assert story.title == "[naam] en [naam]"
        assert story.body == "[naam] belde [naam]. [naam] kwam meteen. Keesje niet."
        assert story.summary == "Over [naam]."
        assert story.teller_name == "" and story.anonymised
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "story.anonymise"))
        assert "Fatima" not in str(event.new_values)


def test_publish_refuses_photo_without_portrait_consent(narr_app, make_story, login_as):
    story_id = make_story(wijk="Oost", status=StoryStatus.INGEDIEND)
    with narr_app.test_request_context("/"):
        story = _story(narr_app, story_id)
        import io

        services.add_photos(story, [services.PhotoInput(
            stream=io.BytesIO(image_bytes()), alt_text="Twee buren", recognisable_people=True,
            portrait_consent=True)])
        # Consent withdrawn later for that person: record it.
        story.photos[0].portrait_consent = False
        db.session.commit()
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                                data={"pub-visibility": "openbaar"})
    assert response.status_code == 400
    assert "portretrecht" in response.get_data(as_text=True)


def test_social_worker_writes_submits_gets_returned_and_sees_home_task(narr_app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    with narr_app.app_context():
        oost, zuid = wijk_id("Oost"), wijk_id("Zuid")
        k4 = quality_id("K4")
    data = {
        "title": "De jongerenwerker op het plein", "summary": "Contact met jongeren.",
        "body": "Eerst stond hij er gewoon.", "wijk_id": str(oost), "buurt_id": "",
        "about_date": "2026-02-01", "form": "tekst", "quality_ids": [str(k4)], "tags": "",
        "teller": "professional", "teller_name": "", "consent_given": "y",
        "consent_method": "schriftelijk", "consent_date": "2026-02-02",
    }
    # Outside the own wijken: message beside the field, input kept.
    response = worker.post("/verhalen/nieuw", data={**data, "wijk_id": str(zuid)},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "eigen wijken" in response.get_data(as_text=True)
    assert 'value="De jongerenwerker op het plein"' in response.get_data(as_text=True)
    # Without any quality: refused.
    response = worker.post("/verhalen/nieuw", data={**data, "quality_ids": []},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "minstens één kwaliteit" in response.get_data(as_text=True)
    response = worker.post("/verhalen/nieuw", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with narr_app.app_context():
        story = db.session.scalar(sa.select(Story))
        story_id = story.id
        assert story.status == StoryStatus.CONCEPT and story.author_id == worker.user.id
        assert story.consent_recorded_by.startswith(worker.user.name)
    mine = worker.get("/verhalen/mijn-verhalen").get_data(as_text=True)
    assert "De jongerenwerker op het plein" in mine and "Concept" in mine
    assert worker.get(f"/verhalen/verhaal/{story_id}").status_code == 200  # own preview
    # Concepts are not public and not in the queue.
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert "jongerenwerker" not in coordinator.get("/verhalen/moderatie").get_data(as_text=True)
    assert worker.post(f"/verhalen/verhaal/{story_id}/indienen").status_code == 302
    assert "jongerenwerker" in coordinator.get("/verhalen/moderatie").get_data(as_text=True)
    assert "Modereren: De jongerenwerker" in coordinator.get("/start").get_data(as_text=True)
    # While waiting, the author cannot edit it.
    assert worker.get(f"/verhalen/verhaal/{story_id}/bewerken").status_code == 403
    coordinator.post(f"/verhalen/verhaal/{story_id}/terugsturen",
                     data={"ret-remarks": "Graag zonder namen."})
    assert "Teruggestuurd" in coordinator.get("/verhalen/moderatie").get_data(as_text=True)
    home = worker.get("/start").get_data(as_text=True)
    assert "Teruggestuurd: De jongerenwerker op het plein" in home
    assert "Graag zonder namen." in home
    assert worker.get(f"/verhalen/verhaal/{story_id}/bewerken").status_code == 200
    # Another social worker does not see it on their home page, nor may edit it.
    other = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    assert "jongerenwerker" not in other.get("/start").get_data(as_text=True)
    assert other.get(f"/verhalen/verhaal/{story_id}/bewerken").status_code == 403


def test_coordinator_edit_of_published_story_updates_index(narr_app, make_story, login_as, client):
    story_id = make_story(wijk="Oost", title="Oude titel", body="Over de markt.", qualities=("K7",))
    assert "Oude titel" in client.get("/verhalen/?q=markt").get_data(as_text=True)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    with narr_app.app_context():
        story = _story(narr_app, story_id)
        data = {"title": "Nieuwe titel", "summary": story.summary, "body": "Over de bibliotheek.",
                "wijk_id": str(story.wijk_id), "buurt_id": "", "about_date": "2025-05-01",
                "form": "tekst", "quality_ids": [str(quality_id("K7"))], "tags": "",
                "teller": "inwoner", "teller_name": "", "consent_given": "y",
                "consent_method": "schriftelijk", "consent_date": "2025-05-01"}
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/bewerken", data=data).status_code == 302
    assert "Nieuwe titel" not in client.get("/verhalen/?q=markt").get_data(as_text=True)
    assert "Nieuwe titel" in client.get("/verhalen/?q=bibliotheek").get_data(as_text=True)


def test_delete_by_coordinator_removes_story_files_and_index(narr_app, make_story, login_as, client):
    import io
    from pathlib import Path

    story_id = make_story(wijk="Oost", title="Te verwijderen", body="Over de kerk.", qualities=("K7",))
    with narr_app.test_request_context("/"):
        services.add_photos(_story(narr_app, story_id), [services.PhotoInput(
            stream=io.BytesIO(image_bytes()), alt_text="De kerk")])
    assert list(Path(narr_app.config["UPLOAD_FOLDER"]).glob("*.jpg"))
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/verwijderen").status_code == 302
    assert list(Path(narr_app.config["UPLOAD_FOLDER"]).glob("*.jpg")) == []
    assert "Te verwijderen" not in client.get("/verhalen/?q=kerk").get_data(as_text=True)
    assert client.get(f"/verhalen/verhaal/{story_id}").status_code == 404


def test_published_stories_service_for_sessions(narr_app, make_story):
    inside = make_story(wijk="Oost", about=date(2026, 2, 10))
    make_story(wijk="Oost", about=date(2025, 12, 1))  # before the period
    make_story(wijk="Zuid", about=date(2026, 2, 10))  # other wijk
    make_story(wijk="Oost", about=date(2026, 3, 1), status=StoryStatus.INGEDIEND)
    raad = make_story(wijk="Oost", about=date(2026, 4, 1), visibility=Visibility.RAAD)
    with narr_app.app_context():
        oost = wijk_id("Oost")
        found = services.published_stories(oost, date(2026, 1, 1), date(2026, 4, 30))
        assert [s.id for s in found] == [raad, inside]
        public = services.published_stories(oost, date(2026, 1, 1), date(2026, 4, 30),
                                            visibilities=["openbaar"])
        assert [s.id for s in public] == [inside]


def test_published_stories_for_a_period(narr_app, make_story):
    from monitor.models import Period

    in_t1 = make_story(wijk="Oost", about=date(2026, 4, 30))
    make_story(wijk="Oost", about=date(2026, 5, 1))  # T2
    with narr_app.app_context():
        period = db.session.scalar(sa.select(Period).where(Period.year == 2026, Period.tertial == 1))
        found = services.published_stories_for_period(wijk_id("Oost"), period)
        assert [s.id for s in found] == [in_t1]


def test_author_adds_and_removes_a_photo_on_the_edit_page(narr_app, make_story, login_as):
    import io
    from pathlib import Path

    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id = make_story(wijk="Oost", status=StoryStatus.CONCEPT, author_id=worker.user.id)
    response = worker.post(f"/verhalen/verhaal/{story_id}/fotos", data={
        "nieuw-photo-file": (io.BytesIO(image_bytes("WEBP")), "plein.webp"),
        "nieuw-photo-alt_text": "Het plein met bankjes"}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = worker.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    assert "Het plein met bankjes" in page
    # A bad file: a message, nothing stored.
    worker.post(f"/verhalen/verhaal/{story_id}/fotos", data={
        "nieuw-photo-file": (io.BytesIO(b"<svg onload=alert(1)>"), "x.png"),
        "nieuw-photo-alt_text": "Iets"}, content_type="multipart/form-data")
    assert "geen foto van een toegestaan type" in worker.get(
        f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    files = list(Path(narr_app.config["UPLOAD_FOLDER"]).glob("*.jpg"))
    assert len(files) == 2
    with narr_app.app_context():
        photo_key = _story(narr_app, story_id).photos[0].file_key
    other = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    assert other.post(f"/verhalen/foto/{photo_key}/verwijderen").status_code == 403
    assert worker.post(f"/verhalen/foto/{photo_key}/verwijderen").status_code == 302
    assert all(f.exists() for f in files)  # kept for the undo window (test_photo_undo)
    with narr_app.app_context():
        assert _story(narr_app, story_id).photos == []
    assert worker.post(f"/verhalen/foto/{photo_key}/terugzetten").status_code == 302
    assert worker.post(f"/verhalen/foto/{photo_key}/verwijderen", data={"wissen": "meteen"}).status_code == 302
    assert not any(f.exists() for f in files)
    with narr_app.app_context():
        assert _story(narr_app, story_id).photos == []


def test_moderation_forms_work_with_csrf_enabled(narr_app, make_story, login_as):
    import re

    story_id = make_story(wijk="Oost", status=StoryStatus.INGEDIEND)
    browser = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    narr_app.config["WTF_CSRF_ENABLED"] = True
    page = browser.get(f"/verhalen/verhaal/{story_id}/moderatie").get_data(as_text=True)
    token = re.search(r'name="pub-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    # Test requests are https (PREFERRED_URL_SCHEME): strict CSRF also wants a referrer.
    referrer = {"Referer": f"https://localhost/verhalen/verhaal/{story_id}/moderatie"}
    assert browser.post(f"/verhalen/verhaal/{story_id}/publiceren", headers=referrer,
                        data={"pub-visibility": "openbaar"}).status_code == 400  # no token
    response = browser.post(f"/verhalen/verhaal/{story_id}/publiceren", headers=referrer,
                            data={"pub-visibility": "openbaar", "pub-csrf_token": token})
    assert response.status_code == 302
    with narr_app.app_context():
        assert _story(narr_app, story_id).status == StoryStatus.GEPUBLICEERD
