"""Attack the outcome report: overlapping ranges, groupings and filters give back no count 1–4.

The review recovered 270 suppressed cells by subtracting "Sep–Dec 2026" from "May–Dec 2026".
Here many small outcome cells (4 organisations × 3 wijken × 2 service types × 3 tertials)
are attacked with every report an outsider can ask for — every range of tertials, every
grouping, every single filter — and linear algebra over what was shown.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Organisation, Period, ServiceType, Wijk
from monitor.outcomes.models import Instrument, OutcomeFact
from monitor.outcomes.reports import Filters, period_bounds, publication_tables
from monitor.outcomes.services import outcome_report

from ..disclosure_audit import Attack, boxes

ORGS = ["Versa Welzijn", "MEE", "Kwintes", "HilverZorg"]
WIJKEN = ["Oost", "Zuid", "Centrum"]
SERVICES = ["individuele_ondersteuning", "formulierenhulp"]
MID_TERTIAL = {1: date(2026, 2, 15), 2: date(2026, 6, 15), 3: date(2026, 10, 15)}


@pytest.fixture
def facts(app):
    rng = random.Random(1201)
    with app.app_context():
        orgs = {o.name: o.id for o in db.session.scalars(sa.select(Organisation))}
        wijken = {w.name: w.id for w in db.session.scalars(sa.select(Wijk))}
        services = {s.code: s.id for s in db.session.scalars(sa.select(ServiceType))}
        for org in ORGS:
            for wijk in WIJKEN:
                if rng.random() < 0.25:
                    continue
                for service in SERVICES:
                    for _tertial, day in MID_TERTIAL.items():
                        for improved in (True, False):
                            for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
                                db.session.add(OutcomeFact(
                                    organisation_id=orgs[org], wijk_id=wijken[wijk],
                                    service_type_id=services[service], instrument=Instrument.LADDER,
                                    reference_date=day, begin_score=2, end_score=3 if improved else 2,
                                    improved=improved))
        db.session.commit()
        return {"orgs": [orgs[o] for o in ORGS], "wijken": [wijken[w] for w in WIJKEN],
                "services": [services[s] for s in SERVICES], "names": {
                    "wijk": {w: i for w, i in wijken.items()}, "organisatie": orgs,
                    "dienst": {s.name: s.id for s in db.session.scalars(sa.select(ServiceType))}}}


def _members(atoms, levels, tertials, outcome):
    """The atoms (organisation, wijk, service, tertial, outcome) a shown figure adds up."""
    return [a for a in atoms if a[3] in tertials and (outcome is None or a[4] == outcome)
            and all(v is None or a[i] == v for i, v in enumerate(levels))]


@pytest.mark.slow
def test_no_small_outcome_count_can_be_derived_from_any_report(app, facts, make_user):
    raadslid = make_user("raadslid")
    with app.app_context():
        table = publication_tables(2026)["ladder"]
        atoms = dict(table.atoms)
        assert sum(1 for v in atoms.values() if 0 < v < 5) > 30
        periods = list(db.session.scalars(sa.select(Period).where(Period.year == 2026)
                                          .order_by(Period.tertial)))
        attack = Attack(atoms, owner_index=0)
        refused = shown_reports = 0
        for i, first in enumerate(periods):
            for last in periods[i:]:
                start, end = period_bounds(first, last)
                tertials = set(range(first.tertial, last.tertial + 1))
                choices = [("totaal", {}), ("wijk", {}), ("organisatie", {}), ("dienst", {})]
                choices += [("totaal", {"wijk_id": w}) for w in facts["wijken"]]
                choices += [("totaal", {"organisation_id": o}) for o in facts["orgs"]]
                choices += [("organisatie", {"wijk_id": w}) for w in facts["wijken"]]  # a combination
                for grouping, filt in choices:
                    report = outcome_report(raadslid, Filters(first=start, last=end, **filt), grouping)
                    if report.refusal:
                        refused += 1
                        assert not report.indicators
                        continue
                    shown_reports += 1
                    fixed = [filt.get("organisation_id"), filt.get("wijk_id"), None]
                    for indicator in report.indicators:
                        rows = [(None, indicator.total)] + list(indicator.rows)
                        for label, cell in rows:
                            levels = list(fixed)
                            if label is not None:
                                dim = {"wijk": 1, "organisatie": 0, "dienst": 2}[grouping]
                                levels[dim] = facts["names"][grouping][label]
                            if not cell.hide_n:
                                attack.publish(_members(atoms, levels, tertials, None), cell.n)
                            if not cell.hide_improved:
                                attack.publish(_members(atoms, levels, tertials, "vooruit"), cell.improved)
        # May–Dec and Sep–Dec are not both answered: only whole tertials and whole years.
        assert refused > 0 and shown_reports > 0 and len(attack.rows) > 50
        targets = boxes([facts["orgs"], facts["wijken"], facts["services"], (1, 2, 3),
                         ("vooruit", "niet_vooruit")], list(atoms), ranges=(3,), single=(1, 2))
        assert len(targets) > 500
        for attacker in [None, *facts["orgs"]]:
            leaks = attack.derived_small(targets, attacker)
            assert not leaks, f"attacker {attacker} derives {leaks[:3]}"


def test_an_outsider_asking_for_may_to_december_gets_a_dutch_refusal(app, facts, login_as):
    client = login_as("raadslid")
    with app.app_context():
        periods = {p.tertial: p.id for p in db.session.scalars(
            sa.select(Period).where(Period.year == 2026))}
    html = client.get(f"/uitkomsten/?first={periods[2]}&last={periods[3]}&grouping=wijk").get_data(as_text=True)
    assert "per heel tertiaal of per heel jaar" in html
    assert "Participatieladder: minstens" not in html
