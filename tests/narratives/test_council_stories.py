"""Stories for the council: featured on their start page, behind the dashboards' numbers, figures on a story."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Role
from monitor.narratives.models import Story, Visibility

from ..counts.conftest import make_return  # noqa: F401,F811
from .conftest import quality_id, wijk_id


def test_coordinator_features_a_story_for_the_council(narr_app, login_as, make_story):
    public = make_story(title="Buren koken samen", wijk="Oost")
    raad = make_story(title="Het gesprek met de wethouder", wijk="Oost", visibility=Visibility.RAAD)
    intern = make_story(title="Intern verslag", wijk="Oost", visibility=Visibility.INTERN)
    other = make_story(title="In Zuid", wijk="Zuid")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    login_as(Role.BUURTCOORDINATOR, wijken=["Zuid"])  # Zuid has its own coordinator
    member = login_as(Role.RAADSLID)

    assert "Uitlichten voor de raad" in coordinator.get(f"/verhalen/verhaal/{public}").get_data(as_text=True)
    for story_id in (public, raad):
        assert coordinator.post(f"/verhalen/verhaal/{story_id}/uitlichten").status_code == 302
    # An intern story cannot be featured (council members cannot read it); another wijk's not at all.
    coordinator.post(f"/verhalen/verhaal/{intern}/uitlichten")
    assert coordinator.post(f"/verhalen/verhaal/{other}/uitlichten").status_code == 403
    assert member.post(f"/verhalen/verhaal/{public}/uitlichten").status_code == 403

    home = member.get("/start").get_data(as_text=True)
    assert "Verhalen uitgelicht voor de raad" in home
    assert "Buren koken samen" in home and "Het gesprek met de wethouder" in home
    assert "Intern verslag" not in home and "In Zuid" not in home
    with narr_app.app_context():
        assert db.session.get(Story, intern).featured_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "story.feature")) == 2

    # Narrowed to intern later: gone from the council's page without anyone un-featuring it.
    with narr_app.app_context():
        db.session.get(Story, raad).visibility = Visibility.INTERN
        db.session.commit()
    assert "Het gesprek met de wethouder" not in member.get("/start").get_data(as_text=True)

    assert coordinator.post(f"/verhalen/verhaal/{public}/niet-uitlichten").status_code == 302
    assert "Buren koken samen" not in member.get("/start").get_data(as_text=True)
    with narr_app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "story.unfeature"))


def test_stories_behind_the_dashboard_and_qim_follow_visibility(narr_app, login_as, make_story):
    make_story(title="Openbaar in mei", wijk="Oost", about=date(2026, 3, 5), qualities=("K1",))
    make_story(title="Voor de raad", wijk="Oost", about=date(2026, 2, 5), qualities=("K2",),
               visibility=Visibility.RAAD)
    make_story(title="Alleen intern", wijk="Oost", about=date(2026, 2, 6), visibility=Visibility.INTERN)
    make_story(title="Te vroeg", wijk="Oost", about=date(2025, 11, 5))
    make_story(title="Andere wijk", wijk="Zuid", about=date(2026, 3, 5))
    with narr_app.app_context():
        oost = wijk_id("Oost")
        first = db.session.execute(sa.text("select id from periods where year=2026 and tertial=1")).scalar()
        k1 = quality_id("K1")
    member = login_as(Role.RAADSLID)
    page = member.get(f"/tellen/dashboard?wijk={oost}&van={first}&tot={first}").get_data(as_text=True)
    assert "Verhalen achter de cijfers" in page
    assert "Openbaar in mei" in page and "Voor de raad" in page
    assert "Alleen intern" not in page and "Te vroeg" not in page and "Andere wijk" not in page
    worker = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert "Alleen intern" in worker.get(f"/tellen/dashboard?wijk={oost}&van={first}&tot={first}").get_data(as_text=True)
    assert "Kies een wijk om de verhalen" in member.get("/tellen/dashboard").get_data(as_text=True)

    # The QIM wijk page: per quality of the results (none without judgements).
    from monitor.narratives import stories_behind

    with narr_app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(type(member.user), member.user.id))
        from flask_login import current_user

        titles = [s["title"] for s in stories_behind(current_user, oost, date(2026, 1, 1), date(2026, 4, 30), k1)]
    assert titles == ["Openbaar in mei"]


def test_story_page_shows_its_wijks_figures_as_protected_as_the_dashboard(narr_app, login_as, make_story,
                                                                          make_return, client):  # noqa: F811
    story_id = make_story(title="Koffie in Oost", wijk="Oost", about=date(2026, 3, 5))
    make_return("Versa Welzijn", "Oost", 2026, 1, meldingen=30, meldingen_sociaal_plein=10, volunteers=12,
                closed_total=3, closed_within_six_months=3)
    make_return("MEE", "Oost", 2026, 1, meldingen=20, meldingen_sociaal_plein=6, volunteers=8)
    member = login_as(Role.RAADSLID)
    page = member.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert "De cijfers van Oost in deze periode" in page
    figures = dict(re.findall(r'<th scope="row" class="utrecht-table__header-cell">([^<]+)</th>'
                              r'<td class="utrecht-table__cell utrecht-table__cell--numeric-column">([^<]+)</td>', page))
    # The wijk sums the organisations: 30 + 20 meldingen, 12 + 8 volunteers; 3 closed trajectories are "<5".
    assert figures["Nieuwe meldingen"] == "50" and figures["Actieve vrijwilligers"] == "20"
    assert figures["Afgesloten trajecten"] == "&lt;5"
    assert "Oordelen over de kwaliteiten (QIM)" not in page or "Gemiddeld oordeel" in page
    # Anonymous visitors see no dashboards, so no figures beside the story either.
    assert "De cijfers van Oost" not in client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
