"""Dossier and jaarrapportage as documents a council accepts: PDF and Word.

Both are rendered from the screen's own templates (``meetings/dossier.html`` and
``meetings/report.html``) in their document layout (``meetings/document.html``), so page,
PDF and Word cannot disagree, and new content in those templates flows into both:

- PDF with WeasyPrint, as PDF/UA-1: tagged (structure tree, ``/MarkInfo /Marked``),
  language nl, bookmarks from the headings, A4 with a running header (gemeente, wijk,
  period) and page numbers in the ``@page`` margin boxes (``static/css/document.css``),
  charts as SVG (vector) beside their tables, numbers right-aligned in Dutch notation.
  Fonts are local (Debian's Liberation and DejaVu); nothing is fetched over the network.
- Word with python-docx, in the house style built by :mod:`.wordfile` (A4, nl-NL).

The functions are plain: ``render_dossier_pdf(dossier) -> bytes`` and friends need an
app context only (a job worker can call them); without a request they render as for the
dossier's audience. They render the frozen data (the dossier snapshot, the compiled
report), never live figures, with stories no longer available blanked out.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, has_request_context, render_template

from .. import installation
from ..registry import registry
from .models import AnnualReport, Dossier
from .stories import redact_compiled, redact_snapshot

PDF_VARIANT = "pdf/ua-1"  # tagged PDF (pdf_tags) with the PDF/UA identification


@contextmanager
def _rendering() -> Iterator[None]:
    """Templates need a request context: a job worker gets an anonymous one."""
    if has_request_context():
        yield
    else:
        with current_app.test_request_context("/"):
            yield


def _inline_photo(key: str, size: str = "web") -> str:
    """A photo of a shared story as a data URI (documents carry their photos inside)."""
    source = registry().story_source
    data = source.photo(key, size) if source is not None and source.photo is not None else None
    if not data:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def _inline_logo() -> str:
    """The gemeente's logo as a data URI for the top of a document ("" without a logo)."""
    data = installation.logo_png()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii") if data else ""


def _dossier_data(dossier: Dossier, reader: Any) -> dict[str, Any]:
    from .services import dossier_for

    if reader is None:  # the dossier's audience: what is missing is for preparers only
        return {**redact_snapshot(dossier.snapshot), "missing": []}
    return dossier_for(reader, dossier)


def dossier_context(dossier: Dossier, reader: Any = None, *,
                    photo_src: Callable[[str, str], str] | None = None,
                    document: bool = True) -> dict[str, Any]:
    """The template context of ``meetings/dossier.html`` for ``dossier`` as ``reader`` may read it."""
    session = dossier.session
    return {
        "meeting": session, "dossier": dossier, "data": _dossier_data(dossier, reader),
        "document": document, "layout": "meetings/document.html" if document else "base.html",
        "photo_src": photo_src or _inline_photo,
        "document_logo": _inline_logo(),
        "running_header": installation.document_header(f"wijk {session.wijk.name}", session.period.label),
    }


def report_context(report: AnnualReport, reader: Any = None, *,
                   photo_src: Callable[[str, str], str] | None = None,
                   document: bool = True) -> dict[str, Any]:
    """The template context of ``meetings/report.html`` for a compiled ``report``, as
    ``reader`` may read it (exact figures inside the organisation, else protected; without
    a reader: protected, for readers outside the organisation)."""
    from .annual import report_data_for
    from .permissions import reads_exact_report

    if reader is not None:
        data, insider = report_data_for(reader, report), reads_exact_report(reader, report)
    else:
        data, insider = (redact_compiled(report.compiled) if report.compiled else None), False
    return {
        "report": report, "data": data, "insider": insider,
        "document": document, "layout": "meetings/document.html" if document else "base.html",
        "photo_src": photo_src or _inline_photo,
        "document_logo": _inline_logo(),
        "running_header": installation.document_header(report.subject, f"jaarrapportage {report.year}"),
    }


def render_dossier_html(dossier: Dossier, reader: Any = None) -> str:
    """The dossier as a self-contained HTML document (photos inside): the source of PDF and Word."""
    with _rendering():
        return render_template("meetings/dossier.html", **dossier_context(dossier, reader))


def render_report_html(report: AnnualReport, reader: Any = None) -> str:
    """The compiled jaarrapportage as a self-contained HTML document."""
    with _rendering():
        return render_template("meetings/report.html", form=None, **report_context(report, reader))


# --- PDF -------------------------------------------------------------------------------

def _stylesheet() -> str:
    path = os.path.join(current_app.static_folder or "static", "css", "document.css")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def html_to_pdf(html: str) -> bytes:
    """Tagged, language-tagged A4 PDF of a document rendered by this module (WeasyPrint)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    from ..photos import refuse_truncated_files

    # WeasyPrint switches Pillow's process-wide LOAD_TRUNCATED_IMAGES on when imported; the
    # photo pipeline must keep refusing truncated uploads (our own photos are whole).
    refuse_truncated_files()

    class LocalOnly(URLFetcher):
        """Photos travel inside the HTML (data URIs); nothing else is fetched."""

        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                raise ValueError("Documenten halen niets van buiten op.")
            return super().fetch(url, headers)

    fetcher = LocalOnly()
    css = CSS(string=_stylesheet(), url_fetcher=fetcher)
    return HTML(string=html, base_url="/", url_fetcher=fetcher).write_pdf(
        stylesheets=[css], pdf_variant=PDF_VARIANT, optimize_images=True, jpeg_quality=85)


def render_dossier_pdf(dossier: Dossier, reader: Any = None) -> bytes:
    """The issued dossier as PDF (``reader``: whose "what is missing" it may show; ``None``: none)."""
    return html_to_pdf(render_dossier_html(dossier, reader))


def render_report_pdf(report: AnnualReport, reader: Any = None) -> bytes:
    """The compiled jaarrapportage as PDF."""
    return html_to_pdf(render_report_html(report, reader))


# --- Word ------------------------------------------------------------------------------

def render_dossier_docx(dossier: Dossier, reader: Any = None) -> bytes:
    """The issued dossier as a Word document in the house style."""
    from .wordfile import html_to_docx

    context = dossier_context(dossier, reader)
    return html_to_docx(render_dossier_html(dossier, reader), title=context["data"]["title"],
                        running_header=context["running_header"])


def render_report_docx(report: AnnualReport, reader: Any = None) -> bytes:
    """The compiled jaarrapportage as a Word document in the house style, for further editing."""
    from .wordfile import html_to_docx

    return html_to_docx(render_report_html(report, reader), title=report.title,
                        running_header=installation.document_header(
                            report.subject, f"jaarrapportage {report.year}"))
