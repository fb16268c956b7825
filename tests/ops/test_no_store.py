"""Everything that can hold personal data is sent with ``Cache-Control: no-store``."""

from __future__ import annotations

from monitor.models import Role

from ..counts.test_api import bearer, create_token
from ..meetings.test_meetings_flow import open_session


def test_exports_pdfs_and_api_answers_are_never_cached(app, login_as, client):
    accounthouder = login_as(Role.ACCOUNTHOUDER)
    downloads = [accounthouder.get(url, query_string={"van": "2025-1", "tot": "2025-3"}) for url in (
        "/tellen/export/opgaven.csv", "/tellen/export/opgaven.xlsx",
        "/tellen/dashboard/export.csv", "/tellen/dashboard/export.xlsx")]
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app)
    assert coordinator.post(f"/monitorgesprekken/{session_id}/dossier").status_code == 302
    downloads.append(coordinator.get(f"/monitorgesprekken/{session_id}/dossier.pdf"))
    token = create_token(app, login_as(Role.ADMIN))
    downloads.append(client.get("/api/v1/returns?year=2025", headers=bearer(token)))
    downloads.append(client.get("/api/v1/returns?year=2025"))  # the JSON 401
    for response in downloads:
        assert response.status_code in (200, 401), (response.request.path, response.status_code)
        assert response.mimetype != "text/html", response.request.path
        assert response.headers.get("Cache-Control") == "no-store", (
            response.request.path, response.mimetype)


def test_static_files_keep_their_own_revalidation(client):
    response = client.get("/static/css/app.css")
    response.close()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
