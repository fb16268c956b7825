"""Sending the outbox: SMTP through Flask-Mailman, or ``.eml`` files without a mail server.

``MONITOR_MAIL_URL`` chooses the server: ``smtp://host:25``, ``smtp+starttls://user:pass@host:587``
or ``smtps://user:pass@host:465``. Without it (the embedded default and ``make run``) every
message is written to ``instance/outbox/`` as an ``.eml`` file, which the beheerder finds at
``/beheer/berichten``: a new installation shows exactly what it would have sent.

:func:`deliver_pending` claims each due message with a conditional UPDATE (so two workers
never send the same row), sends it, and marks it sent; a failure schedules a retry with
back-off and never drops the message. A message claimed by a worker that died is claimed
again at once when that worker ran on this machine (its process is gone, see
:mod:`monitor.claims`), otherwise after :data:`STALE_CLAIM`; it keeps its Message-ID, so a rare second delivery is
recognisably the same message.
"""

from __future__ import annotations

import base64
import logging
import os
from datetime import datetime, timedelta
from email.utils import formataddr
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail

from . import claims
from .extensions import db
from .notifications.models import MessageStatus, OutgoingMessage
from .timeutil import utcnow

log = logging.getLogger(__name__)
mail = Mail()

STALE_CLAIM = timedelta(minutes=10)
FORGOTTEN_BODY = "[Gewist na verzending: het bericht was voor iemand zonder account.]"
# Minutes to wait after the n-th failure; after the last one the message is "mislukt".
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720, 1440)


def settings_from_url(url: str) -> dict:
    """Flask-Mailman settings for ``MONITOR_MAIL_URL`` (empty: the outbox folder)."""
    if not url:
        return {"MAIL_BACKEND": "locmem"}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtp+starttls", "smtps"):
        raise ValueError(f"MONITOR_MAIL_URL: onbekend schema {parts.scheme!r} (smtp, smtp+starttls of smtps)")
    default_port = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[scheme]
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": parts.hostname or "localhost",
        "MAIL_PORT": parts.port or default_port,
        "MAIL_USERNAME": unquote(parts.username) if parts.username else None,
        "MAIL_PASSWORD": unquote(parts.password) if parts.password else None,
        "MAIL_USE_TLS": scheme == "smtp+starttls",
        "MAIL_USE_SSL": scheme == "smtps",
        "MAIL_TIMEOUT": 20,
    }


def init_app(app: Flask) -> None:
    app.config.update(settings_from_url(app.config["MAIL_URL"]))
    app.config["MAIL_DEFAULT_SENDER"] = app.config["MAIL_FROM"]
    mail.init_app(app)


def reconfigure(app: Flask, url: str) -> None:
    """Point ``app`` at another mail server (tests, and ``flask mail-test --url``)."""
    app.config["MAIL_URL"] = url
    init_app(app)


def outbox_dir() -> str:
    path = os.path.join(current_app.instance_path, "outbox")
    os.makedirs(path, exist_ok=True)
    return path


def build_email(message: OutgoingMessage, connection=None) -> EmailMultiAlternatives:
    domain = current_app.config["MAIL_FROM"].rsplit("@", 1)[-1].strip(">") or "localhost"
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text,
        from_email=current_app.config["MAIL_FROM"],
        to=[formataddr((message.to_name, message.to_address))],
        headers={"Message-ID": f"<tv-{message.dedupe_key[:40]}@{domain}>",
                 "Auto-Submitted": "auto-generated", "Content-Language": "nl"},
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for item in message.attachments or []:
        email.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
    return email


def _claimable(now: datetime, dead: list[str]):
    """Due to be sent, or claimed by a sender that hangs (stale) or died (``dead`` claims)."""
    taken_over = OutgoingMessage.claimed_at < now - STALE_CLAIM
    if dead:
        taken_over = sa.or_(taken_over, OutgoingMessage.claimed_by.in_(dead))
    return sa.or_(sa.and_(OutgoingMessage.status == MessageStatus.WACHTEND,
                          OutgoingMessage.next_attempt_at <= now),
                  sa.and_(OutgoingMessage.status == MessageStatus.BEZIG, taken_over))


def _dead_claims() -> list[str]:
    held = db.session.scalars(sa.select(OutgoingMessage.claimed_by).distinct()
                              .where(OutgoingMessage.status == MessageStatus.BEZIG)).all()
    return [c for c in held if claims.holder_is_dead(c)]


def _claim(message_id: int, now: datetime, dead: list[str], me: str) -> bool:
    result = db.session.execute(
        sa.update(OutgoingMessage)
        .where(OutgoingMessage.id == message_id, _claimable(now, dead))
        .values(status=MessageStatus.BEZIG, claimed_at=now, claimed_by=me)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def deliver_pending(now: datetime | None = None, limit: int = 200) -> str:
    """Send what is due; returns a Dutch one-line summary. Commits per message."""
    now = now or utcnow()
    dead = _dead_claims()
    due = db.session.scalars(
        sa.select(OutgoingMessage.id).where(_claimable(now, dead))
        .order_by(OutgoingMessage.id).limit(limit)).all()
    me = claims.token()
    sent = failed = 0
    use_smtp = bool(current_app.config["MAIL_URL"])
    connection = mail.get_connection() if use_smtp else None
    try:
        for message_id in due:
            if not _claim(message_id, now, dead, me):
                continue  # another worker has it
            message = db.session.get(OutgoingMessage, message_id)
            db.session.refresh(message)
            try:
                email = build_email(message, connection)
                if use_smtp:
                    email.send()
                else:
                    name = f"{now:%Y%m%d-%H%M%S}-{message.id}.eml"
                    tmp = os.path.join(outbox_dir(), name + ".tmp")
                    with open(tmp, "wb") as fh:
                        fh.write(email.message().as_bytes())
                    os.replace(tmp, os.path.join(outbox_dir(), name))
                    message.outbox_file = name
            except Exception as exc:  # noqa: BLE001 - any failure of the server: retry later
                if connection is not None:
                    try:
                        connection.close()
                    except Exception:  # noqa: BLE001
                        pass
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if message.attempts >= len(BACKOFF_MINUTES):
                    message.status = MessageStatus.MISLUKT
                else:
                    message.status = MessageStatus.WACHTEND
                    message.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[message.attempts - 1])
                message.claimed_at, message.claimed_by = None, ""
                failed += 1
                log.warning("mail %s not sent (attempt %s): %s", message.id, message.attempts,
                            type(exc).__name__)
            else:
                message.status = MessageStatus.VERZONDEN
                message.sent_at = now
                message.claimed_at, message.claimed_by = None, ""
                message.last_error = ""
                if message.forget_address:
                    # Nothing of someone without an account is kept: not the address, and
                    # not the body either (it can carry their personal link).
                    message.to_address = None
                    message.to_name = ""
                    message.body_text = message.body_html = FORGOTTEN_BODY
                    message.attachments = []
                sent += 1
            db.session.commit()
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                pass
    if not due:
        return "geen berichten te verzenden"
    return f"{sent} verzonden, {failed} opnieuw later"
