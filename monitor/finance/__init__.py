"""Geld en effect: programmes such as Begeleiding in de Wijk, their wijken with start dates,
participating organisations, results, subsidies and expenditure, and the Sociaal Plein's
reviews — the figures the council letters report (sources 000 and 001)."""

from __future__ import annotations

from flask import Flask

from ..registry import add_demo_seeder, add_nav


def init_app(app: Flask) -> None:
    """Register the blueprint, the navigation link and the demo programme."""
    from . import models, permissions  # noqa: F401  (tables and policy known)
    from .seed import seed_demo_programme
    from .views import bp

    app.register_blueprint(bp)
    add_nav(app, "Programma's", "finance.index", "finance.view", 45)
    add_demo_seeder(app, 45, "programma Begeleiding in de Wijk (raadsbrief)", seed_demo_programme)
