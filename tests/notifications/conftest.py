"""Notifications: a kind to send (the ``smtp`` fixture is shared, in ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from monitor.registry import NotificationKind, add_notification_kind


@pytest.fixture
def test_kind(app):
    add_notification_kind(app, NotificationKind("test.notice", "Testbericht", "Voor de test"))
    add_notification_kind(app, NotificationKind("test.required", "Verplicht testbericht", required=True))
    return "test.notice"
