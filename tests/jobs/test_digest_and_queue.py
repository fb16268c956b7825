"""The daily digest and the queue between a request and the worker, through a real SMTP server."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa

from monitor import mail
from monitor.extensions import db
from monitor.jobs.queue import queue
from monitor.models import Role, User
from monitor.notifications import notify
from monitor.notifications.models import MessageStatus, OutgoingMessage
from monitor.registry import NotificationKind, add_notification_kind

from ..mailkit import SmtpServer


@pytest.fixture
def smtp(app):
    with SmtpServer() as server:
        mail.reconfigure(app, server.url)
        yield server


@pytest.fixture
def kind(app):
    add_notification_kind(app, NotificationKind("test.verhaal", "Nieuw verhaal", "Een verhaal wacht"))
    return "test.verhaal"


def _notify(app, email: str, occasion: str, subject: str) -> None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        notify("test.verhaal", occasion, [user], subject=subject, template="notice",
               context={"paragraphs": ["Er wacht een verhaal."]}, link="http://127.0.0.1:5000/verhalen/1",
               reason="u verhalen modereert.")
        db.session.commit()


def test_the_daily_digest_bundles_a_users_messages_once_a_day(app, runner, smtp, kind, login_as):
    runner.invoke(args=["jobs", "run-due", "--now", "2027-02-28T08:00"])  # the worker ran yesterday
    client = login_as(Role.BUURTCOORDINATOR, email="coord@example.org")
    assert client.post("/meldingen/voorkeuren", data={"kind-test.verhaal": "dagelijks"}).status_code == 302
    _notify(app, "coord@example.org", "story:1", "Verhaal 1 wacht op moderatie")
    _notify(app, "coord@example.org", "story:2", "Verhaal 2 wacht op moderatie")
    # During the day nothing is mailed; the header shows two unread Meldingen.
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T06:00"])
    assert smtp.to("coord@example.org") == []
    page = client.get("/start").get_data(as_text=True)
    assert 'href="/meldingen">Meldingen <span class="unread-count">2' in page

    first = runner.invoke(args=["jobs", "run-due", "--now", "2027-03-01T07:05"])
    assert "ok  dagoverzicht: 1 dagoverzicht(en) gemaakt" in first.output, first.output
    runner.invoke(args=["jobs", "run", "dagoverzicht", "--now", "2027-03-01T07:30"])  # twice: still one
    [digest] = smtp.to("coord@example.org")
    assert digest.subject == "Dagoverzicht 1 maart 2027: 2 berichten"
    assert "- Verhaal 1 wacht op moderatie" in digest.text() and "Verhaal 2 wacht" in digest.text()
    assert "http://127.0.0.1:5000/verhalen/1" in digest.text()
    assert "/meldingen/voorkeuren" in digest.text()
    with app.app_context():
        statuses = sorted(m.status.value for m in db.session.scalars(sa.select(OutgoingMessage)))
        assert statuses == ["gebundeld", "gebundeld", "verzonden"]

    _notify(app, "coord@example.org", "story:3", "Verhaal 3 wacht op moderatie")
    runner.invoke(args=["jobs", "run", "dagoverzicht", "--now", "2027-03-01T20:00"])
    assert len(smtp.to("coord@example.org")) == 1  # waits for tomorrow's digest
    runner.invoke(args=["jobs", "run-due", "--now", "2027-03-02T07:00"])
    later = smtp.to("coord@example.org")[1]
    assert later.subject == "Dagoverzicht 2 maart 2027: 1 bericht" and "Verhaal 3" in later.text()


def test_a_commit_that_queues_mail_asks_the_worker_and_a_rollback_does_not(app, smtp, kind, make_user):
    make_user(Role.SOCIAAL_WERKER, email="werker@example.org")
    huey = queue(app)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "werker@example.org"))
        notify("test.verhaal", "x", [user], subject="Teruggedraaid", template="notice",
               context={"paragraphs": ["-"]}, reason="test.")
        db.session.rollback()
    assert huey.pending_count() == 0
    _notify(app, "werker@example.org", "y", "Na de commit")
    assert huey.pending_count() == 1 and smtp.received == []  # queued, not sent in the request
    task = huey.dequeue()
    huey.execute(task)  # what the worker does with it
    assert [r.subject for r in smtp.to("werker@example.org")] == ["Na de commit"]


def test_the_redis_queue_carries_the_task_to_the_worker(app, smtp, kind, make_user):
    """MONITOR_QUEUE_URL=redis://…: Redis runs on the test machine (scripts/ensure-redis.sh)."""
    app.config.update(QUEUE_URL="redis://127.0.0.1:6379/0", QUEUE_NAME=f"tv-test-{secrets.token_hex(6)}")
    huey = queue(app)
    assert type(huey).__name__ == "RedisHuey"
    make_user(Role.SOCIAAL_WERKER, email="redis@example.org")
    try:
        _notify(app, "redis@example.org", "r", "Via Redis")
        assert huey.pending_count() == 1
        huey.execute(huey.dequeue())
    finally:
        huey.flush()
    assert [r.subject for r in smtp.to("redis@example.org")] == ["Via Redis"]


def test_an_unreachable_queue_never_breaks_the_request_and_the_minute_job_sends(app, runner, smtp, kind,
                                                                               login_as):
    app.config.update(QUEUE_URL="redis://127.0.0.1:9/0")  # nothing listens there
    client = login_as(Role.SOCIAAL_WERKER, email="werker@example.org")
    _notify(app, "werker@example.org", "z", "Toch verstuurd")
    assert client.get("/meldingen").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(OutgoingMessage.status)) is MessageStatus.WACHTEND
    result = runner.invoke(args=["jobs", "run-due"])
    assert "e-mail verzenden: 1 verzonden" in result.output  # (in onderhoud or its own job)
    assert [r.subject for r in smtp.to("werker@example.org")] == ["Toch verstuurd"]
