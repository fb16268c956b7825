"""QIM screens for results: a round's, a wijk's and the presentation in the monitorgesprek."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template
from flask_login import current_user

from ...http import get_or_404
from ...models import Period, Wijk
from ...periods import all_periods, period_containing
from ...permissions import requires
from .. import results
from ..models import JudgementRound
from .common import _arg_int, bp, can

# --- results ------------------------------------------------------------------------------

def _n_labels(stats_list: list, suppress: bool = False) -> list[str]:
    """Counts of judgements as shown (masked groups, see ``results.protect_line``, show their mark)."""
    return ["—" if s is None else str(s.n) for s in stats_list]


@bp.route("/rondes/<int:round_id>/resultaten")
@requires("qim.view")
def round_results(round_id: int):
    """Results of a round: per quality, per stakeholder group and overall."""
    rnd = get_or_404(JudgementRound, round_id)
    suppress = not can("qim.motivations", rnd)
    rows = results.round_results(rnd)
    if suppress:
        results.protect_round(rows)
    labels = {}
    for row in rows:
        group_labels = _n_labels([g.stats for g in row.groups] + [row.overall], suppress)
        labels[row.quality.id] = group_labels
    return render_template("qim/results.html", rnd=rnd, plan=rnd.plan, rows=rows,
                           labels=labels, suppress=suppress,
                           show_motivations=not suppress)


def _wijk_chart(data: results.WijkResults | None) -> dict:
    if data is None:
        return {}
    return {"type": "bar", "labels": [q.quality.name for q in data.qualities], "datasets": [
        {"label": f"Wijk {data.wijk.name} (alle buurten)",
         "data": [round(q.overall.mean, 2) if q.overall and q.overall.mean is not None else None for q in data.qualities]}
    ] + [
        {"label": buurt.name,
         "data": [round(q.buurten[i].stats.mean, 2) if q.buurten[i].stats and q.buurten[i].stats.mean is not None else None
                  for q in data.qualities]}
        for i, buurt in enumerate(data.buurten)
    ]}


def _wijk_n_labels(data: results.WijkResults | None, suppress: bool) -> dict[int, list[str]]:
    """Per quality: the wijk's n, then each buurt's n, as shown (suppressed for outsiders)."""
    labels: dict[int, list[str]] = {}
    for row in (data.qualities if data else []):
        buurt_labels = _n_labels([c.stats for c in row.buurten], suppress)
        overall = _n_labels([row.overall], suppress)[0]
        labels[row.quality.id] = [overall] + buurt_labels
    return labels


def _period_arg() -> Period | None:
    period_id = _arg_int("periode")
    if period_id:
        period = get_or_404(Period, period_id)
        return period
    return period_containing(date.today())


def _wijk_figures(wijk_id: int) -> dict:
    """What the wijk page and its presentation view both show, for the chosen period."""
    wijk = get_or_404(Wijk, wijk_id)
    period = _period_arg()
    if period is None:
        abort(404)
    data = results.wijk_results(wijk.id, period.id)
    suppress = not can("qim.motivations", wijk)
    if suppress:
        results.protect_wijk(data)
    return {"wijk": wijk, "period": period, "data": data, "chart": _wijk_chart(data),
            "labels": _wijk_n_labels(data, suppress), "suppress": suppress}


@bp.route("/wijken/<int:wijk_id>")
@requires("qim.view")
def wijk(wijk_id: int):
    """Roll-up from the buurten to the wijk for a period."""
    figures = _wijk_figures(wijk_id)
    return render_template("qim/wijk.html", periods=all_periods(),
                           missing=results.rounds_lacking_judgements(figures["wijk"].id, figures["period"].id),
                           stories=_stories_behind(figures["wijk"], figures["period"], figures["data"]),
                           **figures)


def _stories_behind(wijk: Wijk, period: Period, data) -> list[tuple]:
    """Per quality of the results: the stories of the wijk about that quality in the period."""
    from ...narratives import stories_behind

    return [(row.quality, stories_behind(current_user, wijk.id, period.start, period.end, row.quality.id, limit=3))
            for row in (data.qualities if data else [])]


@bp.route("/wijken/<int:wijk_id>/presentatie")
@requires("qim.view")
def presentation(wijk_id: int):
    """The wijk's figures for the screen in the monitorgesprek."""
    return render_template("qim/presentation.html", **_wijk_figures(wijk_id))
