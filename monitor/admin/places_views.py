"""Beheer → Wijken en buurten → importeren: CBS wijken and buurten from a CSV, checked first."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..permissions import requires
from . import places_import
from .forms import PlacesImportForm
from .views import bp


def _text(form: PlacesImportForm) -> tuple[str, str | None]:
    """The CSV text (an uploaded file wins over pasted text), or a Dutch problem."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(places_import.MAX_BYTES + 1)
        if len(data) > places_import.MAX_BYTES:
            return "", "Het bestand is groter dan 2 MB."
        return places_import.decode(data), None
    return form.text.data or "", None


@bp.route("/wijken/importeren", methods=["GET", "POST"])
@requires("admin.manage")
def places_import_page():
    """Check a CSV of wijken and buurten (dry run), then import it."""
    form = PlacesImportForm()
    result, problem = None, None
    if form.validate_on_submit():
        text, problem = _text(form)
        if problem is None and not text.strip():
            problem = "Kies een bestand of plak de regels."
        if problem is None:
            result = places_import.plan(text)
            form.text.data = text  # the checked lines stay in the form for the import
            if request.form.get("actie") == "importeren" and not result.errors:
                wijken, buurten = places_import.apply(result, actor=current_user._get_current_object())
                flash(f"Geïmporteerd: {wijken} wijk(en) en {buurten} buurt(en) nieuw of gewijzigd.", "ok")
                return redirect(url_for("admin.wijken"))
    status = 400 if request.method == "POST" and (problem or (result and result.errors)
                                                  or form.errors) else 200
    return render_template("admin/places_import.html", form=form, result=result,
                           problem=problem), status
