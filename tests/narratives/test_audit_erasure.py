"""Issue 12: erasing a story (withdrawal, anonymisation, deletion) erases it from the audit trail.

The trail keeps the facts (who, which action, when, which story), not the erased content.
"""

from __future__ import annotations

from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story

from .conftest import contribute, image_bytes, quality_id, wijk_id


def test_erased_story_content_leaves_the_audit_trail_but_the_facts_stay(
        narr_app, client, public_form, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    admin = login_as(Role.ADMIN)
    with narr_app.app_context():
        story_id, private = contribute(
            client, public_form, title="Henk Jansma en de moestuin",
            body="Henk Jansma woont op de Lelielaan 12 en geeft ons groente.",
            photos=[(image_bytes("JPEG"), "tuin.jpg", "Henk Jansma bij de tomaten",
                     {"caption": "Henk Jansma in zijn tuin"})])
    coordinator.post(f"/verhalen/verhaal/{story_id}/terugsturen",
                     data={"ret-remarks": "Mag de Lelielaan 12 eruit?"})
    client.post(private, data={"title": "Henk Jansma en de moestuin",
                               "summary": "Een tuin vol groente van Henk Jansma.",
                               "body": "Henk Jansma geeft ons groente uit de moestuin."})
    with narr_app.app_context():
        data = {"title": "Henk Jansma en de moestuin", "summary": "Groente uit de moestuin.",
                "body": "Henk Jansma geeft ons groente.", "wijk_id": str(wijk_id("Hilversumse Meent")),
                "buurt_id": "", "about_date": "2026-03-10", "form": "tekst",
                "quality_ids": [str(quality_id("K1"))], "tags": "moestuin",
                "teller": "inwoner", "teller_name": "Henk Jansma", "consent_given": "y",
                "consent_method": "online", "consent_date": "2026-03-10"}
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/bewerken", data=data).status_code == 302
    before = admin.get("/beheer/audit").get_data(as_text=True)
    assert "Henk Jansma" in before and "Lelielaan" in before  # the trail kept the content so far

    response = coordinator.post(f"/verhalen/verhaal/{story_id}/anonimiseren",
                                data={"ano-names": "Henk Jansma\nLelielaan 12"})
    assert response.status_code == 302
    with narr_app.app_context():
        story = db.session.get(Story, story_id)
        assert "Lelielaan" not in story.moderation_remarks and "[naam]" in story.moderation_remarks
    after_anonymising = admin.get("/beheer/audit").get_data(as_text=True)
    assert "Henk" not in after_anonymising and "Lelielaan" not in after_anonymising
    assert "Jansma" not in admin.get("/beheer/audit?actie=story").get_data(as_text=True)

    assert client.post(private + "/intrekken").status_code == 302
    trail = admin.get("/beheer/audit?actie=story").get_data(as_text=True)
    for erased in ("Henk", "Jansma", "Lelielaan", "moestuin", "groente", "tomaten"):
        assert erased not in trail, erased
    # The facts stay: who did what, when, to which story.
    for action in ("story.contribute", "story.return", "story.resident_revise", "story.update",
                   "story.anonymise", "story.withdraw"):
        assert action in trail, action
    assert coordinator.user.name in trail and "inwoner (privélink)" in trail
    assert "ingetrokken" in trail  # the status change is a fact, not content
    with narr_app.app_context():
        story = db.session.get(Story, story_id)
        stored = " ".join(str(getattr(story, c.key)) for c in Story.__table__.columns)
        for erased in ("Henk", "Jansma", "Lelielaan", "moestuin", "groente"):
            assert erased not in stored, erased


def test_deleting_a_story_erases_its_content_from_the_audit_trail(narr_app, make_story, login_as):
    story_id = make_story(wijk="Oost", title="Het verhaal van mevrouw Brink", status="ingediend")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    with narr_app.app_context():
        story = db.session.get(Story, story_id)
        data = {"title": story.title, "summary": "Mevrouw Brink vertelt.", "body": "Over mevrouw Brink.",
                "wijk_id": str(story.wijk_id), "buurt_id": "", "about_date": "2025-05-01", "form": "tekst",
                "quality_ids": [str(quality_id("K1"))], "tags": "", "teller": "inwoner",
                "teller_name": "Anna Brink", "consent_given": "y", "consent_method": "schriftelijk",
                "consent_date": "2025-05-01"}
    coordinator.post(f"/verhalen/verhaal/{story_id}/bewerken", data=data)
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/verwijderen").status_code == 302
    trail = login_as(Role.ADMIN).get("/beheer/audit").get_data(as_text=True)
    assert "Brink" not in trail
    assert "story.update" in trail and "story.delete" in trail
