"""The JSON API checked with schemathesis against its own OpenAPI document (no network).

The document is loaded from the app itself (``/api/v1/openapi.json`` through WSGI); every
operation gets generated requests — valid ones and ones that break the schema — sent
with a valid bearer token. Every response must be free of 5xx and match the document
(status code documented, body matches its schema, content type).

Excluded: schemathesis' "schema-valid request rejected" check. A return that fits the
schema can still break the rules JSON Schema cannot express (no period for that year,
"via Sociaal Plein" above "meldingen", hours above FTE × 40 × weeks); the API answers
those with a documented 422 and field messages, which is the intended behaviour.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from monitor.counts import services
from monitor.extensions import db
from monitor.models import Role

from ..conftest import get_org

EXAMPLES = int(os.environ.get("MONITOR_SCHEMA_EXAMPLES", "25"))


@pytest.fixture
def token(app, make_user) -> str:
    admin = make_user(Role.ADMIN)
    with app.app_context():
        _, plain = services.create_token(get_org("Versa Welzijn"), "schemathesis", db.session.merge(admin))
        db.session.commit()
    return plain


def _auth(case, headers: dict) -> dict | None:
    """Our token, unless this case deliberately breaks the headers (then send them as made:
    a missing or mangled ``Authorization`` must get the documented 401)."""
    component = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    return None if component is not None and component.mode.is_negative else headers


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(app, token, mode):
    operations = _operations(app)
    assert {op.label for op in operations} == {
        "GET /returns", "POST /returns", "GET /returns/{return_id}"}
    headers = {"Authorization": f"Bearer {token}"}
    seen: dict[str, set[int]] = {}
    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            response = case.call(headers=_auth(case, headers))
            assert response.status_code < 500, (case.method, case.path, case.body, response.text)
            case.validate_response(response, headers=_auth(case, headers), excluded_checks=[positive_data_acceptance])
            seen.setdefault(case.operation.label, set()).add(response.status_code)

        check()
    # The generated requests really reached the API (not only the 401 of a missing token).
    assert all(codes - {401} for codes in seen.values()), seen
    if mode == GenerationMode.POSITIVE:
        assert seen["POST /returns"] & {200, 201}, seen
