"""QIM judgement rounds: opening and closing, personal links, entered judgements, counts."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ... import audit
from ...errors import DomainError, NotAllowed
from ...extensions import db
from ...models import Period, User
from ...timeutil import utcnow
from ...tokens import hash_token
from ..models import (
    Judgement,
    JudgementRound,
    JudgementSource,
    MonitoredPair,
    PlanStatus,
    QimPlan,
    ResponseLink,
    Stakeholder,
)
from .common import Answers, _validate_answers, monitored_qualities

logger = logging.getLogger(__name__)


MAX_LINKS_PER_BATCH = 50
MAX_LINK_DAYS = 90
DEFAULT_LINK_DAYS = 28


# --- judgement rounds ---------------------------------------------------------------------

def rounds_of_buurt(buurt_id: int) -> list[JudgementRound]:
    """Every round of a buurt (all plan versions), newest period first."""
    return list(db.session.scalars(
        sa.select(JudgementRound).join(QimPlan).join(Period, JudgementRound.period_id == Period.id)
        .where(QimPlan.buurt_id == buurt_id)
        .order_by(Period.year.desc(), Period.tertial.desc())))


def round_for(buurt_id: int, period_id: int) -> JudgementRound | None:
    """The round of a buurt in a period, whichever plan version it was opened under."""
    return db.session.scalar(
        sa.select(JudgementRound).join(QimPlan)
        .where(QimPlan.buurt_id == buurt_id, JudgementRound.period_id == period_id))


def periods_of_year(year: int) -> list[Period]:
    """The three periods of a year."""
    return list(db.session.scalars(
        sa.select(Period).where(Period.year == year).order_by(Period.tertial)))


def open_round(plan: QimPlan, period: Period, user: User | None) -> JudgementRound:
    """Open a judgement round for a settled plan in a period of the plan's year.

    :raise DomainError: plan not settled, period of another year, or a round exists.
    """
    if plan.status != PlanStatus.VASTGESTELD:
        raise NotAllowed("Een oordeelronde kan alleen voor een vastgesteld plan worden geopend.")
    if period.year != plan.year:
        raise DomainError(f"Kies een periode in {plan.year}.", "period_id")
    if round_for(plan.buurt_id, period.id) is not None:
        raise DomainError(f"Voor {plan.buurt.name} is er al een oordeelronde in {period.label}.",
                          "period_id")
    rnd = JudgementRound(plan=plan, period=period, opened_by_id=user.id if user else None)
    db.session.add(rnd)
    db.session.flush()
    audit.record("qim.round_open", rnd, new={"plan": plan.id, "periode": period.label},
                 summary=f"Oordeelronde {plan.buurt.name} {period.label} geopend",
                 actor=user)
    db.session.commit()
    return rnd


def close_round(rnd: JudgementRound, open_again: bool = False) -> None:
    """Close a round (links stop working) or open it again."""
    if open_again == rnd.is_open:
        return
    old = {"gesloten": rnd.closed_at}
    rnd.closed_at = None if open_again else utcnow()
    if not open_again:  # kept addresses are not needed any more
        db.session.execute(sa.update(ResponseLink).where(ResponseLink.round_id == rnd.id)
                           .values(reminder_address=None).execution_options(synchronize_session=False))
    audit.record("qim.round_reopen" if open_again else "qim.round_close", rnd, old=old,
                 new={"gesloten": rnd.closed_at})
    db.session.commit()


def create_links(rnd: JudgementRound, stakeholder: Stakeholder, count: int, days: int,
                 user: User | None) -> list[str]:
    """Make ``count`` personal links for a stakeholder group; returns the tokens (shown once).

    :raise DomainError: round closed, group not judging in this plan, or out-of-range input.
    """
    if not rnd.is_open:
        raise NotAllowed("Deze oordeelronde is gesloten; open haar eerst opnieuw.")
    if stakeholder.plan_id != rnd.plan_id or not monitored_qualities(rnd.plan, stakeholder):
        raise DomainError("Deze groep beoordeelt in dit plan geen kwaliteiten.", "stakeholder_id")
    if not 1 <= count <= MAX_LINKS_PER_BATCH:
        raise DomainError(f"Maak tussen 1 en {MAX_LINKS_PER_BATCH} links tegelijk.", "count")
    if not 1 <= days <= MAX_LINK_DAYS:
        raise DomainError(f"Een link is tussen 1 en {MAX_LINK_DAYS} dagen geldig.", "days")
    expires = utcnow() + timedelta(days=days)
    tokens = []
    for _ in range(count):
        token = secrets.token_urlsafe(32)
        db.session.add(ResponseLink(round_id=rnd.id, stakeholder_id=stakeholder.id,
                                    token_hash=hash_token(token), expires_at=expires,
                                    created_by_id=user.id if user else None))
        tokens.append(token)
    audit.record("qim.links_create", rnd, new={"groep": stakeholder.name, "aantal": count,
                                               "geldig_dagen": days},
                 summary=f"{count} persoonlijke link(s) gemaakt", actor=user)
    db.session.commit()
    return tokens


def links_of_round(rnd: JudgementRound) -> list[ResponseLink]:
    """The links of a round, by group and creation."""
    return list(db.session.scalars(
        sa.select(ResponseLink).where(ResponseLink.round_id == rnd.id)
        .order_by(ResponseLink.stakeholder_id, ResponseLink.id)))


def revoke_link(link: ResponseLink) -> None:
    """Revoke an unused link. :raise NotAllowed: the link was already used."""
    if link.spent:
        raise NotAllowed("Deze link is al gebruikt en kan niet meer worden ingetrokken.")
    if link.revoked_at is not None:
        return
    link.revoked_at = utcnow()
    link.reminder_address = None
    audit.record("qim.link_revoke", link, new={"ingetrokken": link.revoked_at})
    db.session.commit()


def enter_judgements(rnd: JudgementRound, stakeholder: Stakeholder, answers: Answers,
                     user: User) -> int:
    """The buurtcoördinator enters one stakeholder's judgements (e.g. from a meeting).

    :raise DomainError: round closed, group not in plan, or bad answers.
    """
    if not rnd.is_open:
        raise NotAllowed("Deze oordeelronde is gesloten; open haar eerst opnieuw.")
    if stakeholder.plan_id != rnd.plan_id:
        raise DomainError("Deze groep hoort niet bij het plan van deze ronde.")
    clean = _validate_answers(monitored_qualities(rnd.plan, stakeholder), answers)
    for qid in sorted(clean):
        score, motivation = clean[qid]
        db.session.add(Judgement(round_id=rnd.id, quality_id=qid, stakeholder_id=stakeholder.id,
                                 score=int(score), motivation=(motivation or "").strip(),
                                 source=JudgementSource.COORDINATOR, entered_by_id=user.id))
    audit.record("qim.judgements_enter", rnd,
                 new={"groep": stakeholder.name,
                      "oordelen": {str(q): clean[q][0] for q in sorted(clean)}},
                 summary="Oordelen ingevoerd door buurtcoördinator", actor=user)
    db.session.commit()
    return len(clean)


def judgement_counts(rnd: JudgementRound) -> dict[tuple[int, int], int]:
    """Number of judgements per (stakeholder_id, quality_id) in a round."""
    rows = db.session.execute(
        sa.select(Judgement.stakeholder_id, Judgement.quality_id, sa.func.count(Judgement.id))
        .where(Judgement.round_id == rnd.id)
        .group_by(Judgement.stakeholder_id, Judgement.quality_id))
    return {(s, q): n for s, q, n in rows}


def missing_pairs(rnd: JudgementRound) -> list[MonitoredPair]:
    """Monitored pairs of the round's plan without any judgement yet."""
    counts = judgement_counts(rnd)
    return [m for m in rnd.plan.monitored if counts.get((m.stakeholder_id, m.quality_id), 0) == 0]
