"""A resident's story told in a monitorgesprek: chosen, fed back, and withdrawable after."""

from __future__ import annotations

import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story

from .test_meetings_flow import open_session


def test_resident_hears_why_their_story_mattered_and_can_still_withdraw(app, narr_app, public_form, login_as):
    resident = app.test_client()
    response = resident.post("/verhalen/vertel", data=public_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    receipt = resident.get(response.headers["Location"]).get_data(as_text=True)
    private = re.search(r"/verhalen/mijn/[\w-]+", receipt).group(0)
    with app.app_context():
        story_id = db.session.scalar(sa.select(Story.id))

    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    session_id = open_session(coordinator, app, wijk="Hilversumse Meent", year=2026, tertial=1)
    page = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert "Koffie in het ontmoetingscentrum" in page  # offered as a candidate
    coordinator.post(f"/monitorgesprekken/{session_id}/verhalen",
                     data={"story-story_id": str(story_id), "story-storyteller_present": "y"})
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    response = coordinator.post(f"/monitorgesprekken/{session_id}/verslag", data={
        "held_on": "2026-05-20", "most_significant_story_id": str(story_id),
        "most_significant_why": "Het laat zien dat koffie mensen verbindt."})
    assert response.status_code == 302

    mine = resident.get(private).get_data(as_text=True)
    assert "Monitorgesprek Hilversumse Meent, mei 2026" in mine
    assert "Het laat zien dat koffie mensen verbindt." in mine

    # Withdrawal still works and the dossier no longer tells the story.
    resident.post(private + "/intrekken")
    dossier = coordinator.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    assert "Koffie in het ontmoetingscentrum" not in dossier
    assert "Dit verhaal is ingetrokken door de verteller." in dossier
    assert "Het laat zien dat koffie" not in resident.get(private).get_data(as_text=True)
