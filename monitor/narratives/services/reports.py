"""Readers' signals (issue 19 §5): a reader reports ("meldt") a published story.

A report never hides a story by itself (anyone could then take any story down); it puts
the story in its moderators' queue with the reports, and tells them. A moderator can hide
the story at once (:func:`hide_story`: back to *wacht op moderatie*, gone from the site,
the search and the dossiers, published again with the ordinary publish step) and settles
the reports (:func:`handle_reports`).

The reader's optional contact address is personal data: only the story's moderators see
it, it is blanked as soon as the reports are settled, and a report's words and address are
erased with the story (withdrawal, anonymisation, deletion). Reports are limited per
address (a keyed hash, as for the public form).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from ... import audit, ratelimit
from ...errors import DomainError
from ...extensions import db
from ...i18n import N_
from ...models import User
from ...timeutil import utcnow
from .. import indexing, notices
from ..models import ReportReason, Story, StoryReport, StoryStatus
from ._shared import _resident_event, _sync_index
from .public import RateLimited, _address_hash
from .staff import _moderated_wijken

MESSAGE_MAX = 2000


def report_story(story: Story, *, reason: str, message: str, contact_email: str, address: str) -> StoryReport:
    """A reader reports a published story.

    :raise RateLimited: too many reports from this address in the last hour.
    :raise DomainError: the story is not published, an unknown reason, a text too long.
    """
    if not story.is_published:
        raise DomainError(N_("Dit verhaal staat niet (meer) op de site."))
    try:
        why = ReportReason(reason)
    except ValueError:
        raise DomainError(N_("Kies waarom u dit verhaal meldt."), "reason") from None
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise DomainError(f"Schrijf het korter op (hoogstens {MESSAGE_MAX} tekens).", "message")
    if not ratelimit.hit("narratives.report.hour", _address_hash(address),
                         current_app.config["NARRATIVES_REPORTS_PER_HOUR"], 3600):
        raise RateLimited(N_("Vanaf dit adres zijn kort geleden al meerdere meldingen gedaan. Probeer het "
                             "later opnieuw."))
    report = StoryReport(story=story, reason=why, message=message,
                         contact_email=(contact_email or "").strip() or None)
    db.session.add(report)
    db.session.flush()
    _resident_event(audit.record("story.report", story, actor_label="lezer (zonder account)",
                                 new={"reference": story.reference, "kind": why.value},
                                 summary=f"Een lezer meldde verhaal {story.reference}"))
    notices.reported(story, report)
    db.session.commit()
    return report


def open_reports(story: Story) -> list[StoryReport]:
    return [r for r in story.reports if r.handled_at is None]


def hide_story(story: Story, by: User) -> Story:
    """Take a published story off the site at once: back to the moderation queue.

    :raise DomainError: the story is not published.
    """
    if story.status != StoryStatus.GEPUBLICEERD:
        raise DomainError("Alleen een gepubliceerd verhaal kan worden verborgen.")
    story.status = StoryStatus.INGEDIEND
    story.submitted_at = utcnow()
    indexing.touch(story)
    audit.record("story.hide", story, actor=by, old={"status": StoryStatus.GEPUBLICEERD},
                 new={"status": story.status, "reports": len(open_reports(story))},
                 summary="Verborgen na een melding" if open_reports(story) else "Verborgen door de moderator")
    indexing.queue_index(story.id)
    db.session.commit()
    _sync_index()
    return story


def handle_reports(story: Story, by: User) -> int:
    """Settle the open reports of a story; the readers' addresses are blanked.

    :return: how many reports were settled.
    :raise DomainError: there were none.
    """
    reports = open_reports(story)
    if not reports:
        raise DomainError("Er zijn geen open meldingen bij dit verhaal.")
    outcome = "gehouden" if story.is_published else "verborgen"
    now = utcnow()
    for report in reports:
        report.handled_at, report.handled_by_id, report.outcome = now, by.id, outcome
        report.contact_email = None
    audit.record("story.reports_handled", story, actor=by, new={"reports": len(reports), "status": story.status},
                 summary=f"{len(reports)} melding(en) afgehandeld")
    db.session.commit()
    return len(reports)


def reported_stories(user: User) -> list[Story]:
    """Stories of the user's moderated wijken with open reports, oldest report first."""
    first = sa.func.min(StoryReport.created_at)
    return list(db.session.scalars(
        sa.select(Story).join(StoryReport, StoryReport.story_id == Story.id)
        .where(StoryReport.handled_at.is_(None), Story.status != StoryStatus.INGETROKKEN,
               Story.wijk_id.in_(_moderated_wijken(user) or {-1}))
        .group_by(Story.id).order_by(first)))


def erase_reports(object_type: str, object_id) -> None:
    """Eraser (``monitor.erasure``): an erased story's reports lose their words and addresses."""
    if object_type != "Story":
        return
    for report in db.session.scalars(sa.select(StoryReport).where(StoryReport.story_id == int(object_id))):
        report.message = ""
        report.contact_email = None
