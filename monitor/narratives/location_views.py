"""Trusted locations (a buurthuis's device), on the ``narratives`` blueprint.

``/verhalen/locaties``: a beheerder or buurtcoördinator registers a location, gets a
pairing link (shown once) and revokes it. ``/verhalen/vertel/koppel/<token>``: opened once
on the buurthuis's device, it stores the device token in a cookie; the public form then
counts that device's stories against the location's own limits
(:mod:`.services.locations`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import once
from ..errors import DomainError
from ..formerrors import show_error
from ..http import form_status, get_or_404
from ..permissions import public, require_object, requires, wijk_ids_in_scope
from . import services
from .blueprint import bp
from .forms import ConfirmForm, LocationForm
from .models import TrustedLocation

DEVICE_COOKIE = services.DEVICE_COOKIE
DEVICE_COOKIE_DAYS = 365
PAIRING_KEY = "narratives.location_pairing"


def _form() -> LocationForm:
    form = LocationForm()
    scope = wijk_ids_in_scope(current_user)
    wijken = [(w.id, w.name) for w in services.wijk_choices() if scope is None or w.id in scope]
    form.wijk_id.choices = wijken if scope is not None else [(None, "— geen (hele gemeente) —")] + wijken
    return form


def _page(form, status=200):
    pairing = once.take(PAIRING_KEY)
    link = None
    if pairing:
        link = {"name": pairing["name"],
                "url": url_for("narratives.pair_device", token=pairing["token"], _external=True)}
    return render_template("narratives/locations.html", form=form, link=link,
                           locations=services.locations_in_scope(current_user), confirm=ConfirmForm(),
                           caps=(services.MAX_PER_HOUR_CAP, services.MAX_PER_DAY_CAP)), status


@bp.route("/locaties", methods=["GET", "POST"])
@requires("narratives.locations")
def locations():
    """The trusted locations in the user's wijken; register a new one."""
    form = _form()
    if form.validate_on_submit():
        data = services.LocationData(name=form.name.data or "", wijk_id=form.wijk_id.data,
                                     max_per_hour=form.max_per_hour.data, max_per_day=form.max_per_day.data)
        try:
            location, token = services.register_location(data, current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            once.keep(PAIRING_KEY, {"name": location.name, "token": token})
            flash(f"{location.name} is geregistreerd. Open de koppellink op het apparaat van de locatie.", "ok")
            return redirect(url_for("narratives.locations"))
    return _page(form, form_status())


def _load(location_id: int) -> TrustedLocation:
    location = get_or_404(TrustedLocation, location_id)
    require_object("narratives.locations", location)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return location


@bp.route("/locaties/<int:location_id>/koppellink", methods=["POST"])
@requires("narratives.locations")
def location_link(location_id: int):
    """A new pairing link (for a new or replaced device)."""
    location = _load(location_id)
    try:
        token = services.new_pairing_link(location, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        once.keep(PAIRING_KEY, {"name": location.name, "token": token})
        flash("Er is een nieuwe koppellink. Het apparaat dat nu gekoppeld is, werkt tot de nieuwe link "
              "wordt gebruikt.", "ok")
    return redirect(url_for("narratives.locations"))


@bp.route("/locaties/<int:location_id>/intrekken", methods=["POST"])
@requires("narratives.locations")
def location_revoke(location_id: int):
    """Revoke the location: its device falls back to the per-address limit at once."""
    location = _load(location_id)
    try:
        services.revoke_location(location, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(f"{location.name} is ingetrokken. Het apparaat stuurt nu in zoals iedereen.", "ok")
    return redirect(url_for("narratives.locations"))


@bp.route("/vertel/koppel/<string:token>", methods=["GET", "POST"])
@public
def pair_device(token: str):
    """Opened on the buurthuis's device: a confirmation step (GET), then the pairing (POST)."""
    if request.method == "GET":
        return render_template("narratives/location_pair.html", token=token, confirm=ConfirmForm())
    if not ConfirmForm().validate_on_submit():
        abort(400)
    paired = services.pair_device(token)
    if paired is None:
        return render_template("narratives/location_pair.html", token=None, confirm=ConfirmForm()), 404
    location, device = paired
    flash(f"Dit apparaat is gekoppeld aan {location.name}. Via dit apparaat kunnen meer verhalen na elkaar "
          "worden verstuurd.", "ok")
    response = redirect(url_for("narratives.contribute"))
    response.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_DAYS * 24 * 3600, httponly=True,
                        secure=request.is_secure, samesite="Lax", path="/verhalen")
    return response
