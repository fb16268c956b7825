"""The monitorgesprek's dossier links a story's recordings; its PDF names them."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from monitor.models import Role

from ..meetings.conftest import pdf_text
from ..meetings.test_documents import _issue
from . import mediakit


@pytest.mark.slow
def test_the_dossier_links_the_recording_and_the_pdf_names_it(narr_app, make_story, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    story_id = make_story(wijk="Oost", title="Het hoorspel van de markt", about=date(2026, 2, 1))
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/opname", data={
        "media-file": (io.BytesIO(mediakit.sound("mp3")), "markt.mp3"),
        "media-title": "Kooplieden roepen hun waren om",
        "media-transcript": "Verse vis! Twee kilo appels voor een euro!"},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    session_id = _issue(narr_app, coordinator, story_id)
    council = login_as(Role.RAADSLID)
    page = council.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    link = re.search(r'Geluid: <a class="utrecht-link" href="(https?://localhost/verhalen/opname/[0-9a-f]{32})">'
                     r'Kooplieden roepen hun waren om</a> \(0:01, met transcript\)', page)
    assert link, page
    path = link.group(1).split("localhost", 1)[1]
    assert narr_app.test_client().get(path, buffered=True).mimetype == "audio/mp4"
    text = pdf_text(council.get(f"/monitorgesprekken/{session_id}/dossier.pdf").data)
    assert "Kooplieden roepen hun waren om" in text and "Geluid" in text
