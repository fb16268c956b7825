"""What Tellen mails, and to whom (issue 17 §3).

- Reminders (a job): a week before the deadline and on the deadline, and one overdue
  notice in the two weeks after it, to the organisation's workers for the returns not yet
  submitted. One message per worker, period and moment, listing their open wijken.
- The workflow: sent back (with the accounthouder's question), approved, reopened; to
  the organisation's workers of that wijk, sent in the service's transaction.
- The accounthouders' daily digest of returns waiting for review (a job).

The organisation's workers of a wijk are its active sociaal werkers with that wijk in
their own wijken, and only when the wijk is in the organisation's werkgebied
(``organisation_wijken``): nobody else, and no other organisation, is mailed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from ..extensions import db
from ..models import AuditEvent, Organisation, Period, Role, User, Wijk, user_wijken
from ..notifications import absolute_url, notify
from ..registry import NotificationKind, add_job, add_notification_kind
from ..timeutil import format_date, local
from .models import CITYWIDE, CityWide, CountReturn, ReturnStatus

REMINDER = "counts.reminder"
OVERDUE = "counts.overdue"
SENT_BACK = "counts.sent_back"
APPROVED = "counts.approved"
REOPENED = "counts.reopened"
DIGEST = "counts.review_digest"

WEEK_BEFORE = timedelta(days=7)
# Overdue notices only shortly after the deadline: a new installation (or a worker that
# was down for a while) does not mail about periods long gone.
OVERDUE_WINDOW = timedelta(days=14)
DIGEST_HOUR = 8  # the accounthouders' digest goes out from this local hour on


def register(app: Flask) -> None:
    """Declare the kinds and the jobs (called from ``init_app``)."""
    for kind in (
        NotificationKind(REMINDER, "Tellen: herinnering opgave",
                         "Een week voor de deadline en op de deadline, zolang de opgave niet is ingediend."),
        NotificationKind(OVERDUE, "Tellen: opgave te laat",
                         "Eén bericht als de deadline voorbij is en de opgave nog niet is ingediend."),
        NotificationKind(SENT_BACK, "Tellen: opgave teruggestuurd",
                         "De gemeente heeft een vraag over een opgave en stuurt haar terug.", required=True),
        NotificationKind(APPROVED, "Tellen: opgave goedgekeurd", "Een ingediende opgave is goedgekeurd."),
        NotificationKind(REOPENED, "Tellen: opgave heropend",
                         "Een goedgekeurde opgave is heropend en moet opnieuw worden ingediend.",
                         required=True),
        NotificationKind(DIGEST, "Tellen: dagoverzicht opgaven om te beoordelen",
                         "Eén keer per dag de ingediende opgaven die op uw beoordeling wachten."),
    ):
        add_notification_kind(app, kind)
    add_job(app, "tellen: herinneringen opgaven", remind_returns, every=timedelta(hours=1))
    add_job(app, "tellen: dagoverzicht beoordelen", review_digest, every=timedelta(hours=1))


# --- who --------------------------------------------------------------------------------

def workers_of(organisation_id: int, wijk_ids: set[int]) -> dict[int, tuple[User, set[int]]]:
    """The organisation's active sociaal werkers with any of ``wijk_ids`` among their wijken,
    limited to the wijken in the organisation's werkgebied: ``{user id: (user, wijk ids)}``.
    ``CITYWIDE.id`` (0) among ``wijk_ids`` stands for the city-wide return: every active
    sociaal werker of the organisation."""
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        return {}
    found: dict[int, tuple[User, set[int]]] = {}
    if CITYWIDE.id in wijk_ids:
        for user in db.session.scalars(sa.select(User).where(
                User.role == Role.SOCIAAL_WERKER, User.active.is_(True),
                User.organisation_id == organisation_id).order_by(User.id)):
            found.setdefault(user.id, (user, set()))[1].add(CITYWIDE.id)
    wijk_ids = wijk_ids & {w.id for w in org.wijken}
    if not wijk_ids:
        return found
    rows = db.session.execute(
        sa.select(User, user_wijken.c.wijk_id).join(user_wijken, user_wijken.c.user_id == User.id)
        .where(User.role == Role.SOCIAAL_WERKER, User.active.is_(True),
               User.organisation_id == organisation_id, user_wijken.c.wijk_id.in_(wijk_ids))
        .order_by(User.id))
    for user, wijk_id in rows:
        found.setdefault(user.id, (user, set()))[1].add(wijk_id)
    return found


def _workers_for(ret: CountReturn) -> list[User]:
    return [user for user, _ in workers_of(ret.organisation_id, {ret.area.id}).values()]


# --- the workflow (called by the services in .returns, before their commit) ---------------

def _return_context(ret: CountReturn) -> dict:
    return {"ret": ret, "organisation": ret.organisation.name, "wijk": ret.area.name,
            "period": ret.period.label, "covers": ret.period.covers}


def _reason(ret: CountReturn) -> str:
    return f"u bij {ret.organisation.name} de opgaven invoert voor {ret.area.name}."


def return_decided(ret: CountReturn, event: AuditEvent, decision: str) -> None:
    """``decision``: ``"sent_back"``, ``"approved"`` or ``"reopened"`` (the audit event makes
    each decision its own occasion: a return sent back twice is mailed twice)."""
    kind, subject = {
        "sent_back": (SENT_BACK, f"Vraag over uw opgave {ret.area.name}, {ret.period.label}"),
        "approved": (APPROVED, f"Opgave {ret.area.name}, {ret.period.label} is goedgekeurd"),
        "reopened": (REOPENED, f"Opgave {ret.area.name}, {ret.period.label} is heropend"),
    }[decision]
    if event.id is None:
        db.session.flush()
    link = (absolute_url("counts.edit", period_id=ret.period_id, wijk_id=ret.area.id)
            if decision != "approved" else absolute_url("counts.detail", return_id=ret.id))
    notify(kind, f"return:{ret.id}:{decision}:{event.id}", _workers_for(ret), subject=subject,
           template=f"counts/{decision}", context={**_return_context(ret), "question": ret.return_reason},
           link=link, reason=_reason(ret))


# --- the reminders (a job) ----------------------------------------------------------------

def stage_of(period: Period, today: date) -> str | None:
    """``"week-before"``, ``"deadline"``, ``"overdue"`` or ``None`` (nothing to send today)."""
    if period.start > today:
        return None
    if period.deadline - WEEK_BEFORE <= today < period.deadline:
        return "week-before"
    if today == period.deadline:
        return "deadline"
    if period.deadline < today <= period.deadline + OVERDUE_WINDOW:
        return "overdue"
    return None


def open_returns(period: Period) -> dict[int, list[tuple[Wijk, CountReturn | None]]]:
    """Per reporting organisation: the active wijken of its werkgebied in ``period`` (and
    "stedelijk") whose return of ``period`` is not (again) submitted."""
    from .overview import expected_organisations
    from .werkgebied import reports_for

    rets = {(r.organisation_id, r.area.id): r for r in db.session.scalars(
        sa.select(CountReturn).where(CountReturn.period_id == period.id))}
    result: dict[int, list[tuple[Wijk | CityWide, CountReturn | None]]] = {}
    for org in expected_organisations():
        pending = []
        wijk_ids, citywide = reports_for(org, period)
        areas = [w for w in org.wijken if w.id in wijk_ids] + ([CITYWIDE] if citywide else [])
        for area in areas:
            ret = rets.get((org.id, area.id))
            if area.active and (ret is None or ret.status.editable):
                pending.append((area, ret))
        if pending:
            result[org.id] = pending
    return result


def remind_returns(now: datetime) -> str | None:
    """The job: reminders and overdue notices for the returns not yet submitted."""
    today = local(now).date() if now.tzinfo is None else now.date()
    periods = db.session.scalars(sa.select(Period).where(
        Period.deadline.between(today - OVERDUE_WINDOW, today + WEEK_BEFORE))).all()
    queued = 0
    for period in periods:
        stage = stage_of(period, today)
        if stage is None:
            continue
        for org_id, pending in open_returns(period).items():
            by_wijk = {w.id: (w, r) for w, r in pending}
            for user, wijk_ids in workers_of(org_id, set(by_wijk)).values():
                items = sorted((by_wijk[i] for i in wijk_ids), key=lambda item: item[0].name)
                queued += len(_remind(user, period, stage, items))
    db.session.commit()
    return f"{queued} herinnering(en) opgaven" if queued else None


def _remind(user: User, period: Period, stage: str, items: list[tuple[Wijk, CountReturn | None]]) -> list:
    wijken = [w for w, _ in items]
    names = ", ".join(w.name for w in wijken)
    if len(wijken) == 1:
        link = absolute_url("counts.edit", period_id=period.id, wijk_id=wijken[0].id)
    else:
        link = absolute_url("counts.board")
    deadline = format_date(period.deadline)
    subject = {
        "week-before": f"Herinnering: opgave {period.label} uiterlijk {deadline}",
        "deadline": f"Vandaag is de laatste dag voor de opgave {period.label}",
        "overdue": f"Opgave {period.label} is te laat",
    }[stage]
    rows = [{"wijk": w.name, "state": r.status.label if r else "Nog niet begonnen",
             "question": r.return_reason if r is not None and r.status == ReturnStatus.TERUGGESTUURD else ""}
            for w, r in items]
    return notify(OVERDUE if stage == "overdue" else REMINDER,
                  f"counts:period:{period.id}:org:{user.organisation_id}:{stage}", [user],
                  subject=subject, template=f"counts/{stage}",
                  context={"period": period.label, "covers": period.covers, "deadline": deadline,
                           "rows": rows, "organisation": user.organisation.name},
                  link=link, reason=f"u bij {user.organisation.name} de opgaven invoert voor {names}.")


# --- the accounthouders' digest (a job) -----------------------------------------------------

def review_digest(now: datetime) -> str | None:
    """The job: once a day, from ``DIGEST_HOUR`` on, the returns waiting for review."""
    from .overview import awaiting_approval
    from .permissions import reviews_returns

    moment = local(now) if now.tzinfo is None else now
    if moment.hour < DIGEST_HOUR:
        return None
    waiting = awaiting_approval()
    if not waiting:
        return None
    reviewers = [u for u in db.session.scalars(
        sa.select(User).where(User.active.is_(True)).order_by(User.id)) if reviews_returns(u)]
    grouped: dict[str, list] = defaultdict(list)
    for ret in waiting:
        grouped[ret.period.label].append({
            "organisation": ret.organisation.name, "wijk": ret.area.name,
            "submitted": format_date(ret.submitted_at),
            "link": absolute_url("counts.detail", return_id=ret.id)})
    count = len(waiting)
    created = notify(DIGEST, f"counts:review-digest:{moment.date().isoformat()}", reviewers,
                     subject=f"{count} opgave{'' if count == 1 else 'n'} wacht{'' if count == 1 else 'en'} "
                             "op uw beoordeling",
                     template="counts/review_digest",
                     context={"groups": dict(grouped), "count": count},
                     link=absolute_url("counts.review_list"),
                     reason="u als accounthouder de ingediende opgaven beoordeelt.")
    db.session.commit()
    return f"dagoverzicht aan {len(created)} accounthouder(s)" if created else None
