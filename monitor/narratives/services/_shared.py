"""What the public form and the staff pages share: a story's data, its reference, checked references."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from ...catalogues import Quality
from ...errors import DomainError
from ...extensions import db
from ...i18n import N_
from ...models import Buurt, Wijk
from ..models import ConsentMethod, Story, StoryForm, Teller

STORY_FIELDS = ("title", "summary", "body", "wijk_id", "buurt_id", "about_date", "form",
                "teller", "teller_name", "tags", "visibility", "status")
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _resident_event(event) -> None:
    """Residents are not identified: no IP address in the audit trail for their actions."""
    event.ip_address = None


@dataclass
class StoryData:
    """What a form supplies about a story (shape checked by the form already)."""

    title: str
    summary: str
    body: str
    wijk_id: int
    buurt_id: int | None
    about_date: date
    form: str
    teller: str
    quality_ids: list[int]
    tags: str = ""
    teller_name: str = ""
    consent_given: bool = False
    consent_method: str = ConsentMethod.ONLINE.value
    consent_date: date | None = None
    # The public form only: the resident's address for notices about the story, who
    # they allow to read it, and whether they may leave the qualities to the moderator.
    resident_email: str = ""
    visibility: str = ""
    qualities_optional: bool = False
    language: str = ""
    # Staff only: recorded on behalf of a resident, and how (issue 19 §5; "" = not).
    told_how: str = ""
    told_in: str = ""


def _new_reference() -> str:
    while True:
        ref = "VH-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if not db.session.scalar(sa.select(Story.id).where(Story.reference == ref)):
            return ref




def _normalise_tags(tags: str) -> str:
    parts = [t.strip().lower() for t in re.split(r"[,;]", tags or "") if t.strip()]
    return ", ".join(dict.fromkeys(parts))[:300]


def _apply_data(story: Story, data: StoryData) -> None:
    """Copy form data onto ``story`` after checking the references.

    :raise DomainError: unknown wijk, buurt outside the wijk, no (valid) quality.
    """
    wijk = db.session.get(Wijk, data.wijk_id) if data.wijk_id else None
    if wijk is None or not wijk.active:
        raise DomainError(N_("Kies een bestaande wijk."), "wijk_id")
    if data.buurt_id:
        buurt = db.session.get(Buurt, data.buurt_id)
        if buurt is None or buurt.wijk_id != wijk.id:
            raise DomainError(N_("Deze buurt ligt niet in de gekozen wijk."), "buurt_id")
    # Only active qualities are offered; a story keeps one it had before it was deactivated.
    kept = [q.id for q in story.qualities if not q.active] if story.id else []
    qualities = list(db.session.scalars(sa.select(Quality).where(
        Quality.id.in_(data.quality_ids or []),
        sa.or_(Quality.active.is_(True), Quality.id.in_(kept or [-1])))))
    if not qualities and not data.qualities_optional:
        raise DomainError("Kies minstens één kwaliteit waar dit verhaal over gaat.", "quality_ids")
    if data.about_date > date.today() + timedelta(days=1):
        raise DomainError(N_("De datum ligt in de toekomst."), "about_date")
    story.title = data.title.strip()
    story.summary = data.summary.strip()
    story.body = data.body.strip()
    story.wijk_id = wijk.id
    story.buurt_id = data.buurt_id or None
    story.about_date = data.about_date
    story.form = StoryForm(data.form)
    story.teller = Teller(data.teller)
    story.teller_name = (data.teller_name or "").strip()
    story.tags = _normalise_tags(data.tags)
    story.qualities = qualities
    if data.language:
        story.language = data.language


def _sync_index() -> None:
    """Apply the pending index operations after a commit (:func:`indexing.sync_index`).

    Called through the package at call time, as before the split: the bench (deferring
    the index during bulk generation) and the crash-safety test replace
    ``monitor.narratives.services.sync_index``, and that replacement must apply here.
    """
    from .. import services

    services.sync_index()
