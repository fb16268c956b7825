"""Removing a story's photo or recording, and undoing that ("Ongedaan maken"), on the
``narratives`` blueprint. The confirmation steps (GET) are in :mod:`.confirm_views`; what
can be undone and for how long: ``docs/privacy.md``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..errors import DomainError
from ..http import flash_undo
from ..permissions import require_object, requires
from . import services
from .blueprint import bp
from .forms import ConfirmForm


def _remove(item, remove, restore_endpoint: str, name: str):
    """Remove with undo, or (``wissen=meteen``) erase at once; either way its URL answers
    410 from now on."""
    require_object("narratives.edit", item.story)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    at_once = request.form.get("wissen") == "meteen"
    story = remove(item, current_user, at_once=at_once)
    if at_once:
        flash(f"{name} voorgoed gewist.", "ok")
    else:
        flash_undo(f"{name} verwijderd.", url_for(restore_endpoint, key=item.file_key),
                   services.undo_until(item))
    return redirect(url_for("narratives.edit", story_id=story.id))


def _restore(item, restore, name: str):
    require_object("narratives.edit", item.story)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        restore(item, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(f"{name} teruggezet.", "ok")
    return redirect(url_for("narratives.edit", story_id=item.story_id))


@bp.route("/foto/<string:key>/verwijderen", methods=["POST"])
@requires("narratives.edit")
def photo_remove(key: str):
    """Remove a photo (restorable for a while, or erased at once)."""
    return _remove(services.get_photo_or_abort(key), services.remove_photo, "narratives.photo_restore", "Foto")


@bp.route("/foto/<string:key>/terugzetten", methods=["POST"])
@requires("narratives.edit")
def photo_restore(key: str):
    """Undo the removal of a photo within the undo window."""
    return _restore(services.get_removed_photo_or_404(key), services.restore_photo, "Foto")


@bp.route("/opname/<string:key>/verwijderen", methods=["POST"])
@requires("narratives.edit")
def media_remove(key: str):
    """Remove a recording (restorable for a while, or erased at once)."""
    return _remove(services.get_media_or_abort(key), services.remove_media, "narratives.media_restore", "Opname")


@bp.route("/opname/<string:key>/terugzetten", methods=["POST"])
@requires("narratives.edit")
def media_restore(key: str):
    """Undo the removal of a recording within the undo window."""
    return _restore(services.get_removed_media_or_404(key), services.restore_media, "Opname")
