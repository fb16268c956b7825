"""Issue 17 §1: a municipality starts from empty and gets to work in the browser only.

``flask init-db`` and one ``flask create-user --role admin`` on a database of its own; from
there everything happens in Chromium: the beheerder sets up wijken, a buurt, an organisation
and its werkgebied, a year of periods, the quality catalogue, the Tellen catalogues and the
accounts, guided by the set-up checklist until it is complete. Then a sociaal werker submits
a return, a resident tells a story that a buurtcoördinator publishes, the buurtcoördinator
settles a QIM plan and opens a round, and issues the dossier of a monitorgesprek.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from monitor import create_app
from monitor.extensions import db

from .. import dbtx
from ..browserkit import run_axe, serve
from ..conftest import BACKEND, PASSWORD, base_config

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.real_db]

ADMIN = "beheer@voorbeeldgemeente.nl"
NEW_PASSWORD = "Zomerse wandeling langs de Vecht"


@pytest.fixture
def empty_installation(database_uri: str, tmp_path) -> Iterator[str]:
    """``init-db`` plus one admin from the CLI on an empty database; yields the live URL."""
    if BACKEND == "sqlite":
        uri = f"sqlite:///{tmp_path / 'gemeente.sqlite'}"
    else:
        uri = database_uri
    app = create_app({**base_config(tmp_path / "instance", uri), "NARRATIVES_MIN_FILL_SECONDS": 0})
    if BACKEND == "postgresql":
        with app.app_context():
            dbtx.empty_tables(db)
        dbtx.Baseline.dirty()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "--email", ADMIN, "--name", "Bea Beheer",
                                 "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with serve(app) as url:
        yield url


# --- helpers ---------------------------------------------------------------------------

def ok(page) -> None:
    """The page answered without an error message."""
    alerts = page.locator(".utrecht-alert--error, .error-summary").all_inner_texts()
    assert alerts == [], f"{page.url}: {alerts}"


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    ok(page)


def choose(select, text: str) -> None:
    """Select the option of ``select`` whose label starts with ``text``."""
    select.select_option(value=select.locator("option", has_text=text).first.get_attribute("value"))


def sign_in(page, url: str, email: str, password: str) -> None:
    """Sign in; a first password is replaced by an own one on the way."""
    page.goto(url + "/account/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    if "/wachtwoord" in page.url:
        page.get_by_label("Huidig wachtwoord").fill(password)
        page.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Herhaal nieuw wachtwoord").fill(NEW_PASSWORD)
        press(page, "Wachtwoord wijzigen")
    page.goto(url + "/start")
    assert page.url.endswith("/start"), page.url


def first_password(page, email: str) -> str:
    """The new account's password, as its owner sets it: without a mail server (a new
    installation) the invitation waits in Beheer › Berichten, where the beheerder reads
    it; its owner opens the link in a browser of their own and chooses a password."""
    base = page.url.split("/beheer")[0]
    page.goto(base + "/beheer/berichten")
    page.get_by_role("row").filter(has_text=email).get_by_role(
        "link", name="Uw account voor Tellen & Vertellen").first.click()
    text = page.locator("pre").inner_text()
    link = re.search(r"https?://\S+/account/\S+", text).group(0)
    owner = page.context.browser.new_context().new_page()
    owner.goto(base + "/" + link.split("/", 3)[3])  # the live server's address, the link's path
    owner.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    owner.get_by_label("Herhaal het wachtwoord").fill(NEW_PASSWORD)
    press(owner, "Wachtwoord instellen")
    owner.context.close()
    return NEW_PASSWORD


def create_account(page, url: str, *, name: str, email: str, role: str,
                   organisation: str | None = None, wijken: tuple[str, ...] = ()) -> str:
    page.goto(url + "/beheer/gebruikers/nieuw")
    page.get_by_label("Naam", exact=True).fill(name)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Rol").select_option(label=role)
    if organisation:
        page.get_by_label("Organisatie").select_option(label=organisation)
    for wijk in wijken:
        page.get_by_role("group", name="Wijken").get_by_label(wijk, exact=True).check()
    press(page, "Opslaan")
    return first_password(page, email)


def checklist_tasks(page, url: str) -> list[str]:
    """The titles of the open items in the beheerder's Inrichting section."""
    page.goto(url + "/start")
    section = page.locator("section.home-section", has=page.get_by_role("heading", name="Inrichting"))
    return section.locator(".task--warning .task__title").all_inner_texts()


def new_page(browser):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: page.csp_errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    return page


# --- the journey -----------------------------------------------------------------------

def test_from_init_db_to_a_working_installation_in_the_browser(empty_installation, browser):
    url = empty_installation
    today = date.today()
    admin = new_page(browser)
    sign_in(admin, url, ADMIN, PASSWORD)
    open_items = checklist_tasks(admin, url)
    assert "Alle accounts zijn compleet ingericht" not in admin.content()
    for item in ("Basis: Wijken en buurten", "Basis: Organisaties en hun werkgebied",
                 "Basis: Perioden met deadlines (huidige en volgende)",
                 "Basis: Kwaliteitencatalogus en maatschappelijke doelen",
                 "Tellen: Catalogi: specialismen en soorten dienstverlening",
                 "Tellen: Accounthouder (beoordeelt de opgaven)"):
        assert item in open_items
    assert run_axe(admin) == []

    # Places: a wijk and a buurt in it.
    admin.get_by_role("link", name="Basis: Wijken en buurten").click()
    admin.get_by_role("link", name="Wijk toevoegen").click()
    admin.get_by_label("Naam").fill("Centrum")
    press(admin, "Opslaan")
    admin.get_by_role("link", name="Buurt toevoegen").click()
    admin.get_by_label("Naam").fill("Oude Haven")
    admin.get_by_label("Wijk").select_option(label="Centrum")
    press(admin, "Opslaan")
    assert "Oude Haven" in admin.content()

    # An organisation working in Centrum.
    admin.goto(url + "/beheer/organisaties/nieuw")
    admin.get_by_label("Naam").fill("Welzijn Centrum")
    admin.get_by_label("Soort").select_option(label="Welzijnsorganisatie")
    admin.get_by_role("group", name="Werkgebied").get_by_label("Centrum").check()
    press(admin, "Opslaan")

    # Periods: the checklist's link opens the year that is missing; preview, then save.
    while any(t.startswith("Basis: Perioden") for t in checklist_tasks(admin, url)):
        admin.get_by_role("link", name="Basis: Perioden met deadlines (huidige en volgende)").click()
        press(admin, "Voorbeeld bekijken")
        assert admin.locator("td", has_text="Wordt aangemaakt").count() == 3
        assert run_axe(admin) == []
        press(admin, "Perioden aanmaken")
        assert "perioden van" in admin.get_by_role("status").first.inner_text()

    # The quality catalogue: a doel and a quality serving it.
    admin.goto(url + "/beheer/kwaliteiten")
    assert run_axe(admin) == []
    admin.get_by_role("link", name="Doel toevoegen").click()
    admin.get_by_label("Code").fill("D1")
    admin.get_by_label("Naam").fill("Een betrokken en leefbare samenleving")
    press(admin, "Opslaan")
    admin.get_by_role("link", name="Kwaliteit toevoegen").click()
    admin.get_by_label("Code").fill("K1")
    admin.get_by_label("Naam").fill("Leefbare, sterke en betrokken buurten")
    admin.get_by_label("Wat is goed").fill("Bewoners kennen elkaar en zorgen samen voor hun buurt.")
    admin.get_by_label("D1 Een betrokken en leefbare samenleving").check()
    press(admin, "Opslaan")

    # The catalogues of Tellen.
    for kind, code, name in (("specialismen", "buurtwerk", "Buurtwerk"),
                             ("dienstverlening", "individuele_ondersteuning", "Individuele ondersteuning")):
        admin.goto(url + f"/tellen/catalogi/{kind}/nieuw")
        admin.get_by_label("Code").fill(code)
        admin.get_by_label("Naam").fill(name)
        admin.get_by_label("Geldig vanaf").fill(f"{today.year - 1}-01-01")
        press(admin, "Opslaan")

    # The people: an accounthouder, a buurtcoördinator for Centrum, a sociaal werker.
    passwords = {
        "accounthouder@voorbeeldgemeente.nl": create_account(
            admin, url, name="Ahmed Accounthouder", email="accounthouder@voorbeeldgemeente.nl", role="Accounthouder"),
        "coordinator@voorbeeldgemeente.nl": create_account(
            admin, url, name="Bram Buurtcoördinator", email="coordinator@voorbeeldgemeente.nl",
            role="Buurtcoördinator", wijken=("Centrum",)),
        "werker@welzijncentrum.nl": create_account(
            admin, url, name="Sanne Sociaal Werker", email="werker@welzijncentrum.nl", role="Sociaal werker",
            organisation="Welzijn Centrum", wijken=("Centrum",)),
    }
    assert checklist_tasks(admin, url) == []
    assert re.search(r"Alle \d+ onderdelen van de inrichtingschecklist zijn klaar", admin.content())

    # A sociaal werker submits the return of the current period.
    worker = new_page(browser)
    sign_in(worker, url, "werker@welzijncentrum.nl", passwords["werker@welzijncentrum.nl"])
    worker.goto(url + "/tellen/mijn-opgaven")
    worker.get_by_role("link", name=re.compile(r"^Invullen")).first.click()
    for label, value in (("Actieve vrijwilligers", "3"), ("Nieuwe meldingen", "4"),
                         ("Waarvan verwezen door het Sociaal Plein", "1"), ("Afgesloten trajecten", "2"),
                         ("Waarvan afgesloten binnen zes maanden", "1"),
                         ("Contactmomenten van de afgesloten trajecten (totaal)", "10"),
                         ("Uren besteed aan de afgesloten trajecten (totaal)", "20"),
                         ("FTE sociaal werkers actief in de wijk", "1,5"), ("Buurtwerk", "200"),
                         ("Individuele ondersteuning", "6"), ("Unieke cliënten over het hele jaar", "6")):
        field = worker.get_by_label(label, exact=True)
        if field.count():
            field.fill(value)
    worker.locator("textarea[name=explanation]").fill("Eerste opgave na de inrichting.")
    press(worker, "Indienen bij de gemeente")
    assert "is ingediend" in worker.get_by_role("status").first.inner_text()

    # A resident tells a story on the public form.
    resident = new_page(browser)
    resident.goto(url + "/verhalen/vertel")
    resident.get_by_label("Titel", exact=True).fill("Koffie in de Oude Haven")
    resident.get_by_label("Waar gaat het over? In het kort").fill("Buren vinden elkaar bij de koffie.")
    resident.get_by_label("Uw verhaal", exact=True).fill("Elke dinsdag drinken we koffie in het buurthuis.")
    resident.get_by_label("In welke wijk gebeurde het?").select_option(label="Centrum")
    resident.get_by_label("Wanneer gebeurde het?").fill(today.isoformat())
    resident.get_by_label("Leefbare, sterke en betrokken buurten").check()
    resident.get_by_label("Iedereen. Het verhaal komt op de website van de gemeente.").check()
    resident.locator("input[name=consent_given]").check()
    resident.locator("form button[type=submit]").last.click()
    resident.wait_for_load_state()
    ok(resident)
    assert "/verhalen/vertel/ontvangen" in resident.url

    # The buurtcoördinator publishes it.
    coordinator = new_page(browser)
    sign_in(coordinator, url, "coordinator@voorbeeldgemeente.nl", passwords["coordinator@voorbeeldgemeente.nl"])
    coordinator.get_by_role("link", name="Modereren: Koffie in de Oude Haven").click()
    coordinator.get_by_label("Openbaar (iedereen)").check()
    press(coordinator, "Publiceren")
    resident.goto(url + "/verhalen/")
    assert "Koffie in de Oude Haven" in resident.content()

    # The buurtcoördinator settles a QIM plan for Oude Haven and opens a round.
    coordinator.goto(url + "/qim/")
    coordinator.get_by_label("Buurt").select_option(label="Centrum – Oude Haven")
    press(coordinator, "Plan starten")
    plan_url = coordinator.url
    coordinator.goto(plan_url + "/stap/1")
    coordinator.get_by_label("Leefbare, sterke en betrokken buurten").check()
    press(coordinator, "Stap 1 opslaan")
    coordinator.goto(plan_url + "/stap/2")
    coordinator.get_by_label("Stakeholdergroep").fill("Bewoners")
    coordinator.get_by_label("Wie zijn het?").fill("Wie in de Oude Haven woont.")
    press(coordinator, "Groep toevoegen")
    coordinator.goto(plan_url + "/stap/3")
    coordinator.locator("form[method=post] select[name=organisation_id]").select_option(label="Welzijn Centrum")
    coordinator.get_by_label("Leefbare, sterke en betrokken buurten").check()
    press(coordinator, "Stap 3 opslaan")
    coordinator.goto(plan_url + "/stap/4")
    coordinator.locator("form[method=post] select[name=organisation_id]").select_option(label="Welzijn Centrum")
    coordinator.get_by_label("Stakeholdergroep").fill("Deelnemers koffieochtend")
    coordinator.get_by_label("Wie zijn het?").fill("Wie op dinsdag komt.")
    press(coordinator, "Groep toevoegen")
    coordinator.goto(plan_url + "/stap/5")
    coordinator.locator("input[name=pairs]").first.check()
    press(coordinator, "Stap 5 opslaan")
    coordinator.goto(plan_url)
    press(coordinator, "Plan vaststellen")
    current = {1: "mei", 2: "september", 3: "december"}[(today.month - 1) // 4 + 1]
    choose(coordinator.get_by_label("Periode"), f"{current} {today.year}")
    press(coordinator, "Oordeelronde openen")
    assert f"Oordeelronde {current} {today.year} is geopend." in coordinator.get_by_role("status").first.inner_text()

    # ... and issues the dossier of the monitorgesprek of Centrum.
    coordinator.goto(url + "/monitorgesprekken/")
    prepare = coordinator.get_by_role("form", name="Gesprek voorbereiden")
    prepare.get_by_label("Wijk").select_option(label="Centrum")
    choose(prepare.get_by_label("Periode"), f"{current} {today.year}")
    press(coordinator, "Openen")
    coordinator.get_by_role("button", name=re.compile("^Dossier uitgeven")).click()
    coordinator.wait_for_load_state()
    ok(coordinator)
    assert "Dossier versie 1 is uitgegeven" in coordinator.get_by_role("status").first.inner_text()
    assert "/dossier" in coordinator.url

    for page in (admin, worker, resident, coordinator):
        assert page.csp_errors == []
        page.context.close()
