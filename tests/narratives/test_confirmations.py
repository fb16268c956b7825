"""Issue 19 §5: withdrawing or deleting a story and removing a photo ask for confirmation
first, on a page of their own (no JavaScript); looking at that page changes nothing."""

from __future__ import annotations

import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story, StoryPhoto, StoryStatus

from .conftest import contribute
from .test_teller_link import _story, _write_story


def _confirmation(client, path, *texts):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, path
    assert re.search(rf'<form method="post" action="{re.escape(path)}"', html), path
    assert 'name="csrf_token"' in html and "Nee, terug" in html
    for text in texts:
        assert text in html, text
    return html


def test_the_moderators_destructive_buttons_lead_to_a_confirmation_step(narr_app, make_story, login_as, client):
    story_id = make_story(wijk="Oost", title="De moestuin")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    page = coordinator.get(f"/verhalen/verhaal/{story_id}/moderatie").get_data(as_text=True)
    for action in ("intrekken", "verwijderen"):
        path = f"/verhalen/verhaal/{story_id}/{action}"
        assert f'href="{path}"' in page
        assert not re.search(rf'<form[^>]*action="{path}"', page)  # no one-click destruction
    _confirmation(coordinator, f"/verhalen/verhaal/{story_id}/intrekken", "Wilt u het verhaal &#39;De moestuin&#39; intrekken?",
                  "Dit kan niet ongedaan worden gemaakt.")
    _confirmation(coordinator, f"/verhalen/verhaal/{story_id}/verwijderen", "voorgoed verwijderen")
    with narr_app.app_context():
        assert db.session.get(Story, story_id).status == StoryStatus.GEPUBLICEERD
    # The pages are the moderator's: not for others.
    assert client.get(f"/verhalen/verhaal/{story_id}/verwijderen").status_code in (302, 401, 403, 404)
    assert login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"]).get(
        f"/verhalen/verhaal/{story_id}/intrekken").status_code == 403
    # Confirmed: done.
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/verwijderen").status_code == 302
    with narr_app.app_context():
        assert db.session.get(Story, story_id) is None


def test_photo_removal_and_the_tellers_withdrawal_are_confirmed_first(narr_app, login_as, client, public_form):
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id, private, _ = _write_story(narr_app, worker)
    with narr_app.app_context():
        key = db.session.scalar(sa.select(StoryPhoto.file_key).where(StoryPhoto.story_id == story_id))
    edit = worker.get(f"/verhalen/verhaal/{story_id}/bewerken").get_data(as_text=True)
    assert f'href="/verhalen/foto/{key}/verwijderen"' in edit
    _confirmation(worker, f"/verhalen/foto/{key}/verwijderen", "Een bankje aan het water")
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StoryPhoto.id))) == 1
    assert worker.post(f"/verhalen/foto/{key}/verwijderen").status_code == 302
    assert worker.get(f"/verhalen/foto/{key}/verwijderen").status_code in (404, 410)

    # The teller's own page: the withdrawal link opens the confirmation step.
    page = client.get(private).get_data(as_text=True)
    assert f'href="{private}/intrekken"' in page and not re.search(rf'<form[^>]*action="{private}/intrekken"', page)
    _confirmation(client, private + "/intrekken", "Wilt u uw verhaal", "meteen gewist")
    assert _story(narr_app, story_id).status != StoryStatus.INGETROKKEN
    assert client.post(private + "/intrekken").status_code == 302
    assert _story(narr_app, story_id).status == StoryStatus.INGETROKKEN
    assert client.get(private + "/intrekken").status_code == 404
    assert client.get("/verhalen/mijn/" + "x" * 43 + "/intrekken").status_code == 404
    # A resident's own story has the same step.
    with narr_app.app_context():
        _, own = contribute(client, public_form)
    _confirmation(client, own + "/intrekken", "Ja, mijn verhaal intrekken")
