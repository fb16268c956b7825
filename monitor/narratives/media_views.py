"""Recordings of stories (sound, film), on the ``narratives`` blueprint.

Add one to a story, change its description, transcript and captions, remove it; and serve
the file (with HTTP Range, so a player can seek) and its captions, only to readers who may
read the story. URLs carry the recording's random key: never reused, 410 once erased.
"""

from __future__ import annotations

import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from .. import storage
from ..errors import DomainError
from ..formerrors import show_error
from ..http import form_status
from ..permissions import public, require_object, requires
from . import services
from .blueprint import bp
from .forms import ConfirmForm
from .media_forms import AddMediaForm, MediaTextForm, captions_text, media_inputs
from .models import MediaStatus, Visibility

UPLOAD_ENDPOINTS = {"narratives.contribute", "narratives.new", "narratives.media_add"}


def _room_for_recordings() -> None:
    """The forms with a recording may send one recording and the photos together.

    Runs before every other hook (CSRF and the NUL check read the form, and the form is
    parsed once, with the limit in force then).
    """
    if request.endpoint in UPLOAD_ENDPOINTS:
        config = current_app.config
        room = config["NARRATIVES_UPLOAD_MAX_BYTES"] or (
            config["NARRATIVES_MEDIA_MAX_BYTES"] * config["NARRATIVES_MAX_MEDIA"]
            + config["NARRATIVES_PHOTO_MAX_BYTES"] * config["NARRATIVES_MAX_PHOTOS"] + 1024 * 1024)
        request.max_content_length = room


def _served(record, response: Response, name: str) -> Response:
    story = record.story
    if story.is_published and story.visibility == Visibility.OPENBAAR:
        response.headers["Cache-Control"] = "no-cache"  # asked again: a withdrawal works at once
    else:
        response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _readable(key: str):
    record = services.get_media_or_abort(key)
    if not services.can_read(current_user, record.story) or record.status != MediaStatus.KLAAR:
        abort(404)
    return record


@bp.route("/opname/<string:key>")
@public
def media_file(key: str):
    """The web-playable file (MP4/M4A), with Range support for seeking."""
    record = _readable(key)
    store = storage.current()
    path = store.local_path(record.stored_key)
    try:
        if path is not None and path.is_file():
            response = send_file(path, mimetype=record.content_type, conditional=True,
                                 etag=record.file_key, max_age=None)
        else:
            response = send_file(io.BytesIO(store.get(record.stored_key)), mimetype=record.content_type,
                                 conditional=True, etag=record.file_key, max_age=None)
    except FileNotFoundError:
        abort(404)
    return _served(record, response, f"opname.{record.extension}")


@bp.route("/opname/<string:key>/ondertitels.vtt")
@public
def media_captions(key: str):
    """The captions (WebVTT) of a film, for the player's ``<track>``."""
    record = _readable(key)
    if not record.captions:
        abort(404)
    response = Response(record.captions, mimetype="text/vtt")
    return _served(record, response, "ondertitels.vtt")


@bp.route("/verhaal/<int:story_id>/opname", methods=["GET", "POST"])
@requires("narratives.edit")
def media_add(story_id: int):
    """Add a recording (sound or film) to a story."""
    item = services.get_story_or_404(story_id)
    require_object("narratives.edit", item)
    form = AddMediaForm()
    if form.validate_on_submit():
        inputs = media_inputs(form, ["media"])
        if inputs == []:
            form.media.form.file.errors = list(form.media.form.file.errors or []) + [
                "Kies een bestand met geluid of film."]
        elif inputs:
            try:
                services.add_media(item, inputs, current_user)
            except DomainError as err:
                show_error(form, err)
            else:
                flash("Opname toegevoegd." if item.media[-1].status == MediaStatus.KLAAR else
                      "Opname ontvangen. Hij wordt nu omgezet; over een paar minuten is hij klaar.", "ok")
                return redirect(url_for("narratives.edit", story_id=item.id))
    return render_template("narratives/media_add.html", form=form, story=item), form_status()


def _load_for_edit(key: str):
    record = services.get_media_or_abort(key)
    require_object("narratives.edit", record.story)
    return record


@bp.route("/opname/<string:key>/tekst", methods=["GET", "POST"])
@requires("narratives.edit")
def media_edit(key: str):
    """Change a recording's description, transcript and captions."""
    record = _load_for_edit(key)
    form = MediaTextForm(obj=record)
    if form.validate_on_submit():
        captions = captions_text(form)
        if captions is not None:
            try:
                services.update_media_text(record, current_user, title=form.title.data or "",
                                           transcript=form.transcript.data or "",
                                           captions=captions, has_speech=bool(form.has_speech.data))
            except DomainError as err:
                show_error(form, err)
            else:
                flash("Opname opgeslagen.", "ok")
                return redirect(url_for("narratives.edit", story_id=record.story_id))
    return render_template("narratives/media_edit.html", form=form, record=record, story=record.story,
                           confirm=ConfirmForm()), form_status()


def register(app) -> None:
    """The conversion job and the clean-up of files no recording points to."""
    from datetime import timedelta

    from ..registry import add_job, add_startup_task
    from .services.media_files import JOB, convert_pending, remove_orphans

    app.before_request_funcs.setdefault(None, []).insert(0, _room_for_recordings)
    add_job(app, JOB, convert_pending, every=timedelta(minutes=1))
    add_startup_task(app, "losse opnamebestanden", remove_orphans, order=60)
