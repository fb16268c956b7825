"""Permissions of the story archive (deny by default; object rules per wijk/author)."""

from __future__ import annotations

from typing import Any

from ..models import Role, User
from ..permissions import STAFF, define, in_own_wijk


def _may_edit(user: User, story: Any) -> bool:
    """Authors edit their own unpublished stories; coordinators every story of their wijk."""
    from .models import StoryStatus

    if user.role == Role.BUURTCOORDINATOR and in_own_wijk(user, story):
        return story.status != StoryStatus.INGETROKKEN
    return (story.author_id == user.id and story.status in (
        StoryStatus.CONCEPT, StoryStatus.TERUGGESTUURD))


def _may_moderate(user: User, story: Any) -> bool:
    return in_own_wijk(user, story)


WRITERS = {Role.SOCIAAL_WERKER, Role.BUURTCOORDINATOR}

define("narratives.write", WRITERS, "Verhalen schrijven en indienen voor moderatie",
       check=lambda user, story: in_own_wijk(user, story))
define("narratives.edit", WRITERS, "Een verhaal bewerken (eigen concept, of als moderator)",
       check=_may_edit)
define("narratives.moderate", {Role.BUURTCOORDINATOR},
       "Verhalen van de eigen wijk modereren: publiceren, terugsturen, afwijzen, anonimiseren, intrekken",
       check=_may_moderate)
define("narratives.read_raad", STAFF | {Role.RAADSLID},
       "Verhalen met zichtbaarheid 'raad' lezen")
define("narratives.read_intern", STAFF, "Verhalen met zichtbaarheid 'intern' lezen")
