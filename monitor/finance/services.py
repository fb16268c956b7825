"""Entering programmes, their wijken and parties, results, money and reviews.

Every change is checked here (Dutch :class:`DomainError` naming the field), audited and
committed here; views only translate forms.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError
from ..extensions import db
from ..models import Organisation, User, Wijk
from .models import MoneyLine, Programme, ProgrammeOrganisation, ProgrammeResult, ProgrammeWijk, SociaalPleinReview

MAX_AMOUNT = Decimal("999999999999.99")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")


def parse_amount(text: Any, field: str) -> Decimal | None:
    """A euro amount typed the Dutch way: ``170.000``, ``170.000,00``, ``€ 5.150,50``."""
    return _parse(text, field, Decimal("0.01"),
                  "Vul een bedrag in, bijvoorbeeld 170.000 of 5.150,50.",
                  "Vul een bedrag in met hoogstens twee cijfers achter de komma.")


def parse_tenths(text: Any, field: str) -> Decimal | None:
    """An average typed the Dutch way with at most one decimal (``6``, ``7,5``)."""
    value = _parse(text, field, Decimal("0.1"), "Vul een getal in, bijvoorbeeld 6 of 7,5.",
                   "Vul een getal in met hoogstens één cijfer achter de komma.")
    if value is not None and value > 100000:
        raise DomainError("Dit getal kan niet kloppen.", field)
    return value


def _parse(text: Any, field: str, places: Decimal, invalid: str, too_precise: str) -> Decimal | None:
    if text is None or str(text).strip() == "":
        return None
    raw = str(text).strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif _GROUPED.match(raw):
        raw = raw.replace(".", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError(invalid, field) from None
    if not value.is_finite():
        raise DomainError(invalid, field)
    if value < 0 or value > MAX_AMOUNT:
        raise DomainError("Dit getal kan niet kloppen.", field)
    if value != value.quantize(places):
        raise DomainError(too_precise, field)
    return value


def list_programmes() -> list[Programme]:
    return list(db.session.scalars(sa.select(Programme).order_by(Programme.start_date, Programme.name)))


def wijk_choices() -> list[Wijk]:
    return list(db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name)))


def organisation_choices() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def _dates(start: date | None, end: date | None, field: str = "end_date") -> None:
    if start and end and end < start:
        raise DomainError("De einddatum ligt vóór de begindatum.", field)


def save_programme(programme: Programme | None, data: dict, by: User) -> Programme:
    name = (data.get("name") or "").strip()
    if not name:
        raise DomainError("Geef het programma een naam.", "name")
    _dates(data["start_date"], data.get("end_date"))
    clash = db.session.scalar(sa.select(Programme.id).where(sa.func.lower(Programme.name) == name.lower()))
    if clash is not None and (programme is None or clash != programme.id):
        raise DomainError("Er is al een programma met deze naam.", "name")
    new = programme is None
    if new:
        programme = Programme()
        db.session.add(programme)
    old = audit.snapshot(programme, ["name", "start_date", "end_date"]) if not new else None
    programme.name, programme.description = name, (data.get("description") or "").strip()
    programme.start_date, programme.end_date = data["start_date"], data.get("end_date")
    db.session.flush()
    audit.record("programma.aanmaken" if new else "programma.wijzigen", programme, old=old,
                 new=audit.snapshot(programme, ["name", "start_date", "end_date"]), actor=by,
                 summary=f"Programma {programme.name}")
    db.session.commit()
    return programme


def add_wijk(programme: Programme, wijk: Wijk, start: date, by: User) -> None:
    if any(pw.wijk_id == wijk.id for pw in programme.wijken):
        raise DomainError(f"{wijk.name} hoort al bij dit programma.", "wijk_id")
    if start < programme.start_date:
        raise DomainError("Een wijk kan niet eerder beginnen dan het programma.", "start_date")
    programme.wijken.append(ProgrammeWijk(wijk=wijk, start_date=start))
    audit.record("programma.wijk_toevoegen", programme, actor=by,
                 summary=f"{wijk.name} vanaf {start:%d-%m-%Y} in {programme.name}")
    db.session.commit()


def add_organisation(programme: Programme, organisation: Organisation, data: dict, by: User) -> None:
    if any(po.organisation_id == organisation.id for po in programme.organisations):
        raise DomainError(f"{organisation.name} doet al mee.", "organisation_id")
    _dates(data.get("start_date"), data.get("end_date"))
    programme.organisations.append(ProgrammeOrganisation(
        organisation=organisation, start_date=data.get("start_date"), end_date=data.get("end_date"),
        role=(data.get("role") or "").strip()))
    audit.record("programma.deelnemer_toevoegen", programme, actor=by,
                 summary=f"{organisation.name} in {programme.name}")
    db.session.commit()


def add_result(programme: Programme, data: dict, by: User) -> ProgrammeResult:
    """One party's results over one span; the parts may not exceed their whole."""
    _dates(data["date_from"], data["date_to"], "date_to")
    m, v, c, w = (data["meldingen"], data.get("via_sociaal_plein"), data.get("closed"),
                  data.get("closed_within_six_months"))
    if v is not None and v > m:
        raise DomainError("Meer meldingen via het Sociaal Plein dan meldingen in totaal.", "via_sociaal_plein")
    if c is not None and c > m:
        raise DomainError("Meer afgesloten trajecten dan meldingen.", "closed")
    if w is not None and (c is None or w > c):
        raise DomainError("Binnen zes maanden afgesloten kan niet meer zijn dan afgesloten in totaal.",
                          "closed_within_six_months")
    organisation = data.get("organisation")
    party = (data.get("party") or "").strip() or (organisation.name if organisation else "")
    if not party:
        raise DomainError("Kies een organisatie of geef de partij een naam (bijv. 'Kwintes en Sherpa samen').",
                          "party")
    result = ProgrammeResult(
        party=party[:150], organisation=organisation, date_from=data["date_from"], date_to=data["date_to"],
        meldingen=m, via_sociaal_plein=v, closed=c, closed_within_six_months=w,
        hours_per_closed=data.get("hours_per_closed"), contacts_per_closed=data.get("contacts_per_closed"),
        note=(data.get("note") or "").strip())
    programme.results.append(result)
    db.session.flush()
    audit.record("programma.resultaat_invoeren", result, actor=by, summary=(
        f"{party}: {m} meldingen {data['date_from']:%d-%m-%Y} t/m {data['date_to']:%d-%m-%Y}"))
    db.session.commit()
    return result


def add_money(programme: Programme, data: dict, by: User) -> MoneyLine:
    if not (data.get("description") or "").strip():
        raise DomainError("Geef een omschrijving.", "description")
    amounts = {k: data.get(k) for k in ("budget", "forecast", "substitution", "spent")}
    if all(v is None for v in amounts.values()):
        raise DomainError("Vul minstens één bedrag in.", "budget")
    line = MoneyLine(year=data["year"], description=data["description"].strip()[:300],
                     organisation=data.get("organisation"), **amounts)
    programme.money.append(line)
    db.session.flush()
    audit.record("programma.bedrag_invoeren", line, actor=by,
                 summary=f"{line.description} ({line.year}) in {programme.name}")
    db.session.commit()
    return line


def add_review(programme: Programme, data: dict, by: User) -> SociaalPleinReview:
    _dates(data["date_from"], data["date_to"], "date_to")
    if data["discussed"] > data["reviewed"]:
        raise DomainError("Er kunnen niet meer meldingen besproken zijn dan bekeken.", "discussed")
    parts = sum(data.get(k) or 0 for k in SociaalPleinReview.OUTCOMES)
    if parts > data["discussed"]:
        raise DomainError(f"De uitkomsten tellen op tot {parts}, meer dan de {data['discussed']} besproken "
                          "meldingen.", "combined_offer")
    review = SociaalPleinReview(**{k: v for k, v in data.items() if k != "csrf_token"})
    programme.reviews.append(review)
    db.session.flush()
    audit.record("programma.sociaal_plein_invoeren", review, actor=by,
                 summary=f"{review.reviewed} meldingen bekeken in {programme.name}")
    db.session.commit()
    return review


REMOVABLE = {"resultaat": ProgrammeResult, "bedrag": MoneyLine, "beoordeling": SociaalPleinReview,
             "wijk": ProgrammeWijk, "deelnemer": ProgrammeOrganisation}


def remove_entry(programme: Programme, kind: str, entry_id: int, by: User) -> None:
    model = REMOVABLE.get(kind)
    entry = db.session.get(model, entry_id) if model else None
    if entry is None or entry.programme_id != programme.id:
        raise DomainError("Deze regel bestaat niet (meer).")
    db.session.delete(entry)
    audit.record(f"programma.{kind}_verwijderen", programme, actor=by,
                 summary=f"{kind} {entry_id} uit {programme.name} verwijderd")
    db.session.commit()
