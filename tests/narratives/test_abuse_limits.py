"""Abuse limits of the public story form: the per-address limit ends by itself; photos
are capped per request (count and bytes) before anything is written."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from monitor.extensions import db
from monitor.narratives.models import Story, StoryPhoto, StorySubmission

from .conftest import image_bytes


def _post(client, data):
    return client.post("/verhalen/vertel", data=data, content_type="multipart/form-data")


def _nothing_stored(app) -> None:
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Story.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(StoryPhoto.id))) == 0
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(folder.iterdir())


def test_public_form_limit_per_address_ends_by_itself(narr_app, client, public_form):
    narr_app.config.update(NARRATIVES_MAX_PER_HOUR=1, NARRATIVES_MAX_PER_DAY=10)
    assert _post(client, public_form()).status_code == 302
    assert _post(client, public_form()).status_code == 429
    assert _post(client, public_form()).status_code == 429  # refusals are not counted …
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StorySubmission.id))) == 1
        db.session.execute(sa.update(StorySubmission).values(
            created_at=StorySubmission.created_at - timedelta(minutes=61)))
        db.session.commit()
    assert _post(client, public_form()).status_code == 302  # … so an hour later it is open


def test_photos_are_capped_per_request_in_number_and_size(narr_app, client, public_form):
    narr_app.config["NARRATIVES_MAX_PHOTOS"] = 2
    three = [(image_bytes(), f"{i}.jpg", f"Foto {i}") for i in range(3)]
    response = _post(client, public_form(photos=three))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "te veel foto" in html and 'value="Koffie in het ontmoetingscentrum"' in html
    _nothing_stored(narr_app)

    narr_app.config["NARRATIVES_PHOTO_MAX_BYTES"] = 2_000
    big = image_bytes(size=(400, 300))
    assert len(big) > 2_000
    response = _post(client, public_form(photos=[(big, "groot.jpg", "Een grote foto")]))
    assert response.status_code == 400
    assert "De foto is te groot" in response.get_data(as_text=True)
    _nothing_stored(narr_app)

    narr_app.config["MAX_CONTENT_LENGTH"] = 50_000  # the whole request (nginx: client_max_body_size)
    response = _post(client, public_form(photos=[(b"\xff\xd8" + b"x" * 60_000, "a.jpg", "Foto")]))
    assert response.status_code == 413 and "Bestand te groot" in response.get_data(as_text=True)
    _nothing_stored(narr_app)
