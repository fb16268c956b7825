"""Screens of the story archive (thin: load, form, one service call, redirect)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from .. import once
from ..errors import DomainError
from ..formerrors import show_error
from ..http import arg_int, form_status
from ..i18n import page_language, translate_label, translated
from ..permissions import public, require_object, requires
from . import services
from .blueprint import bp
from .council import figures_behind
from .forms import (
    AUDIENCE_SHORT,
    PHOTO_SLOTS,
    AddPhotoForm,
    ConfirmForm,
    PublicStoryForm,
    ResidentReviseForm,
    SearchForm,
    StaffNewForm,
    StaffStoryForm,
)
from .media_forms import slot_inputs
from .models import StoryStatus, Visibility

FACET_KEYS = ("wijk", "kwaliteit", "jaar", "vorm", "taal")
RECEIPT_KEY = "narratives_receipt"
SLIP_KEY = "narratives_teller_slip"


def _fill_choices(form) -> None:
    form.wijk_id.choices = [(None, "— kies een wijk —")] + [
        (w.id, w.name) for w in services.wijk_choices()]
    form.buurt_id.choices = [(None, "— weet ik niet / hele wijk —")] + [
        (b.id, f"{b.name} ({b.wijk.name})") for b in services.buurt_choices()]
    form.quality_ids.choices = [(q.id, f"{q.name}") for q in services.quality_choices()]


def _story_data(form) -> services.StoryData:
    public = isinstance(form, PublicStoryForm)
    return services.StoryData(
        title=form.title.data or "", summary=form.summary.data or "", body=form.body.data or "",
        wijk_id=form.wijk_id.data, buurt_id=form.buurt_id.data, about_date=form.about_date.data,
        form=form.form.data, teller=form.teller.data if "teller" in form else "inwoner",
        quality_ids=form.quality_ids.data or [], tags=form.tags.data or "",
        teller_name=form.teller_name.data or "", consent_given=bool(form.consent_given.data),
        consent_method=form.consent_method.data if "consent_method" in form else "online",
        consent_date=form.consent_date.data if "consent_date" in form else None,
        resident_email=(form.email.data or "") if "email" in form else "",
        visibility=(form.visibility.data or "") if public else "",
        language=(form.language.data or "") if public else "",
        told_how=(form.told_how.data or "") if "told_how" in form else "",
        told_in=(form.told_in.data or "") if "told_in" in form else "",
    )


def _photo_inputs(form, names: list[str]) -> list[services.PhotoInput]:
    inputs = []
    for name in names:
        sub = form[name].form
        upload = sub.file.data
        if isinstance(upload, FileStorage) and upload.filename:
            inputs.append(services.PhotoInput(
                stream=upload.stream, alt_text=sub.alt_text.data or "",
                caption=sub.caption.data or "",
                recognisable_people=bool(sub.recognisable_people.data),
                portrait_consent=bool(sub.portrait_consent.data), field=f"{name}-file"))
        elif (sub.alt_text.data or "").strip() and request.method == "POST":
            sub.file.errors = list(sub.file.errors or []) + [
                _("U beschreef een foto, maar koos geen bestand.")]
    return inputs


def _photo_slots() -> list[str]:
    return [f"photo_{i}" for i in range(1, PHOTO_SLOTS + 1)]


# --- reading (public) -------------------------------------------------------------------

def _int_arg(name: str, default: int = 1) -> int:
    return arg_int(name, default, minimum=1, maximum=99999)


@bp.route("/")
@public
@translated
def archive():
    """Search and browse the stories the reader may see."""
    form = SearchForm(request.args)
    filters = {key: [v[:40] for v in request.args.getlist(key) if v][:10] for key in FACET_KEYS}
    filters = {k: v for k, v in filters.items() if v}
    sort = request.args.get("sort") if request.args.get("sort") in ("relevance", "date") else "relevance"
    text = request.args.get("q") or ""  # the service refuses what is too long
    page = services.search_archive(current_user, text, filters, sort, _int_arg("pagina"))
    return render_template("narratives/archive.html", form=form, page=page, filters=filters,
                           text=text[:200], sort=sort)


@bp.route("/verhaal/<int:story_id>")
@public
@translated
def story(story_id: int):
    """Read one story with its photo gallery and related stories."""
    item = services.get_story_or_404(story_id)
    if not services.can_read(current_user, item):
        # Exactly as if it did not exist: no login page that would reveal a hidden story.
        abort(404)
    return render_template(
        "narratives/story.html", story=item, body=services.render_markdown(item.body),
        related=services.related_stories(item, current_user),
        may_moderate=services.may_moderate(current_user, item), behind=figures_behind(current_user, item))


@bp.route("/wijk/<int:wijk_id>")
@public
@translated
def wijk(wijk_id: int):
    """Overview of a wijk's published stories."""
    place = services.get_wijk_or_404(wijk_id)
    return render_template("narratives/wijk.html", wijk=place,
                           **services.wijk_overview(place, current_user))


@bp.route("/foto/<string:key>/<string:size>")
@public
def photo(key: str, size: str):
    """Serve a photo as JPEG (never as HTML), if the reader may see its story.

    The URL holds the photo's random key: never reused, and 410 once the photo is erased.
    """
    if size not in ("web", "thumb"):
        abort(404)
    item = services.get_photo_or_abort(key)
    if not services.can_read(current_user, item.story):
        abort(404)
    try:  # small files, read whole (no open handle if withdrawn meanwhile); from any store
        data = services.photo_bytes(item, size)
    except FileNotFoundError:
        abort(404)
    response = Response(data, mimetype=services.PHOTO_CONTENT_TYPE)
    public_photo = item.story.is_published and item.story.visibility == Visibility.OPENBAAR
    if public_photo:
        # A cache may keep it but must ask again every time (answered 304 while the story
        # is public), so a withdrawal or a narrowed visibility takes effect at once.
        response.headers["Cache-Control"] = "no-cache"
        response.set_etag(f"{item.file_key}-{size}")
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = 'inline; filename="foto.jpg"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- residents (public, no account) -----------------------------------------------------

def _fill_public_choices(form) -> None:
    form.wijk_id.choices = [(None, _("— kies een wijk —"))] + [
        (w.id, w.name) for w in services.wijk_choices()]
    form.buurt_id.choices = [(None, _("— weet ik niet —"))] + [
        (b.id, f"{b.name} ({b.wijk.name})") for b in services.buurt_choices()]
    # A seeded quality's name in the reader's language; a name the gemeente gave it, as it is.
    form.quality_ids.choices = [(q.id, translate_label(q.name)) for q in services.quality_choices()]


def _contribute_page(form, status: int):
    chosen = form.visibility.data if form.visibility.data in AUDIENCE_SHORT else None
    return render_template("narratives/contribute.html", form=form, slots=_photo_slots(),
                           audience=AUDIENCE_SHORT, chosen_audience=chosen), status


@bp.route("/vertel", methods=["GET", "POST"])
@public
@translated
def contribute():
    """Residents tell their own story; shown to nobody before a coordinator approves it."""
    form = PublicStoryForm()
    _fill_public_choices(form)
    if request.method == "GET":
        form.started.data = services.form_stamp()
        form.language.data = page_language().code
    if form.validate_on_submit():
        try:
            story, token = services.contribute_public(
                _story_data(form), _photo_inputs(form, _photo_slots()),
                address=request.remote_addr or "", honeypot=form.website.data or "",
                stamp=form.started.data or "", device_token=request.cookies.get(services.DEVICE_COOKIE),
                media_inputs=slot_inputs(form))
        except services.RateLimited as err:
            show_error(form, err)
            # Everything typed stays; the stamp was not spent, but a new one is harmless.
            form.started.data = services.renewed_stamp(form.started.data or "")
            return _contribute_page(form, 429)
        except DomainError as err:
            show_error(form, err)
        else:
            # Kept server-side: the signed (not encrypted) session cookie never holds the token.
            once.keep(RECEIPT_KEY, {"reference": story.reference, "token": token,
                                    "mailed": bool(story.resident_email),
                                    "visibility": story.consented_visibility.value})
            return redirect(url_for("narratives.received"))
    elif request.method == "POST":
        _photo_inputs(form, _photo_slots())
    if request.method == "POST":
        # A stamp is good for one submission: the form shown again gets a new one.
        form.started.data = services.renewed_stamp(form.started.data or "")
    return _contribute_page(form, form_status())


@bp.route("/vertel/ontvangen")
@public
@translated
def received():
    """Show the reference code and the private withdrawal link, once."""
    receipt = once.take(RECEIPT_KEY)
    if not receipt:
        return redirect(url_for("narratives.contribute"))
    link = url_for("narratives.mine", token=receipt["token"], _external=True)
    return render_template("narratives/received.html", reference=receipt["reference"], link=link,
                           mailed=receipt.get("mailed", False),
                           audience=AUDIENCE_SHORT.get(receipt.get("visibility") or ""))


@bp.route("/mijn/<string:token>", methods=["GET", "POST"])
@public
@translated
def mine(token: str):
    """The resident's private page: status, remarks, revise when returned, withdraw."""
    item = services.story_for_token(token)
    if item is None:
        abort(404)
    form = ResidentReviseForm(obj=item)
    status = 200
    if request.method == "POST":
        status = 400
        if item.status != StoryStatus.TERUGGESTUURD:
            flash(_("Dit verhaal kan nu niet worden aangepast."), "error")
        elif form.validate_on_submit():
            try:
                services.resident_revise(item, title=form.title.data, summary=form.summary.data,
                                         body=form.body.data)
            except DomainError as err:
                show_error(form, err)
            else:
                flash(_("Dank u wel. Uw aangepaste verhaal is opnieuw ingestuurd."), "ok")
                return redirect(url_for("narratives.mine", token=token))
    from .teller_views import teller_page

    return teller_page(item, token, form), status


@bp.route("/mijn/<string:token>/intrekken", methods=["POST"])
@public
@translated
def withdraw_own(token: str):
    """The resident withdraws the story: gone from pages, search and disk at once."""
    item = services.story_for_token(token)
    if item is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.withdraw(item, via_token=True)
    except DomainError as err:
        flash(_(err.message), "error")
    else:
        flash(_("Uw verhaal is ingetrokken. Het is van alle pagina's en uit de zoekfunctie "
                "verwijderd, en de foto's zijn gewist."), "ok")
    return redirect(url_for("narratives.mine", token=token))


# --- writing (social workers, coordinators) ---------------------------------------------

@bp.route("/mijn-verhalen")
@requires("narratives.write")
def my_stories():
    """Stories I wrote, with their status."""
    return render_template("narratives/my_stories.html", stories=services.own_stories(current_user))


@bp.route("/nieuw", methods=["GET", "POST"])
@requires("narratives.write")
def new():
    """Write down a story (saved as concept)."""
    form = StaffNewForm()
    _fill_choices(form)
    if form.validate_on_submit():
        token = services.new_teller_token()
        try:
            item = services.create_story(current_user, _story_data(form),
                                         _photo_inputs(form, _photo_slots()), teller_token=token,
                                         media_inputs=slot_inputs(form))
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Verhaal {item.reference} opgeslagen als concept. Geef de verteller dit strookje.", "ok")
            once.keep(SLIP_KEY, {"story_id": item.id, "token": token})
            return redirect(url_for("narratives.slip", story_id=item.id))
    return render_template("narratives/story_form.html", form=form, story=None,
                           slots=_photo_slots()), form_status()


@bp.route("/verhaal/<int:story_id>/bewerken", methods=["GET", "POST"])
@requires("narratives.edit")
def edit(story_id: int):
    """Edit a story's text, places, qualities and consent."""
    item = services.get_story_or_404(story_id)
    require_object("narratives.edit", item)
    form = StaffStoryForm(obj=item)
    _fill_choices(form)
    form.quality_ids.choices += [(q.id, f"{q.name} (gedeactiveerd)") for q in item.qualities
                                 if not q.active]
    if request.method == "GET":
        form.quality_ids.data = [q.id for q in item.qualities]
        form.form.data = item.form.value
        form.teller.data = item.teller.value
        form.consent_method.data = item.consent_method.value
    if form.validate_on_submit():
        try:
            services.update_story(item, _story_data(form), current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Verhaal opgeslagen.", "ok")
            return redirect(url_for("narratives.edit", story_id=item.id))
    return render_template("narratives/story_form.html", form=form, story=item,
                           photo_form=AddPhotoForm(prefix="nieuw"), confirm=ConfirmForm(),
                           slots=[], undo_until=services.undo_until), form_status()


@bp.route("/verhaal/<int:story_id>/fotos", methods=["POST"])
@requires("narratives.edit")
def photo_add(story_id: int):
    """Add a photo to a story."""
    item = services.get_story_or_404(story_id)
    require_object("narratives.edit", item)
    form = AddPhotoForm(prefix="nieuw")
    if form.validate_on_submit():
        inputs = _photo_inputs(form, ["photo"])
        if not inputs:
            flash("Kies een foto om toe te voegen.", "error")
        else:
            try:
                services.add_photos(item, inputs, current_user)
            except DomainError as err:
                flash(f"De foto is niet toegevoegd: {err.message}", "error")
            else:
                flash("Foto toegevoegd.", "ok")
    return redirect(url_for("narratives.edit", story_id=item.id))


@bp.route("/verhaal/<int:story_id>/indienen", methods=["POST"])
@requires("narratives.edit")
def submit(story_id: int):
    """Hand the story to the coordinators of the wijk."""
    item = services.get_story_or_404(story_id)
    require_object("narratives.edit", item)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.submit(item, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash("Verhaal ingediend voor moderatie.", "ok")
    return redirect(url_for("narratives.my_stories"))
