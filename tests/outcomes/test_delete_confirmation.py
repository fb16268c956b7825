"""Issue 19 §5: removing a measurement asks for confirmation first, without JavaScript."""

from __future__ import annotations

import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.outcomes.models import Measurement, Trajectory


def test_a_measurement_is_removed_only_after_the_confirmation_step(app, login_as, make_client, make_trajectory):
    worker = login_as("sociaal_werker")
    client_id = make_client()
    tid = make_trajectory(client_id, "ladder", begin=2, end=3)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(Measurement.id).where(
            Measurement.trajectory_id == tid).order_by(Measurement.measured_on)))
    page = worker.get(f"/uitkomsten/clienten/{client_id}").get_data(as_text=True)
    # The client page links to the confirmation step; it holds no form that deletes at once.
    assert f'href="/uitkomsten/metingen/{ids[1]}/verwijderen"' in page
    assert not re.search(rf'<form[^>]*action="/uitkomsten/metingen/{ids[1]}/verwijderen"', page)

    confirm = worker.get(f"/uitkomsten/metingen/{ids[1]}/verwijderen")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Wilt u de eindmeting van" in html and "Dit kunt u 7 dagen ongedaan maken" in html
    assert "Meteen voorgoed wissen" in html and "Dit kan niet ongedaan worden gemaakt." in html
    assert re.search(rf'<form method="post" action="/uitkomsten/metingen/{ids[1]}/verwijderen"', html)
    assert 'name="csrf_token"' in html and f'href="/uitkomsten/clienten/{client_id}"' in html
    with app.app_context():
        assert db.session.get(Measurement, ids[1]) is not None  # looking is not deleting

    # Another organisation's worker sees no confirmation page either.
    other = login_as("sociaal_werker", organisation="MEE")
    assert other.get(f"/uitkomsten/metingen/{ids[1]}/verwijderen").status_code in (403, 404)

    assert worker.post(f"/uitkomsten/metingen/{ids[1]}/verwijderen").status_code == 302
    with app.app_context():
        assert db.session.get(Measurement, ids[1]).deleted_at is not None  # restorable for a while
        assert db.session.get(Trajectory, tid) is not None
    assert worker.get(f"/uitkomsten/metingen/{ids[1]}/verwijderen").status_code == 404
