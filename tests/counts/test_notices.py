"""What Tellen mails, to whom, once: reminders, overdue notices, the workflow, the digest.

Everything through a real SMTP server (``smtp``): the job or the route makes the message,
``deliver_pending`` sends it after the commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from monitor import mail
from monitor.counts.models import ReturnStatus
from monitor.extensions import db
from monitor.models import Organisation, Role, User
from monitor.notifications.models import MessageStatus, OutgoingMessage
from monitor.registry import registry

from ..conftest import get_wijk
from .conftest import period


def _run(app, job_name: str, now: datetime) -> None:
    """Run a job as at ``now``, then send what it queued (at the real time: a message is
    due from the moment it was made)."""
    with app.app_context():
        registry(app).jobs[job_name].func(now)
        mail.deliver_pending()


REMINDERS = "tellen: herinneringen opgaven"
DIGEST = "tellen: dagoverzicht beoordelen"


def _existing_workers(app) -> set[str]:
    """Every active sociaal werker already in the reference data (the demo users)."""
    with app.app_context():
        return set(db.session.scalars(sa.select(User.email).where(
            User.role == Role.SOCIAAL_WERKER, User.active.is_(True))))


def _narrow(app, org: str, wijken: list[str]) -> None:
    with app.app_context():
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == org))
        organisation.wijken = [get_wijk(n) for n in wijken]
        db.session.commit()


def test_reminders_go_to_the_organisations_workers_of_the_wijk_once_per_moment(app, smtp, make_user,
                                                                               make_return):
    for address in _existing_workers(app):  # the demo workers: out of the way
        with app.app_context():
            db.session.scalar(sa.select(User).where(User.email == address)).active = False
            db.session.commit()
    a = make_user(Role.SOCIAAL_WERKER, email="a@versa.nl", wijken=["Oost", "Zuid"])
    make_user(Role.SOCIAAL_WERKER, email="c@versa.nl", wijken=["Centrum"])
    make_user(Role.SOCIAAL_WERKER, email="uit@versa.nl", wijken=["Oost"], active=False)
    make_user(Role.SOCIAAL_WERKER, email="mee@mee.nl", organisation="MEE", wijken=["Oost"])
    make_user(Role.SOCIAAL_WERKER, email="kwintes@kwintes.nl", organisation="Kwintes", wijken=["Zuid"])
    make_user(Role.BUURTCOORDINATOR, email="bc@gemeente.nl", wijken=["Oost"])
    # MEE does not work in Oost; Kwintes has submitted for Zuid; Versa submitted Centrum,
    # has a concept for Zuid and nothing yet for Oost.
    _narrow(app, "MEE", ["Zuidoost"])
    make_return("Kwintes", "Zuid", 2025, 1, status=ReturnStatus.INGEDIEND)
    make_return("Versa Welzijn", "Centrum", 2025, 1, status=ReturnStatus.INGEDIEND)
    make_return("Versa Welzijn", "Zuid", 2025, 1, status=ReturnStatus.CONCEPT)
    with app.app_context():
        deadline = period(2025, 1).deadline  # 15 May 2025
    assert deadline.isoformat() == "2025-05-15"

    week_before = datetime(2025, 5, 8, 9, 0)  # UTC; 11:00 in Hilversum
    _run(app, REMINDERS, week_before)
    _run(app, REMINDERS, week_before.replace(hour=15))  # the job runs again that day
    assert {r.envelope_to[0] for r in smtp.received} == {"a@versa.nl"}
    [got] = smtp.to("a@versa.nl")
    assert got.subject == "Herinnering: opgave mei 2025 uiterlijk 15 mei 2025"
    text = got.text()
    assert f"Beste {a.name}," in text
    assert "- Oost: nog niet begonnen" in text and "- Zuid: concept" in text
    assert "Centrum" not in text
    assert "U krijgt dit bericht omdat u bij Versa Welzijn de opgaven invoert voor Oost, Zuid." in text
    assert "/tellen/mijn-opgaven" in text  # two wijken: the board
    assert "/meldingen/voorkeuren" in text  # not required: a way to stop it

    _run(app, REMINDERS, datetime(2025, 5, 15, 6, 0))
    _run(app, REMINDERS, datetime(2025, 5, 15, 20, 0))
    _run(app, REMINDERS, datetime(2025, 5, 20, 8, 0))
    _run(app, REMINDERS, datetime(2025, 5, 21, 8, 0))
    _run(app, REMINDERS, datetime(2025, 7, 1, 8, 0))  # long after: nothing any more
    assert [r.subject for r in smtp.to("a@versa.nl")] == [
        "Herinnering: opgave mei 2025 uiterlijk 15 mei 2025",
        "Vandaag is de laatste dag voor de opgave mei 2025",
        "Opgave mei 2025 is te laat",
    ]
    assert {r.envelope_to[0] for r in smtp.received} == {"a@versa.nl"}


def test_a_submitted_return_is_no_longer_reminded(app, smtp, make_user, make_return):
    make_user(Role.SOCIAAL_WERKER, email="b@versa.nl", wijken=["Noordoost"])
    make_return("Versa Welzijn", "Noordoost", 2025, 1, status=ReturnStatus.GOEDGEKEURD)
    _run(app, REMINDERS, datetime(2025, 5, 8, 9, 0))
    assert smtp.to("b@versa.nl") == []


def _post(client, url, **data):
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_sent_back_approved_and_reopened_reach_the_workers_of_that_return(app, smtp, make_user, login_as,
                                                                         make_return):
    w = make_user(Role.SOCIAAL_WERKER, email="w@versa.nl", wijken=["Oost"])
    make_user(Role.SOCIAAL_WERKER, email="elders@versa.nl", wijken=["Zuid"])
    make_user(Role.SOCIAAL_WERKER, email="w@mee.nl", organisation="MEE", wijken=["Oost"])
    ret_id = make_return("Versa Welzijn", "Oost", 2025, 1, status=ReturnStatus.INGEDIEND)
    ah = login_as(Role.ACCOUNTHOUDER)
    _post(ah, f"/tellen/opgaven/{ret_id}/terugsturen", reason="Klopt het aantal van 20 meldingen?")
    assert smtp.received == []  # nothing is sent inside the request
    with app.app_context():
        mail.deliver_pending()
    [back] = smtp.to("w@versa.nl")
    assert back.subject == "Vraag over uw opgave Oost, mei 2025"
    assert '"Klopt het aantal van 20 meldingen?"' in back.text()
    assert f"/tellen/opgave/{_period_id(app)}/" in back.text()
    assert "/meldingen/voorkeuren" not in back.text()  # required: no way to stop it
    assert "Klopt het aantal van 20 meldingen?" in back.html()
    # Not MEE's worker in Oost (another organisation), nor Versa's in Zuid (another wijk).
    assert smtp.to("w@mee.nl") == [] and smtp.to("elders@versa.nl") == []

    with app.app_context():
        from monitor.counts.models import CountReturn

        db.session.get(CountReturn, ret_id).status = ReturnStatus.INGEDIEND
        db.session.commit()
    _post(ah, f"/tellen/opgaven/{ret_id}/goedkeuren")
    _post(ah, f"/tellen/opgaven/{ret_id}/heropenen", reason="De telling van maart is herzien.")
    with app.app_context():
        mail.deliver_pending()
        mail.deliver_pending()
    assert [r.subject for r in smtp.to("w@versa.nl")] == [
        "Vraag over uw opgave Oost, mei 2025",
        "Opgave Oost, mei 2025 is goedgekeurd",
        "Opgave Oost, mei 2025 is heropend",
    ]
    assert "De telling van maart is herzien." in smtp.to("w@versa.nl")[2].text()
    assert smtp.to("w@mee.nl") == [] and smtp.to("elders@versa.nl") == []
    with app.app_context():
        from monitor.notifications.models import Notification

        titles = db.session.scalars(sa.select(Notification.title).where(Notification.user_id == w.id)
                                    .order_by(Notification.id)).all()
    assert titles == [r.subject for r in smtp.to("w@versa.nl")]  # in the app's Meldingen too


def _period_id(app) -> int:
    with app.app_context():
        return period(2025, 1).id


def test_a_failing_mail_server_does_not_break_the_accounthouders_request(app, make_user, login_as,
                                                                        make_return):
    make_user(Role.SOCIAAL_WERKER, email="w@versa.nl", wijken=["Oost"])
    ret_id = make_return("Versa Welzijn", "Oost", 2025, 1, status=ReturnStatus.INGEDIEND)
    mail.reconfigure(app, "smtp://127.0.0.1:9")  # nothing listens there
    ah = login_as(Role.ACCOUNTHOUDER)
    _post(ah, f"/tellen/opgaven/{ret_id}/terugsturen", reason="Graag een toelichting.")
    with app.app_context():
        mail.deliver_pending()
        waiting = db.session.scalars(sa.select(OutgoingMessage).where(
            OutgoingMessage.to_address == "w@versa.nl")).all()
        assert [m.status for m in waiting] == [MessageStatus.WACHTEND]
        from monitor.counts.models import CountReturn

        assert db.session.get(CountReturn, ret_id).status == ReturnStatus.TERUGGESTUURD


def test_the_accounthouders_get_one_digest_a_day_of_the_returns_waiting(app, smtp, make_user, make_return):
    make_user(Role.ACCOUNTHOUDER, email="ah2@gemeente.nl")
    make_user(Role.ACCOUNTHOUDER, email="oud@gemeente.nl", active=False)
    make_user(Role.ADMIN, email="beheer@gemeente.nl")
    _run(app, DIGEST, datetime(2025, 5, 16, 9, 0))
    assert smtp.received == []  # nothing waits: no mail
    make_return("Versa Welzijn", "Oost", 2025, 1, status=ReturnStatus.INGEDIEND)
    make_return("MEE", "Zuid", 2025, 1, status=ReturnStatus.INGEDIEND)
    make_return("MEE", "Oost", 2025, 1, status=ReturnStatus.GOEDGEKEURD)
    _run(app, DIGEST, datetime(2025, 5, 16, 4, 0))  # 06:00 in Hilversum: not yet
    assert smtp.received == []
    _run(app, DIGEST, datetime(2025, 5, 16, 7, 0))
    _run(app, DIGEST, datetime(2025, 5, 16, 12, 0))
    with app.app_context():
        reviewers = set(db.session.scalars(sa.select(User.email).where(
            User.role == Role.ACCOUNTHOUDER, User.active.is_(True))))
    assert "ah2@gemeente.nl" in reviewers and "oud@gemeente.nl" not in reviewers
    assert sorted(r.envelope_to[0] for r in smtp.received) == sorted(reviewers)
    [got] = smtp.to("ah2@gemeente.nl")
    assert got.subject == "2 opgaven wachten op uw beoordeling"
    assert "- MEE, Zuid" in got.text() and "- Versa Welzijn, Oost" in got.text()
    assert "MEE, Oost" not in got.text()
    _run(app, DIGEST, datetime(2025, 5, 17, 7, 0))  # the next day: again
    assert len(smtp.to("ah2@gemeente.nl")) == 2
