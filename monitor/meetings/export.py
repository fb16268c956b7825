"""Dossier and annual report as PDF (ReportLab) and Word (python-docx).

Both render the same frozen data as the screen: the dossier snapshot or the compiled
annual report, never live figures.
"""

from __future__ import annotations

import io
import os
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from docx import Document
from docx.shared import Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

_FONT_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
_FONTS_READY = False


def _fonts() -> tuple[str, str]:
    """Register Bitstream Vera (ships with ReportLab; full Unicode Latin) once."""
    global _FONTS_READY
    if not _FONTS_READY:
        pdfmetrics.registerFont(TTFont("Vera", os.path.join(_FONT_DIR, "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("VeraBd", os.path.join(_FONT_DIR, "VeraBd.ttf")))
        _FONTS_READY = True
    return "Vera", "VeraBd"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=bold, fontSize=18, leading=22),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=13, leading=16, spaceBefore=10),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=bold, fontSize=11, leading=14, spaceBefore=6),
        "p": ParagraphStyle("p", parent=base["BodyText"], fontName=regular, fontSize=9.5, leading=13),
        "cell": ParagraphStyle("c", parent=base["BodyText"], fontName=regular, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("hc", parent=base["BodyText"], fontName=bold, fontSize=8.5, leading=10.5),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _pdf_section(section: dict[str, Any], st: dict) -> list:
    flow: list = [_p(section["title"], st["h3"])]
    if section.get("intro"):
        flow.append(_p(section["intro"], st["p"]))
    for table in section.get("tables", []):
        data = [[_p(h, st["head"]) for h in table["headers"]]] + [
            [_p(str(c), st["cell"]) for c in row] for row in table["rows"]]
        t = Table(data, repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef2")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        flow += [Spacer(1, 3), _p(table["caption"], st["head"]), t, Spacer(1, 6)]
    if section.get("items"):
        flow.append(ListFlowable([ListItem(_p(i, st["p"])) for i in section["items"]], bulletType="bullet", bulletFontName="Vera"))
    if not section.get("tables") and not section.get("items"):
        flow.append(_p(section.get("empty_text", ""), st["p"]))
    for note in section.get("notes", []):
        flow.append(_p(note, st["p"]))
    return flow


def _build(flow: list, title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Tellen & Vertellen",
                            leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    doc.build(flow)
    return buffer.getvalue()


def dossier_pdf(snapshot: dict[str, Any], version: int, issued_at: str) -> bytes:
    """The issued dossier as PDF."""
    st = _styles()
    flow: list = [_p(snapshot["title"], st["title"]),
                  _p(f"Dossier versie {version}, uitgegeven {issued_at}. Cijfers zoals op dat moment; "
                     f"periode {snapshot['covers']}.", st["p"])]
    details = [("Datum en tijd", snapshot.get("scheduled_at")), ("Plaats", snapshot.get("place")),
               ("Gespreksleider", snapshot.get("facilitator"))]
    for label, value in details:
        if value:
            flow.append(_p(f"{label}: {value}", st["p"]))
    if snapshot.get("introduction"):
        flow += [_p("Inleiding", st["h2"]), _p(snapshot["introduction"], st["p"])]
    if snapshot.get("questions"):
        flow += [_p("Gespreksvragen", st["h2"]),
                 ListFlowable([ListItem(_p(q, st["p"])) for q in snapshot["questions"]], bulletType="1", bulletFontName="Vera")]
    if snapshot.get("participants"):
        flow.append(_p("Genodigden", st["h2"]))
        flow.append(ListFlowable([ListItem(_p(f"{p['name']} — {p['kind']}"
                                              + (f", {p['organisation']}" if p["organisation"] else ""), st["p"]))
                                  for p in snapshot["participants"]], bulletType="bullet", bulletFontName="Vera"))
    for part, heading in ((1, "Deel 1 — Impact: cijfers, kwaliteiten en initiatieven"), (2, "Deel 2 — Het verhaal")):
        flow.append(_p(heading, st["h2"]))
        for section in snapshot["sections"]:
            if section["part"] == part:
                flow += _pdf_section(section, st)
    if snapshot.get("missing"):
        flow += [_p("Nog niet compleet", st["h2"]),
                 ListFlowable([ListItem(_p(m, st["p"])) for m in snapshot["missing"]], bulletType="bullet", bulletFontName="Vera")]
    return _build(flow, snapshot["title"])


def report_pdf(report_title: str, introduction: str, conclusions: str, compiled: dict[str, Any]) -> bytes:
    """The jaarrapportage as PDF."""
    st = _styles()
    flow: list = [_p(report_title, st["title"])]
    if introduction:
        flow += [_p("Inleiding", st["h2"]), _p(introduction, st["p"])]
    for section in compiled.get("annual_sections", []):
        flow += _pdf_section(section, st)
    for session in compiled.get("sessions", []):
        flow.append(_p(session["title"], st["h2"]))
        if session["dossier"]:
            flow.append(_p(f"Dossier versie {session['dossier']['version']}, uitgegeven "
                           f"{session['dossier']['issued_at']}.", st["p"]))
            for section in session["dossier"]["sections"]:
                flow += _pdf_section(section, st)
        else:
            flow.append(_p("Geen dossier uitgegeven.", st["p"]))
        flow += _pdf_minutes(session.get("minutes"), st)
    if compiled.get("stories"):
        flow += [_p("Besproken verhalen", st["h2"]),
                 ListFlowable([ListItem(_p(s["title"], st["p"])) for s in compiled["stories"]], bulletType="bullet", bulletFontName="Vera")]
    if conclusions:
        flow += [_p("Conclusies", st["h2"]), _p(conclusions, st["p"])]
    return _build(flow, report_title)


def _pdf_minutes(minutes: dict[str, Any] | None, st: dict) -> list:
    if not minutes:
        return [_p("Nog geen verslag.", st["p"])]
    flow = [_p(f"Verslag (gehouden {minutes['held_on']})", st["h3"])]
    for c in minutes["conclusions"]:
        flow.append(_p(f"{c['quality']}: {c['text']}", st["p"]))
    if minutes["policy_signals"]:
        flow.append(_p(f"Signalen voor beleid: {minutes['policy_signals']}", st["p"]))
    if minutes["most_significant"]:
        m = minutes["most_significant"]
        flow.append(_p(f"Meest betekenisvolle verhaal: {m['title']}. Waarom: {m['why']}"
                       + (f" Andere geluiden: {m['dissent']}" if m["dissent"] else ""), st["p"]))
    for a in minutes["actions"]:
        flow.append(_p(f"Actie: {a['description']} — {a['owner']}, uiterlijk {a['due_on']}"
                       + (f" (afgerond {a['done']})" if a["done"] else ""), st["p"]))
    return flow


def report_docx(report_title: str, introduction: str, conclusions: str, compiled: dict[str, Any]) -> bytes:
    """The jaarrapportage as a Word document for further editing."""
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_heading(report_title, level=0)
    if introduction:
        doc.add_heading("Inleiding", level=1)
        doc.add_paragraph(introduction)
    for section in compiled.get("annual_sections", []):
        _docx_section(doc, section)
    for session in compiled.get("sessions", []):
        doc.add_heading(session["title"], level=1)
        if session["dossier"]:
            doc.add_paragraph(f"Dossier versie {session['dossier']['version']}, uitgegeven "
                              f"{session['dossier']['issued_at']}.")
            for section in session["dossier"]["sections"]:
                _docx_section(doc, section)
        else:
            doc.add_paragraph("Geen dossier uitgegeven.")
        minutes = session.get("minutes")
        if minutes:
            doc.add_heading(f"Verslag (gehouden {minutes['held_on']})", level=2)
            for c in minutes["conclusions"]:
                doc.add_paragraph(f"{c['quality']}: {c['text']}")
            if minutes["policy_signals"]:
                doc.add_paragraph(f"Signalen voor beleid: {minutes['policy_signals']}")
            if minutes["most_significant"]:
                m = minutes["most_significant"]
                doc.add_paragraph(f"Meest betekenisvolle verhaal: {m['title']}. Waarom: {m['why']}")
            for a in minutes["actions"]:
                doc.add_paragraph(f"{a['description']} — {a['owner']}, uiterlijk {a['due_on']}", style="List Bullet")
    if compiled.get("stories"):
        doc.add_heading("Besproken verhalen", level=1)
        for s in compiled["stories"]:
            doc.add_paragraph(s["title"], style="List Bullet")
    if conclusions:
        doc.add_heading("Conclusies", level=1)
        doc.add_paragraph(conclusions)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_section(doc, section: dict[str, Any]) -> None:
    doc.add_heading(section["title"], level=2)
    if section.get("intro"):
        doc.add_paragraph(section["intro"])
    for table in section.get("tables", []):
        doc.add_paragraph(table["caption"]).runs[0].bold = True
        t = doc.add_table(rows=1, cols=len(table["headers"]))
        t.style = "Table Grid"
        for cell, header in zip(t.rows[0].cells, table["headers"], strict=True):
            cell.text = header
        for row in table["rows"]:
            for cell, value in zip(t.add_row().cells, row, strict=True):
                cell.text = str(value)
    for item in section.get("items", []):
        doc.add_paragraph(item, style="List Bullet")
    if not section.get("tables") and not section.get("items"):
        doc.add_paragraph(section.get("empty_text", ""))
