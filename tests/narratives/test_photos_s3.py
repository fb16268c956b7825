"""Photos on S3 object storage (a real S3 API on the loopback), through the app's routes.

The app is switched to the bucket as an installation is (``MONITOR_STORAGE_URL``); the
bucket is read with a client of its own, so what the app claims is checked at the store.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from botocore.exceptions import ConnectionClosedError

from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story, StoryPhoto

from ..storagekit import S3Server, age_files, aws_env, new_bucket, objects, use_bucket
from .conftest import contribute, image_bytes

FORM_TEXT = "Een verhaal dat bewaard moet blijven als de opslag hapert"


def _photo_keys(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(StoryPhoto.file_key).order_by(StoryPhoto.position)))


def _rows(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count(Story.id))),
                db.session.scalar(sa.select(sa.func.count(StoryPhoto.id))))


def _local_files(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]


def test_a_photo_uploaded_to_s3_is_served_by_the_photo_route(narr_app, s3_app, s3_bucket, s3_server,
                                                           client, public_form, login_as):
    response = client.post("/verhalen/vertel", data=public_form(
        photos=[(image_bytes("JPEG", size=(640, 480)), "a.jpg", "Een bankje")]),
        content_type="multipart/form-data")
    assert response.status_code == 302
    [key] = _photo_keys(narr_app)
    stored = objects(s3_bucket, s3_server.endpoint)
    assert sorted(stored) == [f"tv/{key}.jpg", f"tv/{key}_thumb.jpg"]  # the folder layout, prefixed
    assert _local_files(narr_app) == []  # nothing on this host's disk
    assert client.get(f"/verhalen/foto/{key}/web").status_code == 404  # not published yet

    with narr_app.app_context():
        story_id = db.session.scalar(sa.select(Story.id))
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    assert coordinator.get(f"/verhalen/foto/{key}/thumb").data == stored[f"tv/{key}_thumb.jpg"]
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    for size, name in (("web", f"tv/{key}.jpg"), ("thumb", f"tv/{key}_thumb.jpg")):
        response = client.get(f"/verhalen/foto/{key}/{size}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.data == stored[name]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-cache"


def test_a_withdrawn_storys_photos_are_gone_from_the_bucket(narr_app, s3_app, s3_bucket, s3_server,
                                                            client, public_form):
    with narr_app.app_context():
        story_id, private = contribute(client, public_form, photos=[
            (image_bytes(), "a.jpg", "Eerste foto"), (image_bytes("PNG"), "b.png", "Tweede foto")])
    keys = _photo_keys(narr_app)
    assert len(objects(s3_bucket, s3_server.endpoint)) == 4
    page = client.get(private).get_data(as_text=True)
    own_url = re.search(r'src="(/verhalen/mijn/[^"]+/foto/[^"]+/thumb)"', page).group(1)
    assert client.get(own_url).status_code == 200  # the teller sees their own photo

    assert client.post(private + "/intrekken").status_code == 302
    assert objects(s3_bucket, s3_server.endpoint) == {}
    for key in keys:
        assert client.get(f"/verhalen/foto/{key}/web").status_code == 410
    assert client.get(own_url).status_code == 404


def _assert_kept_with_dutch_error(response) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[-2000:]
    assert "De opslag voor bestanden is nu niet bereikbaar" in html
    assert "Uw tekst is bewaard" in html
    assert f'value="{FORM_TEXT}"' in html  # what the resident typed is still in the form


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_a_put_failing_for_the_second_photo_stores_nothing(narr_app, s3_app, s3_bucket, s3_server,
                                                            client, public_form):
    store = s3_app.extensions["monitor.storage"]
    puts = []

    def fail_second_photo(request, **kwargs):
        if request.method == "PUT":
            puts.append(request.url)
            if len(puts) == 3:  # photo 1: web and thumbnail; photo 2: its web size fails
                raise ConnectionClosedError(endpoint_url=request.url)

    store.client.meta.events.register("before-send.s3.PutObject", fail_second_photo)
    response = client.post("/verhalen/vertel", data=public_form(title=FORM_TEXT, photos=[
        (image_bytes(), "a.jpg", "Eerste foto"), (image_bytes("PNG"), "b.png", "Tweede foto")]),
        content_type="multipart/form-data")
    _assert_kept_with_dutch_error(response)
    assert len(puts) == 3
    assert objects(s3_bucket, s3_server.endpoint) == {}  # the first photo was taken back
    assert _rows(narr_app) == (0, 0)


@pytest.mark.slow  # a server of its own, stopped and started again
@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_the_store_stopping_mid_upload_leaves_no_row_and_its_left_overs_are_cleaned(
        narr_app, client, public_form, monkeypatch):
    server = S3Server()
    aws_env(monkeypatch, server.endpoint)
    bucket = new_bucket(server.endpoint)
    store = use_bucket(narr_app, bucket, attempts="1")
    puts = []

    def stop_after_first_photo(**kwargs):
        puts.append(1)
        if len(puts) == 2:  # both files of the first photo are in; then the server goes away
            server.stop()

    store.client.meta.events.register("after-call.s3.PutObject", stop_after_first_photo)
    response = client.post("/verhalen/vertel", data=public_form(title=FORM_TEXT, photos=[
        (image_bytes(), "a.jpg", "Eerste foto"), (image_bytes("PNG"), "b.png", "Tweede foto")]),
        content_type="multipart/form-data")
    _assert_kept_with_dutch_error(response)
    assert _rows(narr_app) == (0, 0)

    # The server comes back: only the first photo's two files are there, each complete
    # (the store could not be asked to take them back while it was down).
    server = S3Server(port=server.port)
    try:
        left = objects(bucket, server.endpoint)
        assert len(left) == 2 and all(data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
                                      for data in left.values())
        from monitor.narratives.indexing import check_index

        with narr_app.app_context():
            assert check_index().orphan_files == 0  # fresh: may be an upload on its way
            assert len(objects(bucket, server.endpoint)) == 2
            age_files(monkeypatch, 3700)
            assert check_index().orphan_files == 1  # an hour later: an orphan, removed
        assert objects(bucket, server.endpoint) == {}
    finally:
        server.stop()



def test_a_photo_while_the_store_is_unreachable_is_a_dutch_503(narr_app, s3_app, client, public_form,
                                                             login_as, monkeypatch):
    assert client.post("/verhalen/vertel", data=public_form(
        photos=[(image_bytes(), "a.jpg", "Een bankje")]), content_type="multipart/form-data").status_code == 302
    [key] = _photo_keys(narr_app)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    assert coordinator.get(f"/verhalen/foto/{key}/web").status_code == 200
    aws_env(monkeypatch, "http://127.0.0.1:9")  # the store moved away: nothing listens there
    use_bucket(narr_app, "tv-weg", attempts="1")
    response = coordinator.get(f"/verhalen/foto/{key}/web")
    assert response.status_code == 503
    assert "De opslag voor bestanden is nu niet bereikbaar" in response.get_data(as_text=True)
