"""Monitorgesprek and jaarrapportage: where tellen and vertellen meet."""

from __future__ import annotations

from datetime import date

from flask import Flask, url_for

from ..registry import (
    HomeSection,
    HomeTask,
    add_annual_section,
    add_demo_seeder,
    add_dossier_section,
    add_eraser,
    add_home_section,
    add_nav,
)


def init_app(app: Flask) -> None:
    """Register the blueprint, the session's own sections, home tasks and demo data.

    The other modules contribute their own sections (``add_dossier_section``,
    ``add_annual_section``) and the story archive its :class:`~monitor.registry.StorySource`.
    """
    from .models import ReportStatus, SessionStatus

    # Templates compare statuses through the enum, never a raw string.
    app.add_template_global(SessionStatus, "SessionStatus")
    app.add_template_global(ReportStatus, "ReportStatus")
    from .charts import chart_svg

    app.add_template_global(chart_svg, "chart_svg")
    app.add_template_filter(story_html, "story_html")
    from . import (  # noqa: F401  (tables, policy, and the view modules' routes on the blueprint)
        council_views,
        models,
        notices,
        permissions,
        report_views,
        views,
        views_documents,
    )
    from .blueprint import bp
    from .initiatives import initiatives_annual_section
    from .seed import seed_demo
    from .services import actions_section, erase_story_copies, initiatives_section, stories_section

    app.register_blueprint(bp)
    add_eraser(app, "meetings: copies of story titles", erase_story_copies)
    add_nav(app, "Monitorgesprekken", "meetings.index", "meetings.view", 50)
    add_dossier_section(app, 80, "initiatives", initiatives_section)
    add_dossier_section(app, 90, "actions", actions_section)
    add_dossier_section(app, 200, "stories", stories_section)
    add_annual_section(app, 80, "initiatives_year", initiatives_annual_section)
    add_home_section(app, home_section)
    add_home_section(app, reports_home_section)
    from .council_home import agenda_section, dossiers_section, questions_section, signals_section

    for producer in (agenda_section, dossiers_section, signals_section, questions_section):
        add_home_section(app, producer)
    add_demo_seeder(app, 90, "monitorgesprekken en initiatieven", seed_demo)
    notices.register(app)


STORY_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "hr",
              "code", "pre"}


def story_html(html: str):
    """A frozen story's text (sanitised when it was frozen) cleaned once more before it is shown."""
    import nh3
    from markupsafe import Markup

    clean = nh3.clean(html or "", tags=STORY_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    # The story's own headings sit below the dossier's (title h4): h2–h4 become h5–h6.
    for old, new in (("h2", "h5"), ("h3", "h6"), ("h4", "h6")):
        clean = clean.replace(f"<{old}>", f"<{new}>").replace(f"</{old}>", f"</{new}>")
    return Markup(clean)  # noqa: S704  (sanitised by nh3 just above)


def home_section(user) -> HomeSection | None:
    """Coordinators: sessions of the coming month to prepare, and overdue actions."""
    from ..periods import next_deadline
    from ..permissions import can, wijk_ids_in_scope
    from .models import SessionStatus
    from .permissions import opens_sessions
    from .services import open_actions_for, sessions_overview

    if not can(user, "meetings.prepare"):
        return None
    period = next_deadline(date.today())
    if period is None:
        return None
    wijken, _, cells = sessions_overview(period.year, wijk_ids_in_scope(user))
    tasks = []
    for wijk in wijken:
        session = cells.get((wijk.id, period.id))
        if opens_sessions(user) or session is not None:
            if session is None:
                tasks.append(HomeTask(f"Monitorgesprek {wijk.name} ({period.label}) voorbereiden",
                                      url_for("meetings.index", jaar=period.year),
                                      "Nog niet aangemaakt.", "warning"))
            elif session.status == SessionStatus.VOORBEREIDING:
                tasks.append(HomeTask(f"Dossier {wijk.name} ({period.label}) uitgeven",
                                      url_for("meetings.prepare", session_id=session.id),
                                      "Het gesprek is in voorbereiding."))
        overdue = [a for a in open_actions_for(wijk.id, period) if a.due_on and a.due_on < date.today()]
        if overdue:
            tasks.append(HomeTask(f"{len(overdue)} verlopen actie(s) in {wijk.name}",
                                  url_for("meetings.index", jaar=period.year), urgency="error"))
    return HomeSection("Monitorgesprekken", tasks, "Alle gesprekken van deze periode zijn voorbereid.", order=50)


def reports_home_section(user) -> HomeSection | None:
    """Jaarrapportages waiting: submitted ones for the accounthouder, returned ones for the drafters."""
    from .permissions import holds_author_right, reviews_reports
    from .services import reports_waiting_for

    drafter = holds_author_right(user, user.organisation_id)
    if not (reviews_reports(user) or drafter):
        return None
    tasks = [HomeTask(f"{r.title}: {r.status.label.lower()}", url_for("meetings.report", report_id=r.id),
                      urgency="warning") for r in reports_waiting_for(user)]
    return HomeSection("Jaarrapportages", tasks, "Er wacht geen jaarrapportage op u.", order=55)
