"""What the story archive mails, and to whom (issue 17 §3).

- Waiting for moderation: to the buurtcoördinatoren of the story's wijk; a wijk without
  one: to every buurtcoördinator and the beheerder (who also see it in their queue).
- Returned (with the remarks), published, chosen for a monitorgesprek (with the reasons):
  to the author with an account, and to the resident who left an address.
- The receipt with the private link, to a resident who left an address.

A resident's mail is in the language of the story (``stories.language``, ``docs/i18n.md``):
its subject and reason are marked with ``N_`` and translated here, its template with ``_()``;
staff mail stays Dutch.

Mails name a story by its reference (``VH-…``), never by its title or text; the remarks and
reasons go only to the story's own teller. When a story is erased (withdrawn, deleted,
anonymised) the copies in the outbox are rewritten, and a resident's address is blanked
there and on the story (:func:`forget_story`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext

from ..extensions import db
from ..i18n import N_, in_language
from ..models import Role, User, Wijk, user_wijken
from ..notifications import Recipient, absolute_url, notify
from ..registry import NotificationKind, add_eraser, add_notification_kind
from .models import Story, StoryStatus, Visibility

TO_MODERATE = "narratives.to_moderate"
RETURNED = "narratives.returned"
PUBLISHED = "narratives.published"
CHOSEN = "narratives.chosen"
RECEIPT = "narratives.receipt"
CORRECTION = "narratives.teller_correction"
REPORTED = "narratives.reported"

RESIDENT_REASON = N_("u uw e-mailadres gaf toen u uw verhaal instuurde.")

ERASED_BODY = "[Gewist: het verhaal waar dit bericht over ging, is ingetrokken, verwijderd of geanonimiseerd.]"


def register(app: Flask) -> None:
    for kind in (
        NotificationKind(TO_MODERATE, "Verhalen: wacht op moderatie",
                         "Een verhaal uit uw wijk (of uit een wijk zonder buurtcoördinator) is ingestuurd."),
        NotificationKind(RETURNED, "Verhalen: uw verhaal is teruggestuurd",
                         "Een buurtcoördinator vraagt u iets aan te passen.", required=True),
        NotificationKind(PUBLISHED, "Verhalen: uw verhaal is gepubliceerd", "Uw verhaal staat in het archief."),
        NotificationKind(CHOSEN, "Verhalen: uw verhaal is gekozen voor een monitorgesprek",
                         "Wat het gesprek over uw verhaal zei."),
        NotificationKind(RECEIPT, "Verhalen: ontvangstbevestiging (inwoners)",
                         "De referentiecode en de persoonlijke link, aan een inwoner.", required=True),
        NotificationKind(CORRECTION, "Verhalen: de verteller vraagt om een correctie",
                         "De verteller van een verhaal dat u opschreef, vond iets wat niet klopt."),
        NotificationKind(REPORTED, "Verhalen: een lezer meldt een verhaal",
                         "Een lezer meldt een gepubliceerd verhaal uit uw wijk."),
    ):
        add_notification_kind(app, kind)
    add_eraser(app, "narratives: copies in the outbox", erase_outbox_copies)
    from .services.reports import erase_reports
    from .services.teller import erase_correction

    add_eraser(app, "narratives: the teller's correction", erase_correction)
    add_eraser(app, "narratives: readers' reports", erase_reports)


# --- who moderates ------------------------------------------------------------------------

def _coordinators(wijk_id: int | None = None) -> list[User]:
    query = sa.select(User).where(User.role == Role.BUURTCOORDINATOR, User.active.is_(True))
    if wijk_id is not None:
        query = query.join(user_wijken, user_wijken.c.user_id == User.id).where(user_wijken.c.wijk_id == wijk_id)
    return list(db.session.scalars(query.order_by(User.id)))


def wijken_without_coordinator() -> set[int]:
    """Active wijken no active buurtcoördinator works in: their stories are everyone's to moderate."""
    covered = set(db.session.scalars(
        sa.select(user_wijken.c.wijk_id).join(User, User.id == user_wijken.c.user_id)
        .where(User.role == Role.BUURTCOORDINATOR, User.active.is_(True))))
    return set(db.session.scalars(sa.select(Wijk.id).where(Wijk.active.is_(True)))) - covered


def moderators_of(story: Story) -> tuple[list[User], bool]:
    """Who is told a story waits: ``(users, orphan)``; ``orphan`` when the wijk has no coordinator."""
    own = _coordinators(story.wijk_id)
    if own:
        return own, False
    admins = list(db.session.scalars(sa.select(User).where(
        User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)))
    return _coordinators() + admins, True


# --- the notices (called in the services' transactions) ------------------------------------

def waiting_for_moderation(story: Story) -> None:
    users, orphan = moderators_of(story)
    wijk = story.wijk.name if story.wijk else "de wijk"
    reason = (f"er voor {wijk} geen buurtcoördinator is en u verhalen mag modereren."
              if orphan else f"u buurtcoördinator bent voor {wijk}.")
    stamp = f"{story.submitted_at:%Y%m%d%H%M%S%f}" if story.submitted_at else "0"
    notify(TO_MODERATE, f"story:{story.id}:to-moderate:{stamp}", users,
           subject=f"Verhaal {story.reference} uit {wijk} wacht op moderatie",
           template="narratives/to_moderate",
           context={"story": story, "wijk": wijk, "orphan": orphan,
                    "by_resident": story.contributed_publicly},
           link=absolute_url("narratives.moderate", story_id=story.id), reason=reason)


def _in_story_language(story: Story, message: str, **variables: Any) -> str:
    """A Dutch ``N_`` message in the story's language (for its resident)."""
    with in_language(story.language):
        return gettext(message, **variables)


def receipt(story: Story, token: str) -> None:
    """The resident's receipt: reference and private link (the address is not kept in the outbox)."""
    if not story.resident_email:
        return
    notify(RECEIPT, f"story:{story.id}:receipt", [Recipient(story.resident_email, story.teller_name)],
           subject=_in_story_language(story, N_("Uw verhaal is ontvangen (%(reference)s)"),
                                      reference=story.reference),
           template="narratives/receipt", context={"story": story},
           link=absolute_url("narratives.mine", token=token),
           reason=_in_story_language(story, RESIDENT_REASON), forget_address=True, language=story.language)


def _tellers(story: Story) -> tuple[list[User], list[Recipient]]:
    users = [story.author] if story.author is not None else []
    residents = [Recipient(story.resident_email, story.teller_name)] if story.resident_email else []
    return users, residents


def _event_id(event: Any) -> int:
    if event.id is None:
        db.session.flush()
    return event.id


def _tell(kind: str, story: Story, occasion: str, subject: str, template: str, context: dict[str, Any],
          staff_link: str, resident_link: str = "", by: User | None = None) -> None:
    """Tell the story's author (in Dutch) and its resident (in the story's language);
    ``subject`` is an ``N_`` message with ``%(reference)s``."""
    users, residents = _tellers(story)
    users = [u for u in users if by is None or u.id != by.id]  # not to who did it themselves
    context = {"story": story, **context}
    if users:
        notify(kind, occasion, users, subject=subject % {"reference": story.reference}, template=template,
               context={**context, "resident": False}, link=staff_link,
               reason="u dit verhaal heeft geschreven of opgetekend.")
    if residents:
        notify(kind, occasion, residents, subject=_in_story_language(story, subject, reference=story.reference),
               template=template, context={**context, "resident": True}, link=resident_link,
               reason=_in_story_language(story, RESIDENT_REASON), forget_address=True, language=story.language)


def returned(story: Story, event: Any, by: User | None) -> None:
    _tell(RETURNED, story, f"story:{story.id}:returned:{_event_id(event)}",
          N_("Uw verhaal %(reference)s is teruggestuurd"), "narratives/returned",
          {"remarks": story.moderation_remarks}, absolute_url("narratives.edit", story_id=story.id), by=by)


def published(story: Story, event: Any, by: User | None) -> None:
    link = absolute_url("narratives.story", story_id=story.id)
    _tell(PUBLISHED, story, f"story:{story.id}:published:{_event_id(event)}",
          N_("Uw verhaal %(reference)s is gepubliceerd"), "narratives/published",
          {"public": story.visibility == Visibility.OPENBAAR, "visibility": story.visibility.label},
          link, link if story.visibility == Visibility.OPENBAAR else "", by=by)


def correction_requested(story: Story) -> None:
    """To the worker who wrote the story down: the teller asks for a correction (the
    teller's words stay on the story's page, not in the mail)."""
    if story.author is None:
        return
    notify(CORRECTION, f"story:{story.id}:correction:{story.teller_correction_at:%Y%m%d%H%M%S%f}",
           [story.author], subject=f"De verteller van verhaal {story.reference} vraagt om een correctie",
           template="narratives/correction", context={"story": story},
           link=absolute_url("narratives.edit", story_id=story.id),
           reason="u dit verhaal heeft opgetekend.")


def reported(story: Story, report: Any) -> None:
    """To the story's moderators: a reader reported it (the reason, never the reader's words
    or address, which stay on the moderation page)."""
    users, orphan = moderators_of(story)
    wijk = story.wijk.name if story.wijk else "de wijk"
    notify(REPORTED, f"story:{story.id}:report:{report.id}", users,
           subject=f"Een lezer meldt verhaal {story.reference} uit {wijk}", template="narratives/reported",
           context={"story": story, "reason": report.reason.label},
           link=absolute_url("narratives.moderate", story_id=story.id),
           reason=(f"er voor {wijk} geen buurtcoördinator is en u verhalen mag modereren." if orphan
                   else f"u buurtcoördinator bent voor {wijk}."))


def chosen(story: Story, session_title: str, why: str, feedback_id: int) -> None:
    link = absolute_url("narratives.story", story_id=story.id)
    _tell(CHOSEN, story, f"story:{story.id}:chosen:{feedback_id}",
          N_("Uw verhaal %(reference)s is besproken in een monitorgesprek"), "narratives/chosen",
          {"session_title": session_title, "why": why}, link,
          link if story.visibility == Visibility.OPENBAAR else "")


# --- erasure ----------------------------------------------------------------------------------

def forget_story(story_id: int, reference: str, gone: bool) -> None:
    """Rewrite the outbox's copies about a story (the caller commits).

    :param gone: withdrawn or deleted: also cancel what was not sent yet and blank every
        resident address (anonymised: the resident still hears about the story).
    """
    from ..notifications.models import MessageStatus, OutgoingMessage

    if not reference:
        return
    rows = db.session.scalars(sa.select(OutgoingMessage).where(
        OutgoingMessage.kind.like("narratives.%"),
        sa.or_(OutgoingMessage.subject.contains(reference), OutgoingMessage.body_text.contains(reference))))
    unsent = (MessageStatus.WACHTEND, MessageStatus.BEZIG, MessageStatus.BUNDEL)
    for message in rows:
        if message.status in unsent and not gone:
            continue  # still to be sent about a story that still exists
        if message.status in unsent:
            message.status = MessageStatus.MISLUKT
            message.last_error = "Niet verzonden: het verhaal is ingetrokken of verwijderd."
        message.body_text = message.body_html = ERASED_BODY
        message.attachments = []
        if message.user_id is None:
            message.to_address, message.to_name = None, ""


def erase_outbox_copies(object_type: str, object_id: Any) -> None:
    """Eraser (``monitor.erasure``): a story withdrawn or anonymised loses its outbox copies;
    a withdrawn story its resident's address too. (A deleted story is handled by
    ``delete_story``, which still knows the reference.)"""
    if object_type != "Story":
        return
    story = db.session.get(Story, int(object_id))
    if story is None:
        return
    gone = story.status == StoryStatus.INGETROKKEN
    forget_story(story.id, story.reference, gone)
    if gone:
        story.resident_email = None
