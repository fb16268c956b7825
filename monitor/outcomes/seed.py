"""Demo data: a few hundred pseudonymous clients with plausible trajectories (deterministic)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import Organisation, Role, ServiceType, User, Wijk
from .instruments import zrm_domains
from .models import (
    Client,
    ClosingReason,
    DomainScore,
    Instrument,
    Measurement,
    MeasurementKind,
    Trajectory,
)

SEED = 5_2026
# organisation → (number of clients, service type codes, share ZRM, ZRM version)
DEMO_ORGANISATIONS = {
    "Versa Welzijn": (170, ["individuele_ondersteuning", "groepsaanbod", "formulierenhulp",
                            "maatjes_burenhulp", "welzijn_op_recept",
                            "mantelzorgondersteuning"], 0.6, "2017"),
    "MEE": (70, ["clientondersteuning", "begeleiding_in_de_wijk"], 0.7, "2017"),
    "Kwintes": (35, ["begeleiding_in_de_wijk"], 0.8, "2013"),
    "HilverZorg": (25, ["individuele_ondersteuning", "mantelzorgondersteuning"], 0.5, "2017"),
}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
WIJK_WEIGHTS = {"Hilversumse Meent": 3, "Oost": 3, "Noordwest": 2, "Zuidoost": 2}


def _code(rng: random.Random) -> str:
    raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
    return f"K-{raw[:4]}-{raw[4:]}"


def _pick(rng: random.Random, weighted: dict) -> object:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _measurement(trajectory: Trajectory, kind: MeasurementKind, day: date) -> Measurement:
    m = Measurement(kind=kind, measured_on=day, organisation_id=trajectory.organisation_id)
    trajectory.measurements.append(m)
    return m


def _zrm_begin(rng: random.Random, version: str) -> dict[str, int | None]:
    scores: dict[str, int | None] = {}
    for d in zrm_domains(version):
        roll = rng.random()
        if roll < 0.25:
            continue  # niet besproken
        if roll < 0.35:
            scores[d.code] = None  # n.v.t.
        else:
            scores[d.code] = _pick(rng, {1: 8, 2: 27, 3: 35, 4: 22, 5: 8})  # type: ignore[assignment]
    return scores


def _zrm_after(rng: random.Random, begin: dict[str, int | None], progress: float) -> dict:
    after: dict[str, int | None] = {}
    for code, score in begin.items():
        if score is None:
            after[code] = None
            continue
        if rng.random() < 0.07:
            continue  # not discussed this time
        delta = _pick(rng, {-1: 10, 0: 40, 1: 35, 2: 15})
        after[code] = _clamp(score + round(delta * progress), 1, 5)  # type: ignore[operator]
    return after


def _trajectory(rng: random.Random, client: Client, start: date, today: date,
                services: list[ServiceType], zrm_share: float, version: str,
                worker: User | None) -> Trajectory:
    instrument = Instrument.ZRM if rng.random() < zrm_share else Instrument.LADDER
    t = Trajectory(client=client, organisation_id=client.organisation_id,
                   service_type=rng.choice(services), instrument=instrument,
                   zrm_version=version if instrument == Instrument.ZRM else None,
                   started_on=start, worker=worker if rng.random() < 0.6 else None)
    db.session.add(t)
    duration = rng.randint(90, 420)
    end = start + timedelta(days=duration)
    closed = end < today - timedelta(days=10)
    if closed:
        t.ended_on = end
        t.closing_reason = _pick(rng, {ClosingReason.AFGEROND: 60, ClosingReason.DOORVERWEZEN: 15,
                                       ClosingReason.GESTOPT: 15, ClosingReason.VERHUISD: 5,
                                       ClosingReason.ANDERS: 5})
    begin_day = min(start + timedelta(days=rng.randint(0, 14)), today)
    if not closed and rng.random() < 0.05:
        return t  # begin measurement still missing
    begin = _measurement(t, MeasurementKind.BEGIN, begin_day)
    last_day = t.ended_on or today
    middle_day = begin_day + (last_day - begin_day) / 2
    if instrument == Instrument.ZRM:
        begin_scores = _zrm_begin(rng, version)
        if not any(v is not None for v in begin_scores.values()):
            begin_scores[zrm_domains(version)[0].code] = 2
        begin.scores = [DomainScore(domain_code=c, score=s) for c, s in begin_scores.items()]
        if (last_day - begin_day).days > 150 and rng.random() < 0.6:
            m = _measurement(t, MeasurementKind.TUSSEN, middle_day)
            m.scores = [DomainScore(domain_code=c, score=s)
                        for c, s in _zrm_after(rng, begin_scores, 0.5).items()]
        if closed and rng.random() < 0.9:
            end_m = _measurement(t, MeasurementKind.EIND,
                                 max(begin_day, t.ended_on - timedelta(days=rng.randint(0, 7))))
            end_m.scores = [DomainScore(domain_code=c, score=s)
                            for c, s in _zrm_after(rng, begin_scores, 1.0).items()]
    else:
        step = _pick(rng, {1: 20, 2: 35, 3: 30, 4: 15})
        begin.ladder_step = step
        if (last_day - begin_day).days > 150 and rng.random() < 0.5:
            _measurement(t, MeasurementKind.TUSSEN, middle_day).ladder_step = step
        if closed and rng.random() < 0.9:
            end_m = _measurement(t, MeasurementKind.EIND,
                                 max(begin_day, t.ended_on - timedelta(days=rng.randint(0, 7))))
            end_m.ladder_step = _clamp(step + _pick(rng, {-1: 5, 0: 45, 1: 38, 2: 12}), 1, 6)
    return t


def seed_demo_outcomes(echo: Callable[[str], None], today: date | None = None) -> None:
    """Create the demo clients once (safe to run again; no commit)."""
    rng = random.Random(SEED)
    today = today or date.today()
    # Codes come from their own generator, so they can be checked before anything is made.
    code_rng = random.Random(SEED + 1)
    all_codes = [_code(code_rng) for _ in range(sum(v[0] for v in DEMO_ORGANISATIONS.values()))]
    code_iter = iter(all_codes)
    if db.session.scalar(sa.select(Client.id).where(Client.code.in_(all_codes)).limit(1)):
        echo("  demo-cliënten bestaan al; niets gewijzigd")
        return
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    wijken = list(db.session.scalars(sa.select(Wijk).order_by(Wijk.name)))
    services = {s.code: s for s in db.session.scalars(sa.select(ServiceType))}
    wijk_weights = {w: WIJK_WEIGHTS.get(w.name, 1) for w in wijken}
    total = 0
    for org_name, (count, service_codes, zrm_share, version) in DEMO_ORGANISATIONS.items():
        org = orgs.get(org_name)
        if org is None or not wijken:
            continue
        worker = db.session.scalar(sa.select(User).where(
            User.organisation_id == org.id, User.role == Role.SOCIAAL_WERKER).order_by(User.id))
        org_services = [services[c] for c in service_codes if c in services]
        for _ in range(count):
            code = next(code_iter)
            wijk = _pick(rng, wijk_weights)
            buurt = rng.choice(wijk.buurten) if wijk.buurten else None  # type: ignore[attr-defined]
            client = Client(code=code, organisation_id=org.id, wijk=wijk, buurt=buurt,
                            birth_year=today.year - rng.randint(18, 88))
            db.session.add(client)
            start = today - timedelta(days=rng.randint(20, 1000))
            t = _trajectory(rng, client, start, today, org_services, zrm_share, version, worker)
            if t.ended_on and rng.random() < 0.12:
                again = t.ended_on + timedelta(days=rng.randint(30, 200))
                if again < today - timedelta(days=20):
                    _trajectory(rng, client, again, today, org_services, zrm_share, version,
                                worker)
            total += 1
    db.session.flush()
    echo(f"  {total} pseudonieme demo-cliënten met trajecten en metingen")
