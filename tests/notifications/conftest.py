"""Notifications: a real SMTP server per test, and a kind to send."""

from __future__ import annotations

import pytest

from monitor import mail
from monitor.registry import NotificationKind, add_notification_kind

from ..mailkit import SmtpServer


@pytest.fixture
def smtp(app):
    """A real SMTP server on the loopback; the app sends to it."""
    with SmtpServer() as server:
        mail.reconfigure(app, server.url)
        yield server


@pytest.fixture
def test_kind(app):
    add_notification_kind(app, NotificationKind("test.notice", "Testbericht", "Voor de test"))
    add_notification_kind(app, NotificationKind("test.required", "Verplicht testbericht", required=True))
    return "test.notice"
