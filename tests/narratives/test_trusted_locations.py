"""Issue 19 §6: a buurthuis helping several residents in an hour is not stopped by the
per-address limit of the public form, and abuse gets no way around it.

A coordinator registers a trusted location and opens its pairing link once on the
buurthuis's device; that device's stories count against the location's own, bounded
limits. A made-up token, a used pairing link, a revoked location or a replaced device
token count for nothing: the per-address limit holds as for everyone.
"""

from __future__ import annotations

import re
import secrets

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Role
from monitor.narratives.models import Story, TrustedLocation

from .conftest import wijk_id

pytestmark = pytest.mark.real_db  # the rate limiter's counts must survive each request's rollback

COOKIE = "tv_locatie"


def _post(client, data):
    return client.post("/verhalen/vertel", data=data, content_type="multipart/form-data")


def _register(app, coordinator, **overrides) -> tuple[int, str]:
    with app.app_context():
        data = {"name": "Buurthuis De Lindenhof", "wijk_id": str(wijk_id("Hilversumse Meent")),
                "max_per_hour": "6", "max_per_day": "20"}
    data.update(overrides)
    response = coordinator.post("/verhalen/locaties", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = coordinator.get("/verhalen/locaties").get_data(as_text=True)
    link = re.search(r"https?://localhost(/verhalen/vertel/koppel/[A-Za-z0-9_-]+)", page).group(1)
    # Shown once.
    assert link not in coordinator.get("/verhalen/locaties").get_data(as_text=True)
    with app.app_context():
        location_id = db.session.scalar(sa.select(TrustedLocation.id).where(TrustedLocation.name == data["name"]))
    return location_id, link


def _pair(device, link) -> str:
    confirm = device.get(link)
    assert confirm.status_code == 200 and "Dit apparaat koppelen" in confirm.get_data(as_text=True)
    response = device.post(link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/verhalen/vertel")
    cookie = device.get_cookie(COOKIE, path="/verhalen")
    assert cookie is not None and cookie.http_only
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/verhalen" in header
    return cookie.value


def _send(client, public_form, times: int) -> list[int]:
    return [_post(client, public_form()).status_code for _ in range(times)]


def test_a_paired_buurthuis_sends_more_than_the_address_limit_and_others_do_not(
        narr_app, login_as, public_form):
    narr_app.config.update(NARRATIVES_MAX_PER_HOUR=3, NARRATIVES_MAX_PER_DAY=10)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    location_id, link = _register(narr_app, coordinator)
    device = narr_app.test_client()
    token = _pair(device, link)

    # The fourth, fifth and sixth story from the buurthuis are accepted; the seventh
    # reaches the location's own limit (6 per hour) and is refused with a Dutch message.
    assert _send(device, public_form, 6) == [302] * 6
    refused = _post(device, public_form(title="Het zevende verhaal"))
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Via Buurthuis De Lindenhof zijn in korte tijd al veel verhalen verstuurd" in page
    assert 'value="Het zevende verhaal"' in page  # nothing typed is lost
    with narr_app.app_context():
        stories = list(db.session.scalars(sa.select(Story).where(Story.trusted_location_id == location_id)))
        assert len(stories) == 6
        assert db.session.get(TrustedLocation, location_id).stories_count == 6
        story_id = stories[0].id
    assert "ingestuurd via Buurthuis De Lindenhof" in coordinator.get(
        f"/verhalen/verhaal/{story_id}/moderatie").get_data(as_text=True)

    # The same address without the device token: the per-address limit still holds.
    visitor = narr_app.test_client()
    assert _send(visitor, public_form, 4) == [302, 302, 302, 429]
    # A made-up token, or the token with a character changed, lifts nothing.
    for forged in (secrets.token_urlsafe(32), token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 1000):
        other = narr_app.test_client()
        other.set_cookie(COOKIE, forged, path="/verhalen")
        assert _post(other, public_form()).status_code == 429
    # The pairing link worked once.
    assert narr_app.test_client().post(link).status_code == 404
    assert "werkt niet (meer)" in narr_app.test_client().post(link).get_data(as_text=True)
    with narr_app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "TrustedLocation")))
        assert {"trusted_location.create", "trusted_location.pair"} <= actions
        stored = db.session.get(TrustedLocation, location_id)
        assert token not in (stored.device_token_hash or "") and stored.setup_token_hash is None


def test_after_revocation_or_a_new_pairing_the_old_token_is_an_ordinary_visitor(
        narr_app, login_as, public_form):
    narr_app.config.update(NARRATIVES_MAX_PER_HOUR=1, NARRATIVES_MAX_PER_DAY=10)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    location_id, link = _register(narr_app, coordinator)
    device = narr_app.test_client()
    _pair(device, link)
    assert _send(device, public_form, 2) == [302, 302]

    # A new pairing (a replaced tablet): the new device works, the old one no longer.
    response = coordinator.post(f"/verhalen/locaties/{location_id}/koppellink")
    assert response.status_code == 302
    page = coordinator.get("/verhalen/locaties").get_data(as_text=True)
    new_link = re.search(r"https?://localhost(/verhalen/vertel/koppel/[A-Za-z0-9_-]+)", page).group(1)
    assert _send(device, public_form, 1) == [302]  # still paired until the new link is used
    tablet = narr_app.test_client()
    _pair(tablet, new_link)
    assert _send(tablet, public_form, 1) == [302]
    # The old device is now an ordinary visitor: the address's one story an hour.
    assert _send(device, public_form, 2) == [302, 429]

    # Revoked: the tablet falls back at once (the address has used its one story).
    assert coordinator.post(f"/verhalen/locaties/{location_id}/intrekken").status_code == 302
    assert _send(tablet, public_form, 1) == [429]
    assert "ingetrokken" in coordinator.get("/verhalen/locaties").get_data(as_text=True)
    # Nor can a revoked location be paired again.
    assert coordinator.post(f"/verhalen/locaties/{location_id}/koppellink").status_code == 302
    with narr_app.app_context():
        location = db.session.get(TrustedLocation, location_id)
        assert location.revoked_at is not None and location.setup_token_hash is None
        assert location.device_token_hash is None
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "trusted_location.revoke")) == 1


def test_only_coordinators_of_the_wijk_and_the_beheerder_manage_bounded_locations(
        narr_app, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    location_id, _ = _register(narr_app, coordinator)
    assert login_as(Role.SOCIAAL_WERKER, wijken=["Hilversumse Meent"]).get("/verhalen/locaties").status_code == 403
    far = login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])
    assert "Buurthuis De Lindenhof" not in far.get("/verhalen/locaties").get_data(as_text=True)
    assert far.post(f"/verhalen/locaties/{location_id}/intrekken").status_code == 403
    assert far.post(f"/verhalen/locaties/{location_id}/koppellink").status_code == 403
    # Not for a wijk outside one's own.
    with narr_app.app_context():
        data = {"name": "Bibliotheek Oost", "wijk_id": str(wijk_id("Oost")), "max_per_hour": "5",
                "max_per_day": "10"}
    page = far.post("/verhalen/locaties", data=data).get_data(as_text=True)
    assert "Wijk: Kies een van de mogelijkheden." in page and 'value="Bibliotheek Oost"' in page
    # The limits stay bounded: a Dutch error, and what was typed stays.
    admin = login_as(Role.ADMIN)
    data.update(max_per_hour="1000")
    response = admin.post("/verhalen/locaties", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 422)
    assert "Kies een aantal per uur van 1 tot en met 60." in page and 'value="1000"' in page
    data.update(max_per_hour="10", max_per_day="5")
    assert "Kies een aantal per dag van 10" in admin.post("/verhalen/locaties", data=data).get_data(as_text=True)
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TrustedLocation.id))) == 1
    assert admin.post(f"/verhalen/locaties/{location_id}/intrekken").status_code == 302
