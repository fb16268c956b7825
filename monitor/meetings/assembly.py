"""Assembling a session's sections from the dossier sections modules contribute.

Every module that contributes to the monitorgesprek registers
``monitor.registry.add_dossier_section(app, order, key, producer)`` with
``producer(wijk, period) -> Section | None``; the session page, the frozen dossier, the
PDF and the Word export all render the same :class:`~monitor.registry.Section` data, so
they cannot disagree. Figures are formatted (Dutch, suppressed below 5) by the module:
the dossier audience (participants, residents, council members) is outside the owning
organisations.
"""

from __future__ import annotations

from ..models import Period, Wijk
from ..registry import Section, registry


def assemble(wijk: Wijk, period: Period, pinned: list[str] | None = None,
             hidden: list[str] | None = None, include_hidden: bool = False) -> list[Section]:
    """Build the sections for ``wijk`` and ``period``: pinned first, hidden left out.

    :param include_hidden: keep hidden sections (the preparation page shows them greyed).
    """
    pinned, hidden = pinned or [], hidden or []
    sections = []
    for entry in list(registry().dossier_sections):
        section = entry.producer(wijk, period)
        if section is None:
            continue
        if section.key in hidden and not include_hidden:
            continue
        sections.append(section)
    rank = {key: i for i, key in enumerate(pinned)}
    sections.sort(key=lambda s: (s.part, 0 if s.key in rank else 1, rank.get(s.key, 0)))
    return sections
