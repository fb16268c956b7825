"""The council's pages (issue 14), with the Hilversum demo data, pass axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from monitor.extensions import db

from ..browserkit import assert_pages_accessible, demo_app, serve

pytestmark = pytest.mark.browser

PAGES = {
    "raadslid@hilversum.demo": [
        "/start", "/monitorgesprekken/vragen", "/monitorgesprekken/signalen",
        "/monitorgesprekken/?jaar={year}&wijk={oost}", "/monitorgesprekken/{held}",
        "/verhalen/verhaal/{story}", "/tellen/dashboard?wijk={oost}", "/qim/wijken/{oost}", "/uitkomsten/"],
    "buurtcoordinator@hilversum.demo": [
        "/start", "/monitorgesprekken/{upcoming}", "/monitorgesprekken/{held}/verslag",
        "/monitorgesprekken/signalen", "/verhalen/verhaal/{story}", "/tellen/dashboard?wijk={oost}"],
    "accounthouder@hilversum.demo": ["/tellen/opgaven/{ret}", "/uitkomsten/?grouping=totaal"],
}


@pytest.fixture(scope="module")
def council_server(database_uri, tmp_path_factory):
    app, passwords = demo_app(database_uri, tmp_path_factory.mktemp("council"))
    with app.app_context():
        from monitor.counts.models import CountReturn
        from monitor.meetings.models import MonitorSession, SessionStatus
        from monitor.models import Period, Wijk
        from monitor.narratives.models import Story, StoryStatus, Visibility
        from monitor.timeutil import utcnow

        oost = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
        sessions = db.session.scalars(sa.select(MonitorSession).join(Period, MonitorSession.period_id == Period.id)
                                      .where(MonitorSession.wijk_id == oost)
                                      .order_by(Period.year, Period.tertial)).all()
        held = next(s for s in sessions if s.status == SessionStatus.GEHOUDEN)
        upcoming = next(s for s in sessions if s.status != SessionStatus.GEHOUDEN)
        story = db.session.scalar(sa.select(Story).where(
            Story.wijk_id == oost, Story.status == StoryStatus.GEPUBLICEERD,
            Story.visibility != Visibility.INTERN).order_by(Story.id))
        story.featured_at = utcnow()
        db.session.commit()
        ids = {"oost": oost, "held": held.id, "upcoming": upcoming.id, "story": story.id,
               "year": held.period.year, "ret": db.session.scalar(sa.select(sa.func.min(CountReturn.id)))}
    with serve(app) as url:
        yield {"url": url, "passwords": passwords, "ids": ids}


@pytest.mark.parametrize("email", list(PAGES))
def test_council_pages_are_accessible(council_server, page, email):
    assert_pages_accessible(page, council_server, email, PAGES[email])
