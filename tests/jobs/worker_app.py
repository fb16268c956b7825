"""The app a real worker process loads in the tests: the real app plus a reminder job.

``flask --app tests.jobs.worker_app worker``: configured from the environment like
``wsgi.py`` (the test passes its database, instance folder and mail server).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db
from monitor.models import User
from monitor.notifications import notify
from monitor.registry import NotificationKind, add_job, add_notification_kind

DOMAIN = "@herinnering.test"


def remind(now) -> str:
    users = db.session.scalars(sa.select(User).where(User.email.like(f"%{DOMAIN}")).order_by(User.id)).all()
    made = notify("test.herinnering", "opgave:1:week-ervoor", users, subject="Herinnering: opgave",
                  template="notice", context={"paragraphs": ["Over een week sluit de opgave."]},
                  reason="u opgaven invoert voor uw organisatie.")
    db.session.commit()
    return f"{len(made)} herinnering(en)"


def configure(app):
    add_notification_kind(app, NotificationKind("test.herinnering", "Herinnering (test)"))
    add_job(app, "herinnering", remind, every=timedelta(days=1))
    return app


app = configure(create_app())
