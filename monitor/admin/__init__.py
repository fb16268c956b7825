"""Administration: users, organisations, wijken, buurten, periods, the quality catalogue
and the audit log."""

from flask import Flask

from ..registry import add_nav, add_setup_check
from . import catalogue_views, installation_views, places_views  # noqa: F401  (routes on the admin blueprint)
from .setup import setup_checks
from .views import bp


def init_app(app: Flask) -> None:
    """Register the admin blueprint, its navigation entry and the foundation's set-up checks."""
    app.register_blueprint(bp)
    add_nav(app, "Beheer", "admin.index", "admin.manage", 90)
    add_setup_check(app, 10, "Basis", setup_checks)
