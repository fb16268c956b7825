"""Jaarrapportages: a wijk's or organisation's year of monitorgesprekken and figures."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, Period, Wijk
from ..registry import registry
from ..timeutil import format_datetime, utcnow
from .minutes import minutes_of
from .models import AnnualReport, MonitorSession, ReportScope, SessionStatus


def list_reports() -> list[AnnualReport]:
    """All annual reports, newest year first."""
    return list(db.session.scalars(sa.select(AnnualReport).order_by(AnnualReport.year.desc(), AnnualReport.id)))


def create_report(*, year: int, scope: str, subject_id: int) -> AnnualReport:
    """Start the jaarrapportage of a wijk or organisation for a year (or return the existing one)."""
    scope = ReportScope(scope)
    model = Wijk if scope == ReportScope.WIJK else Organisation
    if db.session.get(model, subject_id) is None:
        raise DomainError("Kies een bestaande wijk of organisatie.", "subject_id")
    key = {"wijk_id": subject_id} if scope == ReportScope.WIJK else {"organisation_id": subject_id}
    report = db.session.scalar(sa.select(AnnualReport).filter_by(year=year, scope=scope, **key))
    if report is None:
        report = AnnualReport(year=year, scope=scope, **key)
        db.session.add(report)
        audit.record("report.create", report, new={"year": year, "scope": scope.value, **key})
        db.session.commit()
    return report


def update_report_text(report: AnnualReport, introduction: str, conclusions: str) -> None:
    """Save the editable introduction and conclusions."""
    old = audit.snapshot(report, ("introduction", "conclusions"))
    report.introduction, report.conclusions = introduction.strip(), conclusions.strip()
    before, after = audit.changes(old, audit.snapshot(report, ("introduction", "conclusions")))
    if after:
        audit.record("report.update", report, old=before, new=after)
    db.session.commit()


def _report_sessions(report: AnnualReport) -> list[MonitorSession]:
    query = (sa.select(MonitorSession).join(Period, MonitorSession.period_id == Period.id)
             .where(Period.year == report.year).order_by(Period.tertial, MonitorSession.wijk_id))
    if report.scope == ReportScope.WIJK:
        query = query.where(MonitorSession.wijk_id == report.wijk_id)
    return list(db.session.scalars(query))


def compile_report(report: AnnualReport) -> dict[str, Any]:
    """Gather the year's frozen dossiers, minutes, figures and stories into the report."""
    sessions = []
    stories: list[dict[str, Any]] = []
    for session in _report_sessions(report):
        dossier = session.current_dossier
        sessions.append({
            "title": session.title, "period": session.period.label, "wijk": session.wijk.name,
            "status": session.status.label,
            "dossier": {"version": dossier.version, "issued_at": format_datetime(dossier.issued_at),
                        "sections": dossier.snapshot.get("sections", [])} if dossier else None,
            "minutes": minutes_of(session) if session.status == SessionStatus.GEHOUDEN else None,
        })
        known = {s["id"] for s in stories}
        stories += [{"id": s.story_id, "title": s.story_title} for s in session.stories if s.story_id not in known]
    annual = []
    for entry in list(registry().annual_sections):
        section = entry.producer(report)
        if section is not None:
            annual.append(section.to_dict())
    compiled = {"title": report.title, "year": report.year, "subject": report.subject,
                "sessions": sessions, "annual_sections": annual, "stories": stories,
                "missing": [f"{s['title']}: nog geen dossier uitgegeven" for s in sessions if not s["dossier"]]
                + [f"{s['title']}: nog geen verslag" for s in sessions if not s["minutes"]]}
    report.compiled, report.compiled_at = compiled, utcnow()
    audit.record("report.compile", report, summary=report.title)
    db.session.commit()
    return compiled
