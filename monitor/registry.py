"""The one list of what feature packages contribute to the shell.

Every contribution point is a typed ``add_...`` function a module calls in its
``init_app(app)``; the shell and the other modules read them back through
:func:`registry`.

- navigation (:func:`add_nav`) and home-page tasks (:func:`add_home_section`),
- demo data (:func:`add_demo_seeder`),
- monitorgesprek dossier sections (:func:`add_dossier_section`) and annual-report
  sections (:func:`add_annual_section`), both built from :class:`Section` / :class:`Table`,
- the story source the monitorgesprek chooses its stories from (:func:`set_story_source`),
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Flask, current_app

# --- navigation and home page ----------------------------------------------------------


@dataclass(order=True)
class NavItem:
    """A link in the main navigation, shown to those holding ``permission``."""

    order: int
    label: str = field(compare=False)
    endpoint: str = field(compare=False)
    permission: str = field(compare=False)


@dataclass
class HomeTask:
    """Something a person has to do, shown on their home page."""

    title: str
    url: str | None = None
    detail: str = ""
    urgency: str = "info"  # "info", "warning" or "error" (overdue)


@dataclass
class HomeSection:
    """A block of the home page, produced per user by a feature package."""

    heading: str
    tasks: list[HomeTask]
    empty_text: str = "Er is niets dat op u wacht."
    order: int = 100


# --- dossier and annual-report sections ------------------------------------------------


@dataclass
class Table:
    """A table of formatted figures (the same in page, dossier, PDF and Word)."""

    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[int] = field(default_factory=list)  # right-aligned column indexes


@dataclass
class Section:
    """One block of a monitorgesprek (part 1: impact, part 2: the story) or annual report.

    Figures are formatted (Dutch) and protected by the module that produces them: the
    dossier's audience (participants, residents, council members) is outside the owning
    organisations.
    """

    key: str
    title: str
    part: int = 1
    intro: str = ""
    tables: list[Table] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty_text: str = "Geen gegevens voor deze wijk en periode."
    # Story ids behind ``items`` (part 2), so a story withdrawn later can be blanked out.
    refs: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        tables = [Table(**t) for t in data.get("tables", [])]
        return cls(**{**data, "tables": tables})


@dataclass(order=True)
class DossierSection:
    """``producer(wijk, period) -> Section | None``: a section of the monitorgesprek.

    :param missing_permission: who may see the section's ``missing`` list beyond the
        preparers' right (``None``: every preparer).
    """

    order: int
    key: str = field(compare=False)
    producer: Callable[[Any, Any], Section | None] = field(compare=False)
    missing_permission: str | None = field(default=None, compare=False)


@dataclass(order=True)
class AnnualSection:
    """``producer(report) -> Section | None``: the year's figures in an annual report."""

    order: int
    key: str = field(compare=False)
    producer: Callable[[Any], Section | None] = field(compare=False)


# --- stories for the monitorgesprek ----------------------------------------------------


@dataclass
class StorySource:
    """How the monitorgesprek asks the story archive for stories (registered by the archive).

    :param candidates: ``(wijk, period) -> [{"id", "title", "summary"}]``, the stories the
        dossier's audience may read, newest first.
    :param feedback: ``(story_id, session_title, why)``: tell the storyteller why the
        session chose their story (the caller commits).
    :param published: ``(ids) -> ids`` still there for the dossier's audience.
    :param withdrawn: ``(ids) -> ids`` their tellers withdrew (``None``: every story no
        longer published counts as withdrawn).
    :param title: ``(story_id) -> title | None``: the current title of a story that still
        exists and was not withdrawn (for rewriting copies after an erasure).
    """

    candidates: Callable[[Any, Any], Iterable[dict[str, Any]]]
    feedback: Callable[[int, str, str], Any]
    published: Callable[[set[int]], Iterable[int]]
    withdrawn: Callable[[set[int]], Iterable[int]] | None = None
    title: Callable[[int], str | None] | None = None


# --- the registry --------------------------------------------------------------------


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home: list[Callable[[Any], HomeSection | None]] = field(default_factory=list)
    seeders: list[tuple[int, str, Callable[[Callable[[str], None]], None]]] = field(
        default_factory=list
    )
    dossier_sections: list[DossierSection] = field(default_factory=list)
    annual_sections: list[AnnualSection] = field(default_factory=list)
    story_source: StorySource | None = None


def registry(app: Flask | None = None) -> Registry:
    """The registry of ``app`` (default: the current app)."""
    app = app or current_app
    return app.extensions.setdefault("monitor_registry", Registry())


def add_nav(app: Flask, label: str, endpoint: str, permission: str, order: int) -> None:
    """Add a main-navigation link for holders of ``permission``."""
    registry(app).nav.append(NavItem(order, label, endpoint, permission))
    registry(app).nav.sort()


def add_home_section(app: Flask, producer: Callable[[Any], HomeSection | None]) -> None:
    """Register ``producer(user) -> HomeSection | None`` for the home page."""
    registry(app).home.append(producer)


def add_demo_seeder(
    app: Flask, order: int, name: str, seeder: Callable[[Callable[[str], None]], None]
) -> None:
    """Register ``seeder(echo)`` for ``seed-demo``; lower ``order`` runs first."""
    registry(app).seeders.append((order, name, seeder))
    registry(app).seeders.sort(key=lambda s: s[0])


def add_dossier_section(
    app: Flask, order: int, key: str, producer: Callable[[Any, Any], Section | None],
    missing_permission: str | None = None,
) -> None:
    """Add ``producer(wijk, period) -> Section | None`` to the monitorgesprek.

    Lower ``order`` comes first; a second registration of ``key`` replaces the first.
    """
    entries = registry(app).dossier_sections
    entries[:] = [e for e in entries if e.key != key]
    entries.append(DossierSection(order, key, producer, missing_permission))
    entries.sort()


def add_annual_section(app: Flask, order: int, key: str, producer: Callable[[Any], Section | None]) -> None:
    """Add ``producer(report) -> Section | None`` for the year's figures of an annual report."""
    entries = registry(app).annual_sections
    entries[:] = [e for e in entries if e.key != key] + [AnnualSection(order, key, producer)]
    entries.sort()


def set_story_source(app: Flask, source: StorySource) -> None:
    """Make ``source`` the archive the monitorgesprek chooses its stories from."""
    registry(app).story_source = source
