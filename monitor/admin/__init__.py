"""Administration: users, organisations, wijken, buurten, periods and the audit log."""

from flask import Flask

from ..registry import add_nav
from .views import bp


def init_app(app: Flask) -> None:
    """Register the admin blueprint and its navigation entry."""
    app.register_blueprint(bp)
    add_nav(app, "Beheer", "admin.index", "admin.manage", 90)
