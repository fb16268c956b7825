"""Whatever the owning social worker sends, the answer is a page, never a 500."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.outcomes.models import Measurement

from ..conftest import login

GARBAGE = [
    {},
    {"kind": "x", "measured_on": "gisteren", "ladder_step": "zeven", "zrm_FIN": "9"},
    {"birth_year": "-1", "wijk_id": "99999", "buurt_id": "abc"},
    {"service_type_id": "0", "worker_id": "1e3", "instrument": "ander", "zrm_version": "1999",
     "started_on": "0000-00-00"},
    {"ended_on": "2025-13-45", "closing_reason": "<script>"},
    {"action": "import", "content": "\x00\x01;;;\n" * 3},
    {"kind": "eind", "measured_on": "1900-01-01", "zrm_FIN": "nvt", "zrm_XYZ": "3"},
]


@pytest.mark.parametrize("payload", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_never_breaks_a_page(app, make_user, make_client, make_trajectory, payload):
    user = make_user(Role.SOCIAAL_WERKER, organisation="Versa Welzijn")
    cid = make_client()
    tids = [make_trajectory(cid, "zrm", ended=None, begin={"FIN": 2}, end=None),
            make_trajectory(make_client(), "ladder", begin=2, end=3)]
    with app.app_context():
        mid = db.session.scalar(sa.select(Measurement.id).where(
            Measurement.trajectory_id == tids[1]))
    c = app.test_client()
    login(c, user.email)
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("outcomes.") or "POST" not in (rule.methods or ()):
            continue
        for tid in tids:
            url = re.sub(r"<int:client_id>", str(cid), rule.rule)
            url = re.sub(r"<int:trajectory_id>", str(tid), url)
            url = re.sub(r"<int:measurement_id>", str(mid), url)
            response = c.post(url, data=payload)
            assert response.status_code < 500, (url, payload, response.status_code)
    for query in ("?code=%00%ff", "?first=1&last=abc&grouping=x", "?wijk_id=-1"):
        assert c.get("/uitkomsten/clienten" + query).status_code < 500
        assert c.get("/uitkomsten/" + query).status_code < 500
