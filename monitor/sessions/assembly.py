"""Assembling a session's sections from the other modules, through registered providers.

Every module that contributes to the monitorgesprek registers a provider
``provider(wijk, period) -> Section | None``; the session page, the frozen dossier, the
PDF and the Word export all render the same :class:`Section` data, so they cannot
disagree. Figures are formatted (Dutch, suppressed below 5) by the provider: the dossier
audience (participants, residents, council members) is outside the owning organisations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Flask, current_app

from ..models import Period, Wijk


@dataclass
class Table:
    """A table of formatted figures (the same in page, dossier, PDF and Word)."""

    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[int] = field(default_factory=list)  # right-aligned column indexes


@dataclass
class Section:
    """One block of the session: part 1 (impact) or part 2 (the story)."""

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


Provider = Callable[[Wijk, Period], "Section | None"]


@dataclass(order=True)
class _Entry:
    order: int
    key: str = field(compare=False)
    provider: Provider = field(compare=False)


def register_provider(app: Flask, order: int, key: str, provider: Provider) -> None:
    """Add a section provider; lower ``order`` comes first in the session."""
    entries = app.extensions.setdefault("session_providers", [])
    entries[:] = [e for e in entries if e.key != key] + [_Entry(order, key, provider)]
    entries.sort()


def providers() -> list[_Entry]:
    """The registered providers of the current app, in order."""
    return list(current_app.extensions.get("session_providers", []))


def assemble(wijk: Wijk, period: Period, pinned: list[str] | None = None,
             hidden: list[str] | None = None, include_hidden: bool = False) -> list[Section]:
    """Build the sections for ``wijk`` and ``period``: pinned first, hidden left out.

    :param include_hidden: keep hidden sections (the preparation page shows them greyed).
    """
    pinned, hidden = pinned or [], hidden or []
    sections = []
    for entry in providers():
        section = entry.provider(wijk, period)
        if section is None:
            continue
        if section.key in hidden and not include_hidden:
            continue
        sections.append(section)
    rank = {key: i for i, key in enumerate(pinned)}
    sections.sort(key=lambda s: (s.part, 0 if s.key in rank else 1, rank.get(s.key, 0)))
    return sections
