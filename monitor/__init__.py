"""Tellen & Vertellen: monitoring of neighbourhood welfare work (app factory)."""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

from flask import Flask

from . import logs, storage
from .config import DEFAULTS, config_from_env, secret_key

# Feature packages, each with ``init_app(app)`` registering its blueprint, commands,
# home-page tasks and demo data. Order is the order of the navigation; "monitor.meetings"
# stays last: it assembles sections from the modules registered before it.
FEATURES = (
    "monitor.auth",
    "monitor.main",
    "monitor.admin",
    "monitor.notifications",
    "monitor.jobs",
    "monitor.qim",
    "monitor.counts",
    "monitor.outcomes",
    "monitor.finance",
    "monitor.narratives",
    "monitor.ops",
    "monitor.meetings",
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the Flask application.

    :param config: overrides applied last (tests pass their database and paths here).
    """
    instance_path = os.environ.get("MONITOR_INSTANCE_PATH") or None
    if config and config.get("INSTANCE_PATH"):
        instance_path = config["INSTANCE_PATH"]
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(DEFAULTS)
    app.config.update(config_from_env(app.instance_path))
    if config:
        app.config.update(config)
    app.config["SECRET_KEY"] = secret_key(app)
    for key in ("UPLOAD_FOLDER", "SEARCH_INDEX_DIR"):
        os.makedirs(app.config[key], exist_ok=True)

    configure_logging(app)
    logs.init_app(app)  # before the policy: a refused or redirected request has its id too
    register_extensions(app)
    storage.init_app(app)
    register_core(app)
    for name in FEATURES:
        importlib.import_module(name).init_app(app)
    return app


def configure_logging(app: Flask) -> None:
    """Log to stderr at INFO, as JSON lines or text (``MONITOR_LOG_FORMAT``, :mod:`monitor.logs`).

    Gunicorn, the CLI and the job worker pick this up. Tests keep pytest's own capture.
    """
    app.config["LOG_FORMAT"] = logs.log_format(app.config["MONITOR_ENV"] == "development")
    if not app.debug and not app.testing:
        logs.configure(app.config["LOG_FORMAT"], os.environ.get("MONITOR_PROCESS_TYPE", "app"))
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    """Bind the extensions of :mod:`monitor.extensions` to this app."""
    from . import installation, models, once  # noqa: F401  (models must be known before Migrate)
    from .extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"),
        render_as_batch=True, compare_type=True,
    )
    csrf.init_app(app)
    login_manager.init_app(app)


def register_core(app: Flask) -> None:
    """Policy enforcement, error pages, security headers, template helpers, CLI."""
    from . import cli, errors, i18n, security, templating
    from .converters import BoundedIntConverter
    from .permissions import enforce, register_refusal_logging

    # Before any blueprint adds a rule: ``<int:...>`` must fit an id column (issue 9).
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(enforce)
    errors.register_error_handlers(app)
    register_refusal_logging(app)
    security.register_security_headers(app)
    templating.register_template_helpers(app)
    i18n.init_app(app)
    cli.register_commands(app)
