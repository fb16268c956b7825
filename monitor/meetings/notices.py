"""What the monitorgesprek mails to its participants (issue 17 §3).

- The invitation with a calendar file (``.ics``): sent when the coordinator chooses, to the
  participants with an e-mail address who did not get this version yet.
- An update when the date or the place changes after the invitation: the same event (a
  stable UID per session) with a higher SEQUENCE, so calendars move it.
- The dossier, when it is issued (the PDF attached: most participants have no account).
- The minutes, once, when they are first settled.

Participants are people without an account here (``Recipient``); their address stays on
the participant (removed with them) and is not kept in the outbox after sending.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from icalendar import Calendar, Event, vCalAddress, vText

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..notifications import Attachment, Recipient, absolute_url, notify
from ..registry import NotificationKind, add_job, add_notification_kind
from ..timeutil import AMSTERDAM, format_wall_clock
from .models import MonitorSession

INVITATION = "meetings.invitation"
DOSSIER = "meetings.dossier"
MINUTES = "meetings.minutes"
DURATION = timedelta(hours=2)
DOSSIER_JOB = "monitorgesprek: dossier naar deelnemers"


def register(app: Flask) -> None:
    for kind in (
        NotificationKind(INVITATION, "Monitorgesprek: uitnodiging en wijziging (deelnemers)",
                         "De uitnodiging met een agendabestand, en een bericht als datum of plaats verandert.",
                         required=True),
        NotificationKind(DOSSIER, "Monitorgesprek: dossier uitgegeven (deelnemers)",
                         "Het dossier van het gesprek, als PDF.", required=True),
        NotificationKind(MINUTES, "Monitorgesprek: verslag (deelnemers)", "Het verslag van het gesprek.",
                         required=True),
    ):
        add_notification_kind(app, kind)
    add_job(app, DOSSIER_JOB, send_issued_dossiers, every=timedelta(minutes=5))


def _recipients(session: MonitorSession) -> list[Recipient]:
    return [Recipient(p.email, p.name) for p in session.participants if p.email]


def _reason(session: MonitorSession) -> str:
    return f"u bent uitgenodigd voor het monitorgesprek van {session.wijk.name} ({session.period.label})."


def calendar_file(session: MonitorSession) -> bytes:
    """The session as an iCalendar invitation: one UID per session, SEQUENCE per version."""
    domain = current_app.config["MAIL_FROM"].rsplit("@", 1)[-1].strip(">") or "localhost"
    start = session.scheduled_at.replace(tzinfo=AMSTERDAM)  # a wall-clock time in Hilversum
    cal = Calendar()
    cal.add("prodid", "-//Tellen & Vertellen//monitorgesprek//NL")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"monitorgesprek-{session.id}@{domain}")
    event.add("sequence", session.invitation_sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + DURATION)
    event.add("summary", session.title)
    event.add("location", vText(session.place))
    event.add("description", f"{session.title}. Gespreksleider: {session.facilitator or 'volgt'}.")
    organizer = vCalAddress("mailto:" + current_app.config["MAIL_FROM"].rsplit("<", 1)[-1].strip(">"))
    organizer.params["cn"] = vText("Tellen & Vertellen")
    event["organizer"] = organizer
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def _calendar_notice(session: MonitorSession, update: bool) -> int:
    created = notify(
        INVITATION, f"session:{session.id}:calendar:{session.invitation_sequence}", _recipients(session),
        subject=(f"Gewijzigd: {session.title}" if update else f"Uitnodiging: {session.title}"),
        template="meetings/invitation",
        context={"meeting": session, "when": format_wall_clock(session.scheduled_at), "update": update},
        link=absolute_url("meetings.prepare", session_id=session.id), reason=_reason(session),
        attachments=[Attachment("monitorgesprek.ics", calendar_file(session),
                                "text/calendar; method=REQUEST")],
        forget_address=True)
    return len(created)


def send_invitations(session: MonitorSession, by: Any) -> int:
    """Invite the participants with an address who have not had this version; commits.

    :raise DomainError: no date or place yet, nobody with an address, or held already.
    """
    from .models import SessionStatus

    if session.status == SessionStatus.GEHOUDEN:
        raise DomainError("Dit monitorgesprek is al gehouden.")
    if session.scheduled_at is None or not session.place:
        raise DomainError("Vul eerst de datum, de tijd en de plaats van het gesprek in.")
    if not _recipients(session):
        raise DomainError("Geen van de genodigden heeft een e-mailadres.")
    if session.invitation_sequence == 0:
        session.invitation_sequence = 1
    count = _calendar_notice(session, update=False)
    audit.record("session.invite", session, new={"aantal": count, "sequence": session.invitation_sequence},
                 summary=f"Uitnodiging verstuurd aan {count} genodigde(n)", actor=by)
    db.session.commit()
    return count


def details_changed(session: MonitorSession, changed: set[str]) -> None:
    """After an invitation, a new date or place is sent as an update (the caller commits)."""
    if session.invitation_sequence == 0 or not changed & {"scheduled_at", "place"}:
        return
    if session.scheduled_at is None:
        return
    session.invitation_sequence += 1
    _calendar_notice(session, update=True)


def dossier_issued(session: MonitorSession, dossier: Any) -> None:
    """The caller commits. The worker renders the PDF and mails it (most participants have
    no account): rendering takes seconds, which a request should not wait for."""
    if _recipients(session):
        from ..jobs import run_after_commit

        run_after_commit(DOSSIER_JOB)


def send_issued_dossiers(now: datetime) -> str:
    """Job: mail each dossier issued in the last two weeks to the participants with an
    address who have not had it, with the PDF. Idempotent (one message per participant
    and dossier version); the PDF is rendered only when someone still needs it."""
    from ..notifications.models import OutgoingMessage
    from ..notifications.services import dedupe_key
    from .export import render_dossier_pdf
    from .models import Dossier

    sent = 0
    dossiers = db.session.scalars(sa.select(Dossier).where(Dossier.issued_at >= now - timedelta(days=14))
                                  .order_by(Dossier.id)).all()
    for dossier in dossiers:
        session = dossier.session
        recipients = _recipients(session)
        occasion = f"session:{session.id}:dossier:{dossier.version}"
        keys = [dedupe_key(DOSSIER, occasion, r) for r in recipients]
        if not keys or len(db.session.scalars(sa.select(OutgoingMessage.id).where(
                OutgoingMessage.dedupe_key.in_(keys))).all()) == len(keys):
            continue
        pdf = render_dossier_pdf(dossier)  # for the dossier's audience (no reader)
        created = notify(
            DOSSIER, occasion, recipients,
            subject=f"Dossier voor het {session.title}", template="meetings/dossier",
            context={"meeting": session, "version": dossier.version,
                     "when": format_wall_clock(session.scheduled_at) if session.scheduled_at else ""},
            link=absolute_url("meetings.dossier", session_id=session.id), reason=_reason(session),
            attachments=[Attachment(f"dossier-v{dossier.version}.pdf", pdf, "application/pdf")],
            forget_address=True)
        db.session.commit()
        sent += len(created)
    return f"{sent} dossierbericht(en) klaargezet"


def minutes_settled(session: MonitorSession) -> None:
    """Once, the first time the minutes are settled (the caller commits)."""
    from .minutes import minutes_of

    recipients = _recipients(session)
    if not recipients:
        return
    db.session.flush()  # the conclusions just added get their quality
    for conclusion in session.conclusions:
        db.session.expire(conclusion, ["quality"])
    minutes = minutes_of(session)
    notify(MINUTES, f"session:{session.id}:minutes", recipients,
           subject=f"Verslag van het {session.title}", template="meetings/minutes",
           context={"meeting": session, "minutes": minutes},
           link=absolute_url("meetings.prepare", session_id=session.id), reason=_reason(session),
           forget_address=True)
