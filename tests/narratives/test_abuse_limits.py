"""Abuse limits of the public story form: the per-address limit counts every attempt
before any photo is read and ends by itself; photos are capped per request (count, bytes,
and decoded pixels per photo and per request, checked from the headers before decoding);
the fill-time stamp is good for one submission."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image, ImageFile

from monitor.extensions import db
from monitor.models import Buurt, Wijk
from monitor.narratives.models import Story, StoryPhoto
from monitor.ratelimit import RateLimitCounter

from .conftest import image_bytes


def _post(client, data):
    return client.post("/verhalen/vertel", data=data, content_type="multipart/form-data")


def _nothing_stored(app) -> None:
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Story.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(StoryPhoto.id))) == 0
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(folder.iterdir())


def _age_counters(app, seconds: int) -> None:
    """Move every rate-limit window ``seconds`` into the past (instead of waiting)."""
    with app.app_context():
        db.session.execute(sa.update(RateLimitCounter).values(
            window_start=RateLimitCounter.window_start - seconds,
            expires_at=RateLimitCounter.expires_at - seconds))
        db.session.commit()


@pytest.fixture
def decodes(monkeypatch) -> list[tuple[int, int]]:
    """The size of every image Pillow decodes (``load``) during the test."""
    seen: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self):
        if self.tile:  # not yet decoded: this call decodes the pixels
            seen.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 220, 240)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_public_form_limit_per_address_ends_by_itself(narr_app, client, public_form):
    narr_app.config.update(NARRATIVES_MAX_PER_HOUR=1, NARRATIVES_MAX_PER_DAY=10)
    assert _post(client, public_form()).status_code == 302
    assert _post(client, public_form()).status_code == 429
    assert _post(client, public_form()).status_code == 429
    _age_counters(narr_app, 3600)
    assert _post(client, public_form()).status_code == 302  # an hour later it is open again


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_every_attempt_counts_before_any_photo_is_decoded(narr_app, client, public_form, decodes):
    """Issue 12: attempts that failed after their photos were decoded were never counted,
    so one address could make the worker decode photos without end."""
    narr_app.config.update(NARRATIVES_MAX_PER_HOUR=2, NARRATIVES_MAX_PER_DAY=10)
    with narr_app.app_context():
        elsewhere = db.session.scalar(sa.select(Buurt.id).join(Wijk).where(Wijk.name == "Noordwest"))
    photo = [(image_bytes(size=(300, 200)), "a.jpg", "Een bankje")]
    statuses = []
    for _ in range(5):  # each fails in the service: the buurt is not in the chosen wijk
        response = _post(client, public_form(photos=photo, buurt_id=str(elsewhere)))
        statuses.append(response.status_code)
        decoded_before_refusal = len(decodes)
    assert statuses == [400, 400, 429, 429, 429]
    assert "al meerdere verhalen verstuurd" in response.get_data(as_text=True)
    assert len(decodes) == decoded_before_refusal <= 2  # refused attempts decode nothing
    _nothing_stored(narr_app)


def test_photo_count_is_capped_before_any_photo_is_decoded(narr_app, client, public_form, decodes):
    narr_app.config["NARRATIVES_MAX_PHOTOS"] = 2
    three = [(image_bytes(), f"{i}.jpg", f"Foto {i}") for i in range(3)]
    response = _post(client, public_form(photos=three))
    assert response.status_code == 400 and "te veel foto" in response.get_data(as_text=True)
    assert decodes == []


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_decoded_pixels_are_checked_from_the_headers_before_decoding(narr_app, client, public_form,
                                                                     decodes):
    """Three ~170 KB PNGs of 40 Mpx each cost 4–7 s CPU and ~1 GB (issue 12): the pixels
    a photo will decode to are read from its header and checked per photo and per request
    before anything is decoded. A large JPEG decodes at reduced scale, so it counts less."""
    narr_app.config.update(NARRATIVES_PHOTO_MAX_DECODED_PIXELS=4_000_000,
                           NARRATIVES_REQUEST_MAX_DECODED_PIXELS=6_000_000)
    flat = png((2100, 2100))  # 4.4 Mpx decoded, a few kB on disk
    assert len(flat) < 50_000
    response = _post(client, public_form(photos=[(flat, "vlak.png", "Een vlak")]))
    assert response.status_code == 400
    assert "te veel pixels" in response.get_data(as_text=True)
    assert decodes == []

    # Each within the per-photo limit, together over the per-request limit: nothing decoded.
    two = [(png((1800, 1800)), f"{i}.png", f"Vlak {i}") for i in range(2)]  # 3.24 Mpx each
    response = _post(client, public_form(photos=two))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Samen hebben de foto&#39;s te veel pixels om te verwerken" in html
    assert 'value="Koffie in het ontmoetingscentrum"' in html  # nothing typed is lost
    assert decodes == []
    _nothing_stored(narr_app)

    # A 3400 × 3400 JPEG (11.6 Mpx) decodes at half scale: 1700 × 1700 fits. So does a
    # 12 Mpx phone photo: its web size is 1600 × 1200, it decodes at 2016 × 1512.
    photos = [(image_bytes(size=(3400, 3400)), "groot.jpg", "Groot"),
              (image_bytes(size=(4032, 3024)), "telefoon.jpg", "Telefoon")]
    assert _post(client, public_form(photos=photos)).status_code == 302
    assert decodes == [(1700, 1700), (2016, 1512)]


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_the_fill_time_stamp_is_good_for_one_submission(narr_app, client, public_form):
    data = public_form()
    assert _post(client, dict(data)).status_code == 302
    response = _post(client, dict(data))  # the same stamp again (a replayed request)
    assert response.status_code == 400
    assert "Dit formulier is al verstuurd" in response.get_data(as_text=True)
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Story.id))) == 1


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_after_a_refusal_the_form_carries_a_new_stamp_that_works(narr_app, client, public_form):
    response = _post(client, public_form(photos=[(b"geen foto", "a.jpg", "Iets")]))
    assert response.status_code == 400
    fresh = re.search(r'name="started"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)
    assert _post(client, public_form(started=fresh)).status_code == 302


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
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

    # The whole request (nginx: client_max_body_size); the story forms with uploads have
    # their own limit, room for a recording and the photos (issue 19).
    narr_app.config["NARRATIVES_UPLOAD_MAX_BYTES"] = 50_000
    response = _post(client, public_form(photos=[(b"\xff\xd8" + b"x" * 60_000, "a.jpg", "Foto")]))
    assert response.status_code == 413 and "Bestand te groot" in response.get_data(as_text=True)
    _nothing_stored(narr_app)
