"""Guessing stakeholder links: throttled per address in the database, across workers,
and the throttle always ends (hammering during it does not extend it)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests
import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db
from monitor.models import Role
from monitor.qim.models import JudgementRound
from monitor.qim.services import THROTTLE_BUCKET
from monitor.ratelimit import RateLimitCounter

from ..browserkit import serve

GUESSER = {"REMOTE_ADDR": "203.0.113.9"}


def _guess(client, i: int):
    return client.get(f"/qim/oordeel/geraden-token-{i:020d}", environ_base=GUESSER)


def _age_counters(app, minutes: int) -> None:
    with app.app_context():
        db.session.execute(sa.update(RateLimitCounter).values(
            window_start=RateLimitCounter.window_start - 60 * minutes,
            expires_at=RateLimitCounter.expires_at - 60 * minutes))
        db.session.commit()


def _failures(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.sum(RateLimitCounter.count)).where(
            RateLimitCounter.bucket == THROTTLE_BUCKET)) or 0


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_link_throttle_is_shared_by_workers_and_always_ends(app, tmp_path):
    app.config.update(QIM_LINK_MAX_FAILURES=3, QIM_LINK_WINDOW_MINUTES=15)
    for i in range(3):
        assert _guess(app.test_client(), i).status_code == 404
    # A second app on the same database (another gunicorn worker) refuses this address too.
    other = create_app({**app.config, "INSTANCE_PATH": str(tmp_path / "worker2")})
    for i in range(10):  # hammering during the throttle …
        response = _guess(other.test_client(), 100 + i)
        assert response.status_code == 429
        assert "te vaak" in response.get_data(as_text=True)
    assert _failures(app) == 3  # … is not recorded, so it cannot extend the throttle
    _age_counters(app, 16)
    assert _guess(other.test_client(), 200).status_code == 404  # the window has passed
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.real_db
def test_simultaneous_guesses_are_throttled_exactly(app):
    """Issue 12: the failures were counted, then recorded, per request, so guesses sent at
    the same moment all passed the check. Now exactly ``QIM_LINK_MAX_FAILURES`` are tried."""
    app.config.update(QIM_LINK_MAX_FAILURES=3, QIM_LINK_WINDOW_MINUTES=15)
    guesses = 10
    barrier = threading.Barrier(guesses)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(i: int) -> None:
        barrier.wait(timeout=30)
        response = requests.get(f"{base}/qim/oordeel/geraden-token-{i:020d}", timeout=60)
        with lock:
            statuses.append(response.status_code)

    with serve(app) as base:
        threads = [threading.Thread(target=guess, args=(i,)) for i in range(guesses)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert Counter(statuses) == Counter({404: 3, 429: guesses - 3})
    assert _failures(app) == 3


@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
def test_working_links_are_not_counted_as_failures(app, login_as, make_plan):
    """Many stakeholders behind one address (a community centre) are not throttled."""
    from .test_rounds_and_links import _make_links, _open_round

    app.config.update(QIM_LINK_MAX_FAILURES=2)
    coordinator = login_as(Role.BUURTCOORDINATOR)
    round_id = _open_round(coordinator, app, make_plan("Geuzenbuurt", 2026))
    with app.app_context():
        group = db.session.get(JudgementRound, round_id).plan.stakeholders[0].name
    tokens = _make_links(coordinator, app, round_id, group, count=4)
    for token in tokens:
        assert app.test_client().get(f"/qim/oordeel/{token}", environ_base=GUESSER).status_code == 200
    assert _failures(app) == 0
    assert [_guess(app.test_client(), i).status_code for i in range(3)] == [404, 404, 429]
