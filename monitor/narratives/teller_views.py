"""The teller of a story staff wrote down: the slip the worker prints, and the teller's side.

On the ``narratives`` blueprint. The teller's page itself is ``narratives.mine``
(``/verhalen/mijn/<token>``), shared with residents who sent in their own story.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import once
from ..errors import DomainError
from ..formerrors import show_error
from ..i18n import translated
from ..permissions import public, require_object, requires
from . import services
from .blueprint import bp
from .forms import ConfirmForm, ResidentReviseForm, TellerCorrectionForm
from .views import SLIP_KEY


def teller_page(item, token: str, form=None, correction=None) -> str:
    """The private page of a story's teller (the resident's own, or one written down)."""
    return render_template("narratives/mine.html", story=item, form=form or ResidentReviseForm(obj=item),
                           token=token, body=services.render_markdown(item.body), confirm=ConfirmForm(),
                           correction=correction or TellerCorrectionForm())


def _load_for_link(story_id: int):
    item = services.get_story_or_404(story_id)
    require_object("narratives.teller_link", item)
    return item


@bp.route("/verhaal/<int:story_id>/strookje")
@requires("narratives.teller_link")
def slip(story_id: int):
    """The printable slip with the teller's private link and its QR code, shown once.

    The token is never stored, so a slip cannot be shown again: a new link can be made
    (the old slip then stops working).
    """
    item = _load_for_link(story_id)
    receipt = once.take(SLIP_KEY)
    link = qr = None
    if receipt and receipt.get("story_id") == item.id:
        link = url_for("narratives.mine", token=receipt["token"], _external=True)
        qr = services.qr_svg(link)
    return render_template("narratives/slip.html", story=item, link=link, qr=qr, confirm=ConfirmForm())


@bp.route("/verhaal/<int:story_id>/strookje", methods=["POST"])
@requires("narratives.teller_link")
def slip_new(story_id: int):
    """Make a new private link (and slip) for the teller; the previous link stops working."""
    item = _load_for_link(story_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        token = services.issue_teller_link(item, current_user)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("narratives.edit", story_id=item.id))
    once.keep(SLIP_KEY, {"story_id": item.id, "token": token})
    flash("Er is een nieuwe persoonlijke link gemaakt. Een eerder strookje werkt niet meer.", "ok")
    return redirect(url_for("narratives.slip", story_id=item.id))


@bp.route("/mijn/<string:token>/bevestigen", methods=["POST"])
@public
@translated
def confirm_own(token: str):
    """The teller confirms the story as it was written down."""
    item = services.story_for_token(token)
    if item is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.teller_confirm(item)
    except DomainError as err:
        flash(_(err.message), "error")
    else:
        flash(_("Dank u wel. U hebt bevestigd dat dit uw verhaal is zoals u het vertelde."), "ok")
    return redirect(url_for("narratives.mine", token=token))


@bp.route("/mijn/<string:token>/correctie", methods=["POST"])
@public
@translated
def correct_own(token: str):
    """The teller says what is not right in the story as it was written down.

    A refusal (empty, too long) shows the page again with the words kept.
    """
    item = services.story_for_token(token)
    if item is None:
        abort(404)
    form = TellerCorrectionForm()
    if form.validate_on_submit():
        try:
            services.teller_request_correction(item, form.correction.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(_("Dank u wel. De medewerker die uw verhaal opschreef, leest wat er niet klopt en past "
                    "het aan. Daarna kunt u het hier opnieuw lezen en bevestigen."), "ok")
            return redirect(url_for("narratives.mine", token=token))
    return teller_page(item, token, correction=form), 400


@bp.route("/mijn/<string:token>/foto/<string:key>/<string:size>")
@public
def own_photo(token: str, key: str, size: str):
    """A photo of the teller's own story, whatever its status (never cached)."""
    item = services.story_for_token(token)
    if item is None or size not in ("web", "thumb"):
        abort(404)
    photo = next((p for p in item.photos if p.file_key == key), None)
    if photo is None:
        abort(404)
    try:
        data = services.photo_bytes(photo, size)
    except FileNotFoundError:
        abort(404)
    response = Response(data, mimetype=services.PHOTO_CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = 'inline; filename="foto.jpg"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
