"""Beheer → Installatie: the gemeente's name, short name, theme and logo."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import installation
from ..errors import DomainError
from ..formerrors import show_error
from ..http import form_status
from ..permissions import public, requires
from . import installation as services
from .forms import InstallationForm
from .views import bp


@bp.route("/installatie", methods=["GET", "POST"])
@requires("admin.manage")
def installation_settings():
    """The installation's own settings (empty fields: the environment's defaults)."""
    row = installation.stored()
    form = InstallationForm(obj=row)
    form.theme.choices = [("", "Standaard van de installatie")] + list(installation.themes().items())
    if form.validate_on_submit():
        upload = form.logo.data
        data = upload.read(services.LOGO_MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else None
        try:
            services.update_settings(
                actor=current_user._get_current_object(),
                municipality_name=form.municipality_name.data or "",
                short_name=form.short_name.data or "", theme=form.theme.data or "",
                municipality_code=form.municipality_code.data or "",
                logo=data, remove_logo=bool(form.remove_logo.data))
        except DomainError as err:
            show_error(form, err)
        else:
            flash("De instellingen van de installatie zijn opgeslagen.", "ok")
            return redirect(url_for("admin.installation_settings"))
    return render_template("admin/installation.html", form=form,
                           branding=installation.current()), form_status()


@bp.route("/installatie/logo/<name>")
@public
def installation_logo(name: str):
    """The current logo (public: it is on every page, the sign-in page included)."""
    data = services.logo_bytes(name)
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/png")
    # The name changes with every new logo, so the file itself never changes.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
