"""Use cases of the story archive: contribute, write, moderate, publish, withdraw, search.

Split by audience: :mod:`.reading` (who may read what), :mod:`.photo_files` (photo
storage and erasure of files), :mod:`.public` (the resident's form, private link and
withdrawal), :mod:`.archive` (search) and :mod:`.staff` (writing and moderation); this
package offers all of them under one name, ``monitor.narratives.services``.

Every change to a story writes a :class:`StoryIndexOp` in the same transaction; after
the commit the pending operations are applied to the search index under a file lock.
A worker that cannot get the lock leaves them for the next one, so no update is lost
and no reader ever sees a lock error.
"""

from __future__ import annotations

from ..indexing import (
    IndexReport,
    apply_pending,
    check_index,
    document,
    indexable,
    pending_count,
    reindex_all,
    sync_index,
)
from ..text import plain_text, render_markdown, safe_highlight
from ._shared import REFERENCE_ALPHABET, STORY_FIELDS, StoryData
from .archive import ArchivePage, related_stories, search_archive
from .locations import (
    DEVICE_COOKIE,
    MAX_PER_DAY_CAP,
    MAX_PER_HOUR_CAP,
    LocationData,
    location_for_device,
    locations_in_scope,
    new_pairing_link,
    pair_device,
    register_location,
    revoke_location,
)
from .media_files import (
    MediaInput,
    add_media,
    convert_pending,
    get_media_or_abort,
    media_blockers,
    update_media_text,
)
from .photo_files import PHOTO_CONTENT_TYPE, PhotoInput, get_photo_or_abort, photo_bytes, photo_path
from .public import (
    STAMP_MAX_AGE,
    RateLimited,
    check_spam,
    contribute_public,
    count_submission,
    form_stamp,
    renewed_stamp,
    resident_revise,
    story_for_token,
    use_stamp,
    withdraw,
)
from .reading import (
    buurt_choices,
    can_read,
    get_story_or_404,
    get_wijk_or_404,
    kept_title,
    may_moderate,
    public_text,
    published_stories,
    published_stories_for_period,
    quality_choices,
    still_published,
    visibilities_for,
    wijk_choices,
    wijk_overview,
    withdrawn,
)
from .removals import (
    PURGE_JOB,
    get_removed_media_or_404,
    get_removed_photo_or_404,
    purge_removed,
    remove_media,
    remove_photo,
    restore_media,
    restore_photo,
    undo_until,
)
from .reports import handle_reports, hide_story, open_reports, report_story, reported_stories
from .staff import (
    add_feedback,
    add_photos,
    anonymise,
    create_story,
    delete_story,
    moderation_queue,
    own_stories,
    publish,
    recent_moderated,
    reject,
    return_story,
    returned_stories,
    submit,
    update_story,
)
from .teller import (
    erase_correction,
    issue_teller_link,
    new_teller_token,
    qr_svg,
    teller_confirm,
    teller_request_correction,
)

__all__ = [
    # search index (monitor.narratives.indexing), for the CLI, the seed and the tests
    "IndexReport", "apply_pending", "check_index", "document", "indexable", "pending_count",
    "reindex_all", "sync_index",
    # text (monitor.narratives.text)
    "plain_text", "render_markdown", "safe_highlight",
    # shared
    "REFERENCE_ALPHABET", "STORY_FIELDS", "StoryData",
    # reading
    "buurt_choices", "can_read", "get_story_or_404", "get_wijk_or_404", "kept_title",
    "may_moderate", "public_text", "published_stories", "published_stories_for_period", "quality_choices",
    "still_published", "visibilities_for", "wijk_choices", "wijk_overview", "withdrawn",
    # photo files
    "PHOTO_CONTENT_TYPE", "PhotoInput", "get_photo_or_abort", "photo_bytes", "photo_path",
    # removing a photo or recording with undo (monitor.narratives.services.removals)
    "PURGE_JOB", "get_removed_media_or_404", "get_removed_photo_or_404", "purge_removed",
    "restore_media", "restore_photo", "undo_until",
    # recordings (sound, film)
    "MediaInput", "add_media", "convert_pending", "get_media_or_abort", "media_blockers",
    "remove_media", "update_media_text",
    # the resident's side
    "STAMP_MAX_AGE", "RateLimited", "check_spam", "contribute_public", "count_submission",
    "form_stamp", "renewed_stamp", "resident_revise", "story_for_token", "use_stamp", "withdraw",
    # archive search
    "ArchivePage", "related_stories", "search_archive",
    # the teller of a story staff wrote down
    "issue_teller_link", "new_teller_token", "qr_svg", "teller_confirm", "teller_request_correction",
    "erase_correction",
    # trusted locations (a buurthuis's device)
    "DEVICE_COOKIE", "MAX_PER_DAY_CAP", "MAX_PER_HOUR_CAP", "LocationData", "location_for_device", "locations_in_scope",
    "new_pairing_link", "pair_device", "register_location", "revoke_location",
    # readers' reports
    "handle_reports", "hide_story", "open_reports", "report_story", "reported_stories",
    # staff writing and moderation
    "add_feedback", "add_photos", "anonymise", "create_story", "delete_story",
    "moderation_queue", "own_stories", "publish", "recent_moderated", "reject", "remove_photo",
    "return_story", "returned_stories", "submit", "update_story",
]
