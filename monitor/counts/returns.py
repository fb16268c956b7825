"""Returns of Tellen: loading, entering, checking and the workflow (submit, approve, reopen, lock)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from .. import audit
from ..errors import DomainError, NotAllowed
from ..extensions import db
from ..models import AuditEvent, Organisation, OrganisationKind, Period, ServiceType, Specialism, User, Wijk
from ..timeutil import utcnow
from . import notices, publication
from .figures import SCALAR_KEYS, Catalogue, Checked, clients_key, hours_key, validate, year_complete
from .models import CountReturn, ReturnClients, ReturnHours, ReturnStatus
from .werkgebied import area_name, span_of, works_in


def _id(wijk: Wijk | None) -> int | None:
    return wijk.id if wijk is not None else None


class ValidationFailed(DomainError):
    """A return's figures break hard rules (or warnings lack an explanation)."""

    def __init__(self, checked: Checked) -> None:
        super().__init__("De opgave bevat fouten. Verbeter de gemarkeerde velden.")
        self.checked = checked
        self.saved = False  # saved as a concept all the same (only the explanation was missing)


# --- loading ---------------------------------------------------------------------------

def catalogue_for(period: Period) -> Catalogue:
    """The specialisms and service types valid in ``period``, in catalogue order."""
    specialisms = [s for s in db.session.scalars(
        sa.select(Specialism).order_by(Specialism.position, Specialism.name)) if s.valid_for(period)]
    services = [s for s in db.session.scalars(
        sa.select(ServiceType).order_by(ServiceType.position, ServiceType.name)) if s.valid_for(period)]
    return Catalogue(specialisms, services)


def same_area(wijk_id: int | None):
    """The SQL condition for returns of ``wijk_id`` (``None``: the city-wide return)."""
    return CountReturn.wijk_id.is_(None) if wijk_id is None else CountReturn.wijk_id == wijk_id


def find_return(organisation_id: int, wijk_id: int | None, period_id: int) -> CountReturn | None:
    """The return of an organisation for a wijk (``None``: city-wide) and period, if it exists."""
    return db.session.scalar(sa.select(CountReturn).where(
        CountReturn.organisation_id == organisation_id, same_area(wijk_id),
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


def review_context(ret: CountReturn) -> dict[str, Any]:
    """What the reviewer sees beside a return: last period's and last year's figures and the
    plausibility warnings the worker saw when entering it (against the previous periods)."""
    checked = check_return(ret.organisation_id, ret.wijk_id, ret.period, figures_of(ret), submit=False)
    return {"reference": reference_figures(ret.organisation_id, ret.wijk_id, ret.period),
            "warnings": checked.warnings}


def previous_figures(organisation_id: int, wijk_id: int, period: Period) -> list[dict[str, Any]]:
    """Figures of the up to three previous periods that were submitted (for the warnings)."""
    rows = db.session.scalars(
        sa.select(CountReturn).join(Period).where(
            CountReturn.organisation_id == organisation_id, same_area(wijk_id),
            CountReturn.status != ReturnStatus.CONCEPT,
            (Period.year * 3 + Period.tertial - 1).between(period.ordinal - 3, period.ordinal - 1)))
    return [figures_of(r) for r in rows]


# --- entering ---------------------------------------------------------------------------

def _audit_snapshot(ret: CountReturn) -> dict[str, Any]:
    data = audit.snapshot(ret, ("status", *SCALAR_KEYS, "explanation"))
    data["not_registered"] = sorted(ret.not_registered or [])
    data.update({k: v for k, v in figures_of(ret).items() if ":" in k})
    return data


def check_return(organisation_id: int, wijk_id: int, period: Period, raw: dict[str, Any], *,
                 submit: bool, explanation: str = "") -> Checked:
    """Validate figures for a return without saving (used by the form, import and API)."""
    previous = previous_figures(organisation_id, wijk_id, period)
    checked = validate(raw, period, catalogue_for(period), submit=submit, previous=previous,
                       year_done=year_complete(period, date.today()))
    if not previous:  # a first return: compare with what else is known
        from .plausibility import first_return_warnings, peer_warnings

        checked.warnings.update(first_return_warnings(organisation_id, period, checked.values, checked.errors,
                                                       wijk_id=wijk_id))
        for key, message in peer_warnings(organisation_id, wijk_id, period, checked.values, checked.errors).items():
            checked.warnings.setdefault(key, message)
    if submit and checked.warnings and not (explanation or "").strip():
        checked.errors["explanation"] = ("Er zijn waarschuwingen: licht ze toe voordat u indient.")
    return checked


def guard_return(organisation: Organisation, wijk: Wijk | None, period: Period,
                 today: date | None = None) -> CountReturn | None:
    """The existing return (if any) when the organisation may write it now.

    :raise NotAllowed: period not begun, organisation or wijk inactive, outside the werkgebied
        in that period, return not editable.
    """
    today = today or date.today()
    if period.start > today:
        raise NotAllowed(f"De periode {period.covers} is nog niet begonnen.")
    if organisation.kind != OrganisationKind.WELZIJN or not organisation.active:
        raise NotAllowed("Deze organisatie levert geen opgaven aan.")
    if wijk is not None and not wijk.active:
        raise NotAllowed("Deze wijk is niet (meer) actief.")
    ret = find_return(organisation.id, _id(wijk), period.id)
    if not works_in(organisation, _id(wijk), period):
        span = span_of(organisation, _id(wijk))
        where = f"in wijk {wijk.name}" if wijk is not None else "stedelijk"
        raise NotAllowed(f"{organisation.name} werkt niet {where} in {period.covers}"
                         + (f" (werkgebied: {span})" if span else "") + ": hiervoor is geen opgave nodig.")
    if ret is not None and not ret.status.editable:
        raise NotAllowed(f"Deze opgave is {ret.status.label.lower()} en kan niet meer worden gewijzigd.")
    return ret


def apply_return(organisation: Organisation, wijk: Wijk | None, period: Period, raw: dict[str, Any], *,
                 explanation: str = "", submit: bool = False, today: date | None = None,
                 actor_label: str | None = None) -> tuple[CountReturn, Checked]:
    """Create or change a return (and submit it when asked); no commit.

    :raise NotAllowed: the return is not editable or the period has not started.
    :raise ValidationFailed: hard rules broken (nothing is changed).
    """
    ret = guard_return(organisation, wijk, period, today)
    checked = check_return(organisation.id, _id(wijk), period, raw, submit=submit, explanation=explanation)
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
    ret.not_registered = sorted(checked.not_registered)
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
    label = f"{organisation.name}, {area_name(wijk)}, {period.label}"
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


def save_return(organisation: Organisation, wijk: Wijk | None, period: Period, raw: dict[str, Any], *,
                explanation: str = "", submit: bool = False,
                actor_label: str | None = None) -> tuple[CountReturn, Checked]:
    """Save (and optionally submit) one return; commits. See :func:`apply_return`.

    A submission refused only for a missing explanation of its warnings still keeps what was
    typed: the return is saved as a concept and ``ValidationFailed`` says so (``saved``).
    """
    try:
        ret, checked = apply_return(organisation, wijk, period, raw, explanation=explanation,
                                    submit=submit, actor_label=actor_label)
    except ValidationFailed as err:
        if not submit or set(err.checked.errors) != {"explanation"}:
            raise
        db.session.rollback()
        apply_return(organisation, wijk, period, raw, explanation=explanation, submit=False,
                     actor_label=actor_label)
        db.session.commit()
        err.saved = True
        err.message = ("Opgeslagen als concept, maar nog niet ingediend: er zijn waarschuwingen. "
                       "Licht ze toe en dien dan in.")
        raise
    db.session.commit()
    return ret, checked


# --- workflow --------------------------------------------------------------------------

def _transition(ret: CountReturn, new_status: ReturnStatus, action: str, summary: str, *,
                reason: str | None = None, actor_label: str | None = None,
                actor: User | None = None) -> AuditEvent:
    old = {"status": ret.status.value}
    new: dict[str, Any] = {"status": new_status.value}
    if reason is not None:
        old["return_reason"] = ret.return_reason
        new["return_reason"] = reason
        ret.return_reason = reason
    ret.status = new_status
    return audit.record(action, ret, old=old, new=new, summary=summary, actor=actor, actor_label=actor_label)


def _label(ret: CountReturn) -> str:
    return f"{ret.organisation.name}, {ret.area.name}, {ret.period.label}"


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
    event = _transition(ret, ReturnStatus.TERUGGESTUURD, "count_return.send_back",
                        f"Opgave {_label(ret)} teruggestuurd", reason=reason.strip(), actor=by)
    ret.decided_at, ret.decided_by = utcnow(), by
    notices.return_decided(ret, event, "sent_back")
    db.session.commit()


def approve(ret: CountReturn, by: User) -> None:
    """Approve a submitted return. :raise NotAllowed:"""
    if ret.status != ReturnStatus.INGEDIEND:
        raise NotAllowed("Alleen een ingediende opgave kan worden goedgekeurd.")
    event = _transition(ret, ReturnStatus.GOEDGEKEURD, "count_return.approve",
                        f"Opgave {_label(ret)} goedgekeurd", actor=by)
    ret.decided_at, ret.decided_by = utcnow(), by
    notices.return_decided(ret, event, "approved")
    publication.data_changed()
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
    event = _transition(ret, ReturnStatus.TERUGGESTUURD, "count_return.reopen",
                        f"Opgave {_label(ret)} heropend", reason=reason.strip(), actor=by)
    ret.decided_at, ret.decided_by = utcnow(), by
    notices.return_decided(ret, event, "reopened")
    publication.data_changed()
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


def add_year_figure(ret: CountReturn, text: Any, today: date | None = None) -> None:
    """Add the unique clients over the year to a December return submitted before the year
    was over (the figure was not asked then); audited; commits.

    :raise NotAllowed: not a December return, the year not over, the return locked or the
        figure already given. :raise DomainError: not a valid number.
    """
    from .figures import parse_figure

    today = today or date.today()
    if ret.period.tertial != 3 or not year_complete(ret.period, today):
        raise NotAllowed("Het jaarcijfer kan pas worden aangevuld als het jaar voorbij is.")
    if ret.status == ReturnStatus.VERGRENDELD:
        raise NotAllowed("Deze opgave is vergrendeld; vraag de accounthouder haar te heropenen.")
    if ret.unique_clients_year is not None or "unique_clients_year" in (ret.not_registered or []):
        raise NotAllowed("Het jaarcijfer is al ingevuld.")
    try:
        value = parse_figure(text)
    except ValueError as err:
        raise DomainError(str(err), "unique_clients_year") from None
    if value is None:
        raise DomainError("Vul het aantal unieke cliënten in, of ‘niet geregistreerd’.", "unique_clients_year")
    old = _audit_snapshot(ret)
    if isinstance(value, int):
        ret.unique_clients_year = value
    else:
        ret.not_registered = sorted({*(ret.not_registered or []), "unique_clients_year"})
    ret.updated_at = utcnow()
    before, after = audit.changes(old, _audit_snapshot(ret))
    audit.record("count_return.year_figure", ret, old=before, new=after,
                 summary=f"Jaarcijfer opgave {_label(ret)} aangevuld")
    if ret.status.approved:
        publication.data_changed()
    db.session.commit()
