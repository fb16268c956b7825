"""The second-factor pages in a real browser: set-up with the QR code, recovery codes, the code step.

axe-core finds no WCAG 2.1 A/AA violations and the Content-Security-Policy reports nothing.
"""

from __future__ import annotations

import time

import pyotp
import pytest

from monitor.models import Role

from ..browserkit import run_axe
from ..conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_setting_up_and_using_the_second_factor(live_server, page):
    url, email = live_server["url"], live_server["users"][Role.RAADSLID]
    page.goto(url + "/account/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/start")
    page.get_by_role("link", name="Mijn account").click()
    assert run_axe(page) == []
    page.get_by_role("link", name="Tweede factor instellen").click()
    page.get_by_role("button", name="Beginnen").click()
    qr = page.get_by_role("img", name="QR-code om Tellen & Vertellen aan uw authenticator-app toe te voegen", exact=False)
    assert qr.is_visible() and qr.evaluate("img => img.naturalWidth") > 0  # the SVG loads under the CSP
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    assert run_axe(page) == [] and page.csp_errors == []
    page.get_by_label("Code uit de app").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Bevestigen").click()
    assert "Deze code klopt niet" in page.get_by_role("alert").inner_text()
    assert run_axe(page) == []
    page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bevestigen").click()
    assert page.locator("#herstelcodes li").count() == 10
    assert run_axe(page) == [] and page.csp_errors == []
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/account/inloggen")

    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/account/inloggen/code")
    assert run_axe(page) == []
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Controleren").click()
    page.wait_for_url("**/start")
    assert page.csp_errors == []
