"""Compiling a jaarrapportage: the year's figures, sessions, stories and signals as plain data.

Every module contributes the year's figures through
``monitor.registry.add_annual_section(app, order, key, producer)``; the producer gets an
:class:`AnnualReportView`, whose ``protected`` says whether the compilation is for readers
outside the organisation (counts of persons through the disclosure control) or for the
organisation itself and the accounthouder (its own figures exact). A producer that ignores
``protected`` protects always. The page, the PDF and the Word export render the same dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Organisation, Period
from ..registry import registry
from ..timeutil import format_datetime
from .minutes import minutes_of
from .models import AnnualReport, MonitorSession, ReportScope, SessionStatus
from .stories import unavailable_stories


@dataclass
class AnnualReportView:
    """What an annual section producer needs of a report (and for whom it is compiled).

    :param wijk_ids: the wijken the report covers: its wijk, or the organisation's werkgebied.
    :param protected: the compilation is read outside the organisation.
    """

    id: int | None
    year: int
    scope: ReportScope
    wijk_id: int | None
    organisation_id: int | None
    subject: str
    protected: bool = True
    wijk_ids: list[int] = field(default_factory=list)


def covered_wijk_ids(report: AnnualReport) -> list[int]:
    """The wijk of a wijk report; an organisation's werkgebied (every wijk when none is set)."""
    if report.scope == ReportScope.WIJK:
        return [report.wijk_id]
    organisation = db.session.get(Organisation, report.organisation_id)
    ids = [w.id for w in organisation.wijken] if organisation else []
    if not ids:
        from ..models import Wijk

        ids = list(db.session.scalars(sa.select(Wijk.id).where(Wijk.active.is_(True)).order_by(Wijk.name)))
    return ids


def view_of(report: AnnualReport, protected: bool) -> AnnualReportView:
    return AnnualReportView(report.id, report.year, report.scope, report.wijk_id, report.organisation_id,
                            report.subject, protected, covered_wijk_ids(report))


def report_sessions(report: AnnualReport) -> list[MonitorSession]:
    """The year's sessions in the wijken the report covers."""
    query = (sa.select(MonitorSession).join(Period, MonitorSession.period_id == Period.id)
             .where(Period.year == report.year, MonitorSession.wijk_id.in_(covered_wijk_ids(report) or [-1]))
             .order_by(Period.tertial, MonitorSession.wijk_id))
    return list(db.session.scalars(query))


def _story_entries(sessions: list[MonitorSession]) -> list[dict[str, Any]]:
    """The stories chosen in the year's sessions, with their text and why they were chosen.

    The text comes from the archive (``StorySource.text``) and only while the story is
    public; a story no longer there shows the sentence that says so, without text.
    """
    entries: dict[int, dict[str, Any]] = {}
    for session in sessions:
        for chosen in session.stories:
            entry = entries.setdefault(chosen.story_id, {
                "id": chosen.story_id, "title": chosen.story_title, "summary": "", "body": "",
                "sessions": [], "why": []})
            entry["sessions"].append(session.title)
            if session.status == SessionStatus.GEHOUDEN and session.most_significant_story_id == chosen.story_id:
                entry["why"].append({"session": session.title, "text": session.most_significant_why})
    source = registry().story_source
    gone = unavailable_stories(entries)
    for story_id, entry in entries.items():
        if story_id in gone:
            entry.update(title=gone[story_id], summary="", body="", why=[])
            continue
        text = source.text(story_id) if source and source.text else None
        if text:
            entry.update(title=text.get("title", entry["title"]), summary=text.get("summary", ""),
                         body=text.get("body", ""))
    return list(entries.values())


def compile_data(report: AnnualReport, *, protected: bool) -> dict[str, Any]:
    """The report's contents as plain data (see the module docstring)."""
    sessions_data = []
    sessions = report_sessions(report)
    for session in sessions:
        dossier = session.current_dossier
        sessions_data.append({
            "title": session.title, "period": session.period.label, "wijk": session.wijk.name,
            "status": session.status.label,
            "dossier": {"version": dossier.version, "issued_at": format_datetime(dossier.issued_at),
                        "sections": dossier.snapshot.get("sections", [])} if dossier else None,
            "minutes": minutes_of(session) if session.status == SessionStatus.GEHOUDEN else None,
        })
    view = view_of(report, protected)
    annual = []
    for entry in list(registry().annual_sections):
        section = entry.producer(view)
        if section is not None:
            annual.append(section.to_dict())
    signals = [{"session": s["title"], "text": s["minutes"]["policy_signals"]}
               for s in sessions_data if s["minutes"] and s["minutes"].get("policy_signals")]
    return {"title": report.title, "year": report.year, "subject": report.subject,
            "scope": report.scope.value, "protected": protected,
            "sessions": sessions_data, "annual_sections": annual, "stories": _story_entries(sessions),
            "signals": signals,
            "missing": [f"{s['title']}: nog geen dossier uitgegeven" for s in sessions_data if not s["dossier"]]
            + [f"{s['title']}: nog geen verslag" for s in sessions_data if not s["minutes"]]}
