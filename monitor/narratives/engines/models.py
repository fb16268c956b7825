"""The PostgreSQL search engine's index, in the database (:mod:`.postgres`).

On SQLite the tables exist too (one schema for both databases) but stay empty: that
engine only runs on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db

TSVECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class StorySearchDoc(db.Model):
    """One published story as the PostgreSQL engine searches it: its words as a weighted
    ``tsvector`` (title A, summary and tags B, text C, places and qualities D), the texts
    its highlights are made from, and its facet, language and visibility values."""

    __tablename__ = "story_search"
    __table_args__ = (
        sa.Index("ix_story_search_document", "document", postgresql_using="gin"),
    )

    story_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[str] = mapped_column(sa.String(20), index=True)
    f_wijk: Mapped[str] = mapped_column(sa.String(20))
    f_quality: Mapped[str] = mapped_column(sa.String(200), default="")  # codes, comma-separated
    f_year: Mapped[str] = mapped_column(sa.String(4))
    f_form: Mapped[str] = mapped_column(sa.String(30))
    # The story's language: "nl" is searched with tv_dutch, any other with tv_simple.
    lang: Mapped[str] = mapped_column(sa.String(8), default="nl", server_default="nl")
    date: Mapped[datetime] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.Text, default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    tags: Mapped[str] = mapped_column(sa.Text, default="")
    places: Mapped[str] = mapped_column(sa.Text, default="")  # wijk, buurt, qualities
    document: Mapped[str | None] = mapped_column(TSVECTOR, nullable=True)


class SearchWord(db.Model):
    """A word as written in a story's title, summary or text (lower case): the vocabulary
    of "Bedoelde u …?", found by trigram likeness (``pg_trgm``)."""

    __tablename__ = "story_search_words"
    __table_args__ = (
        sa.Index("ix_story_search_words_trgm", "word", postgresql_using="gin",
                 postgresql_ops={"word": "gin_trgm_ops"}),
    )

    word: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
