"""Personal links by e-mail from the round page, and one reminder to those who did not answer.

Through the routes and a real SMTP server: what arrived, to whom, once; the addresses are
not kept (unless kept for the reminder, and then only until it is sent or the link used);
the answers never point to a link.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitor import mail
from monitor.extensions import db
from monitor.models import AuditEvent, Role
from monitor.notifications.models import OutgoingMessage
from monitor.qim.models import Judgement, JudgementRound, ResponseLink
from monitor.registry import registry
from monitor.timeutil import utcnow

from .conftest import LINK_RE, quality_id

JOB = "qim: herinneringen oordeellinks"


def _group_id(app, round_id: int, name: str) -> int:
    with app.app_context():
        rnd = db.session.get(JudgementRound, round_id)
        return next(s.id for s in rnd.plan.stakeholders if s.name == name)


def _deliver(app) -> None:
    with app.app_context():
        mail.deliver_pending()
        mail.deliver_pending()


@pytest.mark.real_db  # the answer page's rate-limit counts must survive the request's rollback
def test_links_by_mail_and_one_reminder_to_who_has_not_answered(app, smtp, login_as, make_plan, make_round):
    coordinator = login_as(Role.BUURTCOORDINATOR)
    plan_id = make_plan("Geuzenbuurt", 2026, qualities=("K1",), groups=("Huisartsen",))
    round_id = make_round(plan_id, 2026, 2)
    group = _group_id(app, round_id, "Huisartsen")
    url = f"/qim/rondes/{round_id}/links/mailen"

    bad = coordinator.post(url, data={"mail-stakeholder_id": group, "mail-days": "10",
                                      "mail-addresses": "arts@praktijk.nl\ngeen-adres"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "&#39;geen-adres&#39; is geen geldig e-mailadres." in page and "arts@praktijk.nl" in page
    response = coordinator.post(url, data={
        "mail-stakeholder_id": group, "mail-days": "10", "mail-keep_for_reminder": "y",
        "mail-addresses": "arts@praktijk.nl\nassistent@praktijk.nl, arts@praktijk.nl"})
    assert response.status_code == 302
    assert smtp.received == []  # nothing is sent inside the request
    _deliver(app)
    assert sorted(r.envelope_to[0] for r in smtp.received) == ["arts@praktijk.nl", "assistent@praktijk.nl"]
    first = smtp.to("arts@praktijk.nl")[0]
    assert first.subject == "Wat vindt u van Geuzenbuurt? Geef uw oordeel"
    assert "Niemand kan zien wat u heeft geantwoord." in first.text()
    assert "U krijgt dit bericht omdat de buurtcoördinator van Geuzenbuurt u om uw oordeel vraagt" in first.text()
    token = LINK_RE.search(first.text()).group(1)
    with app.app_context():
        messages = db.session.scalars(sa.select(OutgoingMessage).where(OutgoingMessage.kind == "qim.link")).all()
        assert [m.to_address for m in messages] == [None, None]  # the outbox forgot them
        assert all(token not in m.body_text for m in messages)
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "qim.links_mail"))
        assert "praktijk" not in str(event.new_values)  # counted, never the addresses
        assert sorted(db.session.scalars(sa.select(ResponseLink.reminder_address))) == [
            "arts@praktijk.nl", "assistent@praktijk.nl"]

    # The doctor answers; the address is forgotten at once.
    with app.app_context():
        k1 = quality_id("K1")
    answered = app.test_client().post(f"/qim/oordeel/{token}", data={f"score_{k1}": "8",
                                                                   f"motivation_{k1}": "Goed bereikbaar"})
    assert answered.status_code == 200
    with app.app_context():
        assert sorted(a for a in db.session.scalars(sa.select(ResponseLink.reminder_address)) if a) == [
            "assistent@praktijk.nl"]
        assert not hasattr(Judgement, "link_id")  # answers never point to the link

    run = registry(app).jobs[JOB].func
    with app.app_context():
        run(utcnow() + timedelta(days=2))  # too early: 8 days left
    _deliver(app)
    assert len(smtp.received) == 2
    with app.app_context():
        run(utcnow() + timedelta(days=8))
        run(utcnow() + timedelta(days=8, hours=2))  # the job runs again
    _deliver(app)
    assert len(smtp.to("arts@praktijk.nl")) == 1  # answered: no reminder
    reminders = smtp.to("assistent@praktijk.nl")
    assert [r.subject for r in reminders] == ["Wat vindt u van Geuzenbuurt? Geef uw oordeel",
                                              "Herinnering: uw oordeel over Geuzenbuurt"]
    new_token = LINK_RE.search(reminders[1].text()).group(1)
    old_token = LINK_RE.search(reminders[0].text()).group(1)
    assert new_token != old_token
    with app.app_context():
        assert list(db.session.scalars(sa.select(ResponseLink.reminder_address))) == [None, None]
    assert app.test_client().get(f"/qim/oordeel/{new_token}").status_code == 200
    assert app.test_client().get(f"/qim/oordeel/{old_token}").status_code == 404


def test_without_keeping_no_address_stays_and_closing_forgets_kept_ones(app, smtp, login_as, make_plan,
                                                                        make_round):
    coordinator = login_as(Role.BUURTCOORDINATOR)
    plan_id = make_plan("Geuzenbuurt", 2026, qualities=("K1",), groups=("Huisartsen",))
    round_id = make_round(plan_id, 2026, 2)
    group = _group_id(app, round_id, "Huisartsen")
    url = f"/qim/rondes/{round_id}/links/mailen"
    assert coordinator.post(url, data={"mail-stakeholder_id": group, "mail-days": "5",
                                       "mail-addresses": "a@praktijk.nl"}).status_code == 302
    assert coordinator.post(url, data={"mail-stakeholder_id": group, "mail-days": "5",
                                       "mail-keep_for_reminder": "y",
                                       "mail-addresses": "b@praktijk.nl"}).status_code == 302
    with app.app_context():
        assert sorted(a or "" for a in db.session.scalars(sa.select(ResponseLink.reminder_address))) == [
            "", "b@praktijk.nl"]
    assert coordinator.post(f"/qim/rondes/{round_id}/sluiten", data={}).status_code == 302
    with app.app_context():
        assert list(db.session.scalars(sa.select(ResponseLink.reminder_address))) == [None, None]
        registry(app).jobs[JOB].func(utcnow() + timedelta(days=4))
    _deliver(app)
    assert sorted(r.envelope_to[0] for r in smtp.received) == ["a@praktijk.nl", "b@praktijk.nl"]  # no reminders
    # Another wijk's coordinator cannot send links for this round.
    other = login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])
    assert other.post(url, data={"mail-stakeholder_id": group, "mail-days": "5",
                                 "mail-addresses": "c@praktijk.nl"}).status_code == 403
