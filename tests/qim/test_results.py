"""Results: figures per group and overall, trend, intended vs judged, wijk roll-up, service API."""

from __future__ import annotations

import re
import statistics

from monitor.extensions import db
from monitor.models import Role, Wijk

from .conftest import buurt_id, dutch, period_id

# Fixture data: Geuzenbuurt (Oost) plan 2026 with K1, K2 judged by two groups.
ELDERLY_K1 = [7, 8, 6, 9]
DOCTORS_K1 = [5, 7]
ELDERLY_K2 = [6, 6, 7, 8, 9, 4]


def _results_setup(make_plan, make_round):
    plan_id = make_plan("Geuzenbuurt", 2026, qualities=("K1", "K2", "K4"),
                        groups=("Bewoners 75+", "Huisartsen"),
                        pairs=[("K1", "Bewoners 75+"), ("K1", "Huisartsen"),
                               ("K2", "Bewoners 75+"), ("K2", "Huisartsen")])
    round_id = make_round(plan_id, 2026, 2, scores={
        ("K1", "Bewoners 75+"): ELDERLY_K1, ("K1", "Huisartsen"): DOCTORS_K1,
        ("K2", "Bewoners 75+"): ELDERLY_K2})
    return plan_id, round_id


def _row(html: str, caption: str, header: str) -> str:
    """The table row whose row header is ``header`` in the table captioned ``caption``."""
    table = html.split(f'<caption class="utrecht-table__caption">{caption}</caption>')[1].split("</table>")[0]
    for row in table.split("<tr")[1:]:
        if re.search(r"<th[^>]*>\s*" + re.escape(header), row):
            return row
    raise AssertionError(f"no row {header!r} in {caption!r}")


def test_round_results_per_group_and_overall(app, login_as, make_plan, make_round):
    _, round_id = _results_setup(make_plan, make_round)
    html = login_as(Role.BUURTCOORDINATOR).get(f"/qim/rondes/{round_id}/resultaten").get_data(as_text=True)

    overall_k1 = ELDERLY_K1 + DOCTORS_K1
    row = _row(html, "Beoogd en beoordeeld per kwaliteit (alle groepen samen)",
               "Leefbare, sterke en betrokken buurten")
    assert f">{len(overall_k1)}<" in row
    assert dutch(sum(overall_k1) / len(overall_k1)) in row
    assert dutch(statistics.median(overall_k1)) in row
    assert dutch(statistics.stdev(overall_k1)) in row
    assert f"{min(overall_k1)}–{max(overall_k1)}" in row

    row = _row(html, "Leefbare, sterke en betrokken buurten: per stakeholdergroep", "Bewoners 75+")
    assert dutch(sum(ELDERLY_K1) / 4) in row and dutch(statistics.median(ELDERLY_K1)) in row
    assert "small-n" in row  # 4 judgements: marked as indicative
    row = _row(html, "Leefbare, sterke en betrokken buurten: per stakeholdergroep", "Huisartsen")
    assert dutch(6.0) in row and "small-n" in row
    row = _row(html, "Betrokken inwoners: per stakeholdergroep", "Bewoners 75+")
    assert dutch(sum(ELDERLY_K2) / 6) in row and "small-n" not in row
    # K2 by the doctors is monitored but nobody judged: honest "geen gegevens".
    row = _row(html, "Betrokken inwoners: per stakeholdergroep", "Huisartsen")
    assert "geen gegevens" in row
    # K4 is intended in the plan but no group judges it.
    row = _row(html, "Beoogd en beoordeeld per kwaliteit (alle groepen samen)", "Iedereen doet mee")
    assert "geen gegevens" in row and ">nee<" in row
    # Chart and table carry the same figures.
    chart = re.search(r'<script type="application/json" id="qim-chart-round">(.*?)</script>', html).group(1)
    assert str(round(sum(overall_k1) / len(overall_k1), 2)) in chart
    assert "Gezien in de buurt" in html  # motivations for the coordinator


def test_raadslid_sees_aggregates_without_motivations_and_small_counts_hidden(
        app, login_as, make_plan, make_round):
    _, round_id = _results_setup(make_plan, make_round)
    html = login_as(Role.RAADSLID).get(f"/qim/rondes/{round_id}/resultaten").get_data(as_text=True)
    assert "Gezien in de buurt" not in html
    row = _row(html, "Leefbare, sterke en betrokken buurten: per stakeholdergroep", "Bewoners 75+")
    assert "&lt;5" in row
    # four judgements: no mean, median, spread or range that would describe them
    assert dutch(sum(ELDERLY_K1) / 4) not in row
    assert f"{min(ELDERLY_K1)}–{max(ELDERLY_K1)}" not in row
    # and the pooled figure minus the other groups does not give them back: at least two
    # groups are masked ("<5", or "×" for one hidden only to protect another)
    table = html[html.index("Leefbare, sterke en betrokken buurten: per stakeholdergroep"):]
    table = table[:table.index("</table>")]
    rows = [r for r in table.split("<tr")[2:] if "Alle groepen" not in r]
    assert sum(("&lt;5" in r) or ("×" in r) for r in rows) >= 2


def test_buurt_trend_over_periods(app, login_as, make_plan, make_round):
    last = make_plan("Geuzenbuurt", 2025, qualities=("K1",), groups=("Huisartsen",))
    this = make_plan("Geuzenbuurt", 2026, qualities=("K1",), groups=("Huisartsen",))
    make_round(last, 2025, 3, scores={("K1", "Huisartsen"): [4, 5, 6, 5, 5]}, closed=True)
    make_round(this, 2026, 1, scores={("K1", "Huisartsen"): [7, 8]}, closed=True)
    make_round(this, 2026, 2, scores={})
    with app.app_context():
        bid = buurt_id("Geuzenbuurt")
    html = login_as(Role.ACCOUNTHOUDER).get(f"/qim/buurten/{bid}").get_data(as_text=True)
    row = _row(html, "Gemiddeld oordeel per kwaliteit per periode (n = aantal oordelen)",
               "Leefbare, sterke en betrokken buurten")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert len(cells) == 3
    assert dutch(5.0) in cells[0] and "n=5" in cells[0] and "small-n" not in cells[0]
    assert dutch(7.5) in cells[1] and "n=2" in cells[1] and "small-n" in cells[1]
    assert "geen gegevens" in cells[2]
    assert "december 2025" in html and "mei 2026" in html and "september 2026" in html


def test_wijk_roll_up_pools_buurten(app, login_as, make_plan, make_round):
    geuzen = make_plan("Geuzenbuurt", 2026, qualities=("K1", "K2"), groups=("Huisartsen",))
    electro = make_plan("Electrobuurt", 2026, qualities=("K1", "K3"), groups=("Huisartsen",))
    make_round(geuzen, 2026, 2, scores={("K1", "Huisartsen"): [6, 7, 8]})
    make_round(electro, 2026, 2, scores={("K1", "Huisartsen"): [4, 5, 9, 10],
                                         ("K3", "Huisartsen"): [7]})
    with app.app_context():
        oost = db.session.scalar(db.select(Wijk.id).where(Wijk.name == "Oost"))
        pid = period_id(2026, 2)
    client = login_as(Role.BUURTCOORDINATOR)
    for url in (f"/qim/wijken/{oost}?periode={pid}", f"/qim/wijken/{oost}/presentatie?periode={pid}"):
        html = client.get(url).get_data(as_text=True)
        caption = "Gemiddeld oordeel per kwaliteit: wijk Oost en haar buurten, september 2026"
        pooled = [6, 7, 8, 4, 5, 9, 10]
        row = _row(html, caption, "Leefbare, sterke en betrokken buurten")
        assert dutch(sum(pooled) / 7) in row and dutch(statistics.median(pooled)) in row
        assert dutch(statistics.stdev(pooled)) in row and ">7<" in row
        assert row.count(dutch(7.0)) >= 3  # wijk, Geuzenbuurt and Electrobuurt all average 7,0
        # K2 is intended in Geuzenbuurt but not judged; not intended in Electrobuurt.
        row = _row(html, caption, "Betrokken inwoners")
        assert "geen gegevens" in row and "niet beoogd" in row
        # Kleine Driftbuurt has no plan at all.
        assert "Kleine Driftbuurt" in html
        assert 'id="qim-chart-wijk"' in html


def test_service_api_for_the_monitorgesprek(app, make_plan, make_round):
    from monitor.qim import rounds_lacking_judgements, wijk_results

    geuzen = make_plan("Geuzenbuurt", 2026, qualities=("K1",), groups=("Huisartsen", "Jongeren"))
    make_plan("Electrobuurt", 2026, qualities=("K1",), groups=("Huisartsen",))
    make_round(geuzen, 2026, 2, scores={("K1", "Huisartsen"): [3, 9]})
    with app.app_context():
        oost = db.session.scalar(db.select(Wijk.id).where(Wijk.name == "Oost"))
        pid = period_id(2026, 2)
        data = wijk_results(oost, pid)
        k1 = next(q for q in data.qualities if q.quality.code == "K1")
        assert (k1.overall.n, k1.overall.mean, k1.overall.median) == (2, 6.0, 6.0)
        assert k1.overall.small
        by_buurt = {c.buurt.name: c for c in k1.buurten}
        assert by_buurt["Electrobuurt"].stats is None and by_buurt["Electrobuurt"].intended
        missing = {m.buurt.name: m for m in rounds_lacking_judgements(oost, pid)}
        assert set(missing) == {"Geuzenbuurt", "Electrobuurt"}
        assert missing["Geuzenbuurt"].missing == [("Leefbare, sterke en betrokken buurten", "Jongeren")]
        assert missing["Electrobuurt"].round is None
        assert wijk_results(999999, pid) is None


def test_home_tasks_for_the_coordinator(app, login_as, make_plan, make_round):
    make_plan("Geuzenbuurt", 2027, settled=False)
    settled = make_plan("Electrobuurt", 2026, qualities=("K1",), groups=("Huisartsen",))
    make_round(settled, 2026, 3)
    make_plan("Boomberg", 2027, settled=False)  # not the coordinator's wijk
    html = login_as(Role.BUURTCOORDINATOR).get("/start").get_data(as_text=True)
    assert "QIM-plan Geuzenbuurt 2027 vaststellen" in html
    assert "Oordelen Electrobuurt december 2026" in html
    assert "Boomberg" not in html
    assert "QIM-plan" not in login_as(Role.RAADSLID).get("/start").get_data(as_text=True)


def test_wijk_counts_for_a_raadslid_are_suppressed_with_complement(app, login_as, make_plan,
                                                                   make_round):
    geuzen = make_plan("Geuzenbuurt", 2026, qualities=("K1",), groups=("Huisartsen",))
    electro = make_plan("Electrobuurt", 2026, qualities=("K1",), groups=("Huisartsen",))
    drift = make_plan("Kleine Driftbuurt", 2026, qualities=("K1",), groups=("Huisartsen",))
    make_round(geuzen, 2026, 2, scores={("K1", "Huisartsen"): [6, 7, 8]})
    make_round(electro, 2026, 2, scores={("K1", "Huisartsen"): [5] * 6})
    make_round(drift, 2026, 2, scores={("K1", "Huisartsen"): [7] * 9})
    with app.app_context():
        oost = db.session.scalar(db.select(Wijk.id).where(Wijk.name == "Oost"))
        pid = period_id(2026, 2)
    caption = "Gemiddeld oordeel per kwaliteit: wijk Oost en haar buurten, september 2026"
    html = login_as(Role.RAADSLID).get(f"/qim/wijken/{oost}?periode={pid}").get_data(as_text=True)
    row = _row(html, caption, "Leefbare, sterke en betrokken buurten")
    # Geuzenbuurt (3) is hidden, and so is the smallest other buurt (Electrobuurt, 6),
    # so the 3 cannot be recovered from the wijk total of 18.
    assert "(n=&lt;5)" in row and "(n=6)" not in row and "(n=9)" in row and ">18<" in row
    html = login_as(Role.BUURTCOORDINATOR).get(f"/qim/wijken/{oost}?periode={pid}").get_data(as_text=True)
    row = _row(html, caption, "Leefbare, sterke en betrokken buurten")
    assert "(n=3)" in row and "(n=6)" in row and "(n=9)" in row


def test_home_task_for_sociaal_werker_until_own_organisation_contributed(app, login_as, make_plan):
    make_plan("Geuzenbuurt", 2027, settled=False)
    make_plan("Electrobuurt", 2027, settled=False, org_qualities={"Versa Welzijn": ["K3"]})
    html = login_as(Role.SOCIAAL_WERKER).get("/start").get_data(as_text=True)  # Versa Welzijn
    assert "QIM-plan Geuzenbuurt 2027: stap 3 en 4 voor Versa Welzijn" in html
    assert "Electrobuurt 2027" not in html


def test_catalogue_lists_the_seven_qualities_and_their_goals(app, login_as):
    html = login_as(Role.RAADSLID).get("/qim/kwaliteiten").get_data(as_text=True)
    for name in ("Leefbare, sterke en betrokken buurten", "Betrokken inwoners",
                 "Optimale vitaliteit van inwoners", "Iedereen doet mee",
                 "Ontplooiingsruimte voor inwoners", "Zelfregie van inwoners", "Wederkerigheid"):
        assert name in html
    row = _row(html, "De zeven kwaliteiten en de doelen die zij dienen", "Wederkerigheid")
    assert "D1 " in row and "D3 " in row
