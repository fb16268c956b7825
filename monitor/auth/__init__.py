"""Sign-in, sign-out and the own password."""

from flask import Flask, redirect, request, url_for
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User
from .views import bp


def init_app(app: Flask) -> None:
    """Register the auth blueprint, the user loader and the forced password change."""
    app.register_blueprint(bp)
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

    @app.before_request
    def force_password_change():
        allowed = {"auth.change_password", "auth.logout", "static"}
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in allowed
        ):
            return redirect(url_for("auth.change_password"))
        return None
