"""Issue 12: a photo URL is a random key, never reused; an erased photo's URL answers 410."""

from __future__ import annotations

import io
import re

from monitor.models import Role

from .conftest import contribute, image_bytes

PHOTO_URL = re.compile(r'src="(/verhalen/foto/[^"]+/web)"')


def test_a_withdrawn_photo_url_answers_410_for_ever_and_is_never_given_to_a_new_photo(
        narr_app, client, public_form, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    with narr_app.app_context():
        first_id, private = contribute(client, public_form, title="De rode deur", photos=[
            (image_bytes("JPEG", color=(220, 20, 20)), "rood.jpg", "Een rode voordeur")])
    assert coordinator.post(f"/verhalen/verhaal/{first_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    old_url = PHOTO_URL.search(client.get(f"/verhalen/verhaal/{first_id}").get_data(as_text=True)).group(1)
    old_photo = client.get(old_url)
    assert old_photo.status_code == 200
    # A URL built from an unguessable key, not from a row id that can come back.
    key = old_url.split("/")[3]
    assert len(key) >= 22 and not key.isdigit()

    assert client.post(private + "/intrekken").status_code == 302
    gone = client.get(old_url)
    assert gone.status_code == 410
    assert "verwijderd" in gone.get_data(as_text=True) and gone.headers["Cache-Control"] == "no-store"
    assert client.get(old_url.replace("/web", "/thumb")).status_code == 410

    with narr_app.app_context():
        second_id, _ = contribute(client, public_form, title="De blauwe deur", photos=[
            (image_bytes("JPEG", color=(20, 20, 220)), "blauw.jpg", "Een blauwe voordeur")])
    assert coordinator.post(f"/verhalen/verhaal/{second_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    page = client.get(f"/verhalen/verhaal/{second_id}").get_data(as_text=True)
    new_url = PHOTO_URL.search(page).group(1)
    assert new_url != old_url
    assert client.get(new_url).status_code == 200
    assert client.get(old_url).status_code == 410  # still, after new uploads


def test_a_photo_removed_by_staff_answers_410(narr_app, make_story, login_as, client):
    story_id = make_story(wijk="Oost")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/fotos", data={
        "nieuw-photo-file": (io.BytesIO(image_bytes("PNG")), "plein.png"),
        "nieuw-photo-alt_text": "Het plein"}, content_type="multipart/form-data")
    assert response.status_code == 302
    url = PHOTO_URL.search(client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)).group(1)
    assert client.get(url).status_code == 200
    edit = coordinator.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    # The button opens the confirmation step (issue 19), whose form removes the photo.
    step = re.search(r'href="(/verhalen/foto/[^"]+/verwijderen)"', edit).group(1)
    remove = re.search(r'action="(/verhalen/foto/[^"]+/verwijderen)"',
                       coordinator.get(step).get_data(as_text=True)).group(1)
    assert coordinator.post(remove).status_code == 302
    assert client.get(url).status_code == 410


def test_photos_are_never_kept_in_shared_caches_and_private_ones_not_at_all(
        narr_app, client, public_form, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    with narr_app.app_context():
        story_id, _ = contribute(client, public_form, photos=[
            (image_bytes("JPEG"), "a.jpg", "Een bankje")])
    coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren", data={"pub-visibility": "openbaar"})
    url = PHOTO_URL.search(client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)).group(1)
    public = client.get(url)
    assert "max-age" not in public.headers["Cache-Control"]
    assert "no-cache" in public.headers["Cache-Control"]  # revalidated: a withdrawal shows at once
    coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren", data={"pub-visibility": "raad"})
    council = login_as(Role.RAADSLID)
    assert council.get(url).headers["Cache-Control"] == "no-store"
    assert client.get(url).status_code == 404
