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


SEND_JOB = "e-mail verzenden"
DIGEST_JOB = "dagoverzicht"


def init_app(app: Flask) -> None:
    from datetime import timedelta

    from .. import mail
    from ..registry import add_job, add_startup_task
    from . import permissions  # noqa: F401  (defines the policy entries)
    from .digest import send_digests
    from .views import bp

    mail.init_app(app)
    app.register_blueprint(bp)
    app.context_processor(_unread_count)
    # Sending: at once after the commit that queued a message (run_after_commit in notify),
    # and every minute as a safety net for retries and a queue that was away.
    add_job(app, SEND_JOB, lambda now: mail.deliver_pending(now), every=timedelta(minutes=1), order=1000)
    # What a killed worker left half-sent goes out when the next worker starts (and with
    # flask maintenance), not only at the next minute.
    add_startup_task(app, "e-mail verzenden", lambda: mail.deliver_pending(), order=90)
    add_job(app, DIGEST_JOB, send_digests, every=timedelta(days=1), offset=timedelta(hours=7), order=900)


def _unread_count() -> dict:
    """``unread_notifications()`` for the header's "Meldingen (3)" link."""
    def unread_notifications() -> int:
        from flask_login import current_user

        if not current_user.is_authenticated:
            return 0
        from .services import unread_count

        try:
            return unread_count(current_user.id)
        except Exception:  # noqa: BLE001 - never break a page (the error page) over a count
            return 0

    return {"unread_notifications": unread_notifications}
