"""Builders for the QIM tests: plans, rounds and judgements written straight to the database."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Buurt, Organisation, Period
from monitor.qim.models import (
    Judgement,
    JudgementRound,
    JudgementSource,
    MonitoredPair,
    PlanQuality,
    PlanStatus,
    QimPlan,
    Quality,
    Stakeholder,
)
from monitor.timeutil import utcnow

LINK_RE = re.compile(r"/qim/oordeel/([A-Za-z0-9_\-]{20,})")


def buurt_id(name: str) -> int:
    return db.session.scalar(sa.select(Buurt.id).where(Buurt.name == name))


def quality_id(code: str) -> int:
    return db.session.scalar(sa.select(Quality.id).where(Quality.code == code))


def period_id(year: int, tertial: int) -> int:
    return db.session.scalar(sa.select(Period.id).where(Period.year == year,
                                                        Period.tertial == tertial))


def org_id(name: str) -> int:
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def dutch(value: float, decimals: int = 1) -> str:
    """Format like the templates do (1 decimal, comma), computed independently."""
    return f"{value:.{decimals}f}".replace(".", ",")


@pytest.fixture
def make_plan(app) -> Callable[..., int]:
    """``make_plan("Geuzenbuurt", 2025, qualities=["K1"], groups=["Huisartsen"],
    pairs=[("K1", "Huisartsen")], settled=True)`` → plan id."""

    def make(buurt: str = "Geuzenbuurt", year: int = 2025, *, qualities=("K1", "K2"),
             groups=("Bewoners 75+", "Huisartsen"), pairs=None, settled: bool = True,
             org_qualities=None, org_groups=None) -> int:
        with app.app_context():
            plan = QimPlan(buurt_id=buurt_id(buurt), year=year, version=1,
                           status=PlanStatus.VASTGESTELD if settled else PlanStatus.CONCEPT,
                           settled_at=utcnow() if settled else None)
            for code in qualities:
                plan.qualities.append(PlanQuality(quality_id=quality_id(code)))
            for org, codes in (org_qualities or {}).items():
                for code in codes:
                    plan.qualities.append(PlanQuality(quality_id=quality_id(code),
                                                      organisation_id=org_id(org)))
            by_name = {}
            for name in groups:
                by_name[name] = Stakeholder(name=name, description=f"Wie: {name}")
                plan.stakeholders.append(by_name[name])
            for org, names in (org_groups or {}).items():
                for name in names:
                    by_name[name] = Stakeholder(name=name, description=f"Wie: {name}",
                                                organisation_id=org_id(org))
                    plan.stakeholders.append(by_name[name])
            if pairs is None:
                pairs_ = [(q, g) for q in qualities for g in groups]
            else:
                pairs_ = pairs
            for code, name in pairs_:
                plan.monitored.append(MonitoredPair(quality_id=quality_id(code),
                                                    stakeholder=by_name[name]))
            db.session.add(plan)
            db.session.commit()
            return plan.id

    return make


@pytest.fixture
def make_round(app) -> Callable[..., int]:
    """``make_round(plan_id, year, tertial, scores={("K1", "Huisartsen"): [7, 8]})`` → round id."""

    def make(plan_id: int, year: int, tertial: int, scores=None, closed: bool = False,
             motivation: str = "Gezien in de buurt") -> int:
        with app.app_context():
            plan = db.session.get(QimPlan, plan_id)
            rnd = JudgementRound(plan_id=plan_id, period_id=period_id(year, tertial),
                                 closed_at=utcnow() - timedelta(days=1) if closed else None)
            db.session.add(rnd)
            db.session.flush()
            groups = {s.name: s.id for s in plan.stakeholders}
            for (code, group), values in (scores or {}).items():
                for value in values:
                    db.session.add(Judgement(round_id=rnd.id, quality_id=quality_id(code),
                                             stakeholder_id=groups[group], score=value,
                                             motivation=f"{motivation} ({value})",
                                             source=JudgementSource.COORDINATOR))
            db.session.commit()
            return rnd.id

    return make
