"""Monitorgesprek documents: dossier and jaarrapportage as PDF and Word, and the photos they show.

The rendering itself is in :mod:`.export` (plain functions a job worker can call too).
"""

from __future__ import annotations

from flask import Response, abort
from flask_login import current_user

from ..permissions import can, require_object, requires
from . import export, services
from .blueprint import bp
from .views import _dossier_or_404, _load

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _ascii(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-._" else "-" for c in name)


def _download(data: bytes, mimetype: str, name: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{_ascii(name)}"'})


def _dossier_name(session, issued, ext: str) -> str:
    return f"dossier-{session.wijk.name}-{session.period.year}-{session.period.tertial}-v{issued.version}.{ext}"


@bp.route("/<int:session_id>/dossier.pdf")
@bp.route("/<int:session_id>/dossier/v<int:version>.pdf")
@requires("meetings.view")
def dossier_pdf(session_id: int, version: int | None = None):
    """The issued dossier as PDF (tagged, nl, A4)."""
    session = _load(session_id, "meetings.view")
    issued = _dossier_or_404(session, version)
    return _download(export.render_dossier_pdf(issued, current_user), "application/pdf",
                     _dossier_name(session, issued, "pdf"))


@bp.route("/<int:session_id>/dossier.docx")
@bp.route("/<int:session_id>/dossier/v<int:version>.docx")
@requires("meetings.view")
def dossier_docx(session_id: int, version: int | None = None):
    """The issued dossier as a Word document (house style, A4, nl-NL)."""
    session = _load(session_id, "meetings.view")
    issued = _dossier_or_404(session, version)
    return _download(export.render_dossier_docx(issued, current_user), DOCX,
                     _dossier_name(session, issued, "docx"))


def _compiled_or_404(annual):
    """The report, once compiled, if the current user may read it (403 / 404 otherwise)."""
    require_object("reports.view", annual)
    if annual.compiled is None:
        abort(404, description="Deze jaarrapportage is nog niet samengesteld.")
    return annual


@bp.route("/jaarrapportages/<int:report_id>.pdf")
@requires("reports.view")
def report_pdf(report_id: int):
    """The annual report as PDF."""
    annual = _compiled_or_404(services.get_report_or_404(report_id))
    return _download(export.render_report_pdf(annual, current_user), "application/pdf", f"{annual.title}.pdf")


@bp.route("/jaarrapportages/<int:report_id>.docx")
@requires("reports.view")
def report_docx(report_id: int):
    """The annual report as a Word document."""
    annual = _compiled_or_404(services.get_report_or_404(report_id))
    return _download(export.render_report_docx(annual, current_user), DOCX, f"{annual.title}.docx")


@bp.route("/foto/<string:key>/<string:size>")
@requires("meetings.view")
def photo(key: str, size: str):
    """A photo of a story in an issued dossier (or the reports that copy it).

    Served while the dossier shows it: 404 when no dossier the reader may open shows
    it (a withdrawn story's photos are erased from every copy), 410 when a dossier still
    lists it but the archive no longer shares it (removed, or the story narrowed).
    """
    if size not in ("web", "thumb"):
        abort(404)
    status = services.dossier_photo_status(key, lambda s: can(current_user, "meetings.view", s),
                                           can(current_user, "reports.view"))
    if status != 200:
        abort(status)
    data = services.dossier_photo_bytes(key, size)
    if data is None:
        abort(410)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "no-store"  # withdrawal must take effect at once
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = 'inline; filename="foto.jpg"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
