"""Choosing a password through a link from an e-mail, and asking for one ("Wachtwoord vergeten?")."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..errors import DomainError
from ..permissions import public
from . import recovery
from .forms import ForgotPasswordForm, SetPasswordForm
from .views import bp

SENT = ("Als er een actief account bij dit e-mailadres hoort, ontvangt u binnen enkele minuten een "
        "e-mail met een link om een nieuw wachtwoord te kiezen. De link werkt één keer en is "
        "{minutes} minuten geldig. Kijk ook bij ongewenste e-mail.")


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
def forgot_password():
    """Ask for a reset link; the same answer whether the address has an account or not."""
    from flask import current_app

    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if not recovery.request_reset(form.email.data, request.remote_addr or "onbekend"):
            return render_template("auth/forgot_password.html", form=form, limited=True), 429
        flash(SENT.format(minutes=current_app.config["PASSWORD_RESET_MINUTES"]), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form, limited=False), (
        400 if request.method == "POST" else 200)


@bp.route("/wachtwoord-instellen/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """Choose the password with the single-use link of an invitation or a reset."""
    row = recovery.find_token(token)
    if row is None:
        return render_template("auth/set_password.html", form=None, invitation=False), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = recovery.use_token(token, form.new_password.data)
        except DomainError as err:
            (getattr(form, err.field) if err.field else form.new_password).errors.append(err.message)
        else:
            flash(f"Uw wachtwoord is ingesteld. Log in met {user.email} en uw nieuwe wachtwoord.", "ok")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, invitation=row.purpose == recovery.INVITATION), (
        400 if request.method == "POST" else 200)
