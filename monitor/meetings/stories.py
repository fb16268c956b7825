"""The stories of a monitorgesprek: candidates, their section, and their copies redacted or erased."""

from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Period, Wijk
from ..registry import Section, registry
from .models import AnnualReport, Dossier, MonitorSession, SessionStory

WITHDRAWN_TEXT = "Dit verhaal is ingetrokken door de verteller."
UNAVAILABLE_TEXT = "Dit verhaal is niet meer beschikbaar."
PRESENT_SUFFIX = " (de verteller is aanwezig)"


def unavailable_stories(story_ids) -> dict[int, str]:
    """Which of ``story_ids`` the dossier's audience may no longer see, with the text shown instead.

    Withdrawn, deleted, unpublished, or narrowed below *openbaar* (the dossier goes to
    everyone at the table): asked of the registered :class:`~monitor.registry.StorySource`
    (``published``, and ``withdrawn`` for the wording); without an archive nothing is
    unavailable.
    """
    ids = {i for i in story_ids if i is not None}
    source = registry().story_source
    if not ids or source is None:
        return {}
    gone = ids - set(source.published(ids))
    if not gone:
        return {}
    withdrawn = set(source.withdrawn(gone)) if source.withdrawn else gone
    return {i: WITHDRAWN_TEXT if i in withdrawn else UNAVAILABLE_TEXT for i in gone}


def _gone_entry(story_id: int, text: str) -> dict[str, Any]:
    """What a frozen story becomes once it is no longer there: its id and the sentence."""
    return {"id": story_id, "gone": text}


def _present_photos(sections: list[dict[str, Any]]) -> set[str] | None:
    """The photo keys of the frozen stories still shared with everyone (``None``: cannot tell)."""
    source = registry().story_source
    if source is None or source.photos_present is None:
        return None
    keys = {p["key"] for s in sections for story in s.get("stories", []) for p in story.get("photos", [])}
    return set(source.photos_present(keys)) if keys else set()


def redact_sections(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Frozen sections as they may be shown now: stories no longer available are blanked out.

    A blanked story loses its title, text and photos; of the stories still there, a photo
    removed from the archive since (or no longer shared with everyone) is left out.
    """
    gone = unavailable_stories(i for s in sections for i in s.get("refs", []))
    present = _present_photos(sections)
    result = []
    for section in sections:
        refs = section.get("refs", [])
        if any(r in gone for r in refs):
            items = [gone.get(ref, item) for item, ref in zip(section["items"], refs, strict=False)]
            section = {**section, "items": items}
        if section.get("stories"):
            stories = []
            for story in section["stories"]:
                if story.get("id") in gone:
                    story = _gone_entry(story["id"], gone[story["id"]])
                elif present is not None and story.get("photos"):
                    story = {**story, "photos": [p for p in story["photos"] if p["key"] in present]}
                stories.append(story)
            section = {**section, "stories": stories}
        result.append(section)
    return result


def photo_keys(sections: list[dict[str, Any]]) -> set[str]:
    """Every photo key the (redacted) frozen sections show."""
    return {p["key"] for s in sections for story in s.get("stories", []) for p in story.get("photos", [])}


def redact_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A dossier snapshot with stories no longer available blanked out."""
    return {**snapshot, "sections": redact_sections(snapshot.get("sections", []))}


def redact_compiled(compiled: dict[str, Any]) -> dict[str, Any]:
    """An annual report with stories no longer available blanked out (titles and minutes included)."""
    ids = [s.get("id") for s in compiled.get("stories", [])]
    for session in compiled.get("sessions", []):
        most = (session.get("minutes") or {}).get("most_significant") or {}
        ids.append(most.get("id"))
    gone = unavailable_stories(ids)
    sessions = []
    for session in compiled.get("sessions", []):
        session = dict(session)
        if session.get("dossier"):
            session["dossier"] = {**session["dossier"], "sections": redact_sections(session["dossier"]["sections"])}
        minutes = session.get("minutes")
        if minutes and minutes.get("most_significant") and minutes["most_significant"].get("id") in gone:
            text = gone[minutes["most_significant"]["id"]]
            session["minutes"] = {**minutes, "most_significant": {**minutes["most_significant"],
                                                                  "title": text, "why": "", "dissent": ""}}
        sessions.append(session)
    stories = [{**s, **_BLANK_STORY, "title": gone[s["id"]]} if s.get("id") in gone else s
               for s in compiled.get("stories", [])]
    return {**compiled, "sessions": sessions, "stories": stories}


# What a story entry of an annual report loses when the story is gone (title aside).
_BLANK_STORY = {"summary": "", "body": "", "why": []}


def erase_story_copies(object_type: str, object_id: Any) -> None:
    """Eraser (:mod:`monitor.erasure`): rewrite the copies of an erased story.

    Chosen stories, every dossier version and compiled annual reports quote the title, and
    dossiers (and the reports that copy their sections) hold the whole story: text, teller,
    photos. An anonymised story's copies become the anonymised story; a withdrawn or deleted
    story's copies keep only the sentence shown instead (no title, text or photo). Runs in
    the erasing service's transaction.
    """
    if object_type != "Story":
        return
    story_id = int(object_id)
    source = registry().story_source
    title = source.title(story_id) if source and source.title else None
    if title is None:
        withdrawn_check = source.withdrawn if source else None
        gone_text = WITHDRAWN_TEXT if withdrawn_check is None or story_id in withdrawn_check({story_id}) \
            else UNAVAILABLE_TEXT
    else:
        gone_text = ""

    def item_text(item: str) -> str:
        if title is None:
            return gone_text
        return title + (PRESENT_SUFFIX if item.endswith(PRESENT_SUFFIX) else "")

    for chosen in db.session.scalars(sa.select(SessionStory).where(SessionStory.story_id == story_id)):
        chosen.story_title = (title if title is not None else gone_text)[:300]

    def story_copy(old: dict[str, Any]) -> dict[str, Any]:
        """Withdrawn or deleted: only the sentence. Anonymised: the anonymised story now."""
        if title is None:
            return _gone_entry(story_id, gone_text)
        fresh = source.dossier_story(story_id) if source and source.dossier_story else None
        if fresh is None:  # not there for everyone now: its old text cannot be kept
            return _gone_entry(story_id, UNAVAILABLE_TEXT)
        return {**fresh, "present": old.get("present", False)}

    def rewrite_sections(sections: list[dict[str, Any]]) -> bool:
        changed = False
        for section in sections:
            refs = section.get("refs", [])
            for index, ref in enumerate(refs):
                if ref == story_id and index < len(section.get("items", [])):
                    section["items"][index] = item_text(section["items"][index])
                    changed = True
            for index, story in enumerate(section.get("stories", [])):
                if story.get("id") == story_id and not story.get("gone"):
                    section["stories"][index] = story_copy(story)
                    changed = True
        return changed

    for dossier in db.session.scalars(sa.select(Dossier)):
        snapshot = copy.deepcopy(dossier.snapshot)
        if rewrite_sections(snapshot.get("sections", [])):
            dossier.snapshot = snapshot  # a new object: JSON columns do not track in place
    for report in db.session.scalars(sa.select(AnnualReport).where(AnnualReport.compiled.is_not(None))):
        for column in ("compiled", "compiled_internal"):
            if getattr(report, column) is not None:
                _rewrite_compiled(report, column, story_id, title, gone_text, rewrite_sections)


def _rewrite_compiled(report: AnnualReport, column: str, story_id: int, title: str | None, gone_text: str,
                      rewrite_sections) -> None:
    """Rewrite one compilation of an annual report: the title everywhere, the text when gone."""
    compiled = copy.deepcopy(getattr(report, column))
    changed = False
    for session in compiled.get("sessions", []):
        if session.get("dossier"):
            changed |= rewrite_sections(session["dossier"].get("sections", []))
        most = (session.get("minutes") or {}).get("most_significant")
        if most and most.get("id") == story_id:
            most["title"] = title if title is not None else gone_text
            if title is None:
                most["why"] = most["dissent"] = ""
            changed = True
    for story in compiled.get("stories", []):
        if story.get("id") == story_id:
            if title is None:
                story.update(_BLANK_STORY, title=gone_text)
                story["why"] = []
            else:
                story["title"] = title
                # An anonymised story's copy takes its current text; the old one named people.
                text = _story_text(story_id) or {}
                story.update(summary=text.get("summary", ""), body=text.get("body", ""))
            changed = True
    if changed:
        setattr(report, column, compiled)


def _story_text(story_id: int) -> dict[str, Any] | None:
    source = registry().story_source
    return source.text(story_id) if source and source.text else None


def story_candidates(wijk: Wijk, period: Period) -> list[dict[str, Any]]:
    """Published stories of the wijk, from the story archive when it is installed.

    Each is ``{"id", "title", "summary"}``; the archive registers the
    :class:`~monitor.registry.StorySource` (``monitor.registry.set_story_source``).
    """
    source = registry().story_source
    return list(source.candidates(wijk, period)) if source else []


def stories_section_for(session_stories: list[SessionStory]) -> Section:
    """Part 2: the chosen stories, whole (one no longer open to everyone shows only that it is gone)."""
    gone = unavailable_stories(s.story_id for s in session_stories)
    items = [gone.get(s.story_id) or
             s.story_title + (PRESENT_SUFFIX if s.storyteller_present else "")
             for s in session_stories]
    source = registry().story_source
    whole = []
    for chosen in session_stories:
        story = None
        if chosen.story_id not in gone and source is not None and source.dossier_story is not None:
            story = source.dossier_story(chosen.story_id)
        if story is None:
            whole.append(_gone_entry(chosen.story_id, gone.get(chosen.story_id, UNAVAILABLE_TEXT))
                         if source is not None and source.dossier_story is not None else
                         {"id": chosen.story_id, "title": chosen.story_title, "present": chosen.storyteller_present})
        else:
            whole.append({**story, "present": chosen.storyteller_present})
    missing = [] if items else ["Er is nog geen verhaal gekozen voor deel 2."]
    if gone:
        missing.append(f"{len(gone)} gekozen verha{'al is' if len(gone) == 1 else 'len zijn'} niet "
                       "(meer) openbaar en komt niet in het dossier; kies zo nodig een ander verhaal.")
    return Section(key="stories", title="Het verhaal", part=2, items=items,
                   refs=[s.story_id for s in session_stories], stories=whole,
                   empty_text="Er is nog geen verhaal gekozen.", missing=missing)


def stories_section(wijk: Wijk, period: Period) -> Section:
    """Part 2 provider: the stories chosen for this wijk's session of the period."""
    session = db.session.scalar(sa.select(MonitorSession).where(
        MonitorSession.wijk_id == wijk.id, MonitorSession.period_id == period.id))
    return stories_section_for(session.stories if session else [])


# --- photos of the stories in issued dossiers ------------------------------------------

def _listed_in(model, column, key: str):
    """Rows whose JSON copy mentions ``key`` (random and alphanumeric: a substring test is exact enough)."""
    return db.session.scalars(sa.select(model).where(sa.cast(column, sa.Text).contains(key)))


def dossier_photo_status(key: str, may_view_session, may_read_reports: bool) -> int:
    """200 when a dossier (or report) the reader may open shows the photo and it is still shared;
    410 when it lists it but the archive no longer shares it; 404 otherwise."""
    if not key or len(key) > 64 or not key.isalnum() or not key.isascii():
        return 404
    listed = any(key in photo_keys(d.snapshot.get("sections", [])) and may_view_session(d.session)
                 for d in _listed_in(Dossier, Dossier.snapshot, key))
    if not listed and may_read_reports:
        listed = any(key in photo_keys(s["dossier"].get("sections", []))
                     for r in _listed_in(AnnualReport, AnnualReport.compiled, key)
                     for s in (r.compiled or {}).get("sessions", []) if s.get("dossier"))
    if not listed:
        return 404
    source = registry().story_source
    if source is None or source.photos_present is None:
        return 410
    return 200 if key in set(source.photos_present({key})) else 410


def dossier_photo_bytes(key: str, size: str) -> bytes | None:
    """The photo's JPEG from the story archive, ``None`` when it no longer shares it."""
    source = registry().story_source
    return source.photo(key, size) if source is not None and source.photo is not None else None
