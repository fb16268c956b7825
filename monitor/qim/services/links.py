"""QIM answers through personal links: the stakeholder's side, throttled per address."""

from __future__ import annotations

import hashlib
import logging
import time

import sqlalchemy as sa
from flask import current_app

from ... import audit, ratelimit
from ...errors import DomainError
from ...extensions import db
from ...timeutil import utcnow
from ...tokens import hash_token
from ..models import (
    Judgement,
    JudgementSource,
    ResponseLink,
)
from .common import Answers, _validate_answers, monitored_qualities

logger = logging.getLogger(__name__)


class LinkRefused(DomainError):
    """A public link cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 410) -> None:
        super().__init__(message)
        self.status = status


THROTTLE_BUCKET = "qim.link_failures"


def _address_hash(address: str) -> str:
    key = current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{key}:{address}".encode()).hexdigest()


def link_for_token(token: str, address: str) -> ResponseLink:
    """The usable link behind ``token``; failures are counted for throttling.

    Guessing is throttled per address: at most ``QIM_LINK_MAX_FAILURES`` failed uses per
    fixed window of ``QIM_LINK_WINDOW_MINUTES``. Each use first reserves one failure in
    the atomic counter of ``monitor.ratelimit`` (so simultaneous guesses cannot all slip
    under the limit) and gives it back when the link works; a refusal during the
    throttle is given back too, so hammering cannot extend it.

    :raise LinkRefused: unknown (404), used, revoked, expired or closed round (410),
        or too many failures from this address (429).
    """
    config = current_app.config
    window = 60 * config["QIM_LINK_WINDOW_MINUTES"]
    key, now = _address_hash(address), time.time()
    if not ratelimit.hit(THROTTLE_BUCKET, key, config["QIM_LINK_MAX_FAILURES"], window,
                         now=now):
        ratelimit.release(THROTTLE_BUCKET, key, window, now=now)
        raise LinkRefused("U heeft te vaak een ongeldige link geprobeerd. Wacht een kwartier "
                          "en probeer het dan opnieuw.", 429)
    link = None
    if 20 <= len(token) <= 100:
        link = db.session.scalar(sa.select(ResponseLink).where(
            ResponseLink.token_hash == hash_token(token)))
    problem = None
    if link is None:
        problem = LinkRefused("Deze link bestaat niet. Controleer of u de hele link heeft "
                              "overgenomen.", 404)
    elif link.spent:
        problem = LinkRefused("Deze link is al gebruikt: met elke persoonlijke link kan één keer "
                              "een oordeel worden gegeven. Uw antwoorden zijn eerder al "
                              "ontvangen.")
    elif link.revoked_at is not None:
        problem = LinkRefused("Deze link is ingetrokken en kan niet meer worden gebruikt.")
    elif link.expires_at <= utcnow():
        problem = LinkRefused("Deze link is verlopen en kan niet meer worden gebruikt.")
    elif not link.round.is_open:
        problem = LinkRefused("Deze oordeelronde is gesloten; er kunnen geen oordelen meer "
                              "worden gegeven.")
    if problem is not None:
        raise problem  # the reserved failure stays counted
    ratelimit.release(THROTTLE_BUCKET, key, window, now=now)
    return link


def submit_response(token: str, answers: Answers, address: str) -> int:
    """Store a stakeholder's answers given through a link, and spend the link.

    The judgements carry no reference to the link (nor a time); the link is marked
    spent in the same transaction with a guarded update, so two simultaneous
    submissions cannot both succeed.

    :raise LinkRefused: the link cannot be used. :raise DomainError: bad answers.
    """
    link = link_for_token(token, address)
    rnd, stakeholder = link.round, link.stakeholder
    clean = _validate_answers(monitored_qualities(rnd.plan, stakeholder), answers)
    spent = db.session.execute(
        sa.update(ResponseLink)
        .where(ResponseLink.id == link.id, ResponseLink.spent.is_(False),
               ResponseLink.revoked_at.is_(None), ResponseLink.expires_at > utcnow())
        .values(spent=True, reminder_address=None).execution_options(synchronize_session=False))
    if spent.rowcount != 1:
        db.session.rollback()
        raise LinkRefused("Deze link is al gebruikt of niet meer geldig.")
    for qid in sorted(clean):
        score, motivation = clean[qid]
        db.session.add(Judgement(round_id=rnd.id, quality_id=qid, stakeholder_id=stakeholder.id,
                                 score=int(score), motivation=(motivation or "").strip(),
                                 source=JudgementSource.LINK))
    event = audit.record("qim.response", rnd, actor_label="stakeholder (persoonlijke link)",
                         new={"groep": stakeholder.name, "aantal_oordelen": len(clean)},
                         summary="Oordelen ontvangen via persoonlijke link")
    event.ip_address = None  # the respondent's address is not kept
    db.session.commit()
    return len(clean)
