"""The public form: consent, spam resistance and a DB-backed limit per address."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db
from monitor.narratives.models import Story
from monitor.ratelimit import RateLimitCounter

from .conftest import image_bytes


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Story.id)))


def test_form_page_has_csrf_honeypot_and_time_stamp(narr_app):
    narr_app.config["WTF_CSRF_ENABLED"] = True
    html = narr_app.test_client().get("/verhalen/vertel").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert 'name="website"' in html and 'class="hp-field"' in html
    assert 'name="started"' in html
    assert 'enctype="multipart/form-data"' in html


def test_consent_is_required(narr_app, client, public_form):
    data = public_form()
    del data["consent_given"]
    response = client.post("/verhalen/vertel", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Zonder uw toestemming" in html and 'id="consent_given-error"' in html
    assert _count(narr_app) == 0


def test_honeypot_refuses_bots(narr_app, client, public_form):
    response = client.post("/verhalen/vertel", data=public_form(website="http://spam.example"),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert _count(narr_app) == 0


def test_minimum_fill_time_and_forged_stamp(narr_app, client, public_form):
    narr_app.config["NARRATIVES_MIN_FILL_SECONDS"] = 3600
    response = client.post("/verhalen/vertel", data=public_form(), content_type="multipart/form-data")
    assert response.status_code == 400
    assert "erg snel verstuurd" in response.get_data(as_text=True)
    narr_app.config["NARRATIVES_MIN_FILL_SECONDS"] = 0
    response = client.post("/verhalen/vertel", data=public_form(started="1700000000.0"),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)
    assert _count(narr_app) == 0


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_rate_limit_per_address_holds_across_app_instances(narr_app, client, public_form,
                                                           tmp_path):
    narr_app.config["NARRATIVES_MAX_PER_HOUR"] = 2
    for _ in range(2):
        assert client.post("/verhalen/vertel", data=public_form(),
                           content_type="multipart/form-data").status_code == 302
    # A second app on the same database (another gunicorn worker) sees the same limit.
    other = create_app({**narr_app.config, "INSTANCE_PATH": str(tmp_path / "other"),
                        "NARRATIVES_MAX_PER_HOUR": 2})
    response = other.test_client().post("/verhalen/vertel", data=public_form(),
                                        content_type="multipart/form-data")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "al meerdere verhalen verstuurd" in html
    assert 'value="Koffie in het ontmoetingscentrum"' in html  # nothing typed is lost
    # Another address is not affected.
    response = other.test_client().post(
        "/verhalen/vertel", data=public_form(), content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302
    with other.app_context():
        other_count = db.session.scalar(sa.select(sa.func.count(Story.id)))
        hashes = set(db.session.scalars(sa.select(RateLimitCounter.key).where(
            RateLimitCounter.bucket.startswith("narratives.submit"))))
        db.session.remove()
        db.engine.dispose()
    assert other_count == 3
    # Counted per keyed hash of the address: enough to count, not to identify.
    assert "127.0.0.1" not in "".join(hashes) and "192.0.2.7" not in "".join(hashes)
    assert len(hashes) == 2


def test_receipt_is_shown_once_and_private_page_needs_the_token(narr_app, client, public_form):
    response = client.post("/verhalen/vertel", data=public_form(
        photos=[(image_bytes(), "a.jpg", "Een bankje")]), content_type="multipart/form-data")
    assert response.status_code == 302
    assert "VH-" in client.get("/verhalen/vertel/ontvangen").get_data(as_text=True)
    # The second visit no longer shows the link.
    assert client.get("/verhalen/vertel/ontvangen").status_code == 302
    assert client.get("/verhalen/mijn/verkeerd-token").status_code == 404
    assert client.post("/verhalen/mijn/verkeerd-token/intrekken").status_code == 404


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_malformed_input_gets_messages_not_errors(narr_app, client, public_form):
    for overrides in ({"wijk_id": ""}, {"wijk_id": "abc"}, {"wijk_id": "999999"},
                      {"buurt_id": "999999"}, {"quality_ids": ["x"]}, {"quality_ids": ["999999"]},
                      {"about_date": "31-02-2026"}, {"about_date": "2999-01-01"},
                      {"form": "<script>"}, {"title": ""}):
        response = client.post("/verhalen/vertel", data=public_form(**overrides),
                               content_type="multipart/form-data")
        assert response.status_code == 400, overrides
        assert "Controleer het formulier" in response.get_data(as_text=True) or \
            "utrecht-alert--error" in response.get_data(as_text=True), overrides
    assert _count(narr_app) == 0


def test_resident_actions_leave_no_ip_address_in_the_audit_trail(narr_app, client, public_form):
    from monitor.models import AuditEvent

    assert client.post("/verhalen/vertel", data=public_form(), content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": "198.51.100.23"}).status_code == 302
    with narr_app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "story.contribute"))
        assert event.actor_label == "inwoner (zonder account)" and event.ip_address is None
