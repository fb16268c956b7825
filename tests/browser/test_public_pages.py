"""Issue 19 in Chromium: the public pages fit a 375 px phone in every language (no
horizontal overflow; the withdrawal link on screen; the private page, its withdrawal step
and a wijk's overview), the consent checkbox's label runs
the full width beside the box, right-to-left pages are mirrored, and axe finds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from ..browserkit import live_app, open_page, run_axe, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 375, "height": 740}
LANGS = ("nl", "en", "tr", "ar")


@pytest.fixture(scope="module")
def live(database_uri: str, tmp_path_factory) -> Iterator[str]:
    app = live_app(database_uri, tmp_path_factory.mktemp("public-live"))
    app.config["NARRATIVES_MIN_FILL_SECONDS"] = 0
    with app.app_context():
        from monitor.catalogues import seed_catalogue
        from monitor.seed import seed_organisations, seed_places

        seed_places()
        seed_organisations()
        seed_catalogue()
        from monitor.extensions import db

        db.session.commit()
    with serve(app) as url:
        yield url


@pytest.fixture
def phone(browser) -> Iterator:
    with open_page(browser, viewport=PHONE) as page:
        yield page


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("lang", LANGS)
def test_public_pages_fit_375_px_and_pass_axe(live, phone, lang):
    for path in ("/", "/verhalen/", "/verhalen/vertel", "/toegankelijkheid", "/privacy"):
        phone.goto(f"{live}{path}?lang={lang}")
        assert phone.evaluate("() => document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
        assert overflow(phone) <= 0, (path, lang, overflow(phone))
        heading = phone.locator("h1").bounding_box()
        assert heading["x"] >= 0 and heading["x"] + heading["width"] <= PHONE["width"], (path, lang)
        assert run_axe(phone) == [], (path, lang)
    assert phone.csp_errors == []


def test_consent_label_runs_the_full_width_beside_the_box(live, phone, browser):
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        phone.set_viewport_size(viewport)
        phone.goto(f"{live}/verhalen/vertel")
        box = phone.locator("#consent_given").bounding_box()
        label = phone.locator("label[for=consent_given]").bounding_box()
        form = phone.locator("form.public-form").bounding_box()
        assert label["x"] > box["x"] + box["width"]  # beside the box, not under it
        assert label["y"] < box["y"] + box["height"]  # on the same line
        # The label takes the row beside the box (up to the field's reading width).
        assert label["width"] >= min(form["width"], 42 * 16) - box["width"] - 40, viewport


def test_choosing_an_audience_changes_the_consent_sentence(live, phone):
    phone.goto(f"{live}/verhalen/vertel?lang=en")
    sentence = phone.locator(".consent-audience")
    assert sentence.inner_text() == "the group I choose above"
    phone.get_by_label("Only the municipal council and the staff of the municipality.").check()
    assert sentence.inner_text() == "the municipal council and the staff of the municipality"


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_received_page_fits_a_phone_with_the_withdrawal_link_on_screen(live, phone, lang):
    phone.goto(f"{live}/verhalen/vertel?lang={lang}")
    phone.fill("#title", "Het bankje bij de vijver")
    phone.fill("#summary", "Buren praten bij het bankje.")
    phone.fill("#body", "Elke ochtend zitten we daar en praten we.")
    phone.select_option("#wijk_id", label="Oost")
    phone.fill("#about_date", date.today().isoformat())
    phone.check("input[name=visibility][value=openbaar]")
    phone.check("#consent_given")
    phone.locator("form.public-form button[type=submit]").click()
    phone.wait_for_url("**/verhalen/vertel/ontvangen")
    assert overflow(phone) <= 0
    link = phone.locator(".private-link").bounding_box()
    assert link["x"] >= 0 and link["x"] + link["width"] <= PHONE["width"]
    assert run_axe(phone) == []
    # The private page, its withdrawal step and a wijk's overview, in the same language.
    private = phone.locator(".private-link").get_attribute("href")
    phone.goto(f"{live}/verhalen/")
    wijk = phone.locator("nav[aria-labelledby=wijken-kop] a").first.get_attribute("href")
    for path in (private, private + "/intrekken", wijk):
        phone.goto(path if path.startswith("http") else f"{live}{path}")
        assert phone.evaluate("() => document.documentElement.lang") == lang, path
        assert overflow(phone) <= 0, (path, overflow(phone))
        assert run_axe(phone) == [], path
    assert phone.csp_errors == []
