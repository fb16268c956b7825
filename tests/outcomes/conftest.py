"""Builders for client outcome tests: clients, trajectories and measurements in the database."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import ServiceType
from monitor.outcomes.models import (
    Client,
    ClosingReason,
    DomainScore,
    Instrument,
    Measurement,
    MeasurementKind,
    Trajectory,
)

from ..conftest import get_org, get_wijk

_codes = {"n": 0}


def service_type_id(code: str = "individuele_ondersteuning") -> int:
    return db.session.scalar(sa.select(ServiceType.id).where(ServiceType.code == code))


@pytest.fixture
def make_client(app):
    """``make_client(org="MEE", wijk="Oost")`` → client id."""

    def make(org: str = "Versa Welzijn", wijk: str | None = "Oost", birth_year: int = 1980) -> int:
        with app.app_context():
            _codes["n"] += 1
            client = Client(code=f"T-{_codes['n']:04d}-TEST", organisation=get_org(org),
                            wijk=get_wijk(wijk) if wijk else None, birth_year=birth_year)
            db.session.add(client)
            db.session.commit()
            return client.id

    return make


@pytest.fixture
def make_trajectory(app):
    """``make_trajectory(client_id, "zrm", begin={...}, end={...})`` → trajectory id.

    ``begin``/``end`` are a ladder step (int) or ZRM scores (dict code → 1–5 or None);
    ``None`` for the whole measurement leaves it out.
    """

    def make(client_id: int, instrument: str = "zrm", *, version: str = "2017",
             started: date = date(2025, 1, 10), ended: date | None = date(2025, 11, 20),
             begin=None, end=None, service: str = "individuele_ondersteuning",
             begin_on: date | None = None, end_on: date | None = None,
             worker_id: int | None = None) -> int:
        with app.app_context():
            client = db.session.get(Client, client_id)
            t = Trajectory(client=client, organisation_id=client.organisation_id,
                           service_type_id=service_type_id(service),
                           instrument=Instrument(instrument),
                           zrm_version=version if instrument == "zrm" else None,
                           started_on=started, ended_on=ended, worker_id=worker_id,
                           closing_reason=ClosingReason.AFGEROND if ended else None)
            db.session.add(t)
            for kind, value, day in ((MeasurementKind.BEGIN, begin, begin_on or started),
                                     (MeasurementKind.EIND, end, end_on or ended or started)):
                if value is None:
                    continue
                m = Measurement(kind=kind, measured_on=day, organisation_id=t.organisation_id)
                if instrument == "ladder":
                    m.ladder_step = value
                else:
                    m.scores = [DomainScore(domain_code=c, score=s) for c, s in value.items()]
                t.measurements.append(m)
            db.session.commit()
            return t.id

    return make
