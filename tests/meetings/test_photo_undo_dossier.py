"""Issue 19 §5: a photo removed with undo leaves every issued dossier (page, Word, the
dossier's photo URL) at once, and comes back when the removal is undone."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import StoryPhoto

from ..narratives.conftest import make_story  # noqa: F401  (fixture)
from .test_documents import PHOTO_URL, _issue, _story_with_photos, docx_facts


def test_a_removed_photo_leaves_the_issued_dossier_until_it_is_restored(
        narr_app, make_story, login_as):  # noqa: F811
    app = narr_app
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id, _ = _story_with_photos(app, make_story, coordinator)
    session_id = _issue(app, coordinator, story_id)
    council = login_as(Role.RAADSLID)
    url = f"/monitorgesprekken/{session_id}/dossier"
    page = council.get(url).get_data(as_text=True)
    assert 'alt="Tomaten aan de plant"' in page and len(set(PHOTO_URL.findall(page))) == 2
    with app.app_context():
        key = db.session.scalar(sa.select(StoryPhoto.file_key).where(StoryPhoto.alt_text == "Tomaten aan de plant"))
    assert council.get(f"/monitorgesprekken/foto/{key}/web").status_code == 200

    assert coordinator.post(f"/verhalen/foto/{key}/verwijderen").status_code == 302
    page = council.get(url).get_data(as_text=True)
    assert "Tomaten aan de plant" not in page and "De eerste oogst" not in page
    assert key not in PHOTO_URL.findall(page) and len(set(PHOTO_URL.findall(page))) == 1
    assert council.get(f"/monitorgesprekken/foto/{key}/web").status_code in (404, 410)
    assert docx_facts(council.get(url + ".docx").data)["pictures"] == 1

    assert coordinator.post(f"/verhalen/foto/{key}/terugzetten").status_code == 302
    page = council.get(url).get_data(as_text=True)
    assert 'alt="Tomaten aan de plant"' in page and key in PHOTO_URL.findall(page)
    assert council.get(f"/monitorgesprekken/foto/{key}/web").status_code == 200
