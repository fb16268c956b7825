"""Attack the published counts: no count of 1–4 persons can be derived by any combination.

Generated returns with many small cells (4 organisations × 3 wijken × 6 tertials). The
attacker collects every figure the dashboard shows a council member (and a social worker,
who also knows the own organisation's returns) over every period range, wijk and
organisation filter and perspective, turns each figure into a linear equation over the
returns' cells, and asks linear algebra which counts are determined. Targets: every
organisation subset × every wijk (and all) × every tertial range × each category (and all).
"""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from monitor.counts import dashboards
from monitor.counts.publication import Counts, table
from monitor.extensions import db
from monitor.models import Organisation, Period, Wijk

from ..disclosure_audit import Attack, boxes
from .conftest import org_id, period, wijk_id

ORGS = ["Versa Welzijn", "MEE", "Kwintes", "HilverZorg"]
WIJKEN = ["Oost", "Zuid", "Centrum"]
SMALL = [0, 1, 2, 3, 4, 6, 9, 14, 25]


@pytest.fixture
def generated(app, make_return):
    rng = random.Random(20261201)
    for org in ORGS:
        for wijk in WIJKEN:
            if rng.random() < 0.25:
                continue  # not every organisation works in every wijk
            for year in (2024, 2025):
                for tertial in (1, 2, 3):
                    meldingen = rng.choice(SMALL)
                    closed = rng.choice(SMALL)
                    make_return(org, wijk, year, tertial, volunteers=rng.choice(SMALL),
                                meldingen=meldingen, meldingen_sociaal_plein=rng.randint(0, meldingen),
                                closed_total=closed, closed_within_six_months=rng.randint(0, closed),
                                closed_contact_moments=10, closed_hours=10, fte="1.0",
                                hours={"buurtwerk": 100})
    with app.app_context():
        return {"orgs": [org_id(o) for o in ORGS], "wijken": [wijk_id(w) for w in WIJKEN],
                "periods": [period(y, t).id for y in (2024, 2025) for t in (1, 2, 3)]}


MEASURES = {"meldingen": ("sociaal_plein", "overig"), "afgesloten": ("binnen_zes_maanden", "later")}


def _published(app, generated, attacker_scope=None):
    """Every person count the dashboard shows over every range, filter and perspective, as
    (measure, year, {levels}, value) — read through the same service the pages use."""
    seen = []
    with app.app_context():
        periods = [db.session.get(Period, pid) for pid in generated["periods"]]
        for i, first in enumerate(periods):
            for last in periods[i:]:
                for wijk in [None, *generated["wijken"]]:
                    for org in [None, *generated["orgs"]]:
                        for perspective in ("wijk", "organisatie"):
                            filters = dashboards.Filters(first, last, wijk, org, None, perspective)
                            dash = dashboards.build_scoped(filters, attacker_scope, True)
                            seen.extend(_figures(dash, filters))
    return seen


COUNT_LABELS = {"Meldingen (aantal)": ("meldingen", None), "Via het Sociaal Plein (aantal)": ("meldingen", "sociaal_plein"),
                "Afgesloten trajecten (aantal)": ("afgesloten", None),
                "Binnen zes maanden (aantal)": ("afgesloten", "binnen_zes_maanden")}
SHARE_OF = {"Meldingen via het Sociaal Plein": ("meldingen", "sociaal_plein"), "Via het Sociaal Plein": ("meldingen", "sociaal_plein"),
            "Trajecten afgesloten binnen zes maanden": ("afgesloten", "binnen_zes_maanden"),
            "Binnen zes maanden afgesloten": ("afgesloten", "binnen_zes_maanden")}


def _figures(dash, filters):
    """(measure, tertial periods, levels, value) for each visible count in the dashboard: the
    counts chart, the counts beside the shares (issue 18) and every share turned back into its
    numerator (share × its denominator), per period and in the breakdowns over the range."""
    found = []
    charts = {c.id: c for c in dash.charts}
    series = {"Nieuwe meldingen": ("meldingen", None), "Waarvan via het Sociaal Plein": ("meldingen", "sociaal_plein"),
              "Afgesloten trajecten": ("afgesloten", None),
              "Waarvan binnen zes maanden": ("afgesloten", "binnen_zes_maanden"),
              "Actieve vrijwilligers": ("vrijwilligers", None)} | COUNT_LABELS
    base = {"organisation": filters.organisation_id, "wijk": filters.wijk_id}
    for chart in (charts["aantallen"], charts["aandelen"]):
        for s in chart.series:
            if s.label in series:
                measure, category = series[s.label]
                for p, value in zip(dash.periods, s.values, strict=True):
                    if value is not None and not value.hidden:
                        found.append((measure, [p], base | {"category": category}, value.value))
            elif s.label in SHARE_OF:  # a share beside a visible denominator gives its numerator
                measure, category = SHARE_OF[s.label]
                for p, share in zip(dash.periods, s.values, strict=True):
                    if share is not None:
                        total = Counts(True).get(measure, p.year, tertial=p.tertial, **base)
                        found.append((measure, [p], base | {"category": category}, round(share * total.value)))
    names = {o.name: o.id for o in db.session.scalars(sa.select(Organisation))}
    names |= {w.name: w.id for w in db.session.scalars(sa.select(Wijk))}
    for chart in dash.breakdowns:
        unit = {"per-organisatie-aandelen": "organisation", "per-wijk-aandelen": "wijk"}.get(chart.id)
        if unit is None:
            continue
        for s in chart.series:
            for label, value in zip(chart.labels, s.values, strict=True):
                levels = base | {unit: names[label]}
                if s.label in COUNT_LABELS and value is not None and not value.hidden:
                    measure, category = COUNT_LABELS[s.label]
                    found.append((measure, dash.periods, levels | {"category": category}, value.value))
                elif s.label in SHARE_OF and value is not None:
                    measure, category = SHARE_OF[s.label]
                    total = Counts(True).over(measure, dash.periods, **levels)
                    assert not total.hidden  # a share is only shown over a visible denominator
                    found.append((measure, dash.periods, levels | {"category": category}, round(value * total.value)))
    return found


def _atoms(app):
    with app.app_context():
        atoms = {}
        for measure in [*MEASURES, "vrijwilligers"]:
            for year in (2024, 2025):
                for key, value in table(measure, year).atoms.items():
                    atoms[(measure, year, *key, *([None] if measure == "vrijwilligers" else []))] = value
        return atoms


@pytest.mark.slow
def test_no_small_count_can_be_derived_from_the_dashboards(app, generated):
    atoms = _atoms(app)
    assert sum(1 for v in atoms.values() if 0 < v < 5) > 50  # many small cells to attack
    attack = Attack(atoms, owner_index=2)
    for measure, periods, levels, value in _published(app, generated):
        members = [a for a in atoms if a[0] == measure
                   and any(a[1] == p.year and a[4] == p.tertial for p in periods)
                   and (levels["organisation"] is None or a[2] == levels["organisation"])
                   and (levels["wijk"] is None or a[3] == levels["wijk"])
                   and (levels["category"] is None or a[5] == levels["category"])]
        attack.publish(members, value)
    assert len(attack.rows) > 100
    targets = []
    for measure, categories in [*MEASURES.items(), ("vrijwilligers", (None,))]:
        for year in (2024, 2025):
            mine = [a for a in atoms if a[0] == measure and a[1] == year]
            targets += boxes([[measure], [year], generated["orgs"], generated["wijken"], (1, 2, 3), categories],
                             mine, ranges=(4,), single=(3, 5), max_subset=4)
    assert len(targets) > 1000
    for attacker in [None, *generated["orgs"]]:
        leaks = attack.derived_small(targets, attacker)
        assert not leaks, f"attacker {attacker} derives {leaks[:3]}"


@pytest.mark.slow
def test_what_is_shown_adds_up_honestly(app, generated):
    """Visible parts never exceed a visible total; a part hidden only to protect another is
    marked ×, and a "<5" is really below 5."""
    with app.app_context():
        for measure, categories in MEASURES.items():
            for year in (2024, 2025):
                tab = table(measure, year)
                for key, state in tab.states.items():
                    levels = dict(zip([d.name for d in tab.dims], key, strict=True))
                    if state == 1:  # PRIMARY
                        assert 0 < tab.exact(**levels) < 5
                for wijk in generated["wijken"]:
                    for tertial in (1, 2, 3):
                        total = tab.get(wijk=wijk, tertiaal=tertial)
                        parts = [tab.get(wijk=wijk, tertiaal=tertial, categorie=c) for c in categories]
                        if not total.hidden:
                            assert sum(p.value for p in parts if not p.hidden) <= total.value
                            if not any(p.hidden for p in parts):
                                assert sum(p.value for p in parts) == total.value
