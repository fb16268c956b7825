"""Sign-in, sign-out and password views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..errors import DomainError
from ..permissions import public, requires
from . import services
from .forms import ChangePasswordForm, LoginForm

bp = Blueprint("auth", __name__, url_prefix="/account")


def _safe_next(target: str | None) -> str | None:
    """Only follow ``next`` to a path on this site (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _remember_device(response, user) -> None:
    """Mark this browser as one where ``user`` signed in (see ``services.is_known_device``)."""
    response.set_cookie(
        services.DEVICE_COOKIE, services.device_token(user), max_age=services.device_max_age(),
        path=url_for("auth.login").rsplit("/", 1)[0] + "/", httponly=True, samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", True),
    )


@bp.route("/inloggen", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, request.remote_addr or "onbekend",
                device=request.cookies.get(services.DEVICE_COOKIE),
            )
        except services.LoginRefused as refused:
            form.password.errors.append(refused.message)
            status = refused.status
        else:
            login_user(user)
            flash(f"Welkom, {user.name}.", "ok")
            response = redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
            _remember_device(response, user)
            return response
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/uitloggen", methods=["POST"])
@requires("home.view")
def logout():
    """Sign out (POST only, with CSRF token)."""
    services.log_out(current_user)
    logout_user()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/wachtwoord", methods=["GET", "POST"])
@requires("account.manage_own")
def change_password():
    """Let the signed-in user change their password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except DomainError as err:
            getattr(form, err.field or "new_password").errors.append(err.message)
        else:
            login_user(current_user._get_current_object())  # new session version: keep this one
            flash("Uw wachtwoord is gewijzigd. Andere sessies zijn afgemeld.", "ok")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form), (
        400 if form.errors else 200
    )
