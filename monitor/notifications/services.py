"""Creating notifications: one call for every module, inside the caller's transaction.

``notify(...)`` renders the Dutch text and HTML versions from ``templates/mail/<name>.txt``
and ``.html``, stores one :class:`OutgoingMessage` per recipient (the outbox) and, for
recipients with an account, one :class:`Notification` in their "Meldingen". Nothing is sent
here: :func:`monitor.mail.deliver_pending` sends after the commit (the job worker, or
``flask jobs run-due``), so a slow or failing SMTP server never blocks or loses a request.

Idempotent: ``(kind, occasion, recipient)`` is unique, so a job that runs twice, or again
after being killed mid-run, creates each reminder once.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template

from ..extensions import db
from ..i18n import in_language
from ..registry import registry
from .models import Delivery, MessageStatus, Notification, NotificationPreference, OutgoingMessage


@dataclass(frozen=True)
class Recipient:
    """Someone without an account (a resident, a stakeholder, a participant)."""

    email: str
    name: str = ""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


def dedupe_key(kind: str, occasion: str, recipient: Any) -> str:
    who = f"user:{recipient.id}" if hasattr(recipient, "role") else f"mail:{recipient.email.strip().lower()}"
    return hashlib.sha256(f"{kind}|{occasion}|{who}".encode()).hexdigest()


def delivery_for(user: Any, kind: str) -> Delivery:
    pref = db.session.get(NotificationPreference, (user.id, kind))
    return pref.delivery if pref else Delivery.DIRECT


def notify(kind: str, occasion: str, recipients: list, *, subject: str, template: str,
           context: dict[str, Any] | None = None, link: str = "", reason: str,
           attachments: tuple[Attachment, ...] | list[Attachment] = (),
           forget_address: bool = False, language: str = "nl") -> list[OutgoingMessage]:
    """Queue ``kind`` for each recipient once per ``occasion``; returns the new messages.

    :param recipients: :class:`~monitor.models.User` objects and/or :class:`Recipient`.
    :param occasion: what makes this message unique per recipient ("return:12:week-before").
    :param link: absolute URL of the place in the app the message is about.
    :param reason: why the recipient gets it, one Dutch sentence shown in every message.
    :param forget_address: blank a :class:`Recipient`'s address once the message is sent.
    :param language: the language of the message (``monitor.i18n``): a resident's mail is in
        the language of their story, staff mail stays Dutch (the default).
    """
    kinds = registry().notification_kinds
    if kind not in kinds:
        raise ValueError(f"unknown notification kind {kind!r}")
    spec = kinds[kind]
    created: list[OutgoingMessage] = []
    for recipient in recipients:
        is_user = hasattr(recipient, "role")
        if is_user and (not recipient.active or not recipient.email):
            continue
        key = dedupe_key(kind, occasion, recipient)
        if db.session.scalar(sa.select(OutgoingMessage.id).where(OutgoingMessage.dedupe_key == key)):
            continue
        delivery = delivery_for(recipient, kind) if is_user else Delivery.DIRECT
        if spec.required:
            delivery = Delivery.DIRECT if delivery is Delivery.UIT else delivery
        ctx = {**(context or {}), "recipient": recipient, "link": link, "reason": reason,
               "kind": spec, "preferences_url": _preferences_url() if is_user and not spec.required else ""}
        message = OutgoingMessage(
            kind=kind, dedupe_key=key, user_id=recipient.id if is_user else None,
            to_address=recipient.email.strip(), to_name=(recipient.name or "").strip()[:200],
            forget_address=forget_address and not is_user, subject=subject[:300],
            body_text=render_mail(f"mail/{template}.txt", language=language, **ctx),
            body_html=render_mail(f"mail/{template}.html", language=language, **ctx),
            attachments=[{"filename": a.filename, "mimetype": a.mimetype,
                          "content": base64.b64encode(a.content).decode("ascii")} for a in attachments],
            status={Delivery.DIRECT: MessageStatus.WACHTEND, Delivery.DAGELIJKS: MessageStatus.BUNDEL,
                    Delivery.UIT: MessageStatus.VERZONDEN}[delivery],
        )
        try:
            with db.session.begin_nested():
                db.session.add(message)
                db.session.flush()
        except sa.exc.IntegrityError:  # created by a concurrent run in the meantime
            continue
        if delivery is Delivery.UIT:
            message.last_error = "Niet gemaild: de ontvanger wil dit soort berichten niet per e-mail."
        if is_user:
            db.session.add(Notification(user_id=recipient.id, kind=kind, dedupe_key=key,
                                        title=subject[:300], link=link[:500], message_id=message.id))
        created.append(message)
    if any(m.status is MessageStatus.WACHTEND for m in created):
        from ..jobs import run_after_commit

        run_after_commit("e-mail verzenden")
    return created


def unread_count(user_id: int) -> int:
    """How many of the user's notifications they have not seen yet."""
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def render_mail(template: str, language: str = "nl", **context: Any) -> str:
    """Render a mail template as if requested at the installation's public address, so
    ``url_for(..., _external=True)`` gives links that work outside any request; in
    ``language`` (Dutch unless a resident's), whatever the language of the page that sent it."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"].rstrip("/") + "/"), \
            in_language(language):
        return render_template(template, language=language, **context)


def _preferences_url() -> str:
    return absolute_url("notifications.preferences")


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for a message: the installation's public address (``BASE_URL``) + the path.

    Messages are made by jobs without a request, so the request's host cannot be used.
    """
    from flask import url_for

    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base + "/"):
        return url_for(endpoint, _external=True, **values)


def save_preferences(user: Any, chosen: dict[str, Delivery]) -> None:
    """Store the user's choice per kind (required kinds cannot be switched off)."""
    from .. import audit

    kinds = registry().notification_kinds
    for key, delivery in chosen.items():
        if key not in kinds or kinds[key].required:
            continue
        pref = db.session.get(NotificationPreference, (user.id, key))
        if pref is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=key, delivery=delivery))
        else:
            pref.delivery = delivery
    audit.record("notification_preferences.update", user, actor=user,
                 new={k: v.value for k, v in chosen.items()},
                 summary="Voorkeuren voor e-mail gewijzigd")
    db.session.commit()
