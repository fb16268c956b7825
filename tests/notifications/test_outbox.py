"""The outbox: messages really sent over SMTP, kept when the server fails, once per occasion."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from monitor import mail
from monitor.extensions import db
from monitor.models import Role
from monitor.notifications import Attachment, Recipient, notify
from monitor.notifications.models import MessageStatus, Notification, OutgoingMessage
from monitor.timeutil import utcnow


def _notify(user_or_recipient, occasion="o1", kind="test.notice", **kw):
    return notify(kind, occasion, [user_or_recipient], subject="Iets gebeurd",
                  template="notice", context={"paragraphs": ["Er is iets gebeurd met de opgave."]},
                  link="http://127.0.0.1:5000/tellen/", reason="u opgaven invoert voor uw organisatie.", **kw)


def test_a_notice_arrives_at_a_real_smtp_server_with_text_html_and_reason(app, smtp, test_kind, make_user):
    with app.app_context():
        user = make_user(Role.SOCIAAL_WERKER, email="werker@example.org")
        _notify(user, attachments=[Attachment("uitnodiging.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                              "text/calendar")])
        db.session.commit()
        assert smtp.received == []  # nothing is sent inside the request
        assert "1 verzonden" in mail.deliver_pending()
    [got] = smtp.to("werker@example.org")
    assert got.subject == "Iets gebeurd"
    assert f"Beste {user.name}," in got.text()
    assert "Er is iets gebeurd met de opgave." in got.text()
    assert "U krijgt dit bericht omdat u opgaven invoert" in got.text()
    assert "http://127.0.0.1:5000/tellen/" in got.text()
    assert "/meldingen/voorkeuren" in got.text()  # not required: a way to stop it
    assert '<html lang="nl">' in got.html()
    assert got.attachments()["uitnodiging.ics"].startswith(b"BEGIN:VCALENDAR")
    with app.app_context():
        message = db.session.scalar(sa.select(OutgoingMessage))
        assert message.status is MessageStatus.VERZONDEN
        assert db.session.scalar(sa.select(Notification.title).where(Notification.user_id == user.id)) \
            == "Iets gebeurd"


def test_the_same_occasion_is_mailed_once_however_often_the_job_runs(app, smtp, test_kind, make_user):
    with app.app_context():
        user = make_user(Role.SOCIAAL_WERKER, email="werker@example.org")
        for _ in range(3):
            _notify(user, occasion="return:1:week-before")
            db.session.commit()
            mail.deliver_pending()
        _notify(user, occasion="return:1:deadline")
        db.session.commit()
        mail.deliver_pending()
        mail.deliver_pending()
    assert [r.subject for r in smtp.to("werker@example.org")] == ["Iets gebeurd", "Iets gebeurd"]


def test_a_failing_server_keeps_the_message_and_it_is_sent_on_a_later_attempt(app, smtp, test_kind):
    with app.app_context():
        _notify(Recipient("bewoner@example.org", "Bewoner"))
        db.session.commit()
        smtp.refuse()
        assert "1 opnieuw later" in mail.deliver_pending()
        message = db.session.scalar(sa.select(OutgoingMessage))
        assert message.status is MessageStatus.WACHTEND and message.attempts == 1
        assert "451" in message.last_error
        smtp.refuse(None)
        assert mail.deliver_pending() == "geen berichten te verzenden"  # not yet due
        assert "1 verzonden" in mail.deliver_pending(now=utcnow() + timedelta(minutes=2))
    assert len(smtp.to("bewoner@example.org")) == 1


def test_an_unreachable_server_does_not_block_the_request_that_made_the_message(app, test_kind, make_user,
                                                                                login_as):
    mail.reconfigure(app, "smtp://127.0.0.1:9")  # nothing listens there
    client = login_as(Role.ADMIN)
    with app.app_context():
        user = make_user(Role.SOCIAAL_WERKER, email="w@example.org")
        _notify(user)
        db.session.commit()
        mail.deliver_pending()
        message = db.session.scalar(sa.select(OutgoingMessage))
        assert message.status is MessageStatus.WACHTEND and message.attempts == 1
    page = client.get("/beheer/berichten")
    assert page.status_code == 200
    assert "Wacht op verzending" in page.get_data(as_text=True)


def test_a_message_claimed_by_a_worker_that_died_is_sent_once_later(app, smtp, test_kind):
    with app.app_context():
        _notify(Recipient("a@example.org"))
        db.session.commit()
        message = db.session.scalar(sa.select(OutgoingMessage))
        # A worker claimed it and was killed before it could send.
        message.status, message.claimed_at = MessageStatus.BEZIG, utcnow()
        db.session.commit()
        assert mail.deliver_pending() == "geen berichten te verzenden"  # the claim is fresh
        mail.deliver_pending(now=utcnow() + mail.STALE_CLAIM + timedelta(seconds=1))
        mail.deliver_pending(now=utcnow() + mail.STALE_CLAIM + timedelta(minutes=1))
    assert len(smtp.to("a@example.org")) == 1


def test_an_address_that_must_not_be_kept_is_blanked_after_sending(app, smtp, test_kind):
    with app.app_context():
        _notify(Recipient("belanghebbende@example.org"), forget_address=True)
        db.session.commit()
        mail.deliver_pending()
        message = db.session.scalar(sa.select(OutgoingMessage))
        assert message.to_address is None
        # The body may carry a personal link: it is not kept either.
        assert "Er is iets gebeurd" not in message.body_text + message.body_html
        assert message.body_text == mail.FORGOTTEN_BODY
    [got] = smtp.to("belanghebbende@example.org")
    assert "Er is iets gebeurd met de opgave." in got.text()


def test_without_a_mail_server_messages_are_eml_files_the_beheerder_can_read(app, test_kind, make_user,
                                                                              login_as):
    assert not app.config["MAIL_URL"]
    client = login_as(Role.ADMIN)
    with app.app_context():
        user = make_user(Role.SOCIAAL_WERKER, email="werker@example.org")
        _notify(user)
        db.session.commit()
        mail.deliver_pending()
        message = db.session.scalar(sa.select(OutgoingMessage).where(OutgoingMessage.kind == "test.notice"))
        assert message.status is MessageStatus.VERZONDEN and message.outbox_file.endswith(".eml")
    listing = client.get("/beheer/berichten").get_data(as_text=True)
    assert "Iets gebeurd" in listing and "werker@example.org" in listing
    eml = client.get(f"/beheer/berichten/{message.id}.eml")
    assert eml.status_code == 200 and eml.mimetype == "message/rfc822"
    assert b"Er is iets gebeurd met de opgave." in eml.data
    assert login_as(Role.SOCIAAL_WERKER).get("/beheer/berichten").status_code == 403


def test_preferences_off_and_required_kinds(app, smtp, test_kind, make_user, login_as):
    client = login_as(Role.SOCIAAL_WERKER, email="voorkeur@example.org")
    page = client.get("/meldingen/voorkeuren").get_data(as_text=True)
    assert "Testbericht" in page and "Verplicht testbericht" not in page
    assert client.post("/meldingen/voorkeuren", data={"kind-test.notice": "uit"}).status_code == 302
    bad = client.post("/meldingen/voorkeuren", data={"kind-test.notice": "vaak"})
    assert bad.status_code == 400 and "kies een van de drie" in bad.get_data(as_text=True)
    with app.app_context():
        from monitor.models import User

        user = db.session.scalar(sa.select(User).where(User.email == "voorkeur@example.org"))
        _notify(user, occasion="a")
        _notify(user, occasion="b", kind="test.required")
        db.session.commit()
        mail.deliver_pending()
    assert [r.subject for r in smtp.to("voorkeur@example.org")] == ["Iets gebeurd"]  # only the required one
    meldingen = client.get("/meldingen").get_data(as_text=True)
    assert meldingen.count("Iets gebeurd") == 2  # both are in the app
