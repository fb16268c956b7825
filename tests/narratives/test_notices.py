"""What the story archive mails, to whom, once: through the routes and a real SMTP server."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from monitor import mail
from monitor.extensions import db
from monitor.models import Role, User
from monitor.narratives import notices, tell_why_chosen
from monitor.narratives.models import Story, StoryStatus
from monitor.notifications.models import OutgoingMessage

from .conftest import contribute, wijk_id


def _deliver(app) -> None:
    with app.app_context():
        mail.deliver_pending()
        mail.deliver_pending()  # a second run sends nothing twice


def send_back(app, coordinator, story_id: int, remarks: str) -> None:
    """The coordinator returns the story with ``remarks``; the mails are delivered."""
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/terugsturen", data={"ret-remarks": remarks})
    assert response.status_code == 302
    _deliver(app)


def _deactivate_coordinators_of(app, wijk: str) -> None:
    """The reference data's coordinators of ``wijk`` (if any) step aside for the test."""
    with app.app_context():
        from monitor.models import user_wijken

        for user in db.session.scalars(sa.select(User).join(user_wijken).where(
                User.role == Role.BUURTCOORDINATOR, user_wijken.c.wijk_id == wijk_id(wijk))):
            user.active = False
        db.session.commit()


def test_a_residents_story_mails_the_receipt_the_moderators_and_the_resident_then_forgets(
        narr_app, smtp, client, public_form, make_user, login_as):
    app = narr_app
    _deactivate_coordinators_of(app, "Hilversumse Meent")
    coordinator = login_as(Role.BUURTCOORDINATOR, email="bc.meent@gemeente.nl", wijken=["Hilversumse Meent"])
    make_user(Role.BUURTCOORDINATOR, email="bc.zuid@gemeente.nl", wijken=["Zuid"])
    make_user(Role.ADMIN, email="beheer@gemeente.nl")
    with app.app_context():
        story_id, private = contribute(client, public_form, email="bewoner@example.org",
                                       teller_name="Fatima")
        reference = db.session.get(Story, story_id).reference
    assert smtp.received == []  # nothing is sent inside the request
    _deliver(app)
    [got] = smtp.to("bewoner@example.org")
    assert got.subject == f"Uw verhaal is ontvangen ({reference})"
    assert "Beste Fatima," in got.text()
    assert private in got.text()  # the private link, which the page showed once
    assert "U krijgt dit bericht omdat u uw e-mailadres gaf" in got.text()
    assert "/meldingen/voorkeuren" not in got.text()
    [waiting] = smtp.to("bc.meent@gemeente.nl")
    assert waiting.subject == f"Verhaal {reference} uit Hilversumse Meent wacht op moderatie"
    assert f"/verhalen/verhaal/{story_id}/moderatie" in waiting.text()
    assert "Koffie in het ontmoetingscentrum" not in waiting.text()  # mails never quote the story
    assert smtp.to("bc.zuid@gemeente.nl") == [] and smtp.to("beheer@gemeente.nl") == []

    send_back(app, coordinator, story_id, "Wilt u de naam van de buurvrouw weglaten?")
    back = smtp.to("bewoner@example.org")[-1]
    assert back.subject == f"Uw verhaal {reference} is teruggestuurd"
    assert '"Wilt u de naam van de buurvrouw weglaten?"' in back.text()
    assert "persoonlijke link uit de eerste e-mail" in back.text()

    resident = app.test_client()
    response = resident.post(private, data={"title": "Koffie", "summary": "Samen koffie.",
                                            "body": "Elke dinsdag koffie."})
    assert response.status_code == 302
    _deliver(app)
    assert len(smtp.to("bc.meent@gemeente.nl")) == 2  # sent in again: waiting again

    response = coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren", data={"pub-visibility": "openbaar"})
    assert response.status_code == 302
    _deliver(app)
    published = smtp.to("bewoner@example.org")[-1]
    assert published.subject == f"Uw verhaal {reference} is gepubliceerd"
    assert f"/verhalen/verhaal/{story_id}" in published.text()
    assert [r.subject for r in smtp.to("bewoner@example.org")] == [
        f"Uw verhaal is ontvangen ({reference})", f"Uw verhaal {reference} is teruggestuurd",
        f"Uw verhaal {reference} is gepubliceerd"]
    with app.app_context():
        kept = db.session.scalars(sa.select(OutgoingMessage.to_address).where(
            OutgoingMessage.kind.like("narratives.%"), OutgoingMessage.user_id.is_(None))).all()
        assert kept == [None, None, None]  # not kept in the outbox after sending
        assert db.session.get(Story, story_id).resident_email == "bewoner@example.org"

    assert resident.post(private + "/intrekken", data={}).status_code == 302
    with app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status == StoryStatus.INGETROKKEN and story.resident_email is None
        for message in db.session.scalars(sa.select(OutgoingMessage).where(
                OutgoingMessage.kind.like("narratives.%"))):
            assert message.body_text == notices.ERASED_BODY
            assert "buurvrouw" not in message.body_html
            if message.user_id is None:
                assert message.to_address is None


def test_the_email_field_is_optional_and_checked(narr_app, smtp, client, public_form):
    with narr_app.app_context():
        contribute(client, public_form)  # without an address: no receipt by mail
    bad = client.post("/verhalen/vertel", data=public_form(email="geen-adres"),
                      content_type="multipart/form-data")
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "Dit is geen geldig e-mailadres." in page and "Koffie in het ontmoetingscentrum" in page
    _deliver(narr_app)
    assert not [r for r in smtp.received if "ontvangen" in r.subject]  # no address, no receipt


def test_a_wijk_without_a_coordinator_goes_to_every_coordinator_and_the_beheerder(
        narr_app, smtp, make_user, login_as):
    app = narr_app
    _deactivate_coordinators_of(app, "Zuidwest")
    writer = login_as(Role.SOCIAAL_WERKER, email="schrijver@versa.nl", wijken=["Zuidwest"])
    oost = login_as(Role.BUURTCOORDINATOR, email="bc.oost@gemeente.nl", wijken=["Oost"])
    admin = login_as(Role.ADMIN, email="beheer@gemeente.nl")
    make_user(Role.BUURTCOORDINATOR, email="oud@gemeente.nl", wijken=["Oost"], active=False)
    with app.app_context():
        from monitor.narratives import services
        from monitor.narratives.services import StoryData

        author = db.session.get(User, writer.user.id)
        story = services.create_story(author, StoryData(
            title="Buurtfeest", summary="Een feest.", body="Het hele plein deed mee.",
            wijk_id=wijk_id("Zuidwest"), buurt_id=None, about_date=date(2026, 3, 1),
            form="tekst", teller="professional", quality_ids=[_quality()], consent_given=True,
            consent_method="mondeling"), [])
        story_id, reference = story.id, story.reference
        coordinators = set(db.session.scalars(sa.select(User.email).where(
            User.role.in_([Role.BUURTCOORDINATOR, Role.ADMIN]), User.active.is_(True))))
    assert writer.post(f"/verhalen/verhaal/{story_id}/indienen").status_code == 302
    _deliver(app)
    assert {r.envelope_to[0] for r in smtp.received} == coordinators
    assert "oud@gemeente.nl" not in coordinators
    got = smtp.to("bc.oost@gemeente.nl")[0]
    assert "Zuidwest heeft geen buurtcoördinator" in got.text()
    # Their moderation queues show it (before, it waited in nobody's).
    for client in (admin, oost):
        queue = client.get("/verhalen/moderatie")
        assert queue.status_code == 200 and "Buurtfeest" in queue.get_data(as_text=True)
    assert admin.get(f"/verhalen/verhaal/{story_id}/moderatie").status_code == 200
    # A coordinator of Oost does not moderate Oost's neighbours that have their own.
    other = make_user(Role.BUURTCOORDINATOR, email="bc.zw@gemeente.nl", wijken=["Zuidwest"])
    assert oost.get(f"/verhalen/verhaal/{story_id}/moderatie").status_code == 403
    with app.app_context():
        db.session.get(User, other.id).active = False
        db.session.commit()
    response = oost.post(f"/verhalen/verhaal/{story_id}/publiceren", data={"pub-visibility": "intern"})
    assert response.status_code == 302
    _deliver(app)
    [published] = smtp.to("schrijver@versa.nl")
    assert published.subject == f"Uw verhaal {reference} is gepubliceerd"
    assert "/meldingen/voorkeuren" in published.text()
    assert smtp.to("bc.oost@gemeente.nl")[-1].subject.endswith("wacht op moderatie")  # not told it published


def _quality() -> int:
    from .conftest import quality_id

    return quality_id("K1")


def test_chosen_for_a_monitorgesprek_tells_the_author_and_the_resident_why(narr_app, smtp, make_story,
                                                                            make_user):
    author = make_user(Role.SOCIAAL_WERKER, email="schrijver@versa.nl", wijken=["Oost"])
    story_id = make_story(author_id=author.id)
    with narr_app.app_context():
        db.session.get(Story, story_id).resident_email = "verteller@example.org"
        db.session.commit()
        tell_why_chosen(story_id, "Monitorgesprek Oost, mei 2026", "Het laat zien hoe buren elkaar helpen.")
        db.session.commit()
        reference = db.session.get(Story, story_id).reference
    _deliver(narr_app)
    for address in ("schrijver@versa.nl", "verteller@example.org"):
        [got] = smtp.to(address)
        assert got.subject == f"Uw verhaal {reference} is besproken in een monitorgesprek"
        assert '"Het laat zien hoe buren elkaar helpen."' in got.text()
        assert re.search(rf"/verhalen/verhaal/{story_id}\b", got.text())
