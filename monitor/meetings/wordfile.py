"""Word documents in the house style, from the HTML the dossier and report templates render.

The house style is built by code (no binary template to keep in step): A4 portrait with
2 cm margins, Liberation Sans, headings in the municipal blue, language nl-NL in the
document defaults and every paragraph style (spelling and hyphenation in Dutch), a
running header (gemeente, wijk, period) and page numbers in the footer.

:func:`html_to_docx` understands the markup those templates use: headings, paragraphs,
lists, definition lists, tables (header row repeated, numbers right-aligned), figures with
photos (data URIs) and their captions. SVG charts are left out: Word gets the table
beside each chart, which has the same figures.
"""

from __future__ import annotations

import base64
import io
from html.parser import HTMLParser
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

LANGUAGE = "nl-NL"
FONT = "Liberation Sans"
BLUE = RGBColor(0x01, 0x68, 0x9B)
HEADINGS = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3", "h5": "Heading 4"}
SKIPPED = {"svg", "script", "style", "title", "head"}
BLOCKS = {"p", "li", "dt", "dd", "figcaption", "caption", "blockquote", *HEADINGS}


def _set_language(rpr_parent) -> None:
    """``<w:lang w:val="nl-NL">`` in a run-properties element (created when missing)."""
    rpr = rpr_parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_parent.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")


def house_style(title: str, running_header: str) -> Any:
    """A new document in the house style."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    _set_language(rpr_default)
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    for style in styles:
        if style.type == 1:  # paragraph styles
            _set_language(style.element)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        styles[name].font.name = FONT
        styles[name].font.color.rgb = BLUE
    styles["Title"].font.size = Pt(20)
    styles["Caption"].font.size = Pt(8.5)
    header = section.header.paragraphs[0]
    header.text = running_header
    header.runs[0].font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Pagina ").font.size = Pt(8)
    _field(footer, "PAGE")
    footer.add_run(" van ").font.size = Pt(8)
    _field(footer, "NUMPAGES")
    props = document.core_properties
    props.title, props.language = title, LANGUAGE
    props.author = "Tellen & Vertellen"
    props.subject = running_header
    return document


def _field(paragraph, code: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


class _Converter(HTMLParser):
    """Walks the template's HTML and writes the matching Word elements."""

    def __init__(self, document) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = document
        self.paragraph = None
        self.bold = self.italic = 0
        self.lists: list[str] = []
        self.skip = 0  # inside <svg>, <script>, <style>, <title>: not text for Word
        self.muted = False  # inside a "muted" paragraph (notes): italic
        self.quote = 0  # inside a <blockquote>
        self.in_body = False
        self.table: dict[str, Any] | None = None
        self.cell: dict[str, Any] | None = None

    # --- paragraphs -------------------------------------------------------------------
    def _new(self, style: str | None = None):
        self.paragraph = self.doc.add_paragraph(style=style)
        return self.paragraph

    def _text(self, text: str) -> None:
        if self.cell is not None:
            self.cell["text"] += text
            return
        if self.table is not None and self.table.get("caption") is not None:
            self.table["caption"] += text
            return
        if not text.strip() and self.paragraph is None:
            return
        if self.paragraph is None:
            self._new()
        run = self.paragraph.add_run(text)
        run.bold = bool(self.bold) or None
        run.italic = bool(self.italic) or None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "body":
            self.in_body = True
        if tag in SKIPPED:
            self.skip += 1
        if self.skip:
            return
        if not self.in_body:
            return
        classes = (attrs.get("class") or "").split()
        if tag in HEADINGS:
            self._new(HEADINGS[tag])
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
        elif tag == "li":
            self._new("List Number" if self.lists and self.lists[-1] == "ol" else "List Bullet")
        elif tag == "blockquote":
            self.quote += 1
            self._new("Quote")
        elif tag in ("figcaption",):
            self._new("Caption")
        elif tag == "dt":
            self._new()
            self.bold += 1
        elif tag == "dd":
            if self.paragraph is None:
                self._new()
            self._text(": ")
        elif tag == "p":
            self._new("Caption" if "doc-context" in classes else "Quote" if self.quote else None)
            if "muted" in classes:
                self.italic += 1
                self.muted = True
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()
        elif tag == "img":
            self._image(attrs)
        elif tag == "table":
            self.table = {"rows": [], "caption": None, "head_rows": 0, "in_head": False}
        elif tag == "caption" and self.table is not None:
            self.table["caption"] = ""
        elif tag == "thead" and self.table is not None:
            self.table["in_head"] = True
        elif tag == "tr" and self.table is not None:
            self.table["rows"].append([])
            if self.table["in_head"]:
                self.table["head_rows"] += 1
        elif tag in ("td", "th") and self.table is not None:
            self.cell = {"text": "", "num": "num" in classes, "head": tag == "th"}

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= tag in SKIPPED
            return
        if tag == "body":
            self.in_body = False
        if not self.in_body:
            return
        if tag in BLOCKS:
            if tag == "dt":
                self.bold = max(0, self.bold - 1)
            if tag == "p" and self.muted:
                self.italic, self.muted = max(0, self.italic - 1), False
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            if tag == "caption" and self.table is not None:
                return
            if tag != "dt":
                self.paragraph = None
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.paragraph = None
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag in ("td", "th") and self.table is not None and self.cell is not None:
            self.table["rows"][-1].append(self.cell)
            self.cell = None
        elif tag == "thead" and self.table is not None:
            self.table["in_head"] = False
        elif tag == "table" and self.table is not None:
            self._write_table(self.table)
            self.table = None
            self.paragraph = None

    def handle_data(self, data: str) -> None:
        if self.skip or not self.in_body:
            return
        text = " ".join(data.split()) if self.cell is None else data
        if data[:1].isspace() and text:
            text = " " + text
        if data[-1:].isspace() and text and not text.endswith(" "):
            text += " "
        if text:
            self._text(text)

    # --- tables and images ------------------------------------------------------------
    def _write_table(self, table: dict[str, Any]) -> None:
        rows = [r for r in table["rows"] if r]
        if table["caption"]:
            caption = self.doc.add_paragraph(style="Caption")
            caption.add_run(" ".join(table["caption"].split())).bold = True
        if not rows:
            return
        width = max(len(r) for r in rows)
        grid = self.doc.add_table(rows=0, cols=width)
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.LEFT
        for index, row in enumerate(rows):
            cells = grid.add_row().cells
            if index < table["head_rows"]:
                _repeat_header(grid.rows[index])
            for cell, data in zip(cells, row, strict=False):
                paragraph = cell.paragraphs[0]
                run = paragraph.add_run(" ".join(data["text"].split()))
                run.font.size = Pt(8.5)
                run.bold = data["head"] or None
                if data["num"]:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.paragraph = None

    def _image(self, attrs: dict[str, str]) -> None:
        src = attrs.get("src") or ""
        if not src.startswith("data:image/") or ";base64," not in src:
            return
        try:
            data = base64.b64decode(src.split(",", 1)[1], validate=True)
        except ValueError:
            return
        width, height = int(attrs.get("width") or 4), int(attrs.get("height") or 3)
        picture_width = Cm(12) if width >= height else Cm(12 * width / max(height, 1))
        self.doc.add_picture(io.BytesIO(data), width=picture_width)
        self._set_alt_text(attrs.get("alt") or "")
        self.paragraph = None

    def _set_alt_text(self, alt: str) -> None:
        """The photo's description (alt text) on the picture, for screen readers in Word."""
        last = self.doc.paragraphs[-1]._p
        for props in last.iter(qn("wp:docPr")):
            props.set("descr", alt)


def html_to_docx(html: str, *, title: str, running_header: str) -> bytes:
    """A Word document in the house style with the content of ``html``."""
    document = house_style(title, running_header)
    converter = _Converter(document)
    converter.feed(html)
    converter.close()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
