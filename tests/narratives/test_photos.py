"""Every photo rule with real generated files, through the service and the routes."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from monitor import photos
from monitor.extensions import db
from monitor.models import Role
from monitor.narratives import services
from monitor.narratives.models import Story, StoryPhoto

from .conftest import GPS_TAG, ORIENTATION_TAG, image_bytes, quality_id, wijk_id


def _process(data: bytes, **limits) -> photos.ProcessedPhoto:
    return photos.process_upload(io.BytesIO(data), **limits)


def _exif(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()


def test_gps_and_all_metadata_are_stripped_read_back_from_disk(tmp_path):
    original = image_bytes("JPEG", gps=True)
    assert _exif(original).get_ifd(GPS_TAG), "the fixture really carries GPS data"
    processed = _process(original)
    photos.store(tmp_path, "abc123", processed)
    for path in photos.paths(tmp_path, "abc123"):
        data = path.read_bytes()
        exif = _exif(data)
        assert not exif.get_ifd(GPS_TAG)
        assert len(exif) == 0
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert "exif" not in image.info and "icc_profile" not in image.info
        assert b"Testcamera" not in data


def test_exif_orientation_is_applied():
    # Orientation 6 = rotate 90° clockwise to display: a 64x48 file shows as 48x64.
    processed = _process(image_bytes("JPEG", size=(64, 48), orientation=6))
    assert (processed.width, processed.height) == (48, 64)
    with Image.open(io.BytesIO(processed.web)) as image:
        assert ORIENTATION_TAG not in image.getexif()
        # The blue marker (top-left in the file) is top-right after turning clockwise.
        r, g, b = image.convert("RGB").getpixel((44, 3))
        assert b > 150 and r < 100


@pytest.mark.parametrize("fmt,mode", [("JPEG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB")])
def test_accepted_types_become_web_size_and_thumbnail(fmt, mode):
    processed = _process(image_bytes(fmt, size=(2400, 1200), mode=mode))
    assert (processed.width, processed.height) == (photos.WEB_SIZE, photos.WEB_SIZE // 2)
    with Image.open(io.BytesIO(processed.thumb)) as thumb:
        assert thumb.size == (photos.THUMB_SIZE, photos.THUMB_SIZE // 2)


def test_decompression_bomb_is_refused():
    # 12,000 x 12,000 one-bit pixels compress to a tiny PNG but would explode in memory.
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    with pytest.raises(photos.PhotoError, match="te veel pixels"):
        _process(out.getvalue(), max_pixels=40_000_000)


def test_truncated_file_is_refused():
    data = image_bytes("JPEG", size=(400, 300))
    with pytest.raises(photos.PhotoError, match="beschadigd of onvolledig"):
        _process(data[: len(data) // 2])
    png = image_bytes("PNG", size=(400, 300))
    with pytest.raises(photos.PhotoError, match="beschadigd of onvolledig"):
        _process(png[: len(png) - 40])


@pytest.mark.parametrize("content", [
    b"<!doctype html><html><script>alert(1)</script></html>",
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    b"%PDF-1.4 not an image",
])
def test_renamed_non_images_are_refused(content):
    with pytest.raises(photos.PhotoError, match="geen foto van een toegestaan type"):
        _process(content)


def test_byte_limit_and_empty_file():
    with pytest.raises(photos.PhotoError, match="te groot"):
        _process(image_bytes("PNG", size=(300, 300)), max_bytes=100)
    with pytest.raises(photos.PhotoError, match="leeg"):
        _process(b"")


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_html_renamed_to_jpg_through_the_public_form_keeps_input_and_writes_nothing(
        narr_app, client, public_form):
    data = public_form(title="Mijn titel blijft staan", photos=[
        (b"<html><body onload=alert(1)>hoi</body></html>", "foto.jpg", "Een foto")])
    response = client.post("/verhalen/vertel", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "geen foto van een toegestaan type" in html
    assert 'id="photo_1-file-error"' in html
    assert 'value="Mijn titel blijft staan"' in html
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Story.id))) == 0
    assert list(Path(narr_app.config["UPLOAD_FOLDER"]).iterdir()) == []


def test_alt_text_and_portrait_consent_are_required(narr_app, client, public_form):
    response = client.post("/verhalen/vertel", data=public_form(
        photos=[(image_bytes(), "a.jpg", "")]), content_type="multipart/form-data")
    assert response.status_code == 400
    assert "alt-tekst" in response.get_data(as_text=True)
    response = client.post("/verhalen/vertel", data=public_form(
        photos=[(image_bytes(), "a.jpg", "Twee mensen op een bankje", {"recognisable": True})]),
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "portretrecht" in response.get_data(as_text=True)
    response = client.post("/verhalen/vertel", data=public_form(
        photos=[(image_bytes(), "a.jpg", "Twee mensen op een bankje",
                 {"recognisable": True, "consent": True})]), content_type="multipart/form-data")
    assert response.status_code == 302
    with narr_app.app_context():
        photo = db.session.scalar(sa.select(StoryPhoto))
        assert photo.recognisable_people and photo.portrait_consent
        assert photo.alt_text == "Twee mensen op een bankje"


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_half_written_upload_leaves_no_orphan_file_and_no_record(narr_app, client, public_form,
                                                                   monkeypatch):
    real_store = photos.store
    calls = {"n": 0}

    def failing_store(folder, key, photo):
        calls["n"] += 1
        if calls["n"] == 2:
            # Simulate a crash half-way through writing the second photo.
            (Path(folder) / f"{key}.tmp").write_bytes(b"half")
            raise OSError("disk full")
        return real_store(folder, key, photo)

    monkeypatch.setattr(photos, "store", failing_store)
    data = public_form(photos=[(image_bytes(), "a.jpg", "Eerste foto"),
                               (image_bytes("PNG"), "b.png", "Tweede foto")])
    narr_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post("/verhalen/vertel", data=data, content_type="multipart/form-data")
    assert response.status_code == 500
    assert calls["n"] == 2
    leftovers = [p.name for p in Path(narr_app.config["UPLOAD_FOLDER"]).iterdir()]
    # Only the simulated stray temp file of the crashed write may remain; no photo files.
    assert not [n for n in leftovers if n.endswith(".jpg")]
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Story.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(StoryPhoto.id))) == 0


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_failed_commit_removes_the_files_already_written(narr_app, public_form, monkeypatch):
    database = db
    with narr_app.test_request_context("/"):
        inputs = [services.PhotoInput(stream=io.BytesIO(image_bytes()), alt_text="Foto")]
        data = services.StoryData(
            title="T", summary="S", body="B", wijk_id=wijk_id("Oost"), buurt_id=None,
            about_date=date(2025, 1, 1), form="tekst", teller="inwoner",
            quality_ids=[quality_id("K2")], consent_given=True,
            visibility="openbaar", language="nl")

        def broken_commit():
            raise RuntimeError("database went away")

        monkeypatch.setattr(database.session, "commit", broken_commit)
        with pytest.raises(RuntimeError):
            services.contribute_public(data, inputs, address="10.0.0.1", honeypot="",
                                       stamp=services.form_stamp())
        monkeypatch.undo()
        assert list(Path(narr_app.config["UPLOAD_FOLDER"]).glob("*.jpg")) == []
        assert database.session.scalar(sa.select(sa.func.count(Story.id))) == 0


def test_photo_is_served_as_jpeg_with_nosniff_and_without_gps(narr_app, client, public_form,
                                                              login_as):
    client.post("/verhalen/vertel", data=public_form(
        photos=[(image_bytes("JPEG", gps=True), "gps.jpg", "Een straat")]),
        content_type="multipart/form-data")
    with narr_app.app_context():
        story = db.session.scalar(sa.select(Story))
        photo_key = story.photos[0].file_key
        story_id = story.id
    # Not visible before publication.
    assert client.get(f"/verhalen/foto/{photo_key}/web").status_code == 404
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    for size in ("web", "thumb"):
        response = client.get(f"/verhalen/foto/{photo_key}/{size}")
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert not _exif(response.data).get_ifd(GPS_TAG)
    assert client.get(f"/verhalen/foto/{photo_key}/html").status_code == 404


def test_heic_only_when_pillow_can_open_it():
    # The start of a real HEIC container (ISO BMFF "ftypheic" box) without a decoder plugin.
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    if "HEIF" in photos.accepted_formats():  # pragma: no cover - depends on installed plugins
        with pytest.raises(photos.PhotoError):
            _process(heic)
    else:
        with pytest.raises(photos.PhotoError, match="geen foto van een toegestaan type"):
            _process(heic)


def test_a_truncated_file_is_refused_even_after_the_pdf_library_was_loaded():
    """WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import; uploads in
    the same process must still be refused when cut off."""
    import weasyprint  # noqa: F401  (the import is what switches the flag on)
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as after that import
    data = image_bytes("JPEG", size=(400, 300))
    with pytest.raises(photos.PhotoError, match="beschadigd of onvolledig"):
        _process(data[: len(data) // 2])
