"""Text that cannot be text: lone UTF-16 surrogates and undecodable bytes get a Dutch 400.

Issue 12: a JSON string with a lone surrogate (``"\\ud800"``) reached the forms and the API
and gave a 500 on every form, the sign-in and the public story form included: Python
holds it, but it cannot be encoded to UTF-8 for the database or the page. A surrogate
pair (``"\\ud83d\\ude00"``, an emoji as many JSON encoders write it) is one real character
and stays allowed. Raw bytes in the query string that are not UTF-8 gave a 500 too.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from monitor.counts.models import CountReturn
from monitor.extensions import db
from monitor.models import Role

from ..counts.test_api import GOOD, bearer, create_token

MESSAGE = "een teken dat geen tekst kan zijn"
LONE = ["a\\ud800@test.nl", "\\udfff", "x\\udc00y", "\\ud800\\ud800"]


def _json(payload: dict, *lone_fields: str, value: str = "\\ud800") -> str:
    """``payload`` as JSON text with a lone surrogate escape in the given fields."""
    text = json.dumps(payload)
    for name in lone_fields:
        text = text.replace(f'"{name}": "', f'"{name}": "{value}', 1)
    return text


def _is_dutch_400(response) -> None:
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="nl"' in html and MESSAGE in html


@pytest.mark.parametrize("value", LONE)
def test_sign_in_with_a_lone_surrogate_is_a_dutch_400(client, value):
    body = _json({"email": "iemand@test.nl", "password": "geheim-wachtwoord"}, "email", value=value)
    _is_dutch_400(client.post("/account/inloggen", data=body, content_type="application/json"))


def test_public_story_form_with_a_lone_surrogate_is_a_dutch_400(app, client):
    body = _json({"title": "Koffie", "summary": "Samen", "body": "Tekst", "website": ""}, "body")
    _is_dutch_400(client.post("/verhalen/vertel", data=body, content_type="application/json"))


def test_every_form_refuses_it_in_keys_and_nested_values(login_as):
    admin = login_as(Role.ADMIN)
    for body in ('{"name": "Oost\\ud800", "code": ""}', '{"na\\udfffme": "Oost"}',
                 '{"name": ["Oost", "\\ud800"]}', '{"name": {"diep": [{"dieper": "\\udc00"}]}}'):
        _is_dutch_400(admin.post("/beheer/wijken/nieuw", data=body, content_type="application/json"))
    with admin.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("wijken"))) == 8


def test_the_api_answers_a_json_400_in_dutch(app, login_as):
    token = create_token(app, login_as(Role.ACCOUNTHOUDER))
    body = _json(GOOD, "wijk", value="Oost\\ud800")
    response = app.test_client().post("/api/v1/returns", data=body, content_type="application/json",
                                      headers=bearer(token))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and MESSAGE in error["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CountReturn.id))) == 0


def test_a_surrogate_pair_is_an_ordinary_character(app, client, make_user):
    user = make_user(Role.RAADSLID, email="emoji@test.nl")
    body = '{"email": "emoji@test.nl", "password": "fout-\\ud83d\\ude00-wachtwoord"}'
    response = client.post("/account/inloggen", data=body, content_type="application/json")
    assert response.status_code == 401 and user.email  # a wrong password, nothing worse


def test_undecodable_bytes_in_the_query_string_are_a_dutch_400(client):
    for raw in (b"q=\xed\xa0\x80", b"q=buurt\xff", b"\xc0\xaf=1"):
        response = client.get("/verhalen/", environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
        _is_dutch_400(response)
    # Percent-escapes that are not UTF-8 stay as typed: an ordinary (odd) search.
    assert client.get("/verhalen/?q=%ED%A0%80").status_code == 200


def test_deeply_nested_json_is_refused_not_a_500(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/account/inloggen", data=body, content_type="application/json")
    assert response.status_code == 400
