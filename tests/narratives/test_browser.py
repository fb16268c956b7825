"""The archive in Debian's Chromium: WCAG 2.1 A/AA (axe-core), CSP, keyboard gallery."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from monitor.extensions import db

from ..browserkit import live_app, run_axe, serve
from ..conftest import PASSWORD
from .conftest import image_bytes

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def live(database_uri: str, tmp_path_factory) -> Iterator[dict]:
    """The app on a free port with one published story with three photos."""
    tmp = tmp_path_factory.mktemp("narratives-live")
    app = live_app(database_uri, tmp)
    with app.test_request_context("/"):
        from monitor.catalogues import Quality, seed_catalogue
        from monitor.models import Wijk
        from monitor.narratives import services
        from monitor.narratives.models import Story, StoryIndexOp, StoryStatus, Visibility
        from monitor.seed import seed_organisations, seed_places

        seed_places()
        seed_organisations()
        seed_catalogue()
        story = Story(reference="VH-BROWSR", title="Samen in de tuin", summary="Een tuin in Oost.",
                      body="Hij kan niet meer bukken, zij houdt van **tuinieren**.",
                      wijk_id=db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost")),
                      about_date=date(2025, 6, 1), status=StoryStatus.GEPUBLICEERD,
                      visibility=Visibility.OPENBAAR, consent_given=True)
        story.qualities = list(db.session.scalars(sa.select(Quality).where(Quality.code == "K7")))
        db.session.add(story)
        db.session.commit()
        services.add_photos(story, [
            services.PhotoInput(stream=io.BytesIO(image_bytes("PNG", size=(300, 200), color=c)),
                                alt_text=f"Tuinfoto {i}", caption=f"Onderschrift {i}")
            for i, c in enumerate([(200, 30, 30), (30, 200, 30), (30, 30, 200)], start=1)])
        db.session.add(StoryIndexOp(story_id=story.id))
        db.session.commit()
        services.apply_pending()
        story_id = story.id
        waiting = Story(reference="VH-WACHT1", title="Wacht op moderatie", summary="Nieuw.",
                        body="Een *nieuw* verhaal.", wijk_id=story.wijk_id,
                        about_date=date(2026, 1, 5), status=StoryStatus.INGEDIEND,
                        visibility=Visibility.OPENBAAR, consent_given=True,
                        contributed_publicly=True)
        waiting.qualities = list(story.qualities)
        db.session.add(waiting)
        from monitor.admin.services import create_user
        from monitor.models import Organisation, Role

        create_user(name="Browser Coördinator", email="bc@browser.test", role=Role.BUURTCOORDINATOR,
                    organisation_id=db.session.scalar(sa.select(Organisation.id).where(
                        Organisation.name == "Gemeente Hilversum")),
                    wijk_ids=[story.wijk_id], password=PASSWORD, must_change_password=False)
        waiting_id = waiting.id
    with serve(app) as url:
        yield {"url": url, "story": story_id, "waiting": waiting_id}


@pytest.mark.parametrize("path", ["/verhalen/", "/verhalen/?q=tuinieren", "/verhalen/vertel",
                                  "/verhalen/verhaal/{story}", "/verhalen/wijk/4"])
def test_pages_pass_axe_without_csp_errors(live, page, path):
    page.goto(live["url"] + path.format(story=live["story"]))
    assert run_axe(page) == []
    assert page.csp_errors == []


def test_gallery_works_with_the_keyboard(live, page):
    page.goto(f"{live['url']}/verhalen/verhaal/{live['story']}")
    image = page.locator("#gallery-image")
    assert image.get_attribute("alt") == "Tuinfoto 1"
    page.locator(".gallery__thumb").first.focus()
    page.keyboard.press("ArrowRight")
    assert image.get_attribute("alt") == "Tuinfoto 2"
    assert page.locator("#gallery-caption").inner_text() == "Onderschrift 2"
    assert page.evaluate("document.activeElement.getAttribute('data-alt')") == "Tuinfoto 2"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert image.get_attribute("alt") == "Tuinfoto 3"
    page.keyboard.press("Enter")  # activating a thumbnail shows it, without leaving the page
    assert "/verhalen/verhaal/" in page.url
    assert page.locator(".gallery__thumb[aria-current='true'] img").get_attribute("alt").endswith("Tuinfoto 3")


def test_form_errors_are_accessible_and_keep_input(live, page):
    page.goto(live["url"] + "/verhalen/vertel")
    page.fill("#title", "Mijn verhaal")
    page.click("button[type=submit]")
    assert page.locator("#foutmeldingen").is_visible()
    assert page.input_value("#title") == "Mijn verhaal"
    assert page.locator("#summary").get_attribute("aria-invalid") == "true"
    assert run_axe(page) == []
    assert page.csp_errors == []


def test_coordinator_pages_pass_axe(live, page):
    page.goto(live["url"] + "/account/inloggen")
    page.fill("#email", "bc@browser.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert "/start" in page.url
    assert "Wacht op moderatie" in page.content()
    for path in ("/start", "/verhalen/moderatie", f"/verhalen/verhaal/{live['waiting']}/moderatie",
                 f"/verhalen/verhaal/{live['waiting']}/bewerken", "/verhalen/mijn-verhalen",
                 "/verhalen/nieuw"):
        page.goto(live["url"] + path)
        assert run_axe(page) == [], path
        assert page.csp_errors == [], path


def test_on_a_phone_the_results_come_before_the_filters(live, page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live["url"] + "/verhalen/?q=tuin")
    results = page.locator("section.results").bounding_box()
    facets = page.locator("aside.facets").bounding_box()
    assert results["y"] + results["height"] <= facets["y"]  # one column, the results above
    assert page.locator(".story-card__title").first.inner_text() == "Samen in de tuin"
    # Keyboard order follows what is seen: the first story before the first filter, and
    # the link to the filters goes there.
    order = page.evaluate("""() => [...document.querySelectorAll('a[href]')].map(a => a.href)""")
    first_story = next(i for i, h in enumerate(order) if "/verhalen/verhaal/" in h)
    first_filter = next(i for i, h in enumerate(order) if "wijk=" in h)
    assert first_story < first_filter
    page.click("text=Naar de filters")
    assert page.url.endswith("#filters-kop")
    assert run_axe(page) == [] and page.csp_errors == []
    # On a wide screen the filters stand in a column on the left of the results.
    page.set_viewport_size({"width": 1280, "height": 900})
    results = page.locator("section.results").bounding_box()
    facets = page.locator("aside.facets").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"] and abs(facets["y"] - results["y"]) < 5
