"""Demo returns: several years for the demo organisations, with the 2020 figures of source 001."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from .. import audit
from ..extensions import db
from ..models import Organisation, Period, ServiceType, Specialism, Wijk
from ..periods import ensure_periods
from .figures import clients_key, hours_key, validate, weeks_in
from .models import CountReturn, PlannedHours, ReturnClients, ReturnHours, ReturnStatus, WorkArea
from .services import catalogue_for
from .werkgebied import area_name, reports_for

PILOT_WIJKEN_T1 = ("Oost", "Zuidwest")  # "Begeleiding in de Wijk" from 1 November 2019
PILOT_WIJKEN = ("Oost", "Zuidwest", "Noordoost", "Zuidoost")  # extended on 1 June 2020

# Source 001: meldingen (of which from the Sociaal Plein), closed (of which within six months),
# average hours per closed trajectory (Versa also 9 contact moments; MEE's are not given: 9 assumed).
SOURCE_2020 = {
    "Versa Welzijn": {"meldingen": 248, "sp": 82, "closed": 146, "within": 124, "hours": 146 * 6, "contacts": 146 * 9},
    "MEE": {"meldingen": 212, "sp": 17, "closed": 153, "within": 133, "hours": 153 * 7, "contacts": 153 * 9},
}

# Planned hours per week per specialism. Versa: the 2016 budget (source 003, ch. 6, table 1 and 2a);
# the others are plausible demo values.
PLANNED = {
    "Versa Welzijn": {"buurtwerk": 103.4, "sociaal_wijknetwerk": 84.0, "kinderwerk": 50.0, "jongerenwerk": 142.0,
                      "vrijwillige_thuishulp": 28.0, "burenhulp": 22.0, "amw": 97.3, "gmw": 8.4,
                      "sociaal_raadslieden": 54.0, "wonen_welzijn_mantelzorg": 76.6},
    "MEE": {"sociaal_wijknetwerk": 48.0, "amw": 64.0},
    "Kwintes": {"sociaal_wijknetwerk": 24.0, "wonen_welzijn_mantelzorg": 16.0},
    "Sherpa": {"sociaal_wijknetwerk": 20.0},
    "HilverZorg": {"wonen_welzijn_mantelzorg": 40.0, "burenhulp": 12.0},
    "Humanitas": {"vrijwillige_thuishulp": 16.0, "sociaal_raadslieden": 12.0},
}
SERVICES = {
    "Versa Welzijn": ["individuele_ondersteuning", "groepsaanbod", "formulierenhulp", "vrijwillige_thuishulp",
                      "maatjes_burenhulp", "mantelzorgondersteuning", "welzijn_op_recept", "kinder_jongerenwerk",
                      "begeleiding_in_de_wijk"],
    "MEE": ["clientondersteuning", "begeleiding_in_de_wijk"],
    "Kwintes": ["begeleiding_in_de_wijk"],
    "Sherpa": ["begeleiding_in_de_wijk"],
    "HilverZorg": ["mantelzorgondersteuning", "welzijn_op_recept"],
    "Humanitas": ["formulierenhulp", "maatjes_burenhulp"],
}
VOLUNTEERS = {"Versa Welzijn": 30, "Humanitas": 18, "HilverZorg": 8}


def split(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into whole parts proportional to ``weights`` (largest remainder)."""
    if not weights or sum(weights) == 0:
        return [0] * len(weights)
    shares = [total * w / sum(weights) for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (parts[i] - shares[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _pilot_2020(org: str, cells: list[tuple[int, str]]) -> dict[tuple[int, str], dict[str, int]]:
    """Spread an organisation's 2020 totals over the pilot wijken and tertials."""
    weights = [3.0 if wijk in PILOT_WIJKEN_T1 else 2.0 for _, wijk in cells]
    src = SOURCE_2020[org]
    parts = {
        "sp": split(src["sp"], weights), "other": split(src["meldingen"] - src["sp"], weights),
        "within": split(src["within"], weights), "longer": split(src["closed"] - src["within"], weights),
        "hours": split(src["hours"], weights), "contacts": split(src["contacts"], weights),
    }
    return {cell: {k: v[i] for k, v in parts.items()} for i, cell in enumerate(cells)}


def seed_demo_returns(echo: Callable[[str], None]) -> None:
    """Several years of approved returns plus a realistic open cycle (idempotent, deterministic)."""
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    if "Versa Welzijn" not in orgs:
        echo("  organisaties ontbreken; eerst seed-demo van de kern.")
        return
    if db.session.scalar(sa.select(sa.func.count(CountReturn.id))):
        echo("  opgaven staan er al; niets toegevoegd.")
        return
    today = date.today()
    ensure_periods(2020, today.year)
    db.session.flush()
    rng = random.Random(20200101)
    wijken = list(db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name)))
    specs = {s.code: s for s in db.session.scalars(sa.select(Specialism))}
    types = {s.code: s for s in db.session.scalars(sa.select(ServiceType))}
    periods = [p for p in db.session.scalars(sa.select(Period).where(Period.year >= 2020).order_by(
        Period.year, Period.tertial)) if p.start <= today]
    current, previous = periods[-1], periods[-2]

    for org_name, plan in PLANNED.items():
        org = orgs.get(org_name)
        if org is None:
            continue
        for year in range(2020, today.year + 2):
            for code, hours in plan.items():
                if code in specs:
                    db.session.add(PlannedHours(organisation_id=org.id, specialism_id=specs[code].id, year=year,
                                                hours_per_week=Decimal(str(hours))))

    pilot = {}
    for org_name in SOURCE_2020:
        cells = [(t, w) for t in (1, 2, 3) for w in (PILOT_WIJKEN_T1 if t == 1 else PILOT_WIJKEN)]
        pilot[org_name] = _pilot_2020(org_name, cells)

    seed_demo_werkgebied(orgs, wijken)
    created = 0
    for org_name, plan in PLANNED.items():
        org = orgs.get(org_name)
        if org is None:
            continue
        for period in periods:
            wijk_ids, citywide = reports_for(org, period)
            areas = [w for w in wijken if w.id in wijk_ids] + ([None] if citywide else [])
            catalogue = catalogue_for(period)
            valid_specs = {s.code for s in catalogue.specialisms}
            valid_types = {s.code for s in catalogue.service_types}
            growth = 1 + 0.03 * (period.year - 2020)
            for wijk in areas:
                name = area_name(wijk)
                status = _demo_status(org_name, name, period, current, previous, today)
                if status is None:
                    continue
                raw: dict[str, object] = {}
                total_hours = 0
                for code, per_week in plan.items():
                    if code in valid_specs:
                        share = 1 if wijk is None else len(wijken)  # a city-wide return has all the hours
                        hours = round(per_week / share * float(weeks_in(period)) * rng.uniform(0.85, 1.05))
                        raw[hours_key(code)] = hours
                        total_hours += hours
                fte = Decimal(total_hours / (36 * float(weeks_in(period))) * rng.uniform(1.1, 1.25)).quantize(Decimal("0.01"))
                raw["fte"] = max(fte, Decimal("0.10"))
                clients_total = 0
                for code in SERVICES[org_name]:
                    if code in valid_types:
                        base = 40 if code == "individuele_ondersteuning" else 12
                        n = max(0, round(base * growth * rng.uniform(0.8, 1.2)))
                        raw[clients_key(code)] = n
                        clients_total += n
                raw["volunteers"] = round(VOLUNTEERS.get(org_name, 2) * rng.uniform(0.85, 1.15))
                figures = _trajectories(org_name, name, period, pilot, rng)
                raw.update(figures)
                if period.tertial == 3:
                    raw["unique_clients_year"] = round(clients_total * 1.7)
                checked = validate(raw, period, catalogue, submit=True)
                if checked.errors:  # the demo must obey the same hard rules as the form
                    raise RuntimeError(f"demo return invalid: {org_name} {name} {period}: {checked.errors}")
                ret = CountReturn(organisation_id=org.id, wijk_id=wijk.id if wijk else None, period_id=period.id,
                                  status=status,
                                  explanation="" if status != ReturnStatus.INGEDIEND else "Demodata.")
                for key, value in checked.values.items():
                    if key.startswith("uren:") and value is not None:
                        ret.hours.append(ReturnHours(specialism_id=specs[key[5:]].id, hours=value))
                    elif key.startswith("clienten:") and value is not None:
                        ret.clients.append(ReturnClients(service_type_id=types[key[9:]].id, clients=value))
                    elif ":" not in key:
                        setattr(ret, key, value)
                if status == ReturnStatus.TERUGGESTUURD:
                    ret.return_reason = "Het aantal vrijwilligers lijkt laag vergeleken met vorig jaar. Klopt dit?"
                if status != ReturnStatus.CONCEPT:
                    ret.submitted_at = ret.created_at
                db.session.add(ret)
                created += 1
    audit.record("count_return.demo", summary=f"{created} demo-opgaven aangemaakt", actor_label="systeem")
    db.session.flush()
    echo(f"  {created} opgaven (2020 t/m {current.label}), begrote uren voor {len(PLANNED)} organisaties.")


# Who works where (source 001): "Begeleiding in de Wijk" started on 1 November 2019 in Oost and
# Zuidwest, was extended to Noordoost and Zuidoost on 1 June 2020 and to the other four wijken on
# 1 January 2021, where "in eerste instantie alleen Versa, MEE" work; Kwintes and Sherpa joined the
# pilot wijken in November 2020. HilverZorg (not in the letter) is taken to start city-wide in
# 2021 in every wijk; Humanitas' volunteer services are city-wide ("stedelijk").
PILOT_START = {"Oost": date(2019, 11, 1), "Zuidwest": date(2019, 11, 1),
               "Noordoost": date(2020, 6, 1), "Zuidoost": date(2020, 6, 1)}
PHASE_2021 = date(2021, 1, 1)
PARTNERS_START = date(2020, 11, 1)


def demo_werkgebied(org_name: str, wijk_name: str) -> date | None | bool:
    """The first day an organisation works in a wijk ("Stedelijk": city-wide) in the demo;
    ``False`` when it does not work there at all."""
    if org_name in ("Versa Welzijn", "MEE"):
        return PILOT_START.get(wijk_name, PHASE_2021) if wijk_name != "Stedelijk" else False
    if org_name in ("Kwintes", "Sherpa"):
        return PARTNERS_START if wijk_name in PILOT_START else False
    if org_name == "HilverZorg":
        return PHASE_2021 if wijk_name != "Stedelijk" else False
    if org_name == "Humanitas":
        return PHASE_2021 if wijk_name == "Stedelijk" else False
    return False


def seed_demo_werkgebied(orgs: dict, wijken: list[Wijk]) -> None:
    """The demo organisations' werkgebied with dates (only when none is set yet; no commit)."""
    if db.session.scalar(sa.select(sa.func.count(WorkArea.id))):
        return
    for org_name in PLANNED:
        org = orgs.get(org_name)
        if org is None:
            continue
        for wijk in [*wijken, None]:
            start = demo_werkgebied(org_name, area_name(wijk))
            if start is not False:
                db.session.add(WorkArea(organisation_id=org.id, wijk_id=wijk.id if wijk else None, starts_on=start))
        org.wijken = [w for w in wijken if demo_werkgebied(org_name, w.name) is not False]
    db.session.flush()


def _trajectories(org_name: str, wijk: str, period: Period, pilot: dict, rng: random.Random) -> dict[str, int]:
    if period.year == 2020:
        cell = pilot.get(org_name, {}).get((period.tertial, wijk))
        if cell is None:
            return {"meldingen": 0, "meldingen_sociaal_plein": 0, "closed_total": 0,
                    "closed_within_six_months": 0, "closed_contact_moments": 0, "closed_hours": 0}
        return {"meldingen": cell["sp"] + cell["other"], "meldingen_sociaal_plein": cell["sp"],
                "closed_total": cell["within"] + cell["longer"], "closed_within_six_months": cell["within"],
                "closed_contact_moments": cell["contacts"], "closed_hours": cell["hours"]}
    scale = {"Versa Welzijn": 12, "MEE": 10, "Kwintes": 3, "Sherpa": 3}.get(org_name, 0)
    if period.year == 2020 or not scale:
        return {"meldingen": 0, "meldingen_sociaal_plein": 0, "closed_total": 0,
                "closed_within_six_months": 0, "closed_contact_moments": 0, "closed_hours": 0}
    meldingen = round(scale * rng.uniform(0.8, 1.25))
    sp = round(meldingen * (0.33 if org_name == "Versa Welzijn" else 0.12) * rng.uniform(0.8, 1.2))
    closed = round(meldingen * rng.uniform(0.55, 0.75))
    within = round(closed * rng.uniform(0.78, 0.9))
    return {"meldingen": meldingen, "meldingen_sociaal_plein": min(sp, meldingen), "closed_total": closed,
            "closed_within_six_months": within, "closed_contact_moments": round(closed * rng.uniform(8, 11)),
            "closed_hours": round(closed * rng.uniform(5.5, 7.5))}


def _demo_status(org: str, wijk: str, period: Period, current: Period, previous: Period,
                 today: date) -> ReturnStatus | None:
    """Old periods approved (locked after the lock date); an open cycle in the last two."""
    if period.id == current.id:
        return ReturnStatus.CONCEPT if org in ("Versa Welzijn", "MEE") and wijk in ("Oost", "Hilversumse Meent") else None
    if period.id == previous.id:
        if org == "Versa Welzijn" and wijk == "Oost":
            return ReturnStatus.INGEDIEND
        if org == "Versa Welzijn" and wijk == "Hilversumse Meent":
            return ReturnStatus.TERUGGESTUURD
        if org == "MEE" and wijk == "Zuidoost":
            return None  # overdue
        if org in ("Kwintes", "Sherpa"):
            return ReturnStatus.INGEDIEND
        return ReturnStatus.GOEDGEKEURD
    if period.lock_date and period.lock_date < today:
        return ReturnStatus.VERGRENDELD
    return ReturnStatus.GOEDGEKEURD
