"""Sound and film on stories: real files made with PyAV, through the forms and the routes."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import sqlalchemy as sa

from monitor import media, storage, webvtt
from monitor.extensions import db
from monitor.models import Role
from monitor.narratives import services
from monitor.narratives.models import MediaStatus, Story, StoryMedia, StoryStatus
from monitor.registry import registry

from . import mediakit
from .conftest import contribute, quality_id, wijk_id


def _stored_keys(app) -> list[str]:
    with app.app_context():
        return sorted(storage.current().keys("media")) + sorted(storage.current().keys("media-staging"))


def _recording(story_id: int) -> StoryMedia:
    return db.session.scalar(sa.select(StoryMedia).where(StoryMedia.story_id == story_id))


def _with_media(public_form, data: bytes, name: str, **fields) -> dict:
    form = public_form()
    form["media_1-file"] = (io.BytesIO(data), name)
    form["media_1-title"] = fields.pop("title", "Interview met de buurvrouw")
    for key, value in fields.items():
        form[f"media_1-{key}"] = value
    return form


# --- the library: what is accepted, what comes out -----------------------------------------

@pytest.mark.parametrize("kind", sorted(mediakit.AUDIO_KINDS))
def test_every_accepted_sound_file_becomes_aac_in_mp4_without_its_tags(kind):
    original = mediakit.sound(kind)
    if kind != "wav":  # the WAV muxer keeps only its own INFO tags
        assert "52.0907" in mediakit.tags_of(original), "the fixture carries a location"
    converted = media.convert(original)
    assert converted.kind == media.AUDIO and converted.content_type == "audio/mp4"
    assert mediakit.describe(converted.data)["codecs"] == ["aac"]
    assert 0.8 < converted.duration < 1.2
    tags = mediakit.tags_of(converted.data)
    for secret in mediakit.SECRET_VALUES:
        assert secret not in tags and secret.encode() not in converted.data


@pytest.mark.parametrize("kind", sorted(mediakit.VIDEO_KINDS))
def test_every_accepted_film_becomes_h264_mp4_without_location_or_device(kind):
    original = mediakit.film(kind)
    converted = media.convert(original)
    assert converted.kind == media.VIDEO and converted.content_type == "video/mp4"
    described = mediakit.describe(converted.data)
    assert described["codecs"] == ["h264"] and described["size"] == (320, 240)
    for secret in mediakit.SECRET_VALUES:
        assert secret.encode() not in converted.data


def test_a_large_film_is_made_smaller_and_a_sideways_picture_is_turned():
    converted = media.convert(mediakit.film("webm", frames=3, size=(1920, 1080), tags=None))
    assert (converted.width, converted.height) == (1280, 720)
    import av

    upright = media._rotate(av.VideoFrame(320, 240, "yuv420p"), 90)
    assert (upright.width, upright.height) == (240, 320)


@pytest.mark.parametrize("data,message", [
    (b"Dit is gewoon een tekstbestand met een verhaal erin.\n" * 40, media.UNREADABLE),
    (b"", "Het bestand is leeg."),
])
def test_not_a_recording_is_refused_in_dutch(data, message):
    with pytest.raises(media.MediaError, match=message.split(",")[0]):
        media.convert(media.read_upload(io.BytesIO(data)))


def test_a_damaged_recording_is_refused():
    good = mediakit.sound("mp3", seconds=1.0)
    damaged = good[:200] + bytes(len(good) - 200)  # the header stays, the sound is zeros
    with pytest.raises(media.MediaError):
        media.convert(damaged)
    with pytest.raises(media.MediaError):
        media.convert(mediakit.film("mp4")[:600])  # cut off


def test_the_decoded_length_is_checked_too_not_only_what_the_file_declares(tmp_path):
    data = mediakit.sound("wav", seconds=3.0)
    declared = media.probe(data)  # as if the header had said it was short enough
    with pytest.raises(media.MediaError, match="te lang \\(maximaal 1 seconde\\)"):
        with media._decoding(media._open(data)) as container:
            media._encode(container, str(tmp_path / "uit.mp4"), declared, limit=1)


# --- captions -------------------------------------------------------------------------------

def test_webvtt_captions_are_checked_and_named_by_line():
    assert webvtt.validate("\ufeffWEBVTT\r\n\r\n1\r\n00:00:01.000 --> 00:00:02.500 line:90%\r\nHallo\r\n") \
        == "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500 line:90%\nHallo\n"
    assert webvtt.plain_text(mediakit.CAPTIONS) == "De buurtkamer is elke dinsdag open."
    for text, part in [("00:01.000 --> 00:02.000\nHallo", "eerste regel is 'WEBVTT'"),
                       ("WEBVTT\n\n00:01.000 -> 00:02.000\nHallo", "Regel 3"),
                       ("WEBVTT\n\n00:03.000 --> 00:02.000\nHallo", "eindtijd"),
                       ("WEBVTT\n\n00:01.000 --> 00:02.000", "tekst"),
                       ("WEBVTT\n\nNOTE alleen een notitie", "geen enkele tekst")]:
        with pytest.raises(webvtt.CaptionError, match=part):
            webvtt.validate(text)


# --- the public form ------------------------------------------------------------------------

def test_resident_sends_a_sound_recording_that_is_stored_clean(narr_app, client, public_form):
    form = _with_media(public_form, mediakit.sound("mp3"), "opname.mp3",
                       transcript="Wij drinken elke dinsdag koffie in de buurtkamer.")
    with narr_app.app_context():
        story_id, _ = contribute(client, public_form, **{k: v for k, v in form.items()
                                                         if k.startswith("media_1")})
        record = _recording(story_id)
        assert record.status == MediaStatus.KLAAR and record.kind == "audio"
        stored = storage.current().get(record.stored_key)
    assert mediakit.describe(stored)["codecs"] == ["aac"]
    for secret in mediakit.SECRET_VALUES:
        assert secret.encode() not in stored
    assert _stored_keys(narr_app) == [f"media/{record.file_key}.m4a"]  # no staged original


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
@pytest.mark.parametrize("upload,name,config,message", [
    (b"Geen geluid maar tekst.\n" * 50, "interview.mp3", {}, "geen geluid of film van een toegestaan type"),
    ("cut", "kapot.webm", {}, "beschadigd"),
    ("long", "lang.wav", {"NARRATIVES_MEDIA_MAX_AUDIO_SECONDS": 2}, "te lang (maximaal 2 seconden)"),
    ("corrupt", "kapot.mp3", {}, "of het is beschadigd"),
    # (kept below werkzeug's 500 kB, above which the test client leaves its temporary file open)
    ("big", "groot.wav", {"NARRATIVES_MEDIA_MAX_BYTES": 100 * 1024}, "te groot (maximaal 100 kB)"),
])
def test_a_refused_recording_gets_a_dutch_message_and_loses_nothing_typed(
        narr_app, client, public_form, upload, name, config, message):
    narr_app.config.update(config)
    if upload == "long":
        upload = mediakit.sound("wav", seconds=3.0)
    elif upload == "corrupt":  # the header stays, the sound is gone
        good = mediakit.sound("mp3")
        upload = good[:300] + b"\x00" * (len(good) - 300)
    elif upload == "cut":  # the end is missing
        good = mediakit.film("webm")
        upload = good[:len(good) // 2]
    elif upload == "big":
        upload = mediakit.sound("wav", seconds=2.0)
    form = _with_media(public_form, upload, name, transcript="Mijn eigen uitgeschreven woorden.")
    response = client.post("/verhalen/vertel", data=form, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Koffie in het ontmoetingscentrum" in page  # the story's title stays
    assert "Mijn eigen uitgeschreven woorden." in page  # and the transcript
    assert "Interview met de buurvrouw" in page
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Story.id))) == 0
    assert _stored_keys(narr_app) == []


def test_recognisable_voices_need_consent(narr_app, client, public_form):
    form = _with_media(public_form, mediakit.sound("mp3"), "opname.mp3", recognisable_people="y")
    response = client.post("/verhalen/vertel", data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "herkenbare stemmen of gezichten" in response.get_data(as_text=True)
    assert _stored_keys(narr_app) == []


# --- staff: publish only with transcript / captions ----------------------------------------

def _staff_story(narr_app, worker, recording: bytes, name: str, title: str = "Het hoorspel van de Bloemenbuurt",
                 **fields) -> int:
    with narr_app.app_context():
        oost, k4 = wijk_id("Oost"), quality_id("K4")
    data = {
        "title": title, "summary": "Bewoners spelen hun buurt.",
        "body": "Een middag opnemen in het buurthuis.", "wijk_id": str(oost), "buurt_id": "",
        "about_date": "2026-02-01", "form": "hoorspel", "quality_ids": [str(k4)], "tags": "",
        "teller": "professional", "teller_name": "", "consent_given": "y",
        "consent_method": "schriftelijk", "consent_date": "2026-02-02",
        "media_1-file": (io.BytesIO(recording), name), "media_1-title": "Het hoorspel",
    }
    data.update({f"media_1-{k}": v for k, v in fields.items()})
    response = worker.post("/verhalen/nieuw", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    with narr_app.app_context():
        story_id = db.session.scalar(sa.select(Story.id).where(Story.title == data["title"]))
    assert worker.post(f"/verhalen/verhaal/{story_id}/indienen").status_code == 302
    return story_id


def test_sound_without_transcript_cannot_be_published_then_is_found_by_its_words(narr_app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id = _staff_story(narr_app, worker, mediakit.sound("m4a"), "hoorspel.m4a")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                                data={"pub-visibility": "openbaar"}, follow_redirects=True)
    assert "heeft nog geen transcript" in response.get_data(as_text=True)
    with narr_app.app_context():
        assert db.session.get(Story, story_id).status == StoryStatus.INGEDIEND
        key = _recording(story_id).file_key
    response = coordinator.post(f"/verhalen/opname/{key}/tekst", data={
        "title": "Het hoorspel", "transcript": "De wethouder zingt over de zonnebloemenstraat."})
    assert response.status_code == 302
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    with narr_app.app_context():
        assert db.session.get(Story, story_id).status == StoryStatus.GEPUBLICEERD
        services.apply_pending()
    found = narr_app.test_client().get("/verhalen/?q=zonnebloemenstraat").get_data(as_text=True)
    assert "Het hoorspel van de Bloemenbuurt" in found
    page = narr_app.test_client().get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert '<audio controls preload="metadata"' in page
    assert "De wethouder zingt over de zonnebloemenstraat." in page  # transcript below the player


def test_film_with_speech_needs_valid_captions_film_without_speech_does_not(narr_app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id = _staff_story(narr_app, worker, mediakit.film("mov"), "IMG_0001.MOV", has_speech="y")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                                data={"pub-visibility": "openbaar"}, follow_redirects=True)
    assert "nog geen ondertitels (WebVTT)" in response.get_data(as_text=True)
    with narr_app.app_context():
        key = _recording(story_id).file_key
    response = coordinator.post(f"/verhalen/opname/{key}/tekst", data={
        "title": "De film", "has_speech": "y", "captions": "00:01.000 --> 00:02.000\nHallo"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "eerste regel is &#39;WEBVTT&#39;" in page and "00:01.000 --&gt; 00:02.000" in page
    response = coordinator.post(f"/verhalen/opname/{key}/tekst", data={
        "title": "De film", "has_speech": "y",
        "captions_file": (io.BytesIO(mediakit.CAPTIONS.encode()), "film.vtt")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    page = narr_app.test_client().get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert '<track kind="captions" srclang="nl" label="Nederlands"' in page
    with narr_app.app_context():  # a story told in English: its captions are English too
        db.session.get(Story, story_id).language = "en"
        db.session.commit()
    page = narr_app.test_client().get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert '<track kind="captions" srclang="en" label="English"' in page
    captions = narr_app.test_client().get(f"/verhalen/opname/{key}/ondertitels.vtt")
    assert captions.mimetype == "text/vtt" and captions.get_data(as_text=True) == mediakit.CAPTIONS
    # A film without speech needs no captions.
    silent = _staff_story(narr_app, worker, mediakit.film("webm"), "stil.webm", title="Stille film")
    with narr_app.app_context():
        assert services.media_blockers(db.session.get(Story, silent)) == []


# --- serving: permissions, Range, erasure ---------------------------------------------------

def test_media_routes_check_who_may_read_and_support_range(narr_app, login_as, client):
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id = _staff_story(narr_app, worker, mediakit.sound("ogg", seconds=2.0), "stem.ogg",
                            transcript="Hallo buurt.")
    with narr_app.app_context():
        record = _recording(story_id)
        key, size = record.file_key, len(storage.current().get(record.stored_key))
    url = f"/verhalen/opname/{key}"
    assert client.get(url, buffered=True).status_code == 404  # not published: not for visitors
    assert login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"]).get(url, buffered=True).status_code == 404
    outsider = login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])
    assert outsider.get(f"{url}/tekst").status_code == 403
    assert outsider.post(f"{url}/verwijderen").status_code == 403
    assert worker.get(url, buffered=True).status_code == 200  # the author hears it before publication
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert coordinator.get(f"/verhalen/verhaal/{story_id}/opname").status_code == 200
    edit = coordinator.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    assert "Geluid: Het hoorspel (0:02) · Klaar" in edit and f"/verhalen/opname/{key}/tekst" in edit
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "raad"}).status_code == 302
    assert client.get(url, buffered=True).status_code == 404  # raad only
    assert login_as(Role.RAADSLID).get(url, buffered=True).status_code == 200
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    whole = client.get(url, buffered=True)
    assert whole.status_code == 200 and whole.mimetype == "audio/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["X-Content-Type-Options"] == "nosniff"
    part = client.get(url, headers={"Range": "bytes=100-199"}, buffered=True)
    assert part.status_code == 206 and len(part.data) == 100
    assert part.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert part.data == whole.data[100:200]
    assert client.get("/verhalen/opname/0123456789abcdef0123456789abcdef").status_code == 404


def test_withdrawal_and_deletion_erase_the_recordings(narr_app, client, public_form, login_as):
    form = _with_media(public_form, mediakit.film("mp4"), "film.mp4", has_speech="y",
                       captions=mediakit.CAPTIONS)
    with narr_app.app_context():
        story_id, private = contribute(client, public_form, **{k: v for k, v in form.items()
                                                               if k.startswith("media_1")})
        key = _recording(story_id).file_key
    assert len(_stored_keys(narr_app)) == 1
    page = client.get(private).get_data(as_text=True)
    token_form = {"csrf_token": ""} if "csrf_token" not in page else {}
    assert client.post(f"{private}/intrekken", data=token_form).status_code == 302
    assert _stored_keys(narr_app) == []
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StoryMedia.id))) == 0
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    assert coordinator.get(f"/verhalen/opname/{key}", buffered=True).status_code == 410
    # Deleting a story for good removes its recording too.
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    other = _staff_story(narr_app, worker, mediakit.sound("mp3"), "a.mp3", title="Weg ermee")
    assert len(_stored_keys(narr_app)) == 1
    oost = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert oost.post(f"/verhalen/verhaal/{other}/verwijderen").status_code == 302
    assert _stored_keys(narr_app) == []


def test_a_long_recording_is_converted_by_the_job_worker(narr_app, login_as):
    narr_app.config["NARRATIVES_MEDIA_INLINE_SECONDS"] = 0
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id = _staff_story(narr_app, worker, mediakit.sound("wav"), "lang.wav", transcript="Tekst.")
    with narr_app.app_context():
        record = _recording(story_id)
        assert record.status == MediaStatus.WACHT
        assert storage.current().exists(record.staging_key)
        assert services.media_blockers(db.session.get(Story, story_id))[0].endswith(
            "wordt nog omgezet. Probeer het over een paar minuten opnieuw.")
        registry(narr_app).jobs["media omzetten"].func(datetime(2027, 5, 1, 7, 0))
        db.session.expire_all()
        record = _recording(story_id)
        assert record.status == MediaStatus.KLAAR
        assert mediakit.describe(storage.current().get(record.stored_key))["codecs"] == ["aac"]
        assert not storage.current().exists(record.staging_key)  # the original is gone
        assert services.media_blockers(db.session.get(Story, story_id)) == []


# --- photos as phones make them -------------------------------------------------------------

def test_heic_photo_from_a_phone_is_accepted_upright_and_without_metadata(narr_app, client, public_form):
    import pillow_heif  # noqa: F401  (registers HEIF with Pillow)
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # to be turned 90° clockwise
    exif[0x010F] = "Testcamera"
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 13.0, 30.0), 3: "E", 4: (5.0, 10.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "HEIF", exif=exif.tobytes())
    with narr_app.app_context():
        story_id, _ = contribute(client, public_form, photos=[(out.getvalue(), "IMG_0001.HEIC", "Een rode muur")])
        photo = db.session.get(Story, story_id).photos[0]
        assert (photo.width, photo.height) == (48, 64)
        data = services.photo_path(photo, "web").read_bytes()
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG" and len(stored.getexif()) == 0
    assert b"Testcamera" not in data
