"""The issue's first "done when": contribute → return → publish → find → withdraw."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story, StoryPhoto, StoryStatus

from .conftest import image_bytes, wijk_id


def _indexed_ids(app) -> set[int]:
    from whoosh import index

    ix = index.open_dir(app.config["SEARCH_INDEX_DIR"])
    with ix.searcher() as searcher:
        return {f["id"] for f in searcher.all_stored_fields()}


def _result_titles(html: str) -> list[str]:
    return re.findall(r'class="utrecht-heading-3 story-card__title"><a[^>]*>(.*?)</a>', html)


def test_resident_story_from_contribution_to_withdrawal(narr_app, client, public_form, login_as):
    upload_dir = Path(narr_app.config["UPLOAD_FOLDER"])
    data = public_form(
        title="Samen koken in de Meent",
        body="In onze buurt koken we elke week samen. De buurvrouw brengt de soep.",
        photos=[(image_bytes("JPEG", gps=True), "keuken.jpg", "Een pan soep op het fornuis"),
                (image_bytes("PNG"), "tafel.png", "Een gedekte tafel met borden")])

    # 1. The resident contributes with two photos and gets a reference and a private link.
    response = client.post("/verhalen/vertel", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    reference = re.search(r'class="reference">(VH-[A-Z0-9]{6})<', receipt).group(1)
    link = re.search(r'href="(https?://localhost/verhalen/mijn/[^"]+)"', receipt).group(1)
    private = link.split("localhost", 1)[1]
    with narr_app.app_context():
        story = db.session.scalar(sa.select(Story).where(Story.reference == reference))
        story_id = story.id
        assert story.status == StoryStatus.INGEDIEND
        assert story.withdrawal_token_hash and story.withdrawal_token_hash not in link
        keys = [p.file_key for p in story.photos]
    assert len(keys) == 2
    files = [upload_dir / f"{k}{suffix}.jpg" for k in keys for suffix in ("", "_thumb")]
    assert all(f.exists() for f in files)

    # Not public before moderation.
    assert client.get(f"/verhalen/verhaal/{story_id}").status_code == 404
    council = login_as(Role.RAADSLID)
    assert "Samen koken" not in council.get("/verhalen/?q=koken").get_data(as_text=True)

    # 2. The coordinator of the wijk returns it once, with remarks.
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    assert "Samen koken in de Meent" in coordinator.get("/start").get_data(as_text=True)
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/terugsturen",
                                data={"ret-remarks": "Kunt u vertellen wie er meekookt?"})
    assert response.status_code == 302
    page = client.get(private).get_data(as_text=True)
    assert "Kunt u vertellen wie er meekookt?" in page

    # The resident revises through the private link.
    response = client.post(private, data={
        "title": "Samen koken in de Meent", "summary": "Wekelijks koken met de buurt.",
        "body": "In onze buurt koken we elke week samen, met wel tien buren."})
    assert response.status_code == 302
    with narr_app.app_context():
        assert db.session.get(Story, story_id).status == StoryStatus.INGEDIEND

    # 3. ... then publishes it for council members and staff.
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                                data={"pub-visibility": "raad"})
    assert response.status_code == 302
    assert story_id in _indexed_ids(narr_app)

    # 4. A council member finds it by a stemmed word ("buren" → "buur", "buurten" → "buurt").
    found = council.get("/verhalen/?q=buurten").get_data(as_text=True)
    assert "Samen koken in de Meent" in found and "<mark>buurt</mark>" in found
    # ... and by facets (wijk and quality combined).
    with narr_app.app_context():
        meent = wijk_id("Hilversumse Meent")
    found = council.get(f"/verhalen/?wijk={meent}&kwaliteit=K7").get_data(as_text=True)
    assert _result_titles(found) == ["Samen koken in de Meent"]
    assert f"/verhalen/?wijk={meent}" in found
    # Anonymous visitors do not see a "raad" story.
    assert "Samen koken" not in client.get("/verhalen/?q=koken").get_data(as_text=True)
    page = council.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert "Een pan soep op het fornuis" in page
    assert "10 maart 2026 (periode januari–april 2026)" in page
    with narr_app.app_context():
        photo_key = db.session.scalars(sa.select(StoryPhoto.file_key).where(StoryPhoto.story_id == story_id)).first()
    assert council.get(f"/verhalen/foto/{photo_key}/web").status_code == 200

    # 5. The resident withdraws it: gone from pages, search and disk at once.
    response = client.post(private + "/intrekken", data={})
    assert response.status_code == 302
    assert "ingetrokken" in client.get(private).get_data(as_text=True)
    assert council.get(f"/verhalen/verhaal/{story_id}").status_code == 404
    assert council.get(f"/verhalen/foto/{photo_key}/web").status_code == 410  # gone for good
    assert "Samen koken" not in council.get("/verhalen/?q=koken").get_data(as_text=True)
    assert story_id not in _indexed_ids(narr_app)
    assert not any(f.exists() for f in files)
    with narr_app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status == StoryStatus.INGETROKKEN
        assert story.body == "" and story.photos == []
        assert db.session.scalar(sa.select(sa.func.count(StoryPhoto.id))) == 0
    assert "Samen koken" not in coordinator.get("/verhalen/moderatie").get_data(as_text=True)
