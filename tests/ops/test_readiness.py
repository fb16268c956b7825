"""Issue 15: /gereed checks database, file store and job queue; /gezondheid stays cheap."""

from __future__ import annotations

import secrets

from monitor import create_app, storage
from monitor.storage import StorageError

from ..conftest import base_config


def test_a_ready_server_answers_200_with_every_part_ok(app, client):
    response = client.get("/gereed")
    assert response.status_code == 200
    assert response.get_json() == {"status": "gereed", "onderdelen": {
        "database": "ok", "opslag": "ok", "wachtrij": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"
    # The probe leaves nothing behind in the store.
    with app.app_context():
        assert list(storage.current().keys("gereed")) == []


def test_a_store_that_refuses_writes_makes_the_server_not_ready(app, client, monkeypatch):
    def refuse(self, key, data, content_type="application/octet-stream"):
        raise StorageError("Het bestand kon niet worden opgeslagen.")

    monkeypatch.setattr(storage.LocalStorage, "put", refuse)
    response = client.get("/gereed")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "niet gereed"
    assert body["onderdelen"] == {"database": "ok", "opslag": "fout", "wachtrij": "ok"}


def test_a_redis_queue_nobody_answers_is_reported_without_its_address(app, client):
    app.config.update(QUEUE_URL="redis://:geheim-wachtwoord@127.0.0.1:9/0",
                      QUEUE_NAME=f"tv-test-{secrets.token_hex(4)}")
    response = client.get("/gereed")
    assert response.status_code == 503
    assert response.get_json()["onderdelen"]["wachtrij"] == "fout"
    text = response.get_data(as_text=True)
    assert "127.0.0.1" not in text and "geheim" not in text and "redis" not in text.lower()


def test_the_redis_queue_that_answers_is_ready(app, client):
    """Redis runs on the test machine (scripts/ensure-redis.sh)."""
    app.config.update(QUEUE_URL="redis://127.0.0.1:6379/0", QUEUE_NAME=f"tv-test-{secrets.token_hex(4)}")
    assert client.get("/gereed").get_json()["onderdelen"]["wachtrij"] == "ok"


def test_a_database_away_is_not_ready_but_still_alive(tmp_path):
    app = create_app(base_config(tmp_path / "inst", "postgresql+psycopg://nobody:pw@127.0.0.1:9/none"))
    client = app.test_client()
    response = client.get("/gereed")
    assert response.status_code == 503
    assert response.get_json()["onderdelen"] == {"database": "fout", "opslag": "ok", "wachtrij": "ok"}
    assert "nobody" not in response.get_data(as_text=True)
    # Liveness needs no database: the process runs.
    alive = client.get("/gezondheid")
    assert alive.status_code == 200 and alive.get_data(as_text=True) == "ok\n"


def test_readiness_is_never_limited_like_the_sign_in(app, client):
    app.config.update(LOGIN_IP_MAX_FAILURES=1)
    for _ in range(3):
        client.post("/account/inloggen", data={"email": "x@example.org", "password": "fout"})
    assert all(client.get("/gereed").status_code == 200 for _ in range(30))
