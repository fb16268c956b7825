"""Sign-in, sign-out and password views."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..errors import DomainError
from ..formerrors import show_error
from ..permissions import public, requires
from . import mfa, services
from .forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmTotpForm,
    DisableMfaForm,
    LoginForm,
    PasswordConfirmForm,
)

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
        secure=current_app.config["SESSION_COOKIE_SECURE"],
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
            target = _safe_next(request.args.get("next"))
            if user.mfa_enabled:
                # Half-way: the session names nobody yet (current_user stays anonymous),
                # it only remembers whose code to ask for, briefly.
                session["mfa_pending"] = {"u": user.id, "v": user.session_version,
                                          "t": int(time.time()), "next": target}
                return redirect(url_for("auth.second_factor"))
            return _complete_sign_in(user, target)
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


def _complete_sign_in(user, target: str | None):
    from .recovery import notify_new_device

    session.pop("mfa_pending", None)
    if not services.is_known_device(request.cookies.get(services.DEVICE_COOKIE), user):
        notify_new_device(user, request.remote_addr or "onbekend", request.user_agent.string)
    login_user(user)
    flash(f"Welkom, {user.name}.", "ok")
    response = redirect(target or url_for("main.home"))
    _remember_device(response, user)
    return response


def _pending_user():
    """The user whose password was right and whose code is asked for, if still valid."""
    pending = session.get("mfa_pending")
    if not isinstance(pending, dict):
        return None, None
    started = pending.get("t")
    if not isinstance(started, int) or time.time() - started > current_app.config["MFA_PENDING_SECONDS"]:
        session.pop("mfa_pending", None)
        return None, None
    user = services.get_user(pending.get("u"))
    if user is None or not user.active or not user.mfa_enabled or user.session_version != pending.get("v"):
        session.pop("mfa_pending", None)
        return None, None
    return user, _safe_next(pending.get("next") if isinstance(pending.get("next"), str) else None)


@bp.route("/inloggen/code", methods=["GET", "POST"])
@public
def second_factor():
    """Second step of signing in: the code from the authenticator app or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user, target = _pending_user()
    if user is None:
        flash("Log opnieuw in: de tijd om de code in te vullen is voorbij.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            factor = mfa.verify(user, form.code.data)
        except mfa.TooManyCodes as err:
            session.pop("mfa_pending", None)
            flash(err.message, "error")
            return render_template("auth/second_factor.html", form=None), 429
        except DomainError as err:
            form.code.errors.append(err.message)
            status = 401
        else:
            services.record_sign_in(user, factor)
            if factor == "recovery":
                left = mfa.remaining_recovery_codes(user)
                flash(f"U logde in met een herstelcode; die werkt niet nog eens. U heeft er nog {left}. "
                      "Maak nieuwe herstelcodes via Mijn account.", "warning")
            return _complete_sign_in(user, target)
    elif request.method == "POST":
        status = 400
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/uitloggen", methods=["POST"])
@requires("home.view")
def logout():
    """Sign out (POST only, with CSRF token)."""
    services.log_out(current_user)
    logout_user()
    session.pop("mfa_pending", None)
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


# --- own account and the second factor ------------------------------------------------

@bp.route("/")
@requires("account.manage_own")
def account():
    """The own account: password and second factor."""
    user = current_user._get_current_object()
    return render_template("auth/account.html", required=mfa.is_required(user),
                           remaining=mfa.remaining_recovery_codes(user) if user.mfa_enabled else 0)


@bp.route("/tweede-factor", methods=["GET", "POST"])
@requires("account.manage_own")
def mfa_setup():
    """Set up the second factor: start, scan the QR code, confirm with a code."""
    user = current_user._get_current_object()
    if user.mfa_enabled:
        return redirect(url_for("auth.account"))
    form = ConfirmTotpForm()
    if request.method == "POST" and request.form.get("stap") == "begin":
        try:
            mfa.start_enrolment(user)
        except DomainError as err:
            flash(err.message, "error")
        return redirect(url_for("auth.mfa_setup"))
    secret = mfa.pending_secret(user)
    if secret is not None and form.validate_on_submit():
        try:
            codes = mfa.confirm_enrolment(user, form.code.data)
        except DomainError as err:
            form.code.errors.append(err.message)
        else:
            flash("De tweede factor is ingesteld. Voortaan vragen we bij het inloggen om een code.", "ok")
            return render_template("auth/recovery_codes.html", codes=codes)
    uri = qr = None
    if secret is not None:
        uri, qr = mfa.provisioning(user, secret)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/mfa_setup.html", form=form, secret=secret, uri=uri, qr=qr,
                           required=mfa.is_required(user)), status


@bp.route("/tweede-factor/herstelcodes", methods=["GET", "POST"])
@requires("account.manage_own")
def mfa_recovery_codes():
    """Make new recovery codes (the old ones stop working); asks for the password."""
    user = current_user._get_current_object()
    if not user.mfa_enabled:
        return redirect(url_for("auth.mfa_setup"))
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            codes = mfa.regenerate_recovery_codes(
                user, services.password_matches(user, form.password.data))
        except DomainError as err:
            show_error(form, err)
        else:
            return render_template("auth/recovery_codes.html", codes=codes)
    return render_template("auth/mfa_confirm.html", form=form, title="Nieuwe herstelcodes maken",
                           action="Herstelcodes maken"), 400 if request.method == "POST" else 200


@bp.route("/tweede-factor/uitzetten", methods=["GET", "POST"])
@requires("account.manage_own")
def mfa_disable():
    """Switch the own second factor off (not for roles that need one)."""
    user = current_user._get_current_object()
    if not user.mfa_enabled:
        return redirect(url_for("auth.account"))
    form = DisableMfaForm()
    if form.validate_on_submit():
        try:
            mfa.disable(user, password_ok=services.password_matches(user, form.password.data),
                        code=form.code.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("De tweede factor staat uit.", "ok")
            return redirect(url_for("auth.account"))
    return render_template("auth/mfa_confirm.html", form=form, title="Tweede factor uitzetten",
                           action="Uitzetten", danger=True), 400 if request.method == "POST" else 200
