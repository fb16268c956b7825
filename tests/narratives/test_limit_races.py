"""Limits hold under simultaneous requests (issue 12: 6 public stories passed a limit of 3).

Requests are fired at once (a barrier) from threads at a live, threaded server on the
test database, so each request has its own session and connection, as in gunicorn.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests
import sqlalchemy as sa

from monitor.extensions import db
from monitor.narratives.models import Story

from ..browserkit import serve
from .conftest import image_bytes

# Threads behind a live server, each with its own connection.
pytestmark = pytest.mark.real_db

SENDERS = 8


def _fire(base: str, forms: list[dict]) -> Counter:
    """POST every form at the same moment; count the status codes."""
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = []
    lock = threading.Lock()

    def send(data: dict) -> None:
        fields = {k: v for k, v in data.items() if not k.endswith("-file")}
        files = {k: (v[1], v[0].getvalue(), "image/jpeg") for k, v in data.items() if k.endswith("-file")}
        barrier.wait(timeout=30)
        response = requests.post(base + "/verhalen/vertel", data=fields, files=files,
                                 allow_redirects=False, timeout=120)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(form,)) for form in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert len(statuses) == len(forms)
    return Counter(statuses)


def _stories(app) -> int:
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(Story.id)))
        db.session.remove()
    return count


def test_simultaneous_submissions_pass_the_limit_exactly(narr_app, public_form):
    narr_app.config.update(NARRATIVES_MAX_PER_HOUR=3, NARRATIVES_MAX_PER_DAY=10)
    photo = [(image_bytes(size=(640, 480)), "bank.jpg", "Een bankje")]
    forms = [public_form(photos=photo) for _ in range(SENDERS)]
    with serve(narr_app) as base:
        statuses = _fire(base, forms)
    assert statuses == Counter({302: 3, 429: SENDERS - 3})
    assert _stories(narr_app) == 3


def test_one_stamp_sent_many_times_at_once_is_used_once(narr_app, public_form):
    narr_app.config.update(NARRATIVES_MAX_PER_HOUR=100, NARRATIVES_MAX_PER_DAY=100)
    data = public_form()
    with serve(narr_app) as base:
        statuses = _fire(base, [dict(data) for _ in range(SENDERS)])
    assert statuses == Counter({302: 1, 400: SENDERS - 1})
    assert _stories(narr_app) == 1
