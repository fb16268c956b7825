"""Notifications: the outbox every module writes to, in-app "Meldingen", mail preferences.

The public interface for other modules::

    from monitor.notifications import Attachment, Recipient, notify, absolute_url

Declare the kind first in ``init_app``:
``add_notification_kind(app, NotificationKind("counts.reminder", "Herinnering opgave"))``.
"""

from __future__ import annotations

from flask import Flask

from .services import Attachment, Recipient, absolute_url, notify

__all__ = ["Attachment", "Recipient", "absolute_url", "notify", "init_app"]


def init_app(app: Flask) -> None:
    from .. import mail
    from . import permissions  # noqa: F401  (defines the policy entries)
    from .views import bp

    mail.init_app(app)
    app.register_blueprint(bp)
