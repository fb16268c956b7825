"""Readers' reports ("melden") and hiding a published story, on the ``narratives`` blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import DomainError
from ..formerrors import show_error
from ..http import form_status
from ..i18n import translated
from ..permissions import public, require_object, requires
from . import services
from .blueprint import bp
from .forms import ConfirmForm, ReportForm


def _readable_published(story_id: int):
    item = services.get_story_or_404(story_id)
    if not item.is_published or not services.can_read(current_user, item):
        abort(404)
    return item


@bp.route("/verhaal/<int:story_id>/melden", methods=["GET", "POST"])
@public
@translated
def report(story_id: int):
    """A reader reports a published story they may read; works without JavaScript."""
    item = _readable_published(story_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report_story(item, reason=form.reason.data, message=form.message.data or "",
                                  contact_email=form.contact_email.data or "",
                                  address=request.remote_addr or "")
        except services.RateLimited as err:
            show_error(form, err)
            return render_template("narratives/report.html", story=item, form=form), 429
        except DomainError as err:
            show_error(form, err)
        else:
            flash(_("Dank u wel voor uw melding. Een moderator bekijkt het verhaal."), "ok")
            return redirect(url_for("narratives.story", story_id=item.id))
    return render_template("narratives/report.html", story=item, form=form), form_status()


def _moderated(story_id: int):
    item = services.get_story_or_404(story_id)
    require_object("narratives.moderate", item)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return item


@bp.route("/verhaal/<int:story_id>/verbergen", methods=["POST"])
@requires("narratives.moderate")
def hide(story_id: int):
    """Take a published story off the site at once (back to the moderation queue)."""
    item = _moderated(story_id)
    try:
        services.hide_story(item, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash("Het verhaal is verborgen: het staat niet meer op de site en niet in de zoekresultaten. "
              "Publiceer het opnieuw als het weer kan.", "ok")
    return redirect(url_for("narratives.moderate", story_id=item.id))


@bp.route("/verhaal/<int:story_id>/meldingen-afgehandeld", methods=["POST"])
@requires("narratives.moderate")
def reports_handled(story_id: int):
    """Settle the open reports (the readers' addresses are erased)."""
    item = _moderated(story_id)
    try:
        count = services.handle_reports(item, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(f"{count} melding(en) afgehandeld. De e-mailadressen van de melders zijn gewist.", "ok")
    return redirect(url_for("narratives.moderate", story_id=item.id))
