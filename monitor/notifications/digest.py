"""The daily digest: one mail per user with the messages they chose to get once a day.

A job (``dagoverzicht``, every day at 07:00) bundles each user's messages waiting in status
``BUNDEL`` into one digest message, and marks them ``GEBUNDELD`` with a link to it, in one
transaction per user. The digest is unique per user and day (its ``dedupe_key``), so a job
that runs twice, or again after being killed, makes one digest; messages that arrive after
the day's digest wait for the next one.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import User
from ..timeutil import format_date, local
from .models import MessageStatus, Notification, OutgoingMessage
from .services import absolute_url, dedupe_key, render_mail

DIGEST_KIND = "notifications.digest"
DIGEST_LABEL = "Dagoverzicht"


def send_digests(now: datetime) -> str:
    """Make today's digest for every user with waiting messages (the ``dagoverzicht`` job)."""
    from ..jobs import run_after_commit

    day = local(now).date()
    user_ids = db.session.scalars(
        sa.select(OutgoingMessage.user_id).distinct()
        .where(OutgoingMessage.status == MessageStatus.BUNDEL, OutgoingMessage.user_id.is_not(None),
               OutgoingMessage.created_at <= now)).all()
    db.session.commit()
    made = skipped = 0
    for user_id in sorted(user_ids):
        user = db.session.get(User, user_id)
        key = dedupe_key(DIGEST_KIND, f"digest:{day.isoformat()}", user)
        items = db.session.scalars(
            sa.select(OutgoingMessage)
            .where(OutgoingMessage.user_id == user_id, OutgoingMessage.status == MessageStatus.BUNDEL,
                   OutgoingMessage.created_at <= now)
            .order_by(OutgoingMessage.id)).all()
        if not items or db.session.scalar(sa.select(OutgoingMessage.id).where(OutgoingMessage.dedupe_key == key)):
            db.session.commit()  # today's digest is out; these wait for tomorrow's
            continue
        if not user.active or not user.email:
            for item in items:
                item.status = MessageStatus.MISLUKT
                item.last_error = "Niet verzonden: het account is niet (meer) actief."
            db.session.commit()
            skipped += 1
            continue
        links = dict(db.session.execute(
            sa.select(Notification.message_id, Notification.link)
            .where(Notification.message_id.in_([m.id for m in items]))).all())
        entries = [{"subject": m.subject, "link": links.get(m.id, ""), "created_at": m.created_at}
                   for m in items]
        meldingen = absolute_url("notifications.index")
        ctx = {"recipient": user, "entries": entries, "day": day, "link": meldingen,
               "reason": "u heeft gekozen voor één overzicht per dag.",
               "preferences_url": absolute_url("notifications.preferences")}
        subject = (f"Dagoverzicht {format_date(day)}: {len(items)} "
                   f"{'bericht' if len(items) == 1 else 'berichten'}")
        digest = OutgoingMessage(
            kind=DIGEST_KIND, dedupe_key=key, user_id=user.id, to_address=user.email,
            to_name=user.name[:200], subject=subject,
            body_text=render_mail("mail/digest.txt", **ctx), body_html=render_mail("mail/digest.html", **ctx),
            attachments=[], status=MessageStatus.WACHTEND, next_attempt_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(digest)
                db.session.flush()
        except sa.exc.IntegrityError:  # a concurrent run made it
            db.session.rollback()
            continue
        for item in items:
            item.status, item.digest_id = MessageStatus.GEBUNDELD, digest.id
        run_after_commit("e-mail verzenden")
        db.session.commit()
        made += 1
    summary = f"{made} dagoverzicht(en) gemaakt"
    if skipped:
        summary += f", {skipped} voor inactieve accounts overgeslagen"
    return summary
