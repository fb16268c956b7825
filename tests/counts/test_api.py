"""The JSON API: bearer tokens per organisation, same validation and workflow, OpenAPI document."""

from __future__ import annotations

import re

import sqlalchemy as sa

from monitor.counts.models import ApiToken, CountReturn, ReturnStatus
from monitor.extensions import db
from monitor.models import AuditEvent, Role

from .conftest import org_id

GOOD = {"year": 2025, "tertial": 1, "wijk": "Oost",
        "figures": {"volunteers": 12, "meldingen": 20, "meldingen_sociaal_plein": 6, "closed_total": 10,
                    "closed_within_six_months": 8, "closed_contact_moments": 90, "closed_hours": 60, "fte": 1.5},
        "hours": {"buurtwerk": 300}, "clients": {"individuele_ondersteuning": 35}}


def create_token(app, admin, org="Versa Welzijn") -> str:
    with app.app_context():
        oid = org_id(org)
    response = admin.post("/tellen/api-sleutels", data={"organisation_id": oid, "name": "Registratiesysteem"})
    assert response.status_code == 200
    match = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))
    assert match
    return match.group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(CountReturn.id)))


def test_token_is_shown_once_and_stored_hashed(app, login_as):
    admin = login_as(Role.ADMIN)
    token = create_token(app, admin)
    page = admin.get("/tellen/api-sleutels").get_data(as_text=True)
    assert token not in page and token[:10] in page
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiToken))
        assert stored.token_hash != token and token not in stored.token_hash and len(stored.token_hash) == 64


def test_post_get_and_workflow(app, login_as):
    client = app.test_client()
    token = create_token(app, login_as(Role.ACCOUNTHOUDER))
    response = client.post("/api/v1/returns", json=dict(GOOD, submit=False), headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "concept" and body["figures"]["meldingen"] == 20 and body["figures"]["fte"] == 1.5
    assert body["hours"] == {"buurtwerk": 300}
    rid = body["id"]
    # Update and submit in one call.
    response = client.post("/api/v1/returns", json=dict(GOOD, figures=dict(GOOD["figures"], meldingen=21), submit=True),
                           headers=bearer(token))
    assert response.status_code == 200 and response.get_json()["status"] == "ingediend"
    assert client.get(f"/api/v1/returns/{rid}", headers=bearer(token)).get_json()["figures"]["meldingen"] == 21
    listing = client.get("/api/v1/returns?year=2025&status=ingediend", headers=bearer(token)).get_json()
    assert [r["id"] for r in listing["returns"]] == [rid]
    assert client.get("/api/v1/returns?year=2024", headers=bearer(token)).get_json()["returns"] == []
    # Submitted: no longer editable through the API either.
    response = client.post("/api/v1/returns", json=GOOD, headers=bearer(token))
    assert response.status_code == 409 and "ingediend" in response.get_json()["error"]["message"]
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "CountReturn")).all()
        assert [e.action for e in events] == ["count_return.create", "count_return.update", "count_return.submit"]
        assert events[0].actor_label.startswith("API: Versa Welzijn (sleutel tv_")
        assert events[1].old_values == {"meldingen": 20} and events[1].new_values == {"meldingen": 21}
        assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


def test_errors_are_structured_and_nothing_is_stored(app, login_as):
    client = app.test_client()
    token = create_token(app, login_as(Role.ADMIN))
    bad = dict(GOOD, figures=dict(GOOD["figures"], meldingen_sociaal_plein=30, closed_within_six_months=-1,
                                  volunteers=2.5), hours={"buurtwerk": 300, "onbekend": 3}, submit=True)
    response = client.post("/api/v1/returns", json=bad, headers=bearer(token))
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.get_json()["error"]["errors"]}
    assert errors["figures.meldingen_sociaal_plein"].startswith("Er kunnen niet meer meldingen")
    assert errors["figures.closed_within_six_months"] == "Het getal mag niet negatief zijn."
    assert errors["figures.volunteers"] == "Vul een heel getal in (zonder komma)."
    assert "hours.onbekend" in errors
    assert count(app) == 0
    for payload, field in [({"year": "2025", "tertial": 1, "wijk": "Oost"}, "year"),
                           ({"year": 2025, "tertial": 4, "wijk": "Oost"}, "tertial"),
                           ({"year": 2025, "tertial": 1, "wijk": "Atlantis"}, "wijk"),
                           ({"year": 1990, "tertial": 1, "wijk": "Oost"}, "year"),
                           ({"year": 10 ** 30, "tertial": 1, "wijk": "Oost"}, "year"),
                           (dict(GOOD, figures={"meldingen": "twintig"}), "figures.meldingen"),
                           (dict(GOOD, figures={"uren:buurtwerk": 3}), "figures.uren:buurtwerk"),
                           (dict(GOOD, extra=1), "extra"),
                           (dict(GOOD, submit="ja"), "submit")]:
        response = client.post("/api/v1/returns", json=payload, headers=bearer(token))
        assert response.status_code == 422, payload
        assert field in [e["field"] for e in response.get_json()["error"]["errors"]], (payload, response.get_json())
    response = client.post("/api/v1/returns", data="{not json", headers=dict(bearer(token), **{"Content-Type": "application/json"}))
    assert response.status_code == 400 and response.is_json
    response = client.post("/api/v1/returns", json=[1, 2], headers=bearer(token))
    assert response.status_code == 400
    assert client.get("/api/v1/returns?year=abc", headers=bearer(token)).status_code == 400
    assert client.get("/api/v1/returns?year=" + "9" * 30, headers=bearer(token)).status_code == 400
    assert count(app) == 0


def test_tokens_are_per_organisation_and_revocable(app, login_as):
    client = app.test_client()
    admin = login_as(Role.ADMIN)
    versa = create_token(app, admin)
    mee = create_token(app, admin, "MEE")
    rid = client.post("/api/v1/returns", json=GOOD, headers=bearer(versa)).get_json()["id"]
    assert client.get(f"/api/v1/returns/{rid}", headers=bearer(mee)).status_code == 404
    assert client.get("/api/v1/returns", headers=bearer(mee)).get_json()["returns"] == []
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.organisation_id == org_id("Versa Welzijn")))
    assert admin.post(f"/tellen/api-sleutels/{token_id}/intrekken").status_code == 302
    response = client.get("/api/v1/returns", headers=bearer(versa))
    assert response.status_code == 401 and response.get_json()["error"]["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}, bearer("tv_" + "x" * 40)):
        assert client.get("/api/v1/returns", headers=headers).status_code == 401
    # A signed-in person without a token is refused too: sessions do not open the API.
    sw = login_as(Role.SOCIAAL_WERKER)
    assert sw.post("/api/v1/returns", json=GOOD).status_code == 401
    # Social workers and council members cannot manage tokens.
    assert sw.get("/tellen/api-sleutels").status_code == 403
    assert login_as(Role.RAADSLID).post(f"/tellen/api-sleutels/{token_id}/intrekken").status_code == 403


def test_openapi_matches_the_endpoints_and_validation(app, login_as):
    client = app.test_client()
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    rules = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "counts_api.openapi":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            rules.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    documented = {path: set(ops) for path, ops in doc["paths"].items()}
    assert documented == rules
    schema = doc["components"]["schemas"]["ReturnInput"]
    from monitor.counts.api import REQUEST_PROPERTIES
    from monitor.counts.figures import SCALAR_KEYS

    assert set(schema["properties"]) == set(REQUEST_PROPERTIES)
    assert set(schema["properties"]["figures"]["properties"]) == set(SCALAR_KEYS)
    with app.app_context():
        from monitor.models import ServiceType, Specialism

        assert set(schema["properties"]["hours"]["properties"]) == set(db.session.scalars(sa.select(Specialism.code)))
        assert set(schema["properties"]["clients"]["properties"]) == set(db.session.scalars(sa.select(ServiceType.code)))
    # The documented example is accepted as documented (201), and a documented minimum is enforced (422).
    token = create_token(app, login_as(Role.ADMIN))
    example = doc["paths"]["/returns"]["post"]["requestBody"]["content"]["application/json"]["example"]
    response = client.post("/api/v1/returns", json=example, headers=bearer(token))
    assert str(response.status_code) in doc["paths"]["/returns"]["post"]["responses"]
    assert response.status_code == 201, response.get_json()
    returned = response.get_json()
    assert set(returned) <= set(doc["components"]["schemas"]["Return"]["properties"])
    assert returned["status"] == ReturnStatus.INGEDIEND.value
    assert schema["properties"]["figures"]["properties"]["meldingen"]["minimum"] == 0
    negative = dict(example, year=2025, tertial=2, figures=dict(example["figures"], meldingen=-1))
    response = client.post("/api/v1/returns", json=negative, headers=bearer(token))
    assert response.status_code == 422


def test_csrf_applies_to_screens_but_not_to_the_api(app, login_as):
    token = create_token(app, login_as(Role.ADMIN))
    sw = login_as(Role.SOCIAAL_WERKER)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        assert client.post("/api/v1/returns", json=GOOD, headers=bearer(token)).status_code == 201
        with app.app_context():
            from .conftest import period, wijk_id

            url = f"/tellen/opgave/{period(2025, 2).id}/{wijk_id('Oost')}"
        page = sw.get(url).get_data(as_text=True)
        assert 'name="csrf_token"' in page
        response = sw.post(url, data={"meldingen": "3", "action": "save"})
        assert response.status_code == 400 and count(app) == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_list_filters_outside_the_openapi_document_are_refused(app, login_as):
    """Found by schemathesis: ``?tertial=0`` was answered with an empty list, not a 400."""
    client = app.test_client()
    token = create_token(app, login_as(Role.ADMIN))
    assert client.post("/api/v1/returns", json=GOOD, headers=bearer(token)).status_code == 201
    for query, field in (("tertial=0", "tertial"), ("tertial=4", "tertial"), ("tertial=01", "tertial"),
                         ("tertial=%C2%B2", "tertial"), ("year=%C2%B2%C2%B2", "year"), ("year=-1", "year")):
        response = client.get(f"/api/v1/returns?{query}", headers=bearer(token))
        assert response.status_code == 400, query
        assert [e["field"] for e in response.get_json()["error"]["errors"]] == [field], query
    assert len(client.get("/api/v1/returns?year=2025&tertial=1", headers=bearer(token)).get_json()["returns"]) == 1
    assert client.get("/api/v1/returns?year=2025&tertial=2", headers=bearer(token)).get_json()["returns"] == []
