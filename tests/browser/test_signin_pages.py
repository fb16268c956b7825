"""Each role signs in through a real browser; axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

import pytest

from monitor.models import Role

from ..browserkit import run_axe
from ..conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_login_page_is_accessible(live_server, page):
    page.goto(live_server["url"] + "/account/inloggen")
    assert page.title().startswith("Inloggen")
    assert run_axe(page) == []
    assert page.csp_errors == []


def test_login_errors_are_announced_and_accessible(live_server, page):
    page.goto(live_server["url"] + "/account/inloggen")
    page.get_by_label("E-mailadres").fill("niemand@browser.test")
    page.get_by_label("Wachtwoord").fill("verkeerd-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("E-mailadres").input_value() == "niemand@browser.test"
    assert run_axe(page) == []


def test_keyboard_reaches_skip_link_first(live_server, page):
    page.goto(live_server["url"] + "/account/inloggen")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Ga direct naar de inhoud"
    page.keyboard.press("Enter")
    assert page.url.endswith("#inhoud")


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_signs_in_and_sees_an_accessible_home(live_server, page, role):
    page.goto(live_server["url"] + "/account/inloggen")
    page.get_by_label("E-mailadres").fill(live_server["users"][role])
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/start")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Goedendag")
    assert role.label.lower() in page.locator("main").inner_text()
    assert run_axe(page) == []
    assert page.csp_errors == []
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/account/inloggen")


def sign_in(page, live_server, role):
    page.goto(live_server["url"] + "/account/inloggen")
    page.get_by_label("E-mailadres").fill(live_server["users"][role])
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/start")


def test_admin_screens_are_accessible_including_errors(live_server, page):
    sign_in(page, live_server, Role.ADMIN)
    for path in ("/beheer/", "/beheer/gebruikers", "/beheer/wijken", "/beheer/perioden", "/beheer/audit",
                 "/beheer/installatie", "/beheer/wijken/importeren"):
        page.goto(live_server["url"] + path)
        assert run_axe(page) == [], path
    page.goto(live_server["url"] + "/beheer/gebruikers/nieuw")
    page.get_by_label("Naam").fill("Nieuwe Collega")
    page.get_by_label("Rol").select_option("sociaal_werker")
    page.get_by_role("button", name="Opslaan").click()
    summary = page.get_by_role("alert")
    assert "Controleer het formulier" in summary.inner_text()
    assert page.get_by_label("Naam").input_value() == "Nieuwe Collega"
    assert run_axe(page) == []
    assert page.csp_errors == []
