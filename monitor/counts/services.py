"""Use cases of Tellen: entering, checking and deciding returns; boards and completeness."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError, NotAllowed
from ..extensions import db
from ..models import (
    AuditEvent,
    Organisation,
    OrganisationKind,
    Period,
    Role,
    ServiceType,
    Specialism,
    User,
    Wijk,
)
from ..timeutil import utcnow
from ..tokens import hash_token
from .figures import SCALAR_KEYS, Catalogue, Checked, clients_key, hours_key, validate
from .models import (
    ApiToken,
    CountReturn,
    ImportMapping,
    PlannedHours,
    ReturnClients,
    ReturnHours,
    ReturnStatus,
)


class ValidationFailed(DomainError):
    """A return's figures break hard rules (or warnings lack an explanation)."""

    def __init__(self, checked: Checked) -> None:
        super().__init__("De opgave bevat fouten. Verbeter de gemarkeerde velden.")
        self.checked = checked


# --- loading ---------------------------------------------------------------------------

def catalogue_for(period: Period) -> Catalogue:
    """The specialisms and service types valid in ``period``, in catalogue order."""
    specialisms = [s for s in db.session.scalars(
        sa.select(Specialism).order_by(Specialism.position, Specialism.name)) if s.valid_for(period)]
    services = [s for s in db.session.scalars(
        sa.select(ServiceType).order_by(ServiceType.position, ServiceType.name)) if s.valid_for(period)]
    return Catalogue(specialisms, services)


def find_return(organisation_id: int, wijk_id: int, period_id: int) -> CountReturn | None:
    """The return of an organisation for a wijk and period, if it exists."""
    return db.session.scalar(sa.select(CountReturn).where(
        CountReturn.organisation_id == organisation_id, CountReturn.wijk_id == wijk_id,
        CountReturn.period_id == period_id))


def period_by_ordinal(ordinal: int) -> Period | None:
    """The period with ``ordinal`` (``year * 3 + tertial - 1``)."""
    year, index = divmod(ordinal, 3)
    return db.session.scalar(sa.select(Period).where(Period.year == year, Period.tertial == index + 1))


def figures_of(ret: CountReturn) -> dict[str, Any]:
    """A return's figures by key (scalars, ``uren:<code>``, ``clienten:<code>``)."""
    data: dict[str, Any] = {key: getattr(ret, key) for key in SCALAR_KEYS}
    for h in ret.hours:
        data[hours_key(h.specialism.code)] = h.hours
    for c in ret.clients:
        data[clients_key(c.service_type.code)] = c.clients
    return data


def reference_figures(organisation_id: int, wijk_id: int, period: Period) -> dict[str, dict]:
    """Last period's figures and those of the same period last year, for beside the fields."""
    result = {}
    for name, ordinal in (("previous", period.ordinal - 1), ("last_year", period.ordinal - 3)):
        other = period_by_ordinal(ordinal)
        ret = find_return(organisation_id, wijk_id, other.id) if other else None
        result[name] = {"period": other, "figures": figures_of(ret) if ret else {}}
    return result


def previous_figures(organisation_id: int, wijk_id: int, period: Period) -> list[dict[str, Any]]:
    """Figures of the up to three previous periods that were submitted (for the warnings)."""
    rows = db.session.scalars(
        sa.select(CountReturn).join(Period).where(
            CountReturn.organisation_id == organisation_id, CountReturn.wijk_id == wijk_id,
            CountReturn.status != ReturnStatus.CONCEPT,
            (Period.year * 3 + Period.tertial - 1).between(period.ordinal - 3, period.ordinal - 1)))
    return [figures_of(r) for r in rows]


# --- entering ---------------------------------------------------------------------------

def _audit_snapshot(ret: CountReturn) -> dict[str, Any]:
    data = audit.snapshot(ret, ("status", *SCALAR_KEYS, "explanation"))
    data.update({k: v for k, v in figures_of(ret).items() if ":" in k})
    return data


def check_return(organisation_id: int, wijk_id: int, period: Period, raw: dict[str, Any], *,
                 submit: bool, explanation: str = "") -> Checked:
    """Validate figures for a return without saving (used by the form, import and API)."""
    checked = validate(raw, period, catalogue_for(period), submit=submit,
                       previous=previous_figures(organisation_id, wijk_id, period))
    if submit and checked.warnings and not (explanation or "").strip():
        checked.errors["explanation"] = ("Er zijn waarschuwingen: licht ze toe voordat u indient.")
    return checked


def guard_return(organisation: Organisation, wijk: Wijk, period: Period,
                 today: date | None = None) -> CountReturn | None:
    """The existing return (if any) when the organisation may write it now.

    :raise NotAllowed: period not begun, organisation or wijk inactive, return not editable.
    """
    today = today or date.today()
    if period.start > today:
        raise NotAllowed(f"De periode {period.covers} is nog niet begonnen.")
    if organisation.kind != OrganisationKind.WELZIJN or not organisation.active:
        raise NotAllowed("Deze organisatie levert geen opgaven aan.")
    if not wijk.active:
        raise NotAllowed("Deze wijk is niet (meer) actief.")
    ret = find_return(organisation.id, wijk.id, period.id)
    if ret is not None and not ret.status.editable:
        raise NotAllowed(f"Deze opgave is {ret.status.label.lower()} en kan niet meer worden gewijzigd.")
    return ret


def apply_return(organisation: Organisation, wijk: Wijk, period: Period, raw: dict[str, Any], *,
                 explanation: str = "", submit: bool = False, today: date | None = None,
                 actor_label: str | None = None) -> tuple[CountReturn, Checked]:
    """Create or change a return (and submit it when asked); no commit.

    :raise NotAllowed: the return is not editable or the period has not started.
    :raise ValidationFailed: hard rules broken (nothing is changed).
    """
    ret = guard_return(organisation, wijk, period, today)
    checked = check_return(organisation.id, wijk.id, period, raw, submit=submit, explanation=explanation)
    if checked.errors:
        raise ValidationFailed(checked)
    catalogue = catalogue_for(period)
    created = ret is None
    if created:
        ret = CountReturn(organisation=organisation, wijk=wijk, period=period, status=ReturnStatus.CONCEPT)
        db.session.add(ret)
        old: dict[str, Any] = {}
    else:
        old = _audit_snapshot(ret)
    for key in SCALAR_KEYS:
        setattr(ret, key, checked.values.get(key))
    _sync(ret.hours, "specialism_id", "hours", ReturnHours,
          {s.id: checked.values[hours_key(s.code)] for s in catalogue.specialisms
           if checked.values.get(hours_key(s.code)) is not None})
    _sync(ret.clients, "service_type_id", "clients", ReturnClients,
          {s.id: checked.values[clients_key(s.code)] for s in catalogue.service_types
           if checked.values.get(clients_key(s.code)) is not None})
    ret.explanation = (explanation or "").strip()
    ret.updated_at = utcnow()
    db.session.flush()
    new = _audit_snapshot(ret)
    before, after = audit.changes(old, new)
    label = f"{organisation.name}, {wijk.name}, {period.label}"
    if created:
        audit.record("count_return.create", ret, new=new, summary=f"Opgave {label} aangemaakt",
                     actor_label=actor_label)
    elif after:
        audit.record("count_return.update", ret, old=before, new=after,
                     summary=f"Opgave {label} gewijzigd", actor_label=actor_label)
    if submit:
        _transition(ret, ReturnStatus.INGEDIEND, "count_return.submit",
                    f"Opgave {label} ingediend", actor_label=actor_label)
        ret.submitted_at = utcnow()
    return ret, checked


def _sync(rows: list, key: str, attr: str, model, wanted: dict[int, int]) -> None:
    """Update child rows in place: change, add and remove to match ``wanted``."""
    current = {getattr(r, key): r for r in rows}
    for ident, row in current.items():
        if ident not in wanted:
            rows.remove(row)
    for ident, value in wanted.items():
        if ident in current:
            setattr(current[ident], attr, value)
        else:
            rows.append(model(**{key: ident, attr: value}))


def save_return(organisation: Organisation, wijk: Wijk, period: Period, raw: dict[str, Any], *,
                explanation: str = "", submit: bool = False,
                actor_label: str | None = None) -> tuple[CountReturn, Checked]:
    """Save (and optionally submit) one return; commits. See :func:`apply_return`."""
    ret, checked = apply_return(organisation, wijk, period, raw, explanation=explanation,
                                submit=submit, actor_label=actor_label)
    db.session.commit()
    return ret, checked


# --- workflow --------------------------------------------------------------------------

def _transition(ret: CountReturn, new_status: ReturnStatus, action: str, summary: str, *,
                reason: str | None = None, actor_label: str | None = None) -> None:
    old = {"status": ret.status.value}
    new: dict[str, Any] = {"status": new_status.value}
    if reason is not None:
        old["return_reason"] = ret.return_reason
        new["return_reason"] = reason
        ret.return_reason = reason
    ret.status = new_status
    audit.record(action, ret, old=old, new=new, summary=summary, actor_label=actor_label)


def _label(ret: CountReturn) -> str:
    return f"{ret.organisation.name}, {ret.wijk.name}, {ret.period.label}"


def submit_return(ret: CountReturn) -> Checked:
    """Submit a saved return as it is. :raise ValidationFailed, NotAllowed:"""
    if not ret.status.editable:
        raise NotAllowed(f"Deze opgave is {ret.status.label.lower()} en kan niet worden ingediend.")
    _, checked = save_return(ret.organisation, ret.wijk, ret.period, figures_of(ret),
                             explanation=ret.explanation, submit=True)
    return checked


def send_back(ret: CountReturn, reason: str, by: User) -> None:
    """Return a submitted return to the organisation with a question. :raise NotAllowed:"""
    if ret.status != ReturnStatus.INGEDIEND:
        raise NotAllowed("Alleen een ingediende opgave kan worden teruggestuurd.")
    if not reason.strip():
        raise DomainError("Schrijf op wat er moet worden aangepast.", "reason")
    _transition(ret, ReturnStatus.TERUGGESTUURD, "count_return.send_back",
                f"Opgave {_label(ret)} teruggestuurd", reason=reason.strip())
    ret.decided_at, ret.decided_by = utcnow(), by
    db.session.commit()


def approve(ret: CountReturn, by: User) -> None:
    """Approve a submitted return. :raise NotAllowed:"""
    if ret.status != ReturnStatus.INGEDIEND:
        raise NotAllowed("Alleen een ingediende opgave kan worden goedgekeurd.")
    _transition(ret, ReturnStatus.GOEDGEKEURD, "count_return.approve", f"Opgave {_label(ret)} goedgekeurd")
    ret.decided_at, ret.decided_by = utcnow(), by
    db.session.commit()


def lock(ret: CountReturn) -> None:
    """Lock an approved return. :raise NotAllowed:"""
    if ret.status != ReturnStatus.GOEDGEKEURD:
        raise NotAllowed("Alleen een goedgekeurde opgave kan worden vergrendeld.")
    _transition(ret, ReturnStatus.VERGRENDELD, "count_return.lock", f"Opgave {_label(ret)} vergrendeld")
    db.session.commit()


def reopen(ret: CountReturn, reason: str, by: User) -> None:
    """Reopen an approved (or locked) return: back to the organisation, with a reason."""
    if not ret.status.approved:
        raise NotAllowed("Alleen een goedgekeurde of vergrendelde opgave kan worden heropend.")
    if not reason.strip():
        raise DomainError("Geef de reden voor het heropenen.", "reason")
    _transition(ret, ReturnStatus.TERUGGESTUURD, "count_return.reopen",
                f"Opgave {_label(ret)} heropend", reason=reason.strip())
    ret.decided_at, ret.decided_by = utcnow(), by
    db.session.commit()


def lock_due_returns(today: date | None = None) -> int:
    """Lock every approved return whose period's lock date has passed; returns how many."""
    today = today or date.today()
    rets = db.session.scalars(sa.select(CountReturn).join(Period).where(
        CountReturn.status == ReturnStatus.GOEDGEKEURD, Period.lock_date.is_not(None),
        Period.lock_date < today)).all()
    for ret in rets:
        _transition(ret, ReturnStatus.VERGRENDELD, "count_return.lock",
                    f"Opgave {_label(ret)} vergrendeld (vergrendeldatum verstreken)", actor_label="systeem")
    db.session.commit()
    return len(rets)


def history(ret: CountReturn) -> list[AuditEvent]:
    """The audit trail of one return, oldest first."""
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "CountReturn", AuditEvent.object_id == str(ret.id)
    ).order_by(AuditEvent.id)))


# --- boards, completeness, home ---------------------------------------------------------

@dataclass
class BoardRow:
    period: Period
    wijk: Wijk
    ret: CountReturn | None
    overdue: bool

    @property
    def state(self) -> str:
        return self.ret.status.label if self.ret else "Nog niet begonnen"


def expected_organisations() -> list[Organisation]:
    """Organisations that report: the active welfare organisations."""
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.WELZIJN, Organisation.active.is_(True)
    ).order_by(Organisation.name)))


def active_wijken(ids: set[int] | None = None) -> list[Wijk]:
    query = sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name)
    if ids is not None:
        query = query.where(Wijk.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def started_periods(today: date) -> list[Period]:
    """Periods that have begun, newest first."""
    return [p for p in db.session.scalars(
        sa.select(Period).order_by(Period.year.desc(), Period.tertial.desc())) if p.start <= today]


def is_overdue(ret: CountReturn | None, period: Period, today: date) -> bool:
    """Past the deadline and not (re)submitted."""
    not_in = ret is None or ret.status.editable
    return not_in and period.deadline < today


def board(organisation_id: int, wijk_ids: set[int], today: date | None = None,
          recent: int = 3) -> list[BoardRow]:
    """An organisation's returns for its wijken: the last ``recent`` periods in full and
    every older one that is still open, so nothing overdue disappears from view."""
    today = today or date.today()
    periods = started_periods(today)
    wijken = active_wijken(wijk_ids)
    rets = {(r.wijk_id, r.period_id): r for r in db.session.scalars(sa.select(CountReturn).where(
        CountReturn.organisation_id == organisation_id, CountReturn.wijk_id.in_(wijk_ids or {-1})))}
    rows = []
    for index, period in enumerate(periods):
        for wijk in wijken:
            ret = rets.get((wijk.id, period.id))
            if index < recent or ret is None or not ret.status.approved:
                rows.append(BoardRow(period, wijk, ret, is_overdue(ret, period, today)))
    return rows


@dataclass
class Completeness:
    period: Period
    organisations: list[Organisation]
    wijken: list[Wijk]
    cells: dict[tuple[int, int], CountReturn | None]
    overdue: set[tuple[int, int]] = field(default_factory=set)

    @property
    def expected(self) -> int:
        return len(self.organisations) * len(self.wijken)

    def count(self, *statuses: ReturnStatus) -> int:
        return sum(1 for r in self.cells.values() if r is not None and r.status in statuses)

    @property
    def submitted(self) -> int:
        return self.count(ReturnStatus.INGEDIEND, ReturnStatus.GOEDGEKEURD, ReturnStatus.VERGRENDELD)

    @property
    def approved(self) -> int:
        return self.count(ReturnStatus.GOEDGEKEURD, ReturnStatus.VERGRENDELD)

    @property
    def percent_submitted(self) -> float | None:
        return self.submitted / self.expected if self.expected else None

    @property
    def percent_approved(self) -> float | None:
        return self.approved / self.expected if self.expected else None


def completeness(period: Period, wijk_ids: set[int] | None, today: date | None = None) -> Completeness:
    """The organisation x wijk matrix of one period with every return's status."""
    today = today or date.today()
    orgs = expected_organisations()
    wijken = active_wijken(wijk_ids)
    rets = {(r.organisation_id, r.wijk_id): r for r in db.session.scalars(
        sa.select(CountReturn).where(CountReturn.period_id == period.id))}
    cells = {(o.id, w.id): rets.get((o.id, w.id)) for o in orgs for w in wijken}
    overdue = {k for k, r in cells.items() if is_overdue(r, period, today)}
    return Completeness(period, orgs, wijken, cells, overdue)


def awaiting_approval() -> list[CountReturn]:
    """Submitted returns, oldest submission first."""
    return list(db.session.scalars(sa.select(CountReturn).where(
        CountReturn.status == ReturnStatus.INGEDIEND).order_by(CountReturn.submitted_at, CountReturn.id)))


# --- planned hours -----------------------------------------------------------------------

def planned_hours(organisation_id: int, year: int) -> dict[int, Decimal]:
    """Hours per week per specialism id of an organisation in ``year``."""
    return {p.specialism_id: p.hours_per_week for p in db.session.scalars(sa.select(PlannedHours).where(
        PlannedHours.organisation_id == organisation_id, PlannedHours.year == year))}


class PlannedHoursInvalid(DomainError):
    """Some hours per week could not be read; ``errors`` holds a message per specialism id."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__("Niet opgeslagen: verbeter de gemarkeerde velden.")
        self.errors = errors


def save_planned_hours(organisation: Organisation, year: int, texts: dict[int, Any]) -> None:
    """Set (or clear, when empty) the hours per week per specialism id; audited.

    :raise PlannedHoursInvalid: a value is not a non-negative number.
    """
    from .figures import parse_number

    values: dict[int, Decimal | None] = {}
    errors: dict[int, str] = {}
    for spec_id, text in texts.items():
        try:
            number = parse_number(text, whole=False)
        except ValueError as err:
            errors[spec_id] = str(err)
        else:
            values[spec_id] = Decimal(number).quantize(Decimal("0.1")) if number is not None else None
    if errors:
        raise PlannedHoursInvalid(errors)
    existing = {p.specialism_id: p for p in db.session.scalars(sa.select(PlannedHours).where(
        PlannedHours.organisation_id == organisation.id, PlannedHours.year == year))}
    codes = {s.id: s.code for s in db.session.scalars(sa.select(Specialism))}
    old, new = {}, {}
    for spec_id, value in values.items():
        if spec_id not in codes:
            raise DomainError("Onbekend specialisme.")
        row = existing.get(spec_id)
        before = row.hours_per_week if row else None
        if value is None and row is not None:
            db.session.delete(row)
        elif value is not None and row is None:
            db.session.add(PlannedHours(organisation_id=organisation.id, specialism_id=spec_id,
                                        year=year, hours_per_week=value))
        elif value is not None:
            row.hours_per_week = value
        if (before is None) != (value is None) or (before is not None and Decimal(before) != value):
            old[codes[spec_id]], new[codes[spec_id]] = before, value
    if new:
        audit.record("planned_hours.update", organisation, old=old, new=new,
                     summary=f"Begrote uren {organisation.name} {year} gewijzigd")
    db.session.commit()


# --- catalogues -------------------------------------------------------------------------

CATALOGUE_MODELS = {"specialismen": Specialism, "dienstverlening": ServiceType}
CATALOGUE_FIELDS = ("code", "name", "description", "position", "valid_from", "valid_until")


def save_catalogue_entry(model, entry, *, code: str, name: str, description: str, position: int,
                         valid_from: date, valid_until: date | None):
    """Create or change a catalogue entry. Codes never change once used (history stays intact).

    :raise DomainError: duplicate code, or validity ending before it starts.
    """
    if valid_until is not None and valid_until < valid_from:
        raise DomainError("'Geldig tot' kan niet vóór 'geldig vanaf' liggen.", "valid_until")
    code = code.strip().lower()
    if entry is None:
        if db.session.scalar(sa.select(model.id).where(model.code == code)):
            raise DomainError("Deze code bestaat al.", "code")
        entry = model(code=code, name=name.strip(), description=description or "", position=position,
                      valid_from=valid_from, valid_until=valid_until)
        db.session.add(entry)
        audit.record(f"{model.__tablename__}.create", entry, new=audit.snapshot(entry, CATALOGUE_FIELDS))
    else:
        old = audit.snapshot(entry, CATALOGUE_FIELDS)
        entry.name, entry.description, entry.position = name.strip(), description or "", position
        entry.valid_from, entry.valid_until = valid_from, valid_until
        before, after = audit.changes(old, audit.snapshot(entry, CATALOGUE_FIELDS))
        if after:
            audit.record(f"{model.__tablename__}.update", entry, old=before, new=after)
    db.session.commit()
    return entry


def catalogue_entries(model) -> list:
    return list(db.session.scalars(sa.select(model).order_by(model.position, model.name)))


# --- import mappings ----------------------------------------------------------------------

def saved_mapping(organisation_id: int) -> dict[str, str]:
    row = db.session.scalar(sa.select(ImportMapping).where(ImportMapping.organisation_id == organisation_id))
    return dict(row.mapping) if row else {}


def _store_mapping(organisation: Organisation, mapping: dict[str, str]) -> None:
    row = db.session.scalar(sa.select(ImportMapping).where(ImportMapping.organisation_id == organisation.id))
    if row is None:
        db.session.add(ImportMapping(organisation_id=organisation.id, mapping=mapping))
        audit.record("import_mapping.create", organisation, new={"mapping": mapping},
                     summary=f"Kolomindeling {organisation.name} opgeslagen")
    elif row.mapping != mapping:
        audit.record("import_mapping.update", organisation, old={"mapping": row.mapping},
                     new={"mapping": mapping}, summary=f"Kolomindeling {organisation.name} gewijzigd")
        row.mapping, row.updated_at = mapping, utcnow()


# --- API tokens ---------------------------------------------------------------------------



def create_token(organisation: Organisation, name: str, by: User) -> tuple[ApiToken, str]:
    """Create a token; the plain value is returned once and never stored."""
    if organisation.kind != OrganisationKind.WELZIJN:
        raise DomainError("Alleen welzijnsorganisaties leveren opgaven aan.", "organisation_id")
    plain = "tv_" + secrets.token_urlsafe(32)
    token = ApiToken(organisation=organisation, name=name.strip(), token_hash=hash_token(plain),
                     prefix=plain[:10], created_by=by)
    db.session.add(token)
    audit.record("api_token.create", token, new={"organisation": organisation.name, "name": token.name,
                                                 "prefix": token.prefix})
    db.session.commit()
    return token, plain


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record("api_token.revoke", token, old={"revoked_at": None}, new={"revoked_at": token.revoked_at})
    db.session.commit()


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


def authenticate_token(plain: str) -> ApiToken | None:
    """The active token with this value, marking it used; ``None`` when unknown or revoked."""
    if not plain or len(plain) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None or not token.organisation.active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token


# --- small lookups for views ------------------------------------------------------------

def find_period(period_id: int) -> Period | None:
    return db.session.get(Period, period_id)




def welfare_organisations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.WELZIJN).order_by(Organisation.name)))


def all_wijken() -> list[Wijk]:
    return list(db.session.scalars(sa.select(Wijk).order_by(Wijk.name)))


def user_may_enter(user: User) -> bool:
    return user.role == Role.SOCIAAL_WERKER and user.organisation_id is not None
