"""An organisation's API token only writes returns for the wijken the organisation works in."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Organisation, Role, Wijk

from .test_api import GOOD, bearer, count, create_token


def _werkgebied(app, org: str, wijken: list[str]) -> None:
    with app.app_context():
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == org))
        organisation.wijken = list(db.session.scalars(sa.select(Wijk).where(Wijk.name.in_(wijken))))
        db.session.commit()


def test_a_token_cannot_create_returns_outside_the_werkgebied(app, login_as):
    token = create_token(app, login_as(Role.ACCOUNTHOUDER))
    _werkgebied(app, "Versa Welzijn", ["Oost"])
    api = app.test_client()
    response = api.post("/api/v1/returns", json=dict(GOOD, wijk="Zuid"), headers=bearer(token))
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["status"] == 403 and error["title"] == "Geen toegang"
    assert "werkt niet in wijk Zuid" in error["message"]
    assert error["errors"] == [{"field": "wijk", "message": error["message"]}]
    assert count(app) == 0
    assert api.post("/api/v1/returns", json=GOOD, headers=bearer(token)).status_code == 201


def test_a_return_outside_the_werkgebied_cannot_be_updated_either(app, login_as):
    token = create_token(app, login_as(Role.ACCOUNTHOUDER))
    api = app.test_client()
    assert api.post("/api/v1/returns", json=dict(GOOD, wijk="Zuid"), headers=bearer(token)).status_code == 201
    _werkgebied(app, "Versa Welzijn", ["Oost"])
    changed = dict(GOOD, wijk="Zuid", figures=dict(GOOD["figures"], meldingen=99))
    assert api.post("/api/v1/returns", json=changed, headers=bearer(token)).status_code == 403
    # Reading its own returns still works: they are the organisation's, wherever.
    listing = api.get("/api/v1/returns", headers=bearer(token)).get_json()["returns"]
    assert [(r["wijk"], r["figures"]["meldingen"]) for r in listing] == [("Zuid", 20)]


def test_the_openapi_document_names_the_403(client):
    post = client.get("/api/v1/openapi.json").get_json()["paths"]["/returns"]["post"]
    assert "403" in post["responses"]
