"""Vertellen: the story archive — contributed, consented, moderated, searchable."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, navigation, home tasks, demo data and CLI of the archive."""
    from ..registry import add_demo_seeder, add_home_section, add_nav
    from . import models, permissions  # noqa: F401  (tables and policy known)
    from .cli import search_cli
    from .home import moderation_section, returned_section
    from .seed import seed_demo_stories
    from .services import register_index_hooks
    from .views import bp

    app.register_blueprint(bp)
    add_nav(app, "Verhalen", "narratives.archive", "public", 30)
    add_home_section(app, moderation_section)
    add_home_section(app, returned_section)
    add_demo_seeder(app, 60, "verhalen", seed_demo_stories)
    app.cli.add_command(search_cli)
    register_index_hooks(app)
    register_operations(app)


def register_operations(app: Flask) -> None:
    """Hooks for operations: index rebuild after a restore, reconciliation at start-up."""
    from ..ops.startup import add_startup_task
    from .indexing import reconcile, reindex_all

    app.extensions["monitor_reindex"] = lambda: f"{reindex_all()} gepubliceerde verhalen"
    add_startup_task(app, "zoekindex verhalen", reconcile, order=50)
