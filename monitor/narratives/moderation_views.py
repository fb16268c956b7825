"""Moderation by the coordinators of the wijk: the queue, publish, return, reject, anonymise,
withdraw and delete (on the narratives blueprint)."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from ..errors import DomainError
from ..formerrors import show_error
from ..permissions import require_object, requires
from . import services
from .blueprint import bp
from .forms import (
    AnonymiseForm,
    ConfirmForm,
    PublishForm,
    RejectForm,
    ReturnForm,
)
from .models import StoryStatus

# --- moderation (coordinators of the wijk) ----------------------------------------------

@bp.route("/moderatie")
@requires("narratives.moderate")
def queue():
    """Stories of my wijken waiting for moderation."""
    return render_template("narratives/queue.html", stories=services.moderation_queue(current_user),
                           recent=services.recent_moderated(current_user),
                           reported=services.reported_stories(current_user))


def _moderation_page(item, status: int = 200, **forms):
    context = {
        "publish_form": PublishForm(prefix="pub", data={"visibility": item.visibility.value}),
        "return_form": ReturnForm(prefix="ret"), "reject_form": RejectForm(prefix="rej"),
        "anonymise_form": AnonymiseForm(prefix="ano"), "confirm": ConfirmForm(),
    }
    context.update(forms)
    return render_template("narratives/moderate.html", story=item,
                           body=services.render_markdown(item.body), **context), status


def _load_for_moderation(story_id: int):
    item = services.get_story_or_404(story_id)
    require_object("narratives.moderate", item)
    if item.status == StoryStatus.INGETROKKEN:
        abort(404)
    return item


@bp.route("/verhaal/<int:story_id>/moderatie")
@requires("narratives.moderate")
def moderate(story_id: int):
    """Review a story: publish, return, reject, edit or anonymise."""
    return _moderation_page(_load_for_moderation(story_id))


def _moderation_action(story_id: int, form, action, success: str, form_name: str):
    item = _load_for_moderation(story_id)
    if form.validate_on_submit():
        try:
            action(item, form)
        except DomainError as err:
            show_error(form, err)
        else:
            if success:
                flash(success, "ok")
            return redirect(url_for("narratives.moderate", story_id=item.id))
    return _moderation_page(item, 400, **{form_name: form})


@bp.route("/verhaal/<int:story_id>/publiceren", methods=["POST"])
@requires("narratives.moderate")
def publish(story_id: int):
    """Approve and publish with the chosen visibility."""
    return _moderation_action(
        story_id, PublishForm(prefix="pub"),
        lambda s, f: services.publish(s, current_user, f.visibility.data),
        "Verhaal gepubliceerd.", "publish_form")


@bp.route("/verhaal/<int:story_id>/terugsturen", methods=["POST"])
@requires("narratives.moderate")
def return_(story_id: int):
    """Send the story back with remarks."""
    return _moderation_action(
        story_id, ReturnForm(prefix="ret"),
        lambda s, f: services.return_story(s, current_user, f.remarks.data),
        "Verhaal teruggestuurd met opmerkingen.", "return_form")


@bp.route("/verhaal/<int:story_id>/afwijzen", methods=["POST"])
@requires("narratives.moderate")
def reject(story_id: int):
    """Reject the story with a reason."""
    return _moderation_action(
        story_id, RejectForm(prefix="rej"),
        lambda s, f: services.reject(s, current_user, f.reason.data),
        "Verhaal afgewezen.", "reject_form")


@bp.route("/verhaal/<int:story_id>/anonimiseren", methods=["POST"])
@requires("narratives.moderate")
def anonymise(story_id: int):
    """Replace names in the story by [naam]."""
    def action(s, f):
        names = [n for part in (f.names.data or "").splitlines() for n in part.split(",")]
        count = services.anonymise(s, current_user, names)
        flash(f"{count} vermelding(en) geanonimiseerd.", "ok")

    return _moderation_action(story_id, AnonymiseForm(prefix="ano"), action, "",
                              "anonymise_form")


@bp.route("/verhaal/<int:story_id>/intrekken", methods=["POST"])
@requires("narratives.moderate")
def withdraw(story_id: int):
    """Withdraw a story (for instance when the teller asks by phone)."""
    item = _load_for_moderation(story_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(item, by=current_user)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("narratives.moderate", story_id=item.id))
    flash(f"Verhaal {item.reference} ingetrokken; tekst en foto's zijn verwijderd.", "ok")
    return redirect(url_for("narratives.queue"))


@bp.route("/verhaal/<int:story_id>/verwijderen", methods=["POST"])
@requires("narratives.moderate")
def delete(story_id: int):
    """Delete a story for good."""
    item = _load_for_moderation(story_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    reference = item.reference
    services.delete_story(item, current_user)
    flash(f"Verhaal {reference} verwijderd.", "ok")
    return redirect(url_for("narratives.queue"))


