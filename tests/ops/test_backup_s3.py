"""Back-up and restore with the files on S3 (a real S3 API on the loopback).

The archive has the same layout as with a local folder (``uploads/<key>``): the bucket's
objects go in, and restore puts them back into the target's bucket, so the restored
installation serves its photos again. An archive the bucket cannot take, or a target
bucket in use, is refused before anything is touched.
"""
from __future__ import annotations

import json
import tarfile

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story, StoryPhoto

from ..narratives.conftest import image_bytes, narr_app, public_form  # noqa: F401  (fixtures)
from ..storagekit import new_bucket, objects, use_bucket
from .conftest import database_is_empty, upload_files, write_uploads

pytestmark = [pytest.mark.real_db, pytest.mark.slow]


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def s3_filled(narr_app, s3_app, client, public_form, login_as):  # noqa: F811
    """A published public story with two photos, a staged import and a media file, on S3."""
    response = client.post("/verhalen/vertel", data=public_form(photos=[
        (image_bytes(), "a.jpg", "Eerste foto"), (image_bytes("PNG"), "b.png", "Tweede foto")]),
        content_type="multipart/form-data")
    assert response.status_code == 302
    with narr_app.app_context():
        story_id = db.session.scalar(sa.select(Story.id))
        store = narr_app.extensions["monitor.storage"]
        store.put("counts-imports/3-abcdefghijklmnopqrstuvwx.csv", b"jaar;wijk\n2026;Oost\n", "text/csv")
        store.put("media/0123abcd.mp3", bytes(range(256)) * 40, "audio/mpeg")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    return narr_app


def test_round_trip_brings_the_buckets_files_back_and_the_photos_are_served(
        s3_filled, s3_bucket, s3_server, make_target, tmp_path):
    before = {name.removeprefix("tv/"): data for name, data in objects(s3_bucket, s3_server.endpoint).items()}
    assert len(before) == 6  # two photos (web + thumbnail), the import, the media file
    archive = tmp_path / "back-up.tar.gz"
    assert _cli(s3_filled, "backup", "--output", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert {f"uploads/{k}" for k in before} <= set(manifest["files"])
        assert tar.extractfile("uploads/media/0123abcd.mp3").read() == before["media/0123abcd.mp3"]

    target = make_target()
    target_bucket = new_bucket(s3_server.endpoint)
    use_bucket(target, target_bucket, prefix="hersteld")
    result = _cli(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "6 bestand(en) teruggezet" in result.output
    after = objects(target_bucket, s3_server.endpoint)
    assert {name.removeprefix("hersteld/"): data for name, data in after.items()} == before

    with target.app_context():
        keys = list(db.session.scalars(sa.select(StoryPhoto.file_key)))
    guest = target.test_client()
    for key in keys:
        response = guest.get(f"/verhalen/foto/{key}/web")
        assert response.status_code == 200 and response.data == before[f"{key}.jpg"]


def test_a_bucket_in_use_is_refused_unless_forced_and_forced_leaves_only_the_archive(
        s3_filled, s3_bucket, s3_server, make_target, tmp_path):
    archive = tmp_path / "b.tar.gz"
    assert _cli(s3_filled, "backup", "--output", str(archive)).exit_code == 0
    target = make_target()
    bucket = new_bucket(s3_server.endpoint)
    store = use_bucket(target, bucket, prefix="p")
    store.put("al-aanwezig.jpg", b"foto")
    refused = _cli(target, "restore", str(archive))
    assert refused.exit_code == 1
    assert "opslag voor bestanden" in refused.output and "Er is niets hersteld" in refused.output
    assert objects(bucket, s3_server.endpoint) == {"p/al-aanwezig.jpg": b"foto"}
    assert database_is_empty(target)

    forced = _cli(target, "restore", str(archive), "--force")
    assert forced.exit_code == 0, forced.output
    names = set(objects(bucket, s3_server.endpoint))
    assert "p/al-aanwezig.jpg" not in names and len(names) == 6


def test_an_archive_with_names_a_bucket_cannot_take_is_refused_before_anything(
        app, make_target, s3_bucket, s3_server, tmp_path):
    write_uploads(app)  # a local installation with odd file names ("wijk Oost – café ü 🌷.txt")
    files = upload_files(app)
    archive = tmp_path / "lokaal.tar.gz"
    assert _cli(app, "backup", "--output", str(archive)).exit_code == 0
    target = make_target()
    use_bucket(target, s3_bucket)
    result = _cli(target, "restore", str(archive))
    assert result.exit_code == 1
    assert "bestandsnaam" in result.output and "Er is niets hersteld" in result.output
    assert objects(s3_bucket, s3_server.endpoint) == {}
    assert database_is_empty(target)
    assert len(files) == 5
