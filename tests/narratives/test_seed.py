"""Demo data: deterministic, idempotent, photos through the pipeline, indexed."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.narratives.models import Story, StoryPhoto, StoryStatus
from monitor.narratives.seed import SITUATIONS, seed_demo_stories


@pytest.mark.slow
def test_seed_demo_stories_is_idempotent_and_indexed(app, client):
    from monitor.seed import seed_demo_users

    messages: list[str] = []
    with app.app_context():
        seed_demo_users(lambda m: None)
        seed_demo_stories(messages.append)
        db.session.commit()
        titles = db.session.scalars(sa.select(Story.title).order_by(Story.reference)).all()
        photo_count = db.session.scalar(sa.select(sa.func.count(StoryPhoto.id)))
        published = db.session.scalar(sa.select(sa.func.count(Story.id)).where(
            Story.status == StoryStatus.GEPUBLICEERD, Story.visibility == "openbaar"))
        seed_demo_stories(messages.append)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Story.id))) == len(titles)
    assert len(titles) == 3 * len(SITUATIONS)
    assert any("Kleine Lelie" in t for t in titles) and any("Meent" in t for t in titles)
    files = list(Path(app.config["UPLOAD_FOLDER"]).glob("*.jpg"))
    assert photo_count > 0 and len(files) == 2 * photo_count
    html = client.get("/verhalen/").get_data(as_text=True)
    assert f">{published} verhalen<" in html
    assert "0 verhalen toegevoegd" in messages[-1]
