"""Sign-in, sign-out and the own password."""

import click
from flask import Flask, redirect, request, url_for
from flask.cli import with_appcontext
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User
from . import mfa
from . import models as _models  # noqa: F401  (the recovery codes table)
from . import recovery_views as _recovery_views  # noqa: F401  (routes on the auth blueprint)
from .views import bp


def init_app(app: Flask) -> None:
    """Register the auth blueprint, the user loader, the forced password change and second factor."""
    from . import recovery

    app.register_blueprint(bp)
    app.cli.add_command(reset_mfa_command)
    recovery.register(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om deze pagina te bekijken."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        uid, _, version = user_id.partition(":")
        if not uid.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(uid))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    roles = app.config.get("MFA_REQUIRED_ROLES") or ()
    if isinstance(roles, str):
        roles = [r.strip() for r in roles.split(",") if r.strip()]
    app.config["MFA_REQUIRED_ROLES"] = mfa.check_required_roles(roles)

    @app.before_request
    def force_password_change():
        """First an own password, then (for roles that need one) a second factor."""
        if not current_user.is_authenticated:
            return None
        if current_user.must_change_password:
            if request.endpoint not in {"auth.change_password", "auth.logout", "static"}:
                return redirect(url_for("auth.change_password"))
        elif mfa.needs_enrolment(current_user):
            if request.endpoint not in {"auth.mfa_setup", "auth.logout", "static"}:
                return redirect(url_for("auth.mfa_setup"))
        return None


@click.command("reset-mfa")
@click.argument("email")
@with_appcontext
def reset_mfa_command(email: str) -> None:
    """Wipe the second factor of the account EMAIL (for example the only admin's lost phone)."""
    import sqlalchemy as sa

    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"Geen account met e-mailadres {email}.")
    mfa.reset_by_admin(user)
    click.echo(f"De tweede factor van {user.email} is gewist; bij het inloggen stelt de gebruiker een nieuwe in.")
