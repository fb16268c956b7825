"""Operations: back-up and restore, start-up tasks, rate limiting, proxy set-up, form hardening."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ..registry import add_startup_task


def init_app(app: Flask) -> None:
    """Register the operations commands, the built-in start-up task and the proxy fix."""
    from .. import ratelimit
    from .cli import backup_command, maintenance_command, restore_command
    from .hardening import register as register_hardening
    from .readiness import register as register_readiness

    register_hardening(app)
    register_readiness(app)

    for command in (backup_command, restore_command, maintenance_command):
        app.cli.add_command(command)
    add_startup_task(app, "rate-limits opruimen",
                     lambda: f"{ratelimit.prune()} verlopen teller(s) verwijderd", order=10)
    configure_proxy(app)


def configure_proxy(app: Flask) -> None:
    """Trust ``X-Forwarded-For``/``-Proto`` from ``MONITOR_TRUSTED_PROXIES`` proxies.

    Behind nginx every request comes from 127.0.0.1; without this the sign-in lockout
    per (account, address) and the per-address throttle would treat all users as one
    address, so one guesser could lock everybody out. Set it to the number of proxies
    in front of gunicorn (usually 1), never higher: the client could then forge it.
    """
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=0, x_port=0, x_prefix=0)
