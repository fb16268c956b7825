"""Import uploads kept between the steps in the file store (local folder or S3), and the
periodic job that removes the ones never finished."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest

from monitor.counts import STAGING_JOB
from monitor.models import Role
from monitor.registry import registry
from monitor.timeutil import utcnow

from ..storagekit import age_files, aws_env, use_bucket
from .test_import import GOOD_ROWS, LABELS, choose, csv_bytes, mapping_form, upload


@pytest.fixture(params=["local", "s3"])
def files(request, app):
    """The app's store: its uploads folder, or a bucket on the loopback S3 server."""
    if request.param == "s3":
        request.getfixturevalue("s3_app")
    return app.extensions["monitor.storage"]


def _staged(store) -> list[str]:
    return list(store.keys("counts-imports"))


def test_the_upload_is_kept_in_the_store_until_the_import_is_done(app, files, login_as):
    sw = login_as(Role.SOCIAAL_WERKER)
    url = upload(sw, csv_bytes(GOOD_ROWS))
    [key] = _staged(files)
    assert key.endswith(".csv") and files.get(key) == csv_bytes(GOOD_ROWS)
    data, labels, html = mapping_form(sw, url)  # read back from the store
    assert "Wijknaam" in html
    response = sw.post(url, data=dict(choose(data, labels, LABELS), action="commit"))
    assert response.status_code == 302
    assert _staged(files) == []


def test_abandoned_uploads_are_removed_by_the_job_after_a_day(app, files, login_as, monkeypatch):
    sw = login_as(Role.SOCIAAL_WERKER)
    url = upload(sw, csv_bytes(GOOD_ROWS))
    job = registry(app).jobs[STAGING_JOB]
    with app.app_context():
        assert job.func(utcnow() + timedelta(hours=23)) == "0 onafgemaakte import(s) verwijderd"
    assert len(_staged(files)) == 1
    assert sw.get(url).status_code == 200  # still there within the day
    # A day later (the files' age as the store sees it).
    age_files(monkeypatch, 25 * 3600)
    with app.app_context():
        assert job.func(utcnow() + timedelta(hours=25)) == "1 onafgemaakte import(s) verwijderd"
    assert _staged(files) == []
    response = sw.get(url, follow_redirects=True)
    assert "Dit bestand is niet (meer) beschikbaar. Upload het opnieuw." in response.get_data(as_text=True)


def test_a_store_that_cannot_be_reached_gives_a_dutch_error_beside_the_file(app, login_as, monkeypatch):
    aws_env(monkeypatch, "http://127.0.0.1:9")  # nothing listens there
    use_bucket(app, "tv-onbereikbaar", attempts="1")
    sw = login_as(Role.SOCIAAL_WERKER)
    response = sw.post("/tellen/import", data={"file": (io.BytesIO(csv_bytes(GOOD_ROWS)), "a.csv")},
                       content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "De opslag voor bestanden is nu niet bereikbaar" in html
    assert 'id="file-error"' in html  # beside the file field
