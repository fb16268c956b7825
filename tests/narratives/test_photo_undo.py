"""Issue 19 §5: removing a photo can be undone for a while; "meteen voorgoed wissen" cannot.

A removed photo is gone for every reader at once (the photo URL answers 410, the story page,
the archive search and the dossiers leave it out) and comes back when an editor undoes the
removal. After ``NARRATIVES_UNDO_DAYS`` the job erases its files and row for good; a
withdrawal or deletion of the story erases it at once.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa

from monitor import photos, storage
from monitor.audit import AuditEvent
from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import ErasedPhotoKey, StoryPhoto
from monitor.timeutil import local, utcnow

from .conftest import image_bytes

PHOTO_URL = re.compile(r'src="(/verhalen/foto/([A-Za-z0-9]+)/web)"')
ALT = "Zonnebloemen langs het fietspad"


def _story_with_photo(make_story, coordinator, alt: str = ALT) -> tuple[int, str]:
    story_id = make_story(wijk="Oost", title="De bloemenstrook")
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/fotos", data={
        "nieuw-photo-file": (io.BytesIO(image_bytes("PNG")), "bloemen.png"),
        "nieuw-photo-alt_text": alt, "nieuw-photo-caption": "Zomer aan de rand"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    key = PHOTO_URL.search(coordinator.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)).group(2)
    return story_id, key


def _files_present(app, key: str) -> list[bool]:
    with app.app_context():
        return [storage.current().exists(k) for k in photos.file_keys(key)]


def _actions(app, photo_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "StoryPhoto", AuditEvent.object_id == str(photo_id))
            .order_by(AuditEvent.id)))


def _photo_id(app, key: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(StoryPhoto.id).where(StoryPhoto.file_key == key))


def _run_jobs(runner, at) -> None:
    result = runner.invoke(args=["jobs", "run-due", "--now", local(at).strftime("%Y-%m-%dT%H:%M")])
    assert result.exit_code == 0, result.output


def test_a_removed_photo_is_gone_for_every_reader_and_comes_back_with_undo(
        narr_app, make_story, login_as, client):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id, key = _story_with_photo(make_story, coordinator)
    photo_id = _photo_id(narr_app, key)
    council = login_as(Role.RAADSLID)
    assert client.get(f"/verhalen/foto/{key}/web").status_code == 200
    assert ALT in client.get("/verhalen/?q=zonnebloemen").get_data(as_text=True)

    confirm = coordinator.get(f"/verhalen/foto/{key}/verwijderen").get_data(as_text=True)
    assert "7 dagen" in confirm and "Meteen voorgoed wissen" in confirm  # which applies, and the choice
    response = coordinator.post(f"/verhalen/foto/{key}/verwijderen", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Foto verwijderd." in page and "Ongedaan maken" in page
    assert f'action="/verhalen/foto/{key}/terugzetten"' in page  # the notice's button and the list
    assert "Recent verwijderd" in page and "terugzetten kan tot" in page

    # Every reader: the public, the council, the story page, the search, the teller's link.
    for reader in (client, council, coordinator):
        for size in ("web", "thumb"):
            assert reader.get(f"/verhalen/foto/{key}/{size}").status_code == 410
    story_page = client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert key not in story_page and ALT not in story_page
    assert ALT not in client.get("/verhalen/?q=zonnebloemen").get_data(as_text=True)
    assert coordinator.get(f"/verhalen/foto/{key}/verwijderen").status_code == 410
    assert _files_present(narr_app, key) == [True, True]  # kept for the undo window

    assert coordinator.post(f"/verhalen/foto/{key}/terugzetten").status_code == 302
    assert client.get(f"/verhalen/foto/{key}/web").status_code == 200
    assert key in client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert ALT in client.get("/verhalen/?q=zonnebloemen").get_data(as_text=True)
    assert "Recent verwijderd" not in coordinator.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    assert _actions(narr_app, photo_id) == ["story.photo_remove", "story.photo_restore"]


def test_undo_is_for_the_people_who_could_remove_it_and_needs_the_form(
        narr_app, make_story, login_as, client):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    _, key = _story_with_photo(make_story, coordinator)
    coordinator.post(f"/verhalen/foto/{key}/verwijderen")
    other = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    assert other.post(f"/verhalen/foto/{key}/terugzetten").status_code == 403
    assert client.post(f"/verhalen/foto/{key}/terugzetten").status_code in (302, 401, 403)
    assert client.get(f"/verhalen/foto/{key}/web").status_code == 410
    narr_app.config["WTF_CSRF_ENABLED"] = True
    assert coordinator.post(f"/verhalen/foto/{key}/terugzetten").status_code == 400
    assert client.get(f"/verhalen/foto/{key}/web").status_code == 410


def test_after_the_window_the_job_erases_the_files_and_the_row_for_good(
        narr_app, make_story, login_as, client, runner):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id, key = _story_with_photo(make_story, coordinator)
    photo_id = _photo_id(narr_app, key)
    coordinator.post(f"/verhalen/foto/{key}/verwijderen")
    now = utcnow()
    _run_jobs(runner, now + timedelta(days=6))
    assert _files_present(narr_app, key) == [True, True]
    assert "Recent verwijderd" in coordinator.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)

    _run_jobs(runner, now + timedelta(days=7, hours=2))
    assert _files_present(narr_app, key) == [False, False]
    with narr_app.app_context():
        assert db.session.get(StoryPhoto, photo_id) is None
        assert db.session.get(ErasedPhotoKey, key) is not None
        # The removal's description is erased from the audit trail; the facts stay.
        removal = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.object_type == "StoryPhoto", AuditEvent.object_id == str(photo_id),
            AuditEvent.action == "story.photo_remove"))
        assert ALT not in str(removal.new_values) and removal.new_values["story_id"] == story_id
    assert _actions(narr_app, photo_id) == ["story.photo_remove", "story.photo_purge"]
    assert client.get(f"/verhalen/foto/{key}/web").status_code == 410
    assert coordinator.post(f"/verhalen/foto/{key}/terugzetten").status_code == 404
    assert "Recent verwijderd" not in coordinator.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)


def test_the_undo_window_is_configured(narr_app, make_story, login_as, runner):
    narr_app.config["NARRATIVES_UNDO_DAYS"] = 2
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    _, key = _story_with_photo(make_story, coordinator)
    assert "2 dagen" in coordinator.get(f"/verhalen/foto/{key}/verwijderen").get_data(as_text=True)
    coordinator.post(f"/verhalen/foto/{key}/verwijderen")
    _run_jobs(runner, utcnow() + timedelta(days=2, hours=1))
    assert _files_present(narr_app, key) == [False, False]


def test_erase_at_once_leaves_nothing_to_undo(narr_app, make_story, login_as, client):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id, key = _story_with_photo(make_story, coordinator)
    photo_id = _photo_id(narr_app, key)
    page = coordinator.post(f"/verhalen/foto/{key}/verwijderen", data={"wissen": "meteen"},
                            follow_redirects=True).get_data(as_text=True)
    assert "Foto voorgoed gewist." in page and "Recent verwijderd" not in page and "Ongedaan maken" not in page
    assert _files_present(narr_app, key) == [False, False]
    assert client.get(f"/verhalen/foto/{key}/web").status_code == 410
    assert coordinator.post(f"/verhalen/foto/{key}/terugzetten").status_code == 404
    with narr_app.app_context():
        assert db.session.get(StoryPhoto, photo_id) is None
    assert _actions(narr_app, photo_id) == ["story.photo_remove"]


def test_withdrawing_or_deleting_the_story_erases_its_removed_photos_at_once(
        narr_app, make_story, login_as, client):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    for action in ("intrekken", "verwijderen"):
        story_id, key = _story_with_photo(make_story, coordinator)
        photo_id = _photo_id(narr_app, key)
        coordinator.post(f"/verhalen/foto/{key}/verwijderen")
        assert _files_present(narr_app, key) == [True, True]
        assert coordinator.post(f"/verhalen/verhaal/{story_id}/{action}").status_code == 302
        assert _files_present(narr_app, key) == [False, False], action
        with narr_app.app_context():
            assert db.session.get(StoryPhoto, photo_id) is None, action
            descriptions = db.session.scalars(sa.select(AuditEvent.new_values).where(
                AuditEvent.object_type == "StoryPhoto", AuditEvent.object_id == str(photo_id)))
            assert all(ALT not in str(values) for values in descriptions)
        assert client.get(f"/verhalen/foto/{key}/web").status_code == 410
        assert coordinator.post(f"/verhalen/foto/{key}/terugzetten").status_code == 404


# --- recordings (sound, film) are removed the same way ------------------------------------

def test_a_removed_recording_is_gone_for_every_reader_comes_back_with_undo_and_is_purged_later(
        narr_app, login_as, client, runner):
    from monitor.narratives.models import StoryMedia

    from . import mediakit
    from .test_media import _staff_story, _stored_keys

    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id = _staff_story(narr_app, worker, mediakit.sound("ogg", seconds=2.0), "stem.ogg",
                            transcript="Hallo buurt, hier is de markt.")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    with narr_app.app_context():
        key = db.session.scalar(sa.select(StoryMedia.file_key).where(StoryMedia.story_id == story_id))
    url = f"/verhalen/opname/{key}"
    assert client.get(url, buffered=True).status_code == 200
    assert f"/verhalen/opname/{key}" in client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)

    edit = coordinator.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    assert f'href="{url}/verwijderen"' in edit  # the confirmation step, not a form that removes at once
    confirm = coordinator.get(f"{url}/verwijderen").get_data(as_text=True)
    assert "7 dagen" in confirm and "Meteen voorgoed wissen" in confirm
    page = coordinator.post(f"{url}/verwijderen", follow_redirects=True).get_data(as_text=True)
    assert "Opname verwijderd." in page and "Recent verwijderd" in page
    assert page.count(f'action="{url}/terugzetten"') == 2
    for reader in (client, coordinator):
        assert reader.get(url, buffered=True).status_code == 410
    assert f"/verhalen/opname/{key}" not in client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert len(_stored_keys(narr_app)) == 1  # kept for the undo window

    assert coordinator.post(f"{url}/terugzetten").status_code == 302
    assert client.get(url, buffered=True).status_code == 200

    coordinator.post(f"{url}/verwijderen")
    _run_jobs(runner, utcnow() + timedelta(days=7, hours=2))
    assert _stored_keys(narr_app) == []
    assert client.get(url, buffered=True).status_code == 410
    assert coordinator.post(f"{url}/terugzetten").status_code == 404
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StoryMedia.id)).where(StoryMedia.story_id == story_id)) == 0
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "StoryMedia", AuditEvent.action.like("story.%")).order_by(AuditEvent.id)))
    assert actions == ["story.media_remove", "story.media_restore", "story.media_remove", "story.media_purge"]


def test_withdrawing_a_story_erases_its_removed_recording_at_once(narr_app, login_as):
    from . import mediakit
    from .test_media import _staff_story, _stored_keys

    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id = _staff_story(narr_app, worker, mediakit.sound("mp3"), "a.mp3", title="Weg ermee",
                            transcript="Tekst.")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    with narr_app.app_context():
        from monitor.narratives.models import StoryMedia

        key = db.session.scalar(sa.select(StoryMedia.file_key).where(StoryMedia.story_id == story_id))
    coordinator.post(f"/verhalen/opname/{key}/verwijderen")
    assert len(_stored_keys(narr_app)) == 1
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/intrekken").status_code == 302
    assert _stored_keys(narr_app) == []
    assert coordinator.get(f"/verhalen/opname/{key}", buffered=True).status_code == 410


def test_the_tellers_own_page_leaves_a_removed_photo_out_too(narr_app, client, public_form, login_as):
    from .conftest import contribute

    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    with narr_app.app_context():
        story_id, private = contribute(client, public_form, photos=[
            (image_bytes("JPEG"), "a.jpg", "Het bankje bij de vijver")])
        key = db.session.scalar(sa.select(StoryPhoto.file_key).where(StoryPhoto.story_id == story_id))
    own = f"{private}/foto/{key}/web"
    assert client.get(own).status_code == 200 and "Het bankje bij de vijver" in client.get(private).get_data(as_text=True)
    assert coordinator.post(f"/verhalen/foto/{key}/verwijderen").status_code == 302
    assert client.get(own).status_code == 404
    assert "Het bankje bij de vijver" not in client.get(private).get_data(as_text=True)
    assert coordinator.post(f"/verhalen/foto/{key}/terugzetten").status_code == 302
    assert client.get(own).status_code == 200
