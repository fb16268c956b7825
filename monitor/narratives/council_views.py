"""Screens for featuring a story for the council (its routes join the archive's blueprint)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from ..errors import DomainError
from ..permissions import require_object, requires
from . import council, services
from .blueprint import bp


def _feature(story_id: int, featured: bool, done: str):
    story = services.get_story_or_404(story_id)
    require_object(council.FEATURE, story)
    try:
        council.set_featured(story, featured, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(done, "ok")
    return redirect(url_for("narratives.story", story_id=story.id))


@bp.route("/verhaal/<int:story_id>/uitlichten", methods=["POST"])
@requires(council.FEATURE)
def feature(story_id: int):
    """Mark a published story "uitgelicht voor de raad"."""
    return _feature(story_id, True, "Het verhaal is uitgelicht voor de raad.")


@bp.route("/verhaal/<int:story_id>/niet-uitlichten", methods=["POST"])
@requires(council.FEATURE)
def unfeature(story_id: int):
    """Take the "uitgelicht voor de raad" mark away."""
    return _feature(story_id, False, "Het verhaal is niet meer uitgelicht voor de raad.")
