"""Outgoing e-mail (the outbox) and the in-app list of notifications ("Meldingen")."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, string_enum
from ..timeutil import utcnow


class MessageStatus(enum.Enum):
    WACHTEND = "wachtend"  # to be sent (again) at next_attempt_at
    BEZIG = "bezig"  # claimed by a sender; reclaimed when the claim is stale
    VERZONDEN = "verzonden"  # accepted by the SMTP server, or written to the outbox folder
    MISLUKT = "mislukt"  # gave up after the last attempt; kept for the beheerder
    BUNDEL = "bundel"  # waits for the recipient's daily digest
    GEBUNDELD = "gebundeld"  # went out in a daily digest (``digest_id``)

    @property
    def label(self) -> str:
        return {"wachtend": "Wacht op verzending", "bezig": "Wordt verzonden",
                "verzonden": "Verzonden", "mislukt": "Mislukt", "bundel": "Wacht op dagoverzicht",
                "gebundeld": "In dagoverzicht verzonden"}[self.value]


class OutgoingMessage(db.Model):
    """One e-mail to one recipient, stored before it is sent so it is never lost.

    ``dedupe_key`` (kind, occasion, recipient) is unique: a reminder is created once per
    recipient and occasion however often the job that creates it runs. The Message-ID is
    derived from it, so a message re-sent after a crash is recognisably the same message.
    """

    __tablename__ = "outgoing_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60), index=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Blanked after sending when the address must not be kept (stakeholders, residents).
    to_address: Mapped[str | None] = mapped_column(sa.String(320))
    to_name: Mapped[str] = mapped_column(sa.String(200), default="")
    forget_address: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    # [{"filename", "mimetype", "content" (base64)}]
    attachments: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[MessageStatus] = mapped_column(string_enum(MessageStatus, 20), index=True,
                                                  default=MessageStatus.WACHTEND)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
    # The claim token of the sender (monitor.claims): a sender that died is recognised.
    claimed_by: Mapped[str] = mapped_column(sa.String(100), default="")
    # The digest this message went out in (status GEBUNDELD).
    digest_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outgoing_messages.id", ondelete="SET NULL"), index=True)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    outbox_file: Mapped[str] = mapped_column(sa.String(200), default="")  # without MAIL_URL

    user = relationship("User")
    digest = relationship("OutgoingMessage", remote_side=[id])


class Notification(db.Model):
    """A notification as the user sees it in the app, whatever their mail preference."""

    __tablename__ = "notifications"
    __table_args__ = (sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    dedupe_key: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(300))
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]

    message = relationship("OutgoingMessage")


class Delivery(enum.Enum):
    DIRECT = "direct"
    DAGELIJKS = "dagelijks"
    UIT = "uit"

    @property
    def label(self) -> str:
        return {"direct": "Meteen per e-mail", "dagelijks": "Eén keer per dag (overzicht)",
                "uit": "Geen e-mail (alleen in Meldingen)"}[self.value]


class NotificationPreference(db.Model):
    """How a user wants a kind of notification by e-mail (default: at once)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(string_enum(Delivery, 20), default=Delivery.DIRECT)
