"""A real SMTP server on the loopback for tests (aiosmtpd), and reading what arrived."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""

    def attachments(self) -> dict[str, bytes]:
        return {p.get_filename(): p.get_content() if p.get_content_maintype() != "text"
                else p.get_content().encode() for p in self.message.iter_attachments()}


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    fail_with: str | None = None  # e.g. "451 4.3.0 Probeer het later" to refuse every message
    # Addresses whose RCPT TO is not answered until release(): a sender stuck mid-message.
    hold_for: set[str] = field(default_factory=set)
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.hold_for and not self.released.is_set():
            self.held.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.fail_with:
            return self.fail_with
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


class SmtpServer:
    """``with SmtpServer() as smtp: ... smtp.url ... smtp.received``"""

    def __init__(self) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.envelope_to]

    def refuse(self, reply: str | None = "451 4.3.0 Tijdelijk niet beschikbaar") -> None:
        self.handler.fail_with = reply

    def hold(self, address: str) -> threading.Event:
        """Leave the sender waiting at ``RCPT TO:<address>`` (nothing of that message is
        accepted) until :meth:`release`; returns the event set once a sender waits there."""
        self.handler.hold_for.add(address)
        return self.handler.held

    def release(self) -> None:
        self.handler.released.set()

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.release()
        self.controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def account_link_path(text: str) -> str:
    """The path of the (last) password link in a mail's text: ``/account/wachtwoord-instellen/…``."""
    import re

    return re.findall(r"https?://[^/\s]+(/account/wachtwoord-instellen/[A-Za-z0-9_\-]+)", text)[-1]


def last_outbox_text(app, kind: str) -> str:
    """The text of the newest message of ``kind`` in the outbox (what the e-mail says)."""
    import sqlalchemy as sa

    from monitor.extensions import db
    from monitor.notifications.models import OutgoingMessage

    with app.app_context():
        return db.session.scalar(sa.select(OutgoingMessage.body_text).where(OutgoingMessage.kind == kind)
                                 .order_by(OutgoingMessage.id.desc()))
