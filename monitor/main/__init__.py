"""The home page per role and the static information pages."""

from flask import Flask

from ..registry import add_home_section
from .home import period_section, setup_section
from .views import bp


def init_app(app: Flask) -> None:
    """Register the main blueprint and the foundation's home sections."""
    app.register_blueprint(bp)
    add_home_section(app, period_section)
    add_home_section(app, setup_section)
