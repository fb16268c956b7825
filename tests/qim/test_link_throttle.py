"""Guessing stakeholder links: throttled per address in the database, across workers,
and the throttle always ends (hammering during it does not extend it)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db
from monitor.qim.models import LinkAttempt

GUESSER = {"REMOTE_ADDR": "203.0.113.9"}


def _guess(client, i: int):
    return client.get(f"/qim/oordeel/geraden-token-{i:020d}", environ_base=GUESSER)


def _age_attempts(app, minutes: int) -> None:
    with app.app_context():
        db.session.execute(sa.update(LinkAttempt).values(
            created_at=LinkAttempt.created_at - timedelta(minutes=minutes)))
        db.session.commit()


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
    with app.app_context():  # … is not recorded, so it cannot extend the throttle
        assert db.session.scalar(sa.select(sa.func.count(LinkAttempt.id))) == 3
    _age_attempts(app, 16)
    assert _guess(other.test_client(), 200).status_code == 404  # the window has passed
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
