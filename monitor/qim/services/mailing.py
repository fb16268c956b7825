"""Personal links sent by e-mail from the round page, and one reminder before they expire.

The addresses are not kept: the outbox forgets each one once its message is sent. Only
when the coordinator ticks "keep for a reminder" is the address kept on the link, until
the reminder goes out, the link is used or revoked, or the round closes; then it is
blanked. The answers never point to a link (see :mod:`.links`), so the reminder knows
only that a link was not used, never what anyone answered.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from ... import audit
from ...errors import DomainError, NotAllowed
from ...extensions import db
from ...models import User
from ...notifications import Recipient, absolute_url, notify
from ...timeutil import format_datetime, utcnow
from ...tokens import hash_token
from ..models import JudgementRound, ResponseLink, Stakeholder
from .common import monitored_qualities
from .rounds import MAX_LINK_DAYS, MAX_LINKS_PER_BATCH

LINK = "qim.link"
REMINDER = "qim.link_reminder"
REMIND_BEFORE = timedelta(days=3)


def parse_addresses(text: str) -> list[str]:
    """The addresses in ``text`` (one per line, or separated by commas or semicolons).

    :raise DomainError: an invalid address, none at all, or too many.
    """
    found: list[str] = []
    for part in re.split(r"[\s,;]+", text or ""):
        part = part.strip()
        if not part:
            continue
        try:
            address = validate_email(part, check_deliverability=False).normalized
        except EmailNotValidError as err:
            raise DomainError(f"'{part[:80]}' is geen geldig e-mailadres.", "addresses") from err
        if address.lower() not in {a.lower() for a in found}:
            found.append(address)
    if not found:
        raise DomainError("Vul minstens één e-mailadres in.", "addresses")
    if len(found) > MAX_LINKS_PER_BATCH:
        raise DomainError(f"Verstuur hoogstens {MAX_LINKS_PER_BATCH} links tegelijk.", "addresses")
    return found


def _context(rnd: JudgementRound, stakeholder: Stakeholder, expires: datetime) -> dict:
    return {"buurt": rnd.plan.buurt.name, "period": rnd.period.label, "group": stakeholder.name,
            "expires": format_datetime(expires),
            "qualities": [q.name for q in monitored_qualities(rnd.plan, stakeholder)]}


def send_links(rnd: JudgementRound, stakeholder: Stakeholder, addresses_text: str, days: int,
               keep_for_reminder: bool, user: User | None) -> int:
    """Make one personal link per address and mail it; returns how many were sent.

    :raise DomainError: round closed, group not judging, bad addresses or days.
    """
    if not rnd.is_open:
        raise NotAllowed("Deze oordeelronde is gesloten; open haar eerst opnieuw.")
    if stakeholder.plan_id != rnd.plan_id or not monitored_qualities(rnd.plan, stakeholder):
        raise DomainError("Deze groep beoordeelt in dit plan geen kwaliteiten.", "stakeholder_id")
    if not 1 <= days <= MAX_LINK_DAYS:
        raise DomainError(f"Een link is tussen 1 en {MAX_LINK_DAYS} dagen geldig.", "days")
    addresses = parse_addresses(addresses_text)
    expires = utcnow() + timedelta(days=days)
    context = _context(rnd, stakeholder, expires)
    for address in addresses:
        token = secrets.token_urlsafe(32)
        link = ResponseLink(round_id=rnd.id, stakeholder_id=stakeholder.id, token_hash=hash_token(token),
                            expires_at=expires, created_by_id=user.id if user else None,
                            reminder_address=address if keep_for_reminder else None)
        db.session.add(link)
        db.session.flush()
        notify(LINK, f"link:{link.id}", [Recipient(address)],
               subject=f"Wat vindt u van {context['buurt']}? Geef uw oordeel",
               template="qim/link", context={**context, "reminder": keep_for_reminder},
               link=absolute_url("qim.answer", token=token), forget_address=True,
               reason=f"de buurtcoördinator van {context['buurt']} u om uw oordeel vraagt "
                      f"(groep: {stakeholder.name}).")
    # Counted, never the addresses themselves.
    audit.record("qim.links_mail", rnd, new={"groep": stakeholder.name, "aantal": len(addresses),
                                             "geldig_dagen": days, "herinnering": keep_for_reminder},
                 summary=f"{len(addresses)} persoonlijke link(s) per e-mail verstuurd", actor=user)
    db.session.commit()
    return len(addresses)


def remind_links(now: datetime) -> str | None:
    """The job: one reminder, shortly before a kept link expires, to who has not answered.

    The reminder carries a new token for the same link (the old one stops working), so the
    stakeholder can answer with one click; the address is blanked straight after.
    """
    links = db.session.scalars(sa.select(ResponseLink).where(
        ResponseLink.reminder_address.is_not(None)).order_by(ResponseLink.id)).all()
    sent = 0
    for link in links:
        if link.spent or link.revoked_at is not None or link.expires_at <= now or not link.round.is_open:
            link.reminder_address = None  # nothing to remind of any more: forget it
            continue
        if link.expires_at - REMIND_BEFORE > now:
            continue
        token = secrets.token_urlsafe(32)
        link.token_hash = hash_token(token)
        context = _context(link.round, link.stakeholder, link.expires_at)
        notify(REMINDER, f"link:{link.id}:reminder", [Recipient(link.reminder_address)],
               subject=f"Herinnering: uw oordeel over {context['buurt']}",
               template="qim/reminder", context=context,
               link=absolute_url("qim.answer", token=token), forget_address=True,
               reason=f"de buurtcoördinator van {context['buurt']} u om uw oordeel vroeg "
                      f"(groep: {link.stakeholder.name}) en uw adres bewaarde voor één herinnering.")
        link.reminder_address = None
        sent += 1
    db.session.commit()
    return f"{sent} herinnering(en) oordeellinks" if sent else None
