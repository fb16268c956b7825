"""Issue 19 §6 and §3: beyond what axe checks.

- Every group of radio buttons is announced with its question: in the accessibility tree
  (Playwright's ARIA snapshot, what a screen reader gets) each radio button sits inside a
  ``group`` named by the question (a fieldset with a legend), e.g. ``group "Instrument"``.
- At 375 px (a small phone) "Mijn opgaven" and "Volledigheid" fit: the page itself does not
  scroll sideways; a wide table scrolls inside its own container.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from monitor.extensions import db

from ..browserkit import assert_pages_accessible, demo_app, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(database_uri, tmp_path_factory):
    app, passwords = demo_app(database_uri, tmp_path_factory.mktemp("groups"))
    with app.app_context():
        from monitor.models import Organisation
        from monitor.narratives.models import Story, StoryStatus
        from monitor.outcomes.models import Client, Instrument, Measurement, Trajectory

        versa = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Versa Welzijn"))

        def open_trajectory(instrument):
            return db.session.scalar(
                sa.select(sa.func.min(Trajectory.id)).join(Client, Client.id == Trajectory.client_id)
                .where(Client.organisation_id == versa, Trajectory.instrument == instrument,
                       Trajectory.ended_on.is_(None)))

        ids = {
            "client": db.session.scalar(sa.select(sa.func.min(Client.id)).where(Client.organisation_id == versa)),
            "zrm": open_trajectory(Instrument.ZRM),
            "ladder": open_trajectory(Instrument.LADDER),
            "story": db.session.scalar(sa.select(sa.func.min(Story.id)).where(Story.status == StoryStatus.INGEDIEND)),
            "published": db.session.scalar(sa.select(sa.func.min(Story.id)).where(
                Story.status == StoryStatus.GEPUBLICEERD, Story.visibility == "openbaar",
                Story.wijk.has(name="Oost"))),
        }
        ids["measurement"] = db.session.scalar(sa.select(sa.func.min(Measurement.id)).where(
            Measurement.trajectory_id == ids["zrm"]))
        assert all(ids.values()), ids
    with serve(app) as url:
        yield {"url": url, "passwords": passwords, "ids": ids}


def _sign_in(page, site, email):
    page.goto(site["url"] + "/account/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(site["passwords"][email])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/start")


def radios_outside_named_groups(snapshot: str) -> tuple[list[str], dict[str, int]]:
    """Walk an ARIA snapshot (YAML-like, two spaces per level): the radio buttons that have
    no named ``group``/``radiogroup`` above them, and per group name its number of radios."""
    stack: list[tuple[int, str | None]] = []  # (indent, group name or None)
    loose, groups = [], {}
    for line in snapshot.splitlines():
        # ``- group "Instrument":``, or quoted when the name has a colon: ``- 'group "A: b"':``
        match = re.match(r"^(\s*)- '?(\w+)(?: \"((?:[^\"\\]|\\.)*)\")?", line)
        if not match:
            continue
        indent, role, name = len(match.group(1)), match.group(2), match.group(3)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if role == "radio":
            group = next((g for _, g in reversed(stack) if g), None)
            if group is None:
                loose.append(line.strip())
            else:
                groups[group] = groups.get(group, 0) + 1
        stack.append((indent, name if role in ("group", "radiogroup") and name else None))
    return loose, groups


# (who, page, the questions whose radio groups it must have)
PAGES = [
    ("sociaalwerker@hilversum.demo", "/uitkomsten/clienten/{client}/trajecten/nieuw", ["Instrument"]),
    ("sociaalwerker@hilversum.demo", "/uitkomsten/trajecten/{zrm}/meting", ["Soort meting"]),
    ("sociaalwerker@hilversum.demo", "/uitkomsten/trajecten/{ladder}/meting", ["Soort meting"]),
    ("sociaalwerker@hilversum.demo", "/uitkomsten/trajecten/{zrm}/afsluiten", ["Reden van afsluiten"]),
    ("sociaalwerker@hilversum.demo", "/verhalen/nieuw", ["Wie vertelt?"]),
    ("sociaalwerker@hilversum.demo", "/meldingen/voorkeuren", []),
    ("buurtcoordinator@hilversum.demo", "/verhalen/verhaal/{story}/moderatie", ["Zichtbaarheid"]),
    ("buurtcoordinator@hilversum.demo", "/verhalen/verhaal/{published}/melden", ["Waarom meldt u dit verhaal?"]),
    ("beheerder@hilversum.demo", "/beheer/perioden/nieuw", ["Deadline van de opgave"]),
]


@pytest.mark.parametrize("email", sorted({who for who, _, _ in PAGES}))
def test_every_radio_button_is_announced_with_its_question(site, page, email):
    _sign_in(page, site, email)
    failures = {}
    for who, path, questions in PAGES:
        if who != email:
            continue
        response = page.goto(site["url"] + path.format(**site["ids"]))
        assert response.status == 200, path
        snapshot = page.locator("main").aria_snapshot()
        loose, groups = radios_outside_named_groups(snapshot)
        # A required question's legend ends in "(verplicht)".
        missing = [q for q in questions
                   if sum(n for name, n in groups.items() if name in (q, f"{q} (verplicht)")) < 2]
        if loose or missing:
            failures[path] = {"zonder vraag": loose[:5], "ontbrekende groep": missing, "groepen": groups}
    assert failures == {}


def test_the_snapshot_walk_sees_a_radio_without_its_question():
    """The checker itself: a loose radio button is caught, a grouped one is counted."""
    loose, groups = radios_outside_named_groups(
        '- group "Instrument":\n  - radio "ZRM"\n  - radio "Participatieladder"\n'
        '- text: Soort meting\n- list:\n  - listitem:\n    - radio "Begin"\n'
        '- \'group "Tellen: herinnering"\':\n  - radio "Meteen per e-mail" [checked]\n')
    assert groups == {"Instrument": 2, "Tellen: herinnering": 1} and loose == ['- radio "Begin"']


NARROW = [
    ("sociaalwerker@hilversum.demo", "/tellen/mijn-opgaven"),
    ("accounthouder@hilversum.demo", "/tellen/volledigheid"),
]


@pytest.mark.parametrize(("email", "path"), NARROW)
def test_counts_pages_fit_a_375px_phone(site, browser, email, path):
    context = browser.new_context(locale="nl-NL", viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        _sign_in(page, site, email)
        assert page.goto(site["url"] + path).status == 200
        width = page.evaluate("() => ({page: document.documentElement.scrollWidth,"
                              " view: document.documentElement.clientWidth})")
        # Whatever is wider than the screen is a table in its own scrolling container.
        too_wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
                          && !el.parentElement.closest('.utrecht-table-container'))
            .map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))
            .slice(0, 8)""")
        assert width["view"] == 375 and width["page"] <= width["view"] and too_wide == [], (width, too_wide)
        containers = page.locator(".utrecht-table-container")
        for i in range(containers.count()):
            overflow = containers.nth(i).evaluate("el => getComputedStyle(el).overflowX")
            assert overflow in ("auto", "scroll"), overflow
    finally:
        context.close()


NEW_PAGES = {  # issue 19's new staff pages: axe as well
    "buurtcoordinator@hilversum.demo": ["/verhalen/locaties", "/verhalen/verhaal/{published}/melden",
                                        "/verhalen/verhaal/{published}/intrekken",
                                        "/verhalen/verhaal/{published}/verwijderen"],
    "sociaalwerker@hilversum.demo": ["/uitkomsten/metingen/{measurement}/verwijderen"],
}


@pytest.mark.parametrize("email", list(NEW_PAGES))
def test_the_new_pages_are_accessible(site, page, email):
    assert_pages_accessible(page, site, email, NEW_PAGES[email])
