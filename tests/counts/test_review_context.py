"""The accounthouder reviews a return beside its previous values and the warnings the worker saw."""

from __future__ import annotations

import re

from monitor.counts.models import ReturnStatus
from monitor.models import Role


def test_review_page_shows_previous_values_and_warnings(app, login_as, make_return):
    for (year, tertial), n in {(2024, 2): 20, (2024, 3): 22, (2025, 1): 24}.items():
        make_return("Versa Welzijn", "Oost", year, tertial, meldingen=n, volunteers=12, meldingen_sociaal_plein=6)
    ret_id = make_return("Versa Welzijn", "Oost", 2025, 2, status=ReturnStatus.INGEDIEND, meldingen=34,
                         volunteers=12, meldingen_sociaal_plein=6, explanation="Buurtactie.")
    page = login_as(Role.ACCOUNTHOUDER).get(f"/tellen/opgaven/{ret_id}").get_data(as_text=True)
    assert "Waarschuwingen bij deze opgave" in page
    header = re.search(r"<thead.*?</thead>", page, re.S).group(0)
    assert "mei 2025" in header and "september 2024" in header
    row = re.search(r"<th scope=\"row\"[^>]*>Nieuwe meldingen</th>(.*?)</tr>", page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # This return 34; May 2025 24; September 2024 20; mean of the three before is 22, 34 > 33.
    assert cells[:3] == ["34", "24", "20"]
    assert cells[3].startswith("Wijkt meer dan 50% af van het gemiddelde van de vorige perioden (22)")
    volunteers = re.search(r"<th scope=\"row\"[^>]*>Actieve vrijwilligers</th>(.*?)</tr>", page, re.S).group(1)
    assert "Wijkt" not in volunteers
