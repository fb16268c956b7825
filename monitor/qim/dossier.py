"""What QIM contributes to the monitorgesprek: the stakeholders' judgements per quality."""

from __future__ import annotations

from flask import Flask

from .. import disclosure
from ..models import Period, Wijk
from ..registry import Section, Table, add_dossier_section
from ..templating import format_number
from .results import Masked, WijkResults, protect_wijk, round_results, rounds_lacking_judgements, wijk_results

# Groups whose mean judgements differ at least this much (on 1–10) are called out.
DISAGREEMENT = 2.0


def register(app: Flask) -> None:
    """Add the QIM section to the monitorgesprek."""
    add_dossier_section(app, 30, "qim", dossier_section)


def stats_text(stats) -> str:
    """A mean judgement as the dossier and the annual report print it."""
    if stats is None:
        return "geen gegevens"
    if stats.mean is None:  # masked for outsiders: "<5" or "×"
        return str(stats.n)
    return f"{format_number(stats.mean, 1)} (n={stats.n})"


def dossier_section(wijk: Wijk, period: Period) -> Section:
    """Part 1: the stakeholders' judgements per quality, per buurt and for the wijk."""
    results = wijk_results(wijk.id, period.id)
    protect_wijk(results)  # the dossier goes to everyone at the table
    missing = [
        f"QIM {m.buurt.name}: " + ("nog geen oordeelronde geopend" if m.round is None
                                   else f"{len(m.missing)} combinatie(s) kwaliteit/groep zonder oordeel")
        for m in rounds_lacking_judgements(wijk.id, period.id)]
    section = Section(
        key="qim", title="Kwaliteiten: het oordeel van belanghebbenden", part=1,
        intro="Gemiddeld oordeel (1–10) per kwaliteit, met het aantal oordelen (n).",
        missing=missing, empty_text="Er zijn geen oordelen over kwaliteiten in deze periode.")
    if results is None or not results.qualities:
        return section
    headers = ["Kwaliteit", f"Hele wijk {wijk.name}"] + [f"Buurt {b.name}" for b in results.buurten]
    rows = []
    for row in results.qualities:
        cells = [stats_text(c.stats) if (c.stats or c.intended) else "—" for c in row.buurten]
        rows.append([row.quality.name, stats_text(row.overall), *cells])
    section.tables.append(Table(f"Oordelen per kwaliteit, {period.label}", headers, rows,
                                numeric=list(range(1, len(headers)))))
    for table, called_out in _group_tables(results, period):
        section.tables.append(table)
        section.items += called_out
    section.notes.append("<5: minder dan 5 oordelen, niet getoond; ×: niet getoond zodat een kleine "
                         "groep niet uit het wijkcijfer terug te rekenen is. "
                         "'geen gegevens': de kwaliteit is beoogd, maar (nog) niet beoordeeld; "
                         "'—': niet beoogd in deze buurt.")
    if len(section.tables) > 1:
        section.notes.append(
            "Per groep belanghebbenden: gemiddeld oordeel met n. Is het buurtcijfer zelf afgeschermd, "
            "dan staan ook de groepen van die buurt afgeschermd. 'Verschil tussen groepen': hoogste "
            f"min laagste getoonde groepsgemiddelde; vanaf {format_number(DISAGREEMENT, 1)} punt "
            "denken de groepen duidelijk verschillend.")
    return section


def _group_states(sizes: list[int | None], buurt_shown: bool) -> list[disclosure.State]:
    """Which groups of one buurt and quality may be shown to outsiders.

    The groups add up to the buurt's figure in the wijk table. When that figure is shown,
    the usual rule applies (groups under 5 hidden, and one more when the rest would give it
    back); when it is hidden itself ("<5" or "×"), every group of it is hidden too, so that
    the groups cannot rebuild it.
    """
    if not buurt_shown:
        return [disclosure.State.PRIMARY if disclosure.sensitive(n) else disclosure.State.SECONDARY
                for n in sizes]
    states, _ = disclosure.protect_groups(sizes, total_shown=True)
    return states


def _group_tables(results: WijkResults, period: Period) -> list[tuple[Table, list[str]]]:
    """Per buurt with a round: each quality's mean per stakeholder group and how far they differ."""
    shown = {(row.quality.id, c.buurt.id): c.stats is not None and not isinstance(c.stats, Masked)
             for row in results.qualities for c in row.buurten}
    tables = []
    for buurt in results.buurten:
        rnd = results.rounds.get(buurt.id)
        if rnd is None:
            continue
        lines = [r for r in round_results(rnd) if r.groups]
        groups = [s for s in rnd.plan.stakeholders if any(g.stakeholder.id == s.id for r in lines for g in r.groups)]
        if not lines or not groups:
            continue
        rows, called_out = [], []
        for line in lines:
            states = _group_states([g.stats.n if g.stats else None for g in line.groups],
                                   shown.get((line.quality.id, buurt.id), False))
            by_group = {g.stakeholder.id: (g, st) for g, st in zip(line.groups, states, strict=True)}
            cells, means = [], []
            for group in groups:
                result, state = by_group.get(group.id, (None, None))
                if result is None or result.stats is None:
                    cells.append("geen gegevens" if result is not None and result.monitored else "—")
                elif state:
                    cells.append(disclosure.PRIMARY_TEXT if state == disclosure.State.PRIMARY
                                 else disclosure.SECONDARY_TEXT)
                else:
                    cells.append(f"{format_number(result.stats.mean, 1)} (n={result.stats.n})")
                    means.append((round(result.stats.mean, 1), group.name))
            spread = "—"
            if len(means) >= 2:
                low, high = min(means), max(means)
                difference = high[0] - low[0]
                spread = f"{format_number(difference, 1)} punt"
                if difference >= DISAGREEMENT:
                    spread += " (uiteenlopend)"
                    called_out.append(
                        f"{line.quality.name}, buurt {buurt.name}: de groepen verschillen "
                        f"{format_number(difference, 1)} punt ({low[1]} {format_number(low[0], 1)}, "
                        f"{high[1]} {format_number(high[0], 1)}).")
            rows.append([line.quality.name, *cells, spread])
        headers = ["Kwaliteit", *[g.name for g in groups], "Verschil tussen groepen"]
        columns = list(range(1, len(groups) + 1))
        tables.append((Table(f"Oordelen per groep belanghebbenden, buurt {buurt.name}, {period.label}",
                             headers, rows, numeric=[*columns, len(groups) + 1], chart="grouped",
                             chart_columns=columns), called_out))
    return tables
