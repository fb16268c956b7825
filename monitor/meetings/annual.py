"""Jaarrapportages: a wijk's or organisation's year of monitorgesprekken and figures.

Source 003 (chapter 5): the organisation writes a jaarrapportage on which the subsidy is
settled, a collection of what the year's monitorgesprekken brought up. An organisation's
report therefore goes *concept* → *ingediend* → (*teruggestuurd* → *ingediend*)* →
*vastgesteld*; a wijk report is the municipality's own compilation and is settled from
*concept*. Submitting freezes the figures the accounthouder reviews; settling makes the
report read-only. The compilation itself is in :mod:`.annual_compile`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, User, Wijk
from ..timeutil import utcnow
from .annual_compile import compile_data
from .models import AnnualReport, ReportReview, ReportScope, ReportStatus, ReviewKind

__all__ = ["author_candidates", "compile_report", "create_report", "list_reports", "report_data_for",
           "reports_for", "reports_waiting_for", "return_report", "set_author_right", "settle_report",
           "submit_report", "update_report_text"]


def list_reports() -> list[AnnualReport]:
    """All annual reports, newest year first."""
    return list(db.session.scalars(sa.select(AnnualReport).order_by(AnnualReport.year.desc(), AnnualReport.id)))


def create_report(*, year: int, scope: str, subject_id: int, by: User | None = None) -> AnnualReport:
    """Start the jaarrapportage of a wijk or organisation for a year (or return the existing one)."""
    scope = ReportScope(scope)
    model = Wijk if scope == ReportScope.WIJK else Organisation
    if db.session.get(model, subject_id) is None:
        raise DomainError("Kies een bestaande wijk of organisatie.", "subject_id")
    key = {"wijk_id": subject_id} if scope == ReportScope.WIJK else {"organisation_id": subject_id}
    report = db.session.scalar(sa.select(AnnualReport).filter_by(year=year, scope=scope, **key))
    if report is None:
        report = AnnualReport(year=year, scope=scope, status=ReportStatus.CONCEPT, **key)
        db.session.add(report)
        audit.record("report.create", report, new={"year": year, "scope": scope.value, **key}, actor=by)
        db.session.commit()
    return report


def _require_editable(report: AnnualReport) -> None:
    if report.status == ReportStatus.VASTGESTELD:
        raise DomainError("Deze jaarrapportage is vastgesteld en kan niet meer worden gewijzigd.")
    if not report.status.editable:
        raise DomainError("Deze jaarrapportage is ingediend en ligt bij de accounthouder; wijzigen kan "
                          "weer als zij wordt teruggestuurd.")


def update_report_text(report: AnnualReport, introduction: str, conclusions: str, by: User | None = None) -> None:
    """Save the editable introduction and conclusions. :raise DomainError: submitted or settled."""
    _require_editable(report)
    old = audit.snapshot(report, ("introduction", "conclusions"))
    report.introduction, report.conclusions = introduction.strip(), conclusions.strip()
    before, after = audit.changes(old, audit.snapshot(report, ("introduction", "conclusions")))
    if after:
        audit.record("report.update", report, old=before, new=after, actor=by)
    db.session.commit()


def _compile(report: AnnualReport) -> dict[str, Any]:
    """Both compilations (no commit): protected for outsiders, exact for the insiders."""
    report.compiled = compile_data(report, protected=True)
    report.compiled_internal = compile_data(report, protected=False)
    report.compiled_at = utcnow()
    return report.compiled


def compile_report(report: AnnualReport, by: User | None = None) -> dict[str, Any]:
    """Gather the year's frozen dossiers, minutes, figures and stories into the report.

    :raise DomainError: submitted or settled (the figures under review stay as they were).
    """
    _require_editable(report)
    compiled = _compile(report)
    audit.record("report.compile", report, summary=report.title, actor=by)
    db.session.commit()
    return compiled


def _review(report: AnnualReport, kind: ReviewKind, by: User, remarks: str = "") -> None:
    report.reviews.append(ReportReview(kind=kind, remarks=remarks, by_id=by.id))


def submit_report(report: AnnualReport, by: User) -> None:
    """The organisation hands its report to the accounthouder; the figures are compiled and frozen.

    :raise DomainError: a wijk report, or one already submitted or settled.
    """
    if report.scope != ReportScope.ORGANISATIE:
        raise DomainError("Alleen de jaarrapportage van een organisatie wordt ingediend; een wijkrapportage "
                          "stelt de accounthouder zelf vast.")
    _require_editable(report)
    old = report.status
    _compile(report)
    report.status, report.submitted_at = ReportStatus.INGEDIEND, utcnow()
    _review(report, ReviewKind.INGEDIEND, by)
    audit.record("report.submit", report, old={"status": old}, new={"status": report.status},
                 summary=f"{report.title} ingediend", actor=by)
    db.session.commit()


def return_report(report: AnnualReport, by: User, remarks: str) -> None:
    """The accounthouder sends a submitted report back with remarks the organisation reads.

    :raise DomainError: not submitted, or no remarks.
    """
    if report.status != ReportStatus.INGEDIEND:
        raise DomainError("Alleen een ingediende jaarrapportage kan worden teruggestuurd.")
    remarks = remarks.strip()
    if not remarks:
        raise DomainError("Schrijf op wat de organisatie moet aanvullen of verbeteren.", "remarks")
    report.status = ReportStatus.TERUGGESTUURD
    _review(report, ReviewKind.TERUGGESTUURD, by, remarks)
    audit.record("report.return", report, old={"status": ReportStatus.INGEDIEND},
                 new={"status": report.status, "remarks": remarks}, actor=by)
    db.session.commit()


def settle_report(report: AnnualReport, by: User, remarks: str = "") -> None:
    """Settle (vaststellen) the report as it lies: read-only from now on.

    An organisation's report is settled once submitted; a wijk report from its concept,
    once compiled. :raise DomainError: in any other state.
    """
    if report.status == ReportStatus.VASTGESTELD:
        raise DomainError("Deze jaarrapportage is al vastgesteld.")
    if report.scope == ReportScope.ORGANISATIE and report.status != ReportStatus.INGEDIEND:
        raise DomainError("De organisatie moet de jaarrapportage eerst indienen.")
    if report.scope == ReportScope.WIJK and report.status != ReportStatus.CONCEPT:
        raise DomainError("Deze jaarrapportage kan nu niet worden vastgesteld.")
    if report.compiled is None:
        raise DomainError("Stel de jaarrapportage eerst samen.")
    old = report.status
    report.status, report.settled_at, report.settled_by_id = ReportStatus.VASTGESTELD, utcnow(), by.id
    _review(report, ReviewKind.VASTGESTELD, by, remarks.strip())
    audit.record("report.settle", report, old={"status": old}, new={"status": report.status},
                 summary=f"{report.title} vastgesteld", actor=by)
    db.session.commit()


# --- who reads what ----------------------------------------------------------------------

def reports_for(user: User) -> list[tuple[AnnualReport, bool]]:
    """The reports ``user`` may know of, each with whether they may open it.

    Readers see the reports they may read; those who start reports (the municipality) also
    see that an organisation's concept exists, without opening it.
    """
    from ..permissions import can

    result = []
    for report in list_reports():
        readable = can(user, "reports.view", report)
        if readable or can(user, "reports.manage"):
            result.append((report, readable))
    return result


def reports_waiting_for(user: User) -> list[AnnualReport]:
    """Submitted reports for the accounthouder; returned (or open) own reports for drafters."""
    from .permissions import holds_author_right, reviews_reports

    if reviews_reports(user):
        return list(db.session.scalars(sa.select(AnnualReport).where(AnnualReport.status == ReportStatus.INGEDIEND)
                                       .order_by(AnnualReport.submitted_at)))
    if holds_author_right(user, user.organisation_id):
        return list(db.session.scalars(sa.select(AnnualReport).where(
            AnnualReport.organisation_id == user.organisation_id,
            AnnualReport.status == ReportStatus.TERUGGESTUURD).order_by(AnnualReport.year.desc())))
    return []


def report_data_for(user: User, report: AnnualReport) -> dict[str, Any] | None:
    """The compilation ``user`` reads: exact inside (organisation, accounthouder), else protected.

    Stories no longer there for everyone are blanked out (see :func:`.stories.redact_compiled`).
    """
    from .permissions import reads_exact_report
    from .stories import redact_compiled

    data = report.compiled_internal if reads_exact_report(user, report) and report.compiled_internal \
        else report.compiled
    return redact_compiled(data) if data else None


# --- the drafting right ------------------------------------------------------------------

def author_candidates() -> list[tuple[User, bool]]:
    """Active sociaal werkers with an organisation, each with whether they hold the drafting right."""
    from ..models import Role
    from .models import ReportAuthor

    grants = {g.user_id: g.organisation_id for g in db.session.scalars(sa.select(ReportAuthor))}
    users = db.session.scalars(sa.select(User).where(
        User.role == Role.SOCIAAL_WERKER, User.active.is_(True), User.organisation_id.is_not(None))
        .order_by(User.organisation_id, User.name))
    return [(u, grants.get(u.id) == u.organisation_id) for u in users]


def set_author_right(user: User, granted: bool, by: User) -> None:
    """Grant (for the user's current organisation) or revoke the right to draft its report.

    :raise DomainError: not an active sociaal werker of an organisation.
    """
    from ..models import Role
    from .models import ReportAuthor

    if granted and (user.role != Role.SOCIAAL_WERKER or not user.active or user.organisation_id is None):
        raise DomainError("Alleen een actieve sociaal werker van een organisatie kan dit recht krijgen.")
    grant = db.session.get(ReportAuthor, user.id)
    if granted:
        if grant is None:
            grant = ReportAuthor(user_id=user.id, organisation_id=user.organisation_id)
            db.session.add(grant)
        grant.organisation_id, grant.granted_by_id, grant.granted_at = user.organisation_id, by.id, utcnow()
        audit.record("report.author_grant", user, new={"organisation_id": user.organisation_id}, actor=by,
                     summary=f"{user.name} mag de jaarrapportage van de organisatie opstellen")
    elif grant is not None:
        db.session.delete(grant)
        audit.record("report.author_revoke", user, old={"organisation_id": grant.organisation_id}, actor=by,
                     summary=f"{user.name} mag de jaarrapportage niet meer opstellen")
    db.session.commit()
