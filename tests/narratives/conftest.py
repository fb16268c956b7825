"""Builders for the story archive tests: real generated images, stories, form data."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image

from monitor.catalogues import Quality
from monitor.extensions import db
from monitor.models import Wijk
from monitor.narratives import services
from monitor.narratives.models import (
    ConsentMethod,
    Story,
    StoryForm,
    StoryIndexOp,
    StoryStatus,
    Teller,
    Visibility,
)

from ..browserkit import browser, page  # noqa: F401  (browser fixtures)
from ..conftest import BACKEND
from . import archive


def pytest_collection_finish(session: pytest.Session) -> None:
    """On SQLite, start building the 10,000-story archive in a second process as soon as
    the collected tests are known to need it (``archive.py``): the first test that uses
    ``big_app`` finds it ready or waits for the rest."""
    if BACKEND != "sqlite" or session.config.option.collectonly:
        return
    if any("big_app" in getattr(item, "fixturenames", ()) for item in session.items):
        factory = session.config._tmp_path_factory  # the run's tmp_path_factory
        archive.Background.start(factory.mktemp("archief-10000"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    archive.Background.stop()  # an interrupted run leaves no build behind

GPS_TAG = 0x8825
ORIENTATION_TAG = 0x0112


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), *, gps: bool = False,
                orientation: int | None = None, color=(200, 30, 30), mode: str = "RGB") -> bytes:
    """A real image file made with Pillow; optionally with EXIF GPS and orientation."""
    image = Image.new(mode, size, color if mode != "RGBA" else color + (128,))
    # A marker in the top-left corner to check rotation.
    if mode in ("RGB", "RGBA"):
        for x in range(8):
            for y in range(8):
                image.putpixel((x, y), (0, 0, 255) if mode == "RGB" else (0, 0, 255, 255))
    out = io.BytesIO()
    kwargs = {}
    if gps or orientation:
        exif = Image.Exif()
        if gps:
            exif.get_ifd(GPS_TAG).update({1: "N", 2: (52.0, 13.0, 30.0), 3: "E", 4: (5.0, 10.0, 0.0)})
            exif[0x010F] = "Testcamera"
        if orientation:
            exif[ORIENTATION_TAG] = orientation
        kwargs["exif"] = exif.tobytes()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def wijk_id(name: str) -> int:
    return db.session.scalar(sa.select(Wijk.id).where(Wijk.name == name))


def quality_id(code: str) -> int:
    return db.session.scalar(sa.select(Quality.id).where(Quality.code == code))


@pytest.fixture
def narr_app(app):
    """The app with the public form's minimum fill time switched off."""
    app.config["NARRATIVES_MIN_FILL_SECONDS"] = 0
    return app


@pytest.fixture
def stamp(narr_app) -> str:
    with narr_app.app_context():
        return services.form_stamp()


@pytest.fixture
def public_form(narr_app) -> Callable[..., dict]:
    """Form data for the public form: ``public_form(photos=[(bytes, name, alt), ...])``.

    Every call carries a fresh fill-time stamp (a stamp is good for one submission).
    """

    def build(*, photos: list[tuple] = (), **overrides) -> dict:
        with narr_app.app_context():
            stamp = services.form_stamp()
            data = {
                "title": "Koffie in het ontmoetingscentrum",
                "summary": "Hoe onze buurten elkaar vinden bij de koffie.",
                "body": "Elke dinsdag drinken we koffie in de buurt. *Gezellig*.",
                "wijk_id": str(wijk_id("Hilversumse Meent")),
                "buurt_id": "",
                "about_date": "2026-03-10",
                "form": "tekst",
                "quality_ids": [str(quality_id("K1")), str(quality_id("K7"))],
                "tags": "koffie, ontmoeting",
                "teller_name": "",
                "visibility": "openbaar",
                "language": "nl",
                "consent_given": "y",
                "website": "",
                "started": stamp,
            }
        for i, photo in enumerate(photos, start=1):
            content, filename, alt = photo[:3]
            extra = photo[3] if len(photo) > 3 else {}
            data[f"photo_{i}-file"] = (io.BytesIO(content), filename)
            data[f"photo_{i}-alt_text"] = alt
            data[f"photo_{i}-caption"] = extra.get("caption", "")
            if extra.get("recognisable"):
                data[f"photo_{i}-recognisable_people"] = "y"
            if extra.get("consent"):
                data[f"photo_{i}-portrait_consent"] = "y"
        data.update(overrides)
        return data

    return build


@pytest.fixture
def make_story(narr_app) -> Callable[..., int]:
    """Create a story directly in the database; published ones are queued for the index.

    Returns the story id. The index is brought up to date by ``apply_pending``.
    """
    counter = {"n": 0}

    def make(*, title: str = "Een verhaal", body: str = "Tekst over de buurt.",
             wijk: str = "Oost", qualities: tuple[str, ...] = ("K1",),
             status: StoryStatus = StoryStatus.GEPUBLICEERD,
             visibility: Visibility = Visibility.OPENBAAR, form: StoryForm = StoryForm.TEKST,
             about: date = date(2025, 5, 1), author_id: int | None = None,
             summary: str = "Samenvatting.", tags: str = "", index: bool = True,
             language: str = "nl") -> int:
        counter["n"] += 1
        with narr_app.app_context():
            story = Story(
                reference=f"VH-T{counter['n']:05d}", title=title, summary=summary, body=body,
                wijk_id=wijk_id(wijk), about_date=about, form=form, teller=Teller.INWONER,
                visibility=visibility, status=status, author_id=author_id, tags=tags,
                consent_given=True, consent_method=ConsentMethod.SCHRIFTELIJK,
                consent_date=about, consent_recorded_by="test", language=language)
            story.qualities = list(db.session.scalars(sa.select(Quality).where(Quality.code.in_(qualities))))
            db.session.add(story)
            db.session.flush()
            db.session.add(StoryIndexOp(story_id=story.id))
            db.session.commit()
            if index:
                services.apply_pending()
            return story.id

    return make


def contribute(client, public_form, **overrides) -> tuple[int, str]:
    """A resident sends a story (inside an app context); returns its id and private link path."""
    response = client.post("/verhalen/vertel", data=public_form(**overrides),
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    private = re.search(r'href="https?://localhost(/verhalen/mijn/[^"]+)"', receipt).group(1)
    reference = re.search(r'class="reference">(VH-[A-Z0-9]{6})<', receipt).group(1)
    story_id = db.session.scalar(sa.select(Story.id).where(Story.reference == reference))
    return story_id, private
