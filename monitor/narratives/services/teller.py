"""The teller of a story staff wrote down: a private link, a printable slip, confirmation.

When a social worker or coordinator writes down a resident's story, the app makes a
private link for the teller, like the one a resident gets for a story sent in through the
public form (``/verhalen/mijn/<token>``; only the token's hash is stored). The worker hands
the teller a printed slip with the link and a QR code. Through it the teller reads the
story as it was written down, confirms it (recorded, with a digest of what they read),
withdraws it (text and photos erased, as every withdrawal), and later reads why a
monitorgesprek chose it.

Assisted telling (issue 19 §5): a worker who records a story *on behalf of* a resident
(told, translated, or written down for someone who does not write) says how it was told
(``told_how``). Such a story cannot be published until the teller has confirmed the text
as it reads then; the teller may instead ask for a correction (their words reach the
worker, the story waits until the worker changed it and the teller confirmed it).
"""

from __future__ import annotations

import secrets

import segno
from markupsafe import Markup

from ... import audit
from ...errors import DomainError
from ...extensions import db
from ...i18n import N_
from ...models import User
from ...timeutil import utcnow
from ...tokens import hash_token
from .. import indexing
from ..models import Story, StoryStatus, Teller, TellingWay
from ._shared import StoryData, _resident_event

CORRECTION_MAX = 4000


def new_teller_token() -> str:
    """A fresh private token (256 bits); only its hash is ever stored."""
    return secrets.token_urlsafe(32)


def _require_staff_written(story: Story) -> None:
    if story.contributed_publicly:
        raise DomainError(N_("Deze inwoner stuurde het verhaal zelf in en heeft een eigen link."))
    if story.status == StoryStatus.INGETROKKEN:
        raise DomainError(N_("Dit verhaal is ingetrokken."))


def issue_teller_link(story: Story, by: User) -> str:
    """A new private link for the teller; the previous one stops working.

    :return: the token, to be shown once (on the slip).
    :raise DomainError: the resident sent the story in themselves, or it was withdrawn.
    """
    _require_staff_written(story)
    token = new_teller_token()
    renewed = story.withdrawal_token_hash is not None
    story.withdrawal_token_hash = hash_token(token)
    audit.record("story.teller_link", story, actor=by, new={"reference": story.reference},
                 summary="Nieuwe persoonlijke link voor de verteller" if renewed
                 else "Persoonlijke link voor de verteller gemaakt")
    db.session.commit()
    return token


def apply_telling(story: Story, data: StoryData) -> None:
    """Record whether, and how, a worker recorded the story on behalf of a resident.

    Only for stories staff wrote down (a resident's own story is told in their own words).
    :raise DomainError: a professional's own story marked as told by a resident, or a
        translation without its language.
    """
    if story.contributed_publicly:
        return
    how = TellingWay(data.told_how) if data.told_how else None
    told_in = (data.told_in or "").strip()[:60]
    if how is not None and story.teller != Teller.INWONER:
        raise DomainError("Schrijft u het verhaal op namens een inwoner? Kies dan bij 'Wie vertelt?' "
                          "de inwoner.", "teller")
    if how == TellingWay.VERTAALD and not told_in:
        raise DomainError("Schrijf op in welke taal de verteller het verhaal vertelde.", "told_in")
    story.told_how = how
    story.told_in = told_in if how == TellingWay.VERTAALD else ""


def require_teller_confirmation(story: Story) -> None:
    """Publication of a story recorded on behalf of a resident waits for the teller.

    :raise DomainError: the teller has not confirmed the text as it reads now.
    """
    if not story.awaiting_teller:
        return
    if story.teller_correction:
        raise DomainError("De verteller vroeg om een correctie. Pas het verhaal aan en laat de "
                          "verteller het opnieuw bevestigen; daarna kan het worden gepubliceerd.")
    if story.teller_confirmed_at is not None:
        raise DomainError("Het verhaal is aangepast nadat de verteller het bevestigde. De verteller "
                          "moet de nieuwe tekst eerst bevestigen.")
    raise DomainError("De verteller heeft het verhaal nog niet bevestigd. Het is opgeschreven namens "
                      "de verteller en kan pas worden gepubliceerd als die het heeft gelezen en "
                      "bevestigd (persoonlijke link of strookje).")


def teller_request_correction(story: Story, text: str) -> Story:
    """The teller, through the private link, says what is not right in the written story.

    The confirmation (if any) no longer counts; a story waiting for moderation goes back to
    the worker (*teruggestuurd*), who sees the request on the story's page and gets a notice. The words themselves are personal content: kept on the story
    only (not in the audit trail or the mail), erased with it.
    :raise DomainError: empty or too long, a story the resident wrote themselves, withdrawn.
    """
    _require_staff_written(story)
    text = (text or "").strip()
    if not text:
        raise DomainError(N_("Schrijf op wat er niet klopt."), "correction")
    if len(text) > CORRECTION_MAX:
        raise DomainError(f"Schrijf het korter op (hoogstens {CORRECTION_MAX} tekens).", "correction")
    story.teller_correction = text
    story.teller_correction_at = utcnow()
    story.teller_confirmed_at = None
    story.teller_confirmed_digest = None
    old_status = story.status
    if story.status == StoryStatus.INGEDIEND:
        story.status = StoryStatus.TERUGGESTUURD
        indexing.touch(story)
    _resident_event(audit.record("story.teller_correction", story, actor_label="verteller (privélink)",
                                 old={"status": old_status},
                                 new={"reference": story.reference, "status": story.status},
                                 summary="De verteller vroeg om een correctie"))
    from .. import notices

    notices.correction_requested(story)
    db.session.commit()
    return story


def teller_confirm(story: Story) -> Story:
    """The teller confirms, through the private link, the story as it now reads.

    A pending request for a correction is settled by it.
    :raise DomainError: a story the resident wrote themselves, or one withdrawn.
    """
    _require_staff_written(story)
    story.teller_confirmed_at = utcnow()
    story.teller_confirmed_digest = story.content_digest
    story.teller_correction = ""
    story.teller_correction_at = None
    _resident_event(audit.record("story.teller_confirm", story, actor_label="verteller (privélink)",
                                 new={"reference": story.reference},
                                 summary="De verteller bevestigde het opgeschreven verhaal"))
    db.session.commit()
    return story


def qr_svg(url: str) -> Markup:
    """The link as an inline SVG QR code (no style attributes: the CSP allows none)."""
    label = "QR-code van uw persoonlijke link"
    svg = segno.make(url, error="m").svg_inline(scale=4, border=4, omitsize=True, svgclass="qr-code",
                                                 lineclass=None, title=label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704  (generated by segno from the URL, no user markup)


def erase_correction(object_type: str, object_id) -> None:
    """Eraser (``monitor.erasure``): a story withdrawn, anonymised or deleted loses the
    teller's words about what was not right (they may name people)."""
    if object_type != "Story":
        return
    story = db.session.get(Story, int(object_id))
    if story is not None:
        story.teller_correction = ""
