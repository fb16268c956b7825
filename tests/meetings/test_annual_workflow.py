"""Issue 14 §3: the organisation drafts its jaarrapportage, the accounthouder returns and settles it."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Organisation, Role

from ..counts.conftest import TableParser, plan  # noqa: F401  (pytest fixture)
from ..narratives.conftest import make_story  # noqa: F401  (pytest fixture)
from .conftest import docx_text, pdf_text

REPORTS = "/monitorgesprekken/jaarrapportages"


def _org_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = TableParser()
    parser.feed(html)
    return parser.tables


def _grant(admin, user) -> None:
    response = admin.post(f"{REPORTS}/schrijvers/{user.id}", data={"granted": "y"})
    assert response.status_code == 302


def _year_returns(make_return) -> dict:
    """Versa Welzijn's approved returns in Oost for 2025: hours, and a small client count."""
    figures = {
        1: dict(hours={"buurtwerk": 200}, clients={"individuele_ondersteuning": 30, "formulierenhulp": 3}),
        2: dict(hours={"buurtwerk": 180}, clients={"individuele_ondersteuning": 28, "formulierenhulp": 2}),
        3: dict(hours={"buurtwerk": 150}, clients={"individuele_ondersteuning": 25}, unique_clients_year=60),
    }
    for tertial, values in figures.items():
        make_return("Versa Welzijn", "Oost", 2025, tertial, volunteers=8, fte=1, meldingen=20, **values)
    return figures


# slow: ~3.2 s on a quiet machine (PDF and Word of the report); the fast loop keeps the
# drafting right and the settling of a wijk report below.
@pytest.mark.slow
def test_the_organisation_drafts_submits_is_returned_and_the_accounthouder_settles(
        app, login_as, make_return, plan):  # noqa: F811  (pytest fixture)
    figures = _year_returns(make_return)
    plan("Versa Welzijn", "buurtwerk", 2025, "10")
    admin = login_as(Role.ADMIN)
    drafter = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])  # Versa Welzijn
    colleague = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])  # Versa Welzijn, no right
    other_org = login_as(Role.SOCIAAL_WERKER, organisation="MEE", wijken=["Oost"])
    accounthouder = login_as(Role.ACCOUNTHOUDER)
    council = login_as(Role.RAADSLID)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])

    # Without the right a sociaal werker cannot start the organisation's report.
    assert drafter.post(f"{REPORTS}/eigen", data={"eigen-year": "2025"}).status_code == 403
    assert "Opstellen" not in drafter.get(REPORTS).get_data(as_text=True)
    _grant(admin, drafter.user)
    assert "Recht intrekken" in admin.get(f"{REPORTS}/schrijvers").get_data(as_text=True)
    response = drafter.post(f"{REPORTS}/eigen", data={"eigen-year": "2025"})
    assert response.status_code == 302
    url = response.headers["Location"]
    assert drafter.post(f"{REPORTS}/eigen", data={"eigen-year": "2025"}).headers["Location"] == url

    response = drafter.post(url, data={"introduction": "Ons jaar in Oost.", "conclusions": "Het werkt.",
                                       "samenstellen": "1"})
    assert response.status_code == 302
    page = drafter.get(url).get_data(as_text=True)
    assert "Ons jaar in Oost." in page and "Exact" in page
    tables = _tables(page)
    # Inside the organisation its own figures are exact (3 and 2 clients for formulierenhulp).
    clients = tables["Cliënten per tertiaal 2025 — Versa Welzijn"]
    row = next(r for r in clients if r[0].startswith("Formulieren"))
    assert row[1:] == ["3", "2", "0"]
    total = next(r for r in clients if r[0] == "Alle soorten dienstverlening")
    assert total[1:] == [str(sum(f["clients"].values())) for f in figures.values()]
    assert tables["Unieke cliënten over 2025"][-1][1] == "60"
    # Hours per specialism against the budget: 10 a week × 365/7 weeks.
    hours = tables["Uren per specialisme 2025 — Versa Welzijn"]
    realised = sum(f["hours"]["buurtwerk"] for f in figures.values())
    budget = 10 * 365 / 7
    buurtwerk = next(r for r in hours if r[0] == "Buurtwerk")
    assert buurtwerk[1:] == ["200", "180", "150", str(realised), str(round(budget)),
                             f"{round(realised / budget * 100)}%"]

    # A concept is the organisation's own: nobody else reads it.
    for outsider in (colleague, other_org, accounthouder, council, coordinator):
        assert outsider.get(url).status_code == 403
        assert outsider.get(url + ".pdf").status_code == 403
    listing = accounthouder.get(REPORTS).get_data(as_text=True)
    assert "Jaarrapportage 2025 — Versa Welzijn" in listing and "(bij de organisatie)" in listing
    assert url not in listing
    # Neither the accounthouder nor another organisation writes in it.
    assert accounthouder.post(url, data={"introduction": "x"}).status_code == 403
    assert other_org.post(url + "/indienen").status_code == 403
    assert accounthouder.post(url + "/vaststellen", data={}).status_code == 403  # not submitted: not theirs yet

    assert drafter.post(url + "/indienen").status_code == 302
    # Submitted: frozen for the drafter, open for the accounthouder, not yet for the council.
    response = drafter.post(url, data={"introduction": "Nog iets", "conclusions": ""})
    assert response.status_code == 400 and "ingediend" in response.get_data(as_text=True)
    assert accounthouder.get(url).status_code == 200
    assert council.get(url).status_code == 403
    assert "Jaarrapportage 2025 — Versa Welzijn: ingediend" in accounthouder.get("/start").get_data(as_text=True)

    # Returned without remarks: refused, with the message beside the field.
    response = accounthouder.post(url + "/terugsturen", data={"terug-remarks": ""})
    assert response.status_code == 400 and "Schrijf op wat de organisatie" in response.get_data(as_text=True)
    assert accounthouder.post(url + "/terugsturen",
                              data={"terug-remarks": "Licht de uren buurtwerk toe."}).status_code == 302
    page = drafter.get(url).get_data(as_text=True)
    assert "Licht de uren buurtwerk toe." in page and "Teruggestuurd" in page
    assert "Jaarrapportage 2025 — Versa Welzijn: teruggestuurd" in drafter.get("/start").get_data(as_text=True)
    assert drafter.post(url, data={"introduction": "Ons jaar in Oost, met toelichting op de uren.",
                                   "conclusions": "Het werkt."}).status_code == 302
    assert drafter.post(url + "/indienen").status_code == 302
    assert accounthouder.post(url + "/vaststellen", data={"vast-remarks": "Akkoord."}).status_code == 302

    # Settled: read-only for everyone, audited, and open to readers outside the organisation.
    response = drafter.post(url, data={"introduction": "Later", "conclusions": ""})
    assert response.status_code == 400 and "vastgesteld" in response.get_data(as_text=True)
    assert accounthouder.post(url + "/terugsturen", data={"terug-remarks": "Toch niet"}).status_code == 400
    assert accounthouder.post(url + "/vaststellen", data={}).status_code == 400
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "AnnualReport").order_by(AuditEvent.id)))
    assert actions.count("report.submit") == 2 and "report.return" in actions and actions[-1] == "report.settle"

    page = council.get(url).get_data(as_text=True)
    assert "met toelichting op de uren" in page and "Akkoord." not in page  # no review history outside
    clients = _tables(page)["Cliënten per tertiaal 2025 — Versa Welzijn"]
    row = next(r for r in clients if r[0].startswith("Formulieren"))
    assert row[1] == "<5" and row[2] == "<5"
    for reader in (council, coordinator, other_org):
        assert reader.get(url).status_code == 200
        text = pdf_text(reader.get(url + ".pdf").data) + docx_text(reader.get(url + ".docx").data)
        assert "Formulieren" in text and "<5" in text
    # The colleague inside the organisation reads the settled report with its exact figures.
    clients = _tables(colleague.get(url).get_data(as_text=True))["Cliënten per tertiaal 2025 — Versa Welzijn"]
    assert next(r for r in clients if r[0].startswith("Formulieren"))[1] == "3"


def test_the_drafting_right_is_least_privilege(app, login_as):
    admin = login_as(Role.ADMIN)
    drafter = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])  # Versa Welzijn
    accounthouder = login_as(Role.ACCOUNTHOUDER)
    # Only the beheerder grants it.
    assert accounthouder.get(f"{REPORTS}/schrijvers").status_code == 403
    assert accounthouder.post(f"{REPORTS}/schrijvers/{drafter.user.id}", data={"granted": "y"}).status_code == 403
    _grant(admin, drafter.user)
    # A report the accounthouder opened for another organisation is not the drafter's.
    mee = accounthouder.post(REPORTS, data={"year": "2025", "subject": f"organisatie-{_org_id(app, 'MEE')}"})
    mee_url = mee.headers["Location"]
    assert drafter.get(mee_url).status_code == 403
    assert drafter.post(mee_url, data={"introduction": "x"}).status_code == 403
    # Moving to another organisation voids the right.
    with app.app_context():
        from monitor.models import User

        user = db.session.get(User, drafter.user.id)
        user.organisation_id = _org_id(app, "MEE")
        db.session.commit()
    assert drafter.get(mee_url).status_code == 403
    assert drafter.post(f"{REPORTS}/eigen", data={"eigen-year": "2025"}).status_code == 403
    # Revoked: gone.
    with app.app_context():
        user = db.session.get(User, drafter.user.id)
        user.organisation_id = _org_id(app, "Versa Welzijn")
        db.session.commit()
    assert admin.post(f"{REPORTS}/schrijvers/{drafter.user.id}", data={}).status_code == 302
    assert drafter.post(f"{REPORTS}/eigen", data={"eigen-year": "2025"}).status_code == 403
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"report.author_grant", "report.author_revoke"} <= actions


def test_a_wijk_report_is_settled_by_the_accounthouder_and_quotes_the_years_stories_and_signals(
        narr_app, make_story, login_as):  # noqa: F811  (pytest fixture)
    app = narr_app
    from .test_meetings_flow import open_session

    story_id = make_story(wijk="Oost", title="De moestuin achter de flat", about=date(2026, 2, 1),
                          summary="Buren zaaien samen.", body="Eerst waren we met twee.\n\nNu met twintig.")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    session_id = open_session(coordinator, app, wijk="Oost", year=2026, tertial=1)
    coordinator.post(f"/monitorgesprekken/{session_id}/verhalen", data={"story-story_id": str(story_id)})
    coordinator.post(f"/monitorgesprekken/{session_id}/dossier")
    assert coordinator.post(f"/monitorgesprekken/{session_id}/verslag", data={
        "held_on": "2026-05-20", "most_significant_story_id": str(story_id),
        "most_significant_why": "Het laat zien hoe buren elkaar vinden.",
        "signaal-0": "Meer ruimte voor moestuinen in de wijk."}).status_code == 302
    accounthouder = login_as(Role.ACCOUNTHOUDER)
    with app.app_context():
        from monitor.models import Wijk

        oost = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
    url = accounthouder.post(REPORTS, data={"year": "2026", "subject": f"wijk-{oost}"}).headers["Location"]
    assert accounthouder.post(url + "/indienen").status_code == 302  # a wijk report is not submitted …
    assert "wordt ingediend" in accounthouder.get(url).get_data(as_text=True)
    assert accounthouder.post(url + "/vaststellen", data={}).status_code == 400  # … nor settled uncompiled
    accounthouder.post(url, data={"introduction": "", "conclusions": "", "samenstellen": "1"})
    page = accounthouder.get(url).get_data(as_text=True)
    for text in ("De moestuin achter de flat", "Buren zaaien samen.", "Eerst waren we met twee.",
                 "Nu met twintig.", "Het laat zien hoe buren elkaar vinden.",
                 "Meer ruimte voor moestuinen in de wijk."):
        assert text in page, text
    assert accounthouder.post(url + "/vaststellen", data={}).status_code == 302
    council = login_as(Role.RAADSLID)
    assert "Eerst waren we met twee." in council.get(url).get_data(as_text=True)
    # The teller withdraws it: the settled report keeps nothing of its text.
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/intrekken").status_code == 302
    page = council.get(url).get_data(as_text=True)
    assert "Dit verhaal is ingetrokken door de verteller." in page
    for gone in ("De moestuin achter de flat", "Eerst waren we met twee.", "hoe buren elkaar vinden"):
        assert gone not in page
    with app.app_context():
        from monitor.meetings.models import AnnualReport

        report = db.session.get(AnnualReport, int(re.search(r"/(\d+)$", url).group(1)))
        stored = repr(report.compiled) + repr(report.compiled_internal)
    assert "Eerst waren we met twee." not in stored and "De moestuin" not in stored
