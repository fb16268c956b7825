"""Walk every route in the URL map and check each role gets what the policy says.

A route whose view names no permission fails here, so a new route cannot slip in
without a policy entry. Object-level rules are exercised with ids that do not exist:
a role that holds the permission then gets 404 (or a form answer), never 403; a role
that does not hold it gets 403 before anything is loaded.
"""

from __future__ import annotations

import re

import pytest

from monitor import permissions
from monitor.models import Role

from .conftest import login

ROLES = list(Role)
_ARG = re.compile(r"<(?:(?P<conv>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _dummy(match: re.Match) -> str:
    conv, args = match.group("conv") or "default", match.group("args") or ""
    if conv == "int":
        return "999999"
    if conv == "any":
        return args.split(",")[0].strip().strip("'\"")
    if conv == "uuid":
        return "00000000-0000-0000-0000-000000000000"
    return "onbekend-token-0000"


def all_routes(app):
    """(endpoint, method, url) for every rule except static files."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = _ARG.sub(_dummy, rule.rule)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            yield rule.endpoint, method, url


def test_every_route_has_a_policy_entry(app):
    missing = [
        (endpoint, url) for endpoint, _, url in all_routes(app)
        if permissions.endpoint_permission(app, endpoint) is None
    ]
    assert missing == [], f"routes without a permission in the policy: {missing}"


def test_every_named_permission_is_defined(app):
    undefined = {
        name for endpoint, _, _ in all_routes(app)
        if (name := permissions.endpoint_permission(app, endpoint)) not in (None, permissions.PUBLIC)
        and not permissions.is_api_permission(name)
        and permissions.get(name) is None
    }
    assert undefined == set()


def _request(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={})


def _assert_api_401(response, endpoint, method, url):
    """API endpoints (token scopes) answer a structured JSON 401 without a bearer token."""
    assert response.status_code == 401, (endpoint, method, url, response.status_code)
    assert response.is_json, (endpoint, url)
    assert response.get_json()["error"]["status"] == 401, (endpoint, url)


def test_anonymous_is_sent_to_login_everywhere_but_public_pages(app):
    client = app.test_client()
    for endpoint, method, url in all_routes(app):
        name = permissions.endpoint_permission(app, endpoint)
        response = _request(client, method, url)
        assert response.status_code < 500, (endpoint, method, url)
        if permissions.is_api_permission(name):
            _assert_api_401(response, endpoint, method, url)
        elif name == permissions.PUBLIC:
            assert response.status_code not in (401, 403), (endpoint, url)
        else:
            assert response.status_code == 302, (endpoint, method, url, response.status_code)
            assert "/account/inloggen" in response.headers["Location"], (endpoint, url)


@pytest.mark.slow  # a walk of every route per role: 4-7 s each on the shared machine
@pytest.mark.real_db  # counts of the rate limiter must survive the request's rollback
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_each_role_gets_what_the_policy_says(app, make_user, role):
    user = make_user(role)
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    checked = 0
    for endpoint, method, url in all_routes(app):
        name = permissions.endpoint_permission(app, endpoint)
        response = _request(client, method, url)
        status = response.status_code
        assert status < 500, (endpoint, method, url, status)
        if permissions.is_api_permission(name):
            _assert_api_401(response, endpoint, method, url)
        elif name == permissions.PUBLIC:
            assert status not in (401, 403), (endpoint, url, status)
        elif role in permissions.get(name).roles:
            assert status != 403, f"{role} should reach {method} {url} ({name})"
            sent_to_login = status == 302 and "/account/inloggen" in response.headers.get("Location", "")
            assert endpoint == "auth.logout" or not sent_to_login, (
                f"{role} was sent to login by {method} {url}")
        else:
            assert status == 403, f"{role} must be refused {method} {url} ({name}), got {status}"
            assert "Geen toegang" in response.get_data(as_text=True)
        checked += 1
        if endpoint == "auth.logout" and method == "POST":
            assert login(client, user.email).status_code == 302
    assert checked >= 20
