"""Permissions of the story archive (deny by default; object rules per wijk/author).

The reading rules of :mod:`monitor.narratives.services.reading` and the home-page
tasks ask the rules here; no other module of the archive compares roles itself.
"""

from __future__ import annotations

from typing import Any

from ..models import Role, User
from ..permissions import STAFF, can, define, in_own_wijk

WRITERS = frozenset({Role.SOCIAAL_WERKER, Role.BUURTCOORDINATOR})
MODERATORS = frozenset({Role.BUURTCOORDINATOR})
# Moderate only the stories of wijken without an active buurtcoördinator.
ORPHAN_MODERATORS = frozenset({Role.ADMIN})
# Writers whose returned stories are a task on their home page; coordinators, who
# moderate, have the moderation queue there instead.
RETURNED_TO = frozenset({Role.SOCIAAL_WERKER})

WRITE = "narratives.write"
EDIT = "narratives.edit"
MODERATE = "narratives.moderate"
READ_RAAD = "narratives.read_raad"
READ_INTERN = "narratives.read_intern"
TELLER_LINK = "narratives.teller_link"
LOCATIONS = "narratives.locations"


def _may_edit(user: User, story: Any) -> bool:
    """Authors edit their own unpublished stories; coordinators every story of their wijk."""
    from .models import StoryStatus

    if user.role in MODERATORS and in_own_wijk(user, story):
        return story.status != StoryStatus.INGETROKKEN
    return (story.author_id == user.id and story.status in (
        StoryStatus.CONCEPT, StoryStatus.TERUGGESTUURD))


def _may_moderate(user: User, story: Any) -> bool:
    """Coordinators of the story's wijk; a wijk without an active coordinator: every
    coordinator and the beheerder (so no story waits in nobody's queue)."""
    if user.role in MODERATORS and in_own_wijk(user, story):
        return True
    wijk_id = getattr(story, "wijk_id", None)
    if wijk_id is None:  # the permission itself (no object): the role decides
        return user.role in MODERATORS or user.role in ORPHAN_MODERATORS
    from .notices import wijken_without_coordinator

    return user.role in (MODERATORS | ORPHAN_MODERATORS) and wijk_id in wijken_without_coordinator()


def _may_issue_teller_link(user: User, story: Any) -> bool:
    """The writer of a story, or a coordinator of its wijk, hands its teller a private link.

    Never for a story the resident sent in themselves: that link is theirs alone.
    """
    from .models import StoryStatus

    if story.contributed_publicly or story.status == StoryStatus.INGETROKKEN:
        return False
    return story.author_id == user.id or (user.role in MODERATORS and in_own_wijk(user, story))


define(WRITE, WRITERS, "Verhalen schrijven en indienen voor moderatie",
       check=lambda user, story: in_own_wijk(user, story))
define(EDIT, WRITERS, "Een verhaal bewerken (eigen concept, of als moderator)",
       check=_may_edit)
define(MODERATE, MODERATORS | ORPHAN_MODERATORS,
       "Verhalen van de eigen wijk modereren: publiceren, terugsturen, afwijzen, anonimiseren, intrekken "
       "(beheerder en elke buurtcoördinator: ook van een wijk zonder buurtcoördinator)",
       check=_may_moderate)
define(TELLER_LINK, WRITERS, "De verteller van een opgeschreven verhaal een persoonlijke link en strookje geven",
       check=_may_issue_teller_link)
def _may_manage_location(user: User, location: Any) -> bool:
    """The beheerder every trusted location; a buurtcoördinator those in their own wijken."""
    if user.role == Role.ADMIN:
        return True
    return location.wijk_id is not None and in_own_wijk(user, location)


define(LOCATIONS, MODERATORS | {Role.ADMIN},
       "Vertrouwde locaties (buurthuizen) registreren, koppelen en intrekken: hun apparaat stuurt "
       "verhalen in onder een eigen, begrensde limiet", check=_may_manage_location)
define(READ_RAAD, STAFF | {Role.RAADSLID},
       "Verhalen met zichtbaarheid 'raad' lezen")
define(READ_INTERN, STAFF, "Verhalen met zichtbaarheid 'intern' lezen")


# --- named rules for the services and the home page ------------------------------------

def may_moderate(user: Any, story: Any) -> bool:
    """A buurtcoördinator of the story's wijk (``narratives.moderate`` on the story)."""
    return can(user, MODERATE, story)


def has_moderation_queue(user: User) -> bool:
    """Whether the home page shows ``user`` the stories waiting for moderation."""
    return user.role in MODERATORS or user.role in ORPHAN_MODERATORS


def has_returned_stories(user: User) -> bool:
    """Whether the home page shows ``user`` their stories a coordinator sent back."""
    return user.role in RETURNED_TO
define("narratives.feature", MODERATORS,
       "Een gepubliceerd verhaal van de eigen wijk uitlichten voor de raad (startpagina van raadsleden)",
       check=_may_moderate)


def shows_featured_stories(user: User) -> bool:
    """Council members' start page shows the stories the coordinators featured for them."""
    return user.role == Role.RAADSLID
