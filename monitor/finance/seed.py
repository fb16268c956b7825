"""The demo programme: Begeleiding in de Wijk with the figures of the council letter
(source 001, period 1 November 2019 – 1 January 2021), so its tables can be read off
the programme page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..models import Organisation, Wijk
from .models import MoneyLine, Programme, ProgrammeOrganisation, ProgrammeResult, ProgrammeWijk, SociaalPleinReview

NAME = "Begeleiding in de Wijk"
WIJKEN = [("Oost", date(2019, 11, 1)), ("Zuidwest", date(2019, 11, 1)), ("Noordoost", date(2020, 6, 1)),
          ("Zuidoost", date(2020, 6, 1)), ("Centrum", date(2021, 1, 1)), ("Zuid", date(2021, 1, 1)),
          ("Noordwest", date(2021, 1, 1)), ("Hilversumse Meent", date(2021, 1, 1))]
PARTICIPANTS = [("Versa Welzijn", date(2019, 11, 1), None, "algemeen maatschappelijk werk, aanvullende subsidie"),
                ("MEE", date(2019, 11, 1), None, "cliëntondersteuning (LVB, auditief, autisme, NAH)"),
                ("Kwintes", date(2020, 11, 1), None, "expertise GGZ"),
                ("Sherpa", date(2020, 11, 1), None, "expertise LVB")]
SPENT = [("Aanvullende subsidie Versa", "Versa Welzijn", "170000.00"),
         ("1e ronde interviews van inwoners en professionals", None, "5150.00"),
         ("2e ronde interviews van inwoners en professionals", None, "5350.00"),
         ("3e ronde interviews van inwoners en professionals", None, "6750.00"),
         ("4e ronde interviews (voorbereiding januari 2021)", None, "1100.00"),
         ("Subsidie Kwintes november en december", "Kwintes", "29561.00"),
         ("Subsidie Sherpa november en december", "Sherpa", "4745.00"),
         ("Extra capaciteit Wmo", None, "20250.00"),
         ("Juridisch advies m.b.t. samenwerkingsovereenkomst", None, "5500.00"),
         ("Advieswerk binnen het project", None, "4205.00")]


def seed_demo_programme(echo: Callable[[str], None]) -> None:
    """Idempotent: does nothing when the programme exists or the organisations are missing."""
    if db.session.scalar(sa.select(Programme.id).where(Programme.name == NAME)) is not None:
        echo("  programma staat er al; niets toegevoegd.")
        return
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    wijken = {w.name: w for w in db.session.scalars(sa.select(Wijk))}
    if "Versa Welzijn" not in orgs or "MEE" not in orgs:
        echo("  organisaties ontbreken; eerst seed-demo van de kern.")
        return
    p = Programme(name=NAME, start_date=date(2019, 11, 1), end_date=date(2021, 12, 31), description=(
        "Algemene voorziening, voorliggend op een maatwerkvoorziening: laagdrempelige ondersteuning "
        "in het kader van de Wmo in de eigen woonomgeving (raadsbrief over 1 november 2019 – "
        "1 januari 2021)."))
    p.wijken = [ProgrammeWijk(wijk=wijken[n], start_date=d) for n, d in WIJKEN if n in wijken]
    p.organisations = [ProgrammeOrganisation(organisation=orgs[n], start_date=s, end_date=e, role=r)
                       for n, s, e, r in PARTICIPANTS if n in orgs]
    span = (date(2019, 11, 1), date(2020, 12, 31))
    p.results = [
        ProgrammeResult(party="Versa Welzijn", organisation=orgs["Versa Welzijn"], date_from=span[0],
                        date_to=span[1], meldingen=248, via_sociaal_plein=82, closed=146,
                        closed_within_six_months=124, hours_per_closed=Decimal(6),
                        contacts_per_closed=Decimal(9)),
        ProgrammeResult(party="MEE", organisation=orgs["MEE"], date_from=span[0], date_to=span[1],
                        meldingen=212, via_sociaal_plein=17, closed=153, closed_within_six_months=133,
                        hours_per_closed=Decimal(7)),
        ProgrammeResult(party="Kwintes en Sherpa samen", organisation=None, date_from=date(2020, 11, 1),
                        date_to=span[1], meldingen=14, via_sociaal_plein=None, closed=None,
                        closed_within_six_months=None,
                        note="De periode is nog te kort om inhoudelijk meer te zeggen."),
    ]
    p.money = [MoneyLine(year=2020, description=d, organisation=orgs.get(o) if o else None,
                         spent=Decimal(a)) for d, o, a in SPENT]
    p.money += [MoneyLine(year=y, description="Budget voor de inrichting", budget=Decimal("350000.00"))
                for y in (2020, 2021)]
    p.reviews = [SociaalPleinReview(
        date_from=date(2020, 11, 1), date_to=date(2021, 1, 20), reviewed=53, discussed=8, combined_offer=2,
        not_suitable=2, scaled_down_later=2, scaled_down_now=2, reduced_indications=6,
        hours_saved=Decimal("7.5"), wmo_and_wijk=3, not_extended=7)]
    db.session.add(p)
    db.session.commit()
    echo(f"  programma {NAME} met de cijfers van de raadsbrief.")
