"""Outcome shares from fixture data, computed independently in the test."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Organisation, Period, Wijk
from monitor.outcomes.reports import Filters, build_report, collect_observations
from monitor.outcomes.services import outcomes_for_wijk

from ..conftest import login

IN_RANGE = (date(2025, 1, 1), date(2025, 12, 31))

# (version, wijk, begin scores, end scores or None); None as a score = n.v.t.
ZRM = [
    ("2017", "Oost", {"FIN": 2, "HUI": 3, "GGZ": None, "SOC": 5},
     {"FIN": 3, "HUI": 3, "GGZ": None, "SOC": 5}),          # SOC begins at 5: not counted
    ("2017", "Oost", {"FIN": 1, "HUI": 2, "MID": 4}, {"FIN": 3, "HUI": 1}),  # MID not discussed
    ("2017", "Zuid", {"FIN": 3, "WEO": 2}, None),          # end measurement missing
    ("2017", "Zuid", {"FIN": 4, "WEO": 2}, {"FIN": 4, "WEO": None}),  # WEO n.v.t. at the end
    ("2017", "Zuid", {"FIN": 2, "HUI": 4}, {"FIN": 4, "HUI": 5}),
    ("2013", "Oost", {"FIN": 2, "DAG": 1, "VER": 3}, {"FIN": 2, "DAG": 3, "VER": 4}),
    ("2013", "Zuid", {"DAG": 2, "ADL": None}, {"DAG": 2, "ADL": 3}),  # ADL n.v.t. at the start
]
# (wijk, begin step, end step or None, closed)
LADDER = [
    ("Oost", 1, 2, True), ("Oost", 2, 2, True), ("Zuid", 3, 5, True), ("Zuid", 2, 1, True),
    ("Zuid", 2, None, True),   # no end measurement
    ("Oost", 1, 3, False),     # still open: the ladder counts closed trajectories only
]


def expected_zrm() -> dict[str, tuple[int, int]]:
    """(improved, n) per domain, straight from the fixture table."""
    result: dict[str, list[int]] = {}
    for _, _, begin, end in ZRM:
        if end is None:
            continue
        for code, b in begin.items():
            e = end.get(code, "absent")
            if b is None or e is None or e == "absent" or b == 5:
                continue
            slot = result.setdefault(code, [0, 0])
            slot[0] += 1 if e - b >= 1 else 0
            slot[1] += 1
    return {k: tuple(v) for k, v in result.items()}


def expected_ladder(wijk: str | None = None) -> tuple[int, int]:
    rows = [(b, e) for w, b, e, closed in LADDER
            if closed and e is not None and (wijk is None or w == wijk)]
    return sum(1 for b, e in rows if e >= b + 1), len(rows)


@pytest.fixture
def fixture_data(app, make_client, make_trajectory):
    for version, wijk, begin, end in ZRM:
        make_trajectory(make_client(wijk=wijk), "zrm", version=version, begin=begin, end=end)
    for wijk, b, e, closed in LADDER:
        make_trajectory(make_client(wijk=wijk), "ladder", begin=b, end=e,
                        ended=date(2025, 10, 1) if closed else None,
                        end_on=date(2025, 9, 1))
    # Outside the period range: ended in 2024, would count as improved everywhere.
    make_trajectory(make_client(), "zrm", started=date(2024, 1, 5), ended=date(2024, 12, 15),
                    begin={"FIN": 1, "HUI": 1}, end={"FIN": 5, "HUI": 5})
    make_trajectory(make_client(), "ladder", started=date(2024, 1, 5), ended=date(2024, 12, 15),
                    begin=1, end=6)


def _cells(report):
    return {i.key: (i.total.improved, i.total.n) for i in report.indicators}


def test_shares_per_domain_and_ladder_match_the_fixture(app, fixture_data):
    with app.app_context():
        filters = Filters(*IN_RANGE)
        report = build_report(collect_observations(filters), filters, "totaal", suppress=False)
        got = _cells(report)
    expected = {f"zrm:{code}": v for code, v in expected_zrm().items()}
    expected["ladder"] = expected_ladder()
    assert got == expected
    # Spot checks of the definitions: both versions share FIN; DAG/VER exist only in 2013.
    assert got["zrm:FIN"] == (3, 5)
    assert got["zrm:DAG"] == (1, 2)
    assert "zrm:SOC" not in got and "zrm:WEO" not in got and "zrm:ADL" not in got
    assert got["ladder"] == (2, 4)


def test_grouping_per_wijk_adds_up(app, fixture_data):
    with app.app_context():
        filters = Filters(*IN_RANGE)
        report = build_report(collect_observations(filters), filters, "wijk", suppress=False)
        ladder = next(i for i in report.indicators if i.key == "ladder")
        rows = {label: (c.improved, c.n) for label, c in ladder.rows}
    assert rows == {"Oost": expected_ladder("Oost"), "Zuid": expected_ladder("Zuid")}


def test_filter_on_wijk_and_service_for_other_modules(app, fixture_data):
    with app.app_context():
        oost = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
        report = outcomes_for_wijk(oost, *IN_RANGE)
        assert report.suppressed
        ladder = next(i for i in report.indicators if i.key == "ladder")
        # Oost has one closed ladder trajectory with both measurements... under 5: hidden,
        # and the hidden count does not travel to the other module either.
        assert 0 < expected_ladder("Oost")[1] < 5
        assert ladder.total.n_text == "<5" and ladder.total.share is None and ladder.total.n == 0


def test_report_page_for_an_outsider_shows_only_suppressed_aggregates(app, fixture_data,
                                                                      login_as):
    client = login_as("raadslid")
    with app.app_context():
        periods = db.session.scalars(sa.select(Period).where(Period.year == 2025)
                                     .order_by(Period.tertial)).all()
        first, last = periods[0].id, periods[-1].id
    page = client.get(f"/uitkomsten/?first={first}&last={last}&grouping=wijk")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "T-0" not in html  # no client code anywhere
    assert "&lt;5" in html and "afgeschermd" in html
    assert "Wilson" in html and "Streefwaarde: 50%" in html
    # Every figure rests on fewer than 5 trajectories here: no share is shown at all.
    assert "%</td>" not in html


def test_report_page_for_the_owning_organisation_is_unsuppressed(app, fixture_data, make_user):
    user = make_user("sociaal_werker")
    c = app.test_client()
    login(c, user.email)
    with app.app_context():
        periods = db.session.scalars(sa.select(Period).where(Period.year == 2025)
                                     .order_by(Period.tertial)).all()
        versa = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == "Versa Welzijn"))
    html = c.get(f"/uitkomsten/?first={periods[0].id}&last={periods[-1].id}"
                 f"&grouping=totaal&organisation_id={versa}").get_data(as_text=True)
    k, n = expected_ladder()
    assert f"{k / n:.0%}".replace(".", ",") in html  # 50%
    assert "ZRM Dagbesteding (alleen ZRM 2013)" in html
    assert "onzeker" in html


@pytest.mark.parametrize("query", [
    "first=abc&last=1", "first=99999&last=99999", "grouping=<script>", "wijk_id=x&first=1",
    "organisation_id=-5", "first=1&last=2&service_type_id=1e9",
])
def test_report_query_garbage_gives_a_dutch_message_not_a_500(client, login_as, query):
    c = login_as("accounthouder")
    response = c.get(f"/uitkomsten/?{query}")
    assert response.status_code in (200, 400)
    assert "Kies een van de mogelijkheden" in response.get_data(as_text=True) or \
        response.status_code == 200


def test_a_social_worker_of_another_organisation_gets_suppressed_figures(app, fixture_data,
                                                                        make_user):
    user = make_user("sociaal_werker", organisation="MEE")
    c = app.test_client()
    login(c, user.email)
    with app.app_context():
        periods = db.session.scalars(sa.select(Period).where(Period.year == 2025)
                                     .order_by(Period.tertial)).all()
        versa = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == "Versa Welzijn"))
    html = c.get(f"/uitkomsten/?first={periods[0].id}&last={periods[-1].id}"
                 f"&grouping=totaal&organisation_id={versa}").get_data(as_text=True)
    assert "&lt;5" in html and "%</td>" not in html and "T-0" not in html


def test_report_without_a_range_uses_the_last_year(client, login_as):
    c = login_as("buurtcoordinator")
    response = c.get("/uitkomsten/?grouping=dienst")
    assert response.status_code == 200
    # A report was made (for the default year), and it is empty in an empty database.
    assert "geen trajecten met een begin- en eindmeting" in response.get_data(as_text=True)


def test_report_chart_holds_the_tables_figures(app, fixture_data, make_user):
    """The overview chart: each indicator's share, Wilson interval and the 50% target, like its table."""
    import json
    import re

    from monitor.outcomes.reports import wilson_interval

    user = make_user("sociaal_werker")
    c = app.test_client()
    login(c, user.email)
    with app.app_context():
        periods = db.session.scalars(sa.select(Period).where(Period.year == 2025)
                                     .order_by(Period.tertial)).all()
        versa = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Versa Welzijn"))
    html = c.get(f"/uitkomsten/?first={periods[0].id}&last={periods[-1].id}"
                 f"&grouping=totaal&organisation_id={versa}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="outcome-overview-data">(.*?)</script>',
                                html, re.S).group(1))
    k, n = expected_ladder()
    low, high = wilson_interval(k, n)
    ladder = data["labels"].index("Participatieladder")
    assert data["shares"][ladder] == round(k / n * 100, 1)
    assert data["intervals"][ladder] == [round(low * 100, 1), round(high * 100, 1)]
    assert data["target"] == 50.0 and all(label.startswith(("ZRM", "Participatieladder")) for label in data["labels"])
    assert 'class="outcome-report-chart"' in html and "js/outcomes.js" in html and "<script>" not in html


def test_report_chart_hides_what_the_table_hides(app, fixture_data, login_as):
    import json
    import re

    client = login_as("raadslid")
    with app.app_context():
        periods = db.session.scalars(sa.select(Period).where(Period.year == 2025)
                                     .order_by(Period.tertial)).all()
    html = client.get(f"/uitkomsten/?first={periods[0].id}&last={periods[-1].id}&grouping=wijk").get_data(as_text=True)
    found = re.search(r'id="outcome-overview-data">(.*?)</script>', html, re.S)
    if found:  # every share rests on fewer than 10 measurements here: no point, no interval
        data = json.loads(found.group(1))
        assert set(data["shares"]) == {None} and set(map(str, data["intervals"])) == {"None"}
