"""Issue 19 §5: a reader reports ("meldt") a published story; it goes back to its
moderators with the reports and can be hidden at once; the reader's address is personal
data (moderators only, blanked when handled, erased with the story)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Role
from monitor.narratives.models import Story, StoryReport, StoryStatus
from monitor.notifications.models import Notification, OutgoingMessage

ADDRESS = "melder@voorbeeld.nl"
WORDS = "Mijn buurman Kees staat herkenbaar op de foto en wil dat niet."


def _report(client, story_id, **overrides):
    data = {"reason": "privacy", "message": WORDS, "contact_email": ADDRESS}
    data.update(overrides)
    return client.post(f"/verhalen/verhaal/{story_id}/melden", data=data)


def test_a_report_reaches_the_moderator_who_hides_the_story_at_once(narr_app, make_story, client, login_as):
    story_id = make_story(wijk="Oost", title="Het zomerfeest", body="Een feest met zonnebloemen.")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    page = client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert f"/verhalen/verhaal/{story_id}/melden" in page
    form = client.get(f"/verhalen/verhaal/{story_id}/melden").get_data(as_text=True)
    assert "Waarom meldt u dit verhaal?" in form and 'type="radio"' in form

    # No reason: a Dutch error, the words typed stay.
    response = _report(client, story_id, reason="")
    assert response.status_code in (400, 422)
    page = response.get_data(as_text=True)
    assert "Kies waarom u dit verhaal meldt." in page and WORDS in page and ADDRESS in page
    assert _report(client, story_id, reason="onzin").status_code in (400, 422)
    response = _report(client, story_id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verhalen/verhaal/{story_id}")

    # A report alone hides nothing (else anyone could take any story down).
    assert client.get(f"/verhalen/verhaal/{story_id}").status_code == 200
    queue = coordinator.get("/verhalen/moderatie").get_data(as_text=True)
    assert "Gemeld door lezers" in queue and "Het zomerfeest" in queue
    moderation = coordinator.get(f"/verhalen/verhaal/{story_id}/moderatie").get_data(as_text=True)
    assert WORDS in moderation and ADDRESS in moderation
    with narr_app.app_context():
        notice = db.session.scalar(sa.select(Notification).where(Notification.kind == "narratives.reported",
                                                                  Notification.user_id == coordinator.user.id))
        assert notice is not None
        for message in db.session.scalars(sa.select(OutgoingMessage).where(
                OutgoingMessage.kind == "narratives.reported")):
            assert ADDRESS not in message.body_text and "Kees" not in message.body_text
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "story.report"))
        assert event.ip_address is None and ADDRESS not in str(event.new_values)
    # Nobody else sees the reader's address: not a coordinator of another wijk, not the teller's writer.
    far = login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])
    assert far.get(f"/verhalen/verhaal/{story_id}/moderatie").status_code == 403
    assert ADDRESS not in far.get("/verhalen/moderatie").get_data(as_text=True)
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    assert ADDRESS not in worker.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)

    # Hidden at once: gone from the story page and the search, back in the queue.
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/verbergen").status_code == 302
    with narr_app.app_context():
        assert db.session.get(Story, story_id).status == StoryStatus.INGEDIEND
    assert client.get(f"/verhalen/verhaal/{story_id}").status_code == 404
    assert "Het zomerfeest" not in client.get("/verhalen/?q=zonnebloemen").get_data(as_text=True)
    assert _report(client, story_id).status_code == 404
    assert "Het zomerfeest" in coordinator.get("/verhalen/moderatie").get_data(as_text=True)

    # Settled: the address is blanked; the report stays as a fact.
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/meldingen-afgehandeld").status_code == 302
    with narr_app.app_context():
        report = db.session.scalar(sa.select(StoryReport).where(StoryReport.story_id == story_id))
        assert report.contact_email is None and report.outcome == "verborgen" and report.handled_at
    assert ADDRESS not in coordinator.get(f"/verhalen/verhaal/{story_id}/moderatie").get_data(as_text=True)
    # Published again with the ordinary step.
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    assert client.get(f"/verhalen/verhaal/{story_id}").status_code == 200


def test_only_stories_the_reader_may_read_can_be_reported(narr_app, make_story, client, login_as):
    intern = make_story(wijk="Oost", visibility="intern")
    concept = make_story(wijk="Oost", status=StoryStatus.INGEDIEND)
    for story_id in (intern, concept, 999999):
        assert client.get(f"/verhalen/verhaal/{story_id}/melden").status_code == 404
        assert _report(client, story_id).status_code == 404
    assert login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"]).get(f"/verhalen/verhaal/{intern}/melden").status_code == 200
    # Hiding is for moderators of the wijk only.
    public = make_story(wijk="Oost")
    assert login_as(Role.SOCIAAL_WERKER, wijken=["Oost"]).post(f"/verhalen/verhaal/{public}/verbergen").status_code == 403
    assert client.post(f"/verhalen/verhaal/{public}/verbergen").status_code in (302, 401, 403)
    with narr_app.app_context():
        assert db.session.get(Story, public).status == StoryStatus.GEPUBLICEERD


@pytest.mark.real_db  # the rate limiter's counts must survive each request's rollback
def test_reports_are_limited_per_address_and_erased_with_the_story(narr_app, make_story, client, login_as):
    narr_app.config.update(NARRATIVES_REPORTS_PER_HOUR=2)
    story_id = make_story(wijk="Oost")
    assert _report(client, story_id).status_code == 302
    assert _report(client, story_id, reason="kwetsend").status_code == 302
    refused = _report(client, story_id, reason="onjuist", message="Nog een keer")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "al meerdere meldingen" in page and "Nog een keer" in page
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StoryReport.id))) == 2
    # Withdrawn: the readers' words and addresses go with the story.
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/intrekken").status_code == 302
    with narr_app.app_context():
        for report in db.session.scalars(sa.select(StoryReport)):
            assert report.message == "" and report.contact_email is None
