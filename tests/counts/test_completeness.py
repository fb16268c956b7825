"""The completeness matrix: status per organisation x wijk, overdue returns and percentages."""

from __future__ import annotations

from monitor.models import Role

from .conftest import as_dict, period, tables

WELFARE = ["HilverZorg", "Humanitas", "Kwintes", "MEE", "Sherpa", "Versa Welzijn"]
WIJKEN = 8


def test_matrix_statuses_overdue_and_percentages(app, login_as, make_return):
    statuses = {("Versa Welzijn", "Oost"): "goedgekeurd", ("Versa Welzijn", "Zuid"): "vergrendeld",
                ("MEE", "Oost"): "ingediend", ("MEE", "Zuid"): "teruggestuurd", ("Kwintes", "Centrum"): "concept"}
    for (org, wijk), status in statuses.items():
        make_return(org, wijk, 2025, 2, status=status)
    make_return("Sherpa", "Oost", 2025, 1, status="goedgekeurd")  # another period: not counted
    with app.app_context():
        pid = period(2025, 2).id
    client = login_as(Role.ACCOUNTHOUDER)
    html = client.get(f"/tellen/volledigheid?periode={pid}").get_data(as_text=True)
    expected = len(WELFARE) * WIJKEN  # 48
    submitted = 3  # ingediend, goedgekeurd, vergrendeld
    approved = 2
    overdue = expected - submitted  # the 2025-T2 deadline (15 September 2025) has passed
    assert f"({submitted} van {expected})" in html
    assert f"{round(100 * submitted / expected)}%" in html  # 6%
    assert f"({approved} van {expected})" in html
    assert f'id="overdue-count">{overdue}<' in html
    matrix = as_dict(tables(html)["Status per organisatie en wijk, september 2025"])
    assert set(matrix) == set(WELFARE)
    assert matrix["Versa Welzijn"]["Oost"].startswith("Goedgekeurd")
    assert matrix["MEE"]["Zuid"].startswith("Teruggestuurd") and "te laat" in matrix["MEE"]["Zuid"]
    assert matrix["Kwintes"]["Centrum"].startswith("Concept") and "te laat" in matrix["Kwintes"]["Centrum"]
    assert matrix["Humanitas"]["Oost"].startswith("ontbreekt") and "te laat" in matrix["Humanitas"]["Oost"]
    assert "te laat" not in matrix["MEE"]["Oost"]


def test_future_period_is_not_overdue_and_coordinator_sees_own_wijken(app, login_as):
    with app.app_context():
        pid = period(2027, 1).id
    client = login_as(Role.BUURTCOORDINATOR)  # Oost and Hilversumse Meent
    html = client.get(f"/tellen/volledigheid?periode={pid}").get_data(as_text=True)
    assert 'id="overdue-count">0<' in html
    matrix = tables(html)["Status per organisatie en wijk, mei 2027"]
    assert matrix[0] == ["Organisatie", "Hilversumse Meent", "Oost"]
    assert f"(0 van {len(WELFARE) * 2})" in html
    # Malformed period ids fall back to the latest period instead of failing.
    assert client.get("/tellen/volledigheid?periode=abc").status_code == 200
    assert client.get("/tellen/volledigheid?periode=99999999999999").status_code == 200
