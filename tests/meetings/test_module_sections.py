"""The sections other modules contribute to a session, checked against fixture data."""

from __future__ import annotations

from datetime import date

from monitor.models import Role

from .test_meetings_flow import open_session


def test_ladder_outcomes_against_target_in_the_session(app, login_as, make_client, make_trajectory):
    # Twelve closed ladder trajectories in Oost, closed in January–April 2026; seven went up.
    for i in range(12):
        client = make_client(org="Versa Welzijn", wijk="Oost")
        make_trajectory(client, "ladder", started=date(2025, 9, 1), ended=date(2026, 3, 1),
                        begin=2, end=3 if i < 7 else 2)
    # Five in another wijk must not count (five, so that they need no protection themselves:
    # a single one there would also hide Oost's figure as its complement).
    for _ in range(5):
        other = make_client(org="Versa Welzijn", wijk="Zuid")
        make_trajectory(other, "ladder", started=date(2025, 9, 1), ended=date(2026, 3, 1), begin=1, end=4)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    html = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert "Uitkomsten voor cliënten" in html
    row = html[html.index("Participatieladder"):][:600]
    assert ">12<" in row and ">7<" in row and "58%" in row  # 7/12 = 58.3%


def test_small_outcome_counts_are_suppressed_in_the_dossier(app, login_as, make_client, make_trajectory):
    for _ in range(3):
        client = make_client(org="MEE", wijk="Oost")
        make_trajectory(client, "ladder", started=date(2025, 9, 1), ended=date(2026, 3, 1), begin=2, end=4)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    html = coordinator.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    row = html[html.index("Participatieladder"):][:600]
    assert "&lt;5" in row and ">3<" not in row


def test_a_later_correction_changes_the_dashboard_but_not_the_issued_dossier(app, login_as):
    from ..counts.conftest import GOOD_FORM

    with app.app_context():
        from monitor.periods import ensure_periods  # noqa: F401

        from ..conftest import get_wijk
        pid = period_id_for(app, 2026, 1)
        wid = get_wijk("Oost").id
    sw = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    ah = login_as(Role.ACCOUNTHOUDER)
    url = f"/tellen/opgave/{pid}/{wid}"
    assert sw.post(url, data=dict(GOOD_FORM, meldingen="40", action="submit")).status_code == 302
    ret_id = return_id(app)
    assert ah.post(f"/tellen/opgaven/{ret_id}/goedkeuren").status_code == 302

    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")

    def meldingen_in(html: str) -> str:
        row = html[html.index("<th scope=\"row\" class=\"utrecht-table__header-cell\">Nieuwe meldingen"):][:300]
        return row.split("num\">")[1].split("<")[0]

    dossier = coordinator.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    assert meldingen_in(dossier) == "40"

    # The accounthouder reopens; the organisation corrects 40 to 44; approved again.
    assert ah.post(f"/tellen/opgaven/{ret_id}/heropenen", data={"reason": "Dubbel geteld?"}).status_code == 302
    assert sw.post(url, data=dict(GOOD_FORM, meldingen="44", action="submit",
                                  explanation="Vier meldingen te laat ingevoerd")).status_code == 302
    assert ah.post(f"/tellen/opgaven/{ret_id}/goedkeuren").status_code == 302

    live = coordinator.get(f"/monitorgesprekken/{session_id}").get_data(as_text=True)
    assert meldingen_in(live) == "44"
    dashboard = ah.get(f"/tellen/dashboard?van={pid}&tot={pid}&wijk={wid}").get_data(as_text=True)
    assert ">44<" in dashboard
    dossier = coordinator.get(f"/monitorgesprekken/{session_id}/dossier").get_data(as_text=True)
    assert meldingen_in(dossier) == "40"
    import re

    from .conftest import pdf_text

    pdf = pdf_text(coordinator.get(f"/monitorgesprekken/{session_id}/dossier.pdf").data)
    assert re.search(r"Nieuwe meldingen\s+40\b", pdf) and not re.search(r"Nieuwe meldingen\s+44\b", pdf)
    assert "\x7f" not in pdf


def period_id_for(app, year, tertial):
    from .conftest import period_id

    return period_id(app, year, tertial)


def return_id(app):
    import sqlalchemy as sa

    from monitor.counts.models import CountReturn
    from monitor.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(CountReturn.id))


def test_annual_report_totals_for_a_wijk(app, login_as, make_return):
    # Approved returns of two organisations in Oost in 2025; one concept that must not count.
    figures = {
        ("Versa Welzijn", 1): dict(meldingen=30, closed_total=12, hours={"buurtwerk": 200}),
        ("Versa Welzijn", 2): dict(meldingen=25, closed_total=10, hours={"buurtwerk": 180}),
        ("Versa Welzijn", 3): dict(meldingen=20, closed_total=9, hours={"buurtwerk": 150}, unique_clients_year=70),
        ("MEE", 1): dict(meldingen=12, closed_total=6, hours={"amw": 90}),
        ("MEE", 3): dict(meldingen=8, closed_total=5, hours={"amw": 70}, unique_clients_year=30),
    }
    for (org, tertial), values in figures.items():
        make_return(org, "Oost", 2025, tertial, volunteers=3, fte=1, **values)
    make_return("MEE", "Oost", 2025, 2, status="concept", meldingen=500, hours={"amw": 999})
    expected_meldingen = sum(v["meldingen"] for v in figures.values())
    expected_hours = sum(sum(v["hours"].values()) for v in figures.values())
    expected_unique = sum(v.get("unique_clients_year", 0) for v in figures.values())

    accounthouder = login_as(Role.ACCOUNTHOUDER)
    import sqlalchemy as sa

    from monitor.extensions import db
    from monitor.models import Wijk

    with app.app_context():
        oost = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
    response = accounthouder.post("/monitorgesprekken/jaarrapportages", data={"year": "2025", "subject": f"wijk-{oost}"})
    url = response.headers["Location"]
    accounthouder.post(url, data={"introduction": "", "conclusions": "", "samenstellen": "1"})
    html = accounthouder.get(url).get_data(as_text=True)
    table = html[html.index("Opgaven 2025 — Oost"):]

    def row(label):
        part = table[table.index(label):]
        return [c.split("<")[0] for c in part.split('num">')[1:5]]

    assert row("Nieuwe meldingen")[-1] == str(expected_meldingen)  # 95
    assert row("Uren sociaal werk")[-1] == f"{expected_hours:,}".replace(",", ".")  # 690
    assert row("Cliënten (per tertiaal")[-1] == str(expected_unique)  # 100 unique, never summed tertials
    # The same year on the dashboard (accounthouder view) gives the same meldingen per tertial.
    from .conftest import period_id

    dashboard = accounthouder.get(f"/tellen/dashboard?van={period_id(app, 2025, 1)}&tot={period_id(app, 2025, 3)}&wijk={oost}").get_data(as_text=True)
    for tertial_total in ("42", "25", "28"):
        assert f">{tertial_total}<" in dashboard
    assert row("Nieuwe meldingen")[:3] == ["42", "25", "28"]
