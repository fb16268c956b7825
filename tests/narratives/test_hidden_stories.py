"""Issue 12: a published story a reader may not see does not exist for them (404, no login page)."""

from __future__ import annotations

from monitor.models import Role


def test_a_published_story_the_visitor_may_not_read_is_404_not_a_login_page(
        narr_app, make_story, client, login_as):
    for visibility in ("raad", "intern"):
        story_id = make_story(wijk="Oost", visibility=visibility, title=f"Verhaal {visibility}")
        response = client.get(f"/verhalen/verhaal/{story_id}")
        assert response.status_code == 404, visibility
        assert "inloggen" not in response.headers.get("Location", "")
        assert login_as(Role.SOCIAAL_WERKER, wijken=["Zuid"]).get(
            f"/verhalen/verhaal/{story_id}").status_code == 200
    intern = make_story(wijk="Oost", visibility="intern", title="Alleen intern")
    assert login_as(Role.RAADSLID).get(f"/verhalen/verhaal/{intern}").status_code == 404
    # A story that does not exist answers exactly the same.
    missing = client.get("/verhalen/verhaal/999999")
    assert missing.status_code == 404
