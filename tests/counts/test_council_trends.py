"""The council's start page: per wijk the main figures of the latest period, with arrows and their text."""

from __future__ import annotations

import re

from monitor.models import Role


def test_trend_arrows_with_text_alternative_through_the_disclosure_control(app, login_as, make_return):
    make_return("Versa Welzijn", "Oost", 2026, 2, meldingen=20, meldingen_sociaal_plein=10, volunteers=12)
    make_return("Versa Welzijn", "Oost", 2026, 3, meldingen=30, meldingen_sociaal_plein=10, volunteers=12)
    make_return("MEE", "Zuid", 2026, 2, meldingen=40, meldingen_sociaal_plein=20, volunteers=3)
    make_return("MEE", "Zuid", 2026, 3, meldingen=25, meldingen_sociaal_plein=10, volunteers=3)
    member = login_as(Role.RAADSLID)
    home = member.get("/start").get_data(as_text=True)
    assert "De wijken in cijfers" in home and "Kerncijfers per wijk, december 2026" in home
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r'<th scope="row" class="utrecht-table__header-cell">([^<]+)</th>(.*?)</tr>', home, re.S)}
    cells = {wijk: [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for wijk, row in rows.items()}
    # Columns: hours, clients, meldingen, closed, volunteers.
    assert cells["Oost"][2] == "30 ↑ (gestegen van 20)"
    assert cells["Oost"][4] == "12 → (gelijk aan de vorige periode)"
    assert cells["Zuid"][2] == "25 ↓ (gedaald van 40)"
    # Three volunteers are "<5": no arrow, and the text says why.
    assert cells["Zuid"][4] == "&lt;5 (niet te vergelijken met de vorige periode)"
    assert 'aria-hidden="true">↑<' in home and '<span class="visually-hidden"> (gestegen van 20)</span>' in home
    # Not for other roles.
    assert "De wijken in cijfers" not in login_as(Role.ACCOUNTHOUDER).get("/start").get_data(as_text=True)
