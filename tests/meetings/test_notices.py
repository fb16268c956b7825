"""What a monitorgesprek mails its participants: invitation with a calendar file, update,
dossier, minutes; through the routes and a real SMTP server."""

from __future__ import annotations

import sqlalchemy as sa
from icalendar import Calendar

from monitor import mail
from monitor.extensions import db
from monitor.meetings.models import MonitorSession
from monitor.models import Role
from monitor.notifications.models import OutgoingMessage

from .conftest import pdf_text
from .test_meetings_flow import open_session


def _deliver(app) -> None:
    """What the worker does after a request: its jobs (the dossier's PDF), then the mail."""
    from monitor.meetings.notices import DOSSIER_JOB
    from monitor.registry import registry
    from monitor.timeutil import utcnow

    with app.app_context():
        registry(app).jobs[DOSSIER_JOB].func(utcnow())
        registry(app).jobs[DOSSIER_JOB].func(utcnow())  # a second run sends nothing again
        mail.deliver_pending()
        mail.deliver_pending()


def _event(received) -> dict:
    cal = Calendar.from_ical(received.attachments()["monitorgesprek.ics"])
    [event] = cal.walk("VEVENT")
    return {"uid": str(event["UID"]), "sequence": int(event["SEQUENCE"]), "start": event.decoded("DTSTART"),
            "location": str(event["LOCATION"]), "method": str(cal["METHOD"])}


def test_invitation_update_dossier_and_minutes_reach_the_participants_with_an_address(
        app, smtp, login_as, figures, stories):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    base = f"/monitorgesprekken/{session_id}"
    details = {"scheduled_at": "2026-05-20T15:00", "place": "De Kleine Lelie", "facilitator": "Ahmed",
               "introduction": "", "discussion_questions": ""}
    assert coordinator.post(base, data=details).status_code == 302
    for name, email in (("Fatima (bewoner)", "fatima@example.org"), ("Sanne (Versa)", "sanne@versa.nl"),
                        ("Wethouder", "")):
        coordinator.post(f"{base}/deelnemers", data={"p-name": name, "p-kind": "inwoner",
                                                    "p-organisation": "", "p-email": email})
    bad = coordinator.post(f"{base}/deelnemers", data={"p-name": "X", "p-kind": "inwoner", "p-email": "x@"},
                           follow_redirects=True)
    assert "Dit is geen geldig e-mailadres." in bad.get_data(as_text=True)
    page = coordinator.get(base).get_data(as_text=True)
    assert "fatima@example.org" in page and "Uitnodiging per e-mail versturen" in page

    assert coordinator.post(f"{base}/uitnodigen").status_code == 302
    assert smtp.received == []  # nothing is sent inside the request
    _deliver(app)
    assert sorted(r.envelope_to[0] for r in smtp.received) == ["fatima@example.org", "sanne@versa.nl"]
    invitation = smtp.to("fatima@example.org")[0]
    assert invitation.subject == "Uitnodiging: Monitorgesprek Oost, mei 2026"
    assert "Beste Fatima (bewoner)," in invitation.text()
    assert "Wanneer: 20 mei 2026, 15:00" in invitation.text() and "Waar: De Kleine Lelie" in invitation.text()
    first = _event(invitation)
    assert first["sequence"] == 1 and first["method"] == "REQUEST" and first["location"] == "De Kleine Lelie"
    assert first["start"].isoformat() == "2026-05-20T15:00:00+02:00"
    assert coordinator.post(f"{base}/uitnodigen").status_code == 302  # again: nobody twice
    _deliver(app)
    assert len(smtp.received) == 2

    # Only the facilitator changes: no mail. The place changes: an update of the same event.
    assert coordinator.post(base, data={**details, "facilitator": "Bea"}).status_code == 302
    _deliver(app)
    assert len(smtp.received) == 2
    assert coordinator.post(base, data={**details, "facilitator": "Bea", "place": "Buurthuis Oost"}).status_code == 302
    _deliver(app)
    update = smtp.to("fatima@example.org")[-1]
    assert update.subject == "Gewijzigd: Monitorgesprek Oost, mei 2026"
    second = _event(update)
    assert second["uid"] == first["uid"] and second["sequence"] == 2 and second["location"] == "Buurthuis Oost"
    assert len(smtp.to("sanne@versa.nl")) == 2

    assert coordinator.post(f"{base}/dossier").status_code == 302
    _deliver(app)
    dossier = smtp.to("sanne@versa.nl")[-1]
    assert dossier.subject == "Dossier voor het Monitorgesprek Oost, mei 2026"
    assert "Buurtwerk" in pdf_text(dossier.attachments()["dossier-v1.pdf"])
    assert "Opgave van MEE nog niet goedgekeurd" not in pdf_text(dossier.attachments()["dossier-v1.pdf"])

    with app.app_context():
        k1 = db.session.execute(sa.text("select id from qualities where code='K1'")).scalar()
    minutes = {"held_on": "2026-05-20", "present_ids": [], f"conclusie-{k1}": "Meer ontmoeting.",
               "signaal-0": "Huisartsen verwijzen weinig door.", "most_significant_story_id": "",
               "most_significant_why": "", "dissenting_views": ""}
    assert coordinator.post(f"{base}/verslag", data=minutes).status_code == 302
    assert coordinator.post(f"{base}/verslag", data={**minutes, "signaal-0": "Bijgewerkt."}).status_code == 302
    _deliver(app)
    assert [r.subject for r in smtp.to("fatima@example.org")] == [
        "Uitnodiging: Monitorgesprek Oost, mei 2026", "Gewijzigd: Monitorgesprek Oost, mei 2026",
        "Dossier voor het Monitorgesprek Oost, mei 2026", "Verslag van het Monitorgesprek Oost, mei 2026"]
    last = smtp.to("fatima@example.org")[-1].text()
    assert "Meer ontmoeting." in last and "Huisartsen verwijzen weinig door." in last
    with app.app_context():
        assert set(db.session.scalars(sa.select(OutgoingMessage.to_address).where(
            OutgoingMessage.kind.like("meetings.%")))) == {None}  # not kept in the outbox
        session = db.session.get(MonitorSession, session_id)
        snapshot = session.current_dossier.snapshot
        assert "fatima@example.org" not in str(snapshot)  # never in the dossier


def test_no_invitation_without_date_and_place_nor_for_another_wijks_coordinator(app, smtp, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    base = f"/monitorgesprekken/{session_id}"
    coordinator.post(f"{base}/deelnemers", data={"p-name": "Fatima", "p-kind": "inwoner",
                                                "p-email": "fatima@example.org"})
    page = coordinator.post(f"{base}/uitnodigen", follow_redirects=True).get_data(as_text=True)
    assert "Vul eerst de datum, de tijd en de plaats van het gesprek in." in page
    other = login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])
    assert other.post(f"{base}/uitnodigen").status_code == 403
    _deliver(app)
    assert smtp.received == []
