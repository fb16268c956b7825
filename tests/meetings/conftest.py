"""Builders for the monitorgesprek tests: a fake figures provider and story source."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Period, Wijk
from monitor.registry import Section, StorySource, Table, add_dossier_section, set_story_source

# Builders of the modules whose sections a session shows.
from ..counts.conftest import make_return  # noqa: F401
from ..narratives.conftest import narr_app, public_form, stamp  # noqa: F401
from ..outcomes.conftest import make_client, make_trajectory  # noqa: F401


def period_id(app, year: int, tertial: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Period.id).where(Period.year == year, Period.tertial == tertial))


def wijk_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Wijk.id).where(Wijk.name == name))


@pytest.fixture
def figures(app):
    """A provider standing in for a module: its figures can be "corrected" by the test."""
    data = {"hours": 120}

    def provider(wijk, period):
        return Section(key="fake_counts", title="Uren (testbron)", part=1,
                       tables=[Table("Uren per specialisme", ["Specialisme", "Uren"],
                                     [["Buurtwerk", str(data["hours"])]], numeric=[1])],
                       missing=["Opgave van MEE nog niet goedgekeurd"])

    add_dossier_section(app, 10, "fake_counts", provider)
    return data


@pytest.fixture
def stories(app):
    """A story source and feedback hook standing in for the story archive."""
    told = []
    published = [{"id": 7, "title": "Samen koken in de Meent", "summary": ""},
                 {"id": 8, "title": "De tuin van de Geuzenbuurt", "summary": ""}]
    set_story_source(app, StorySource(
        candidates=lambda wijk, period: published,
        feedback=lambda story_id, title, why: told.append((story_id, title, why)),
        published=lambda ids: {i for i in ids if i in {7, 8}}))
    return told


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)
