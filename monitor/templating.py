"""Template globals and Dutch formatting filters."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask, request
from flask_login import current_user

from . import i18n, installation, once, permissions
from .registry import registry
from .timeutil import format_date, format_wall_clock  # noqa: F401 (format_date: imported from here)


def format_number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """Dutch number format: ``1.234,5``; ``—`` for no data."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def format_percent(value: float | None, decimals: int = 0) -> str:
    """A share (0–1) as a Dutch percentage: ``45%``."""
    if value is None:
        return "—"
    return format_number(value * 100, decimals) + "%"


def field_kind(field) -> str:
    """How ``_forms.html`` renders a form field, by its class (subclasses included).

    ``radio`` and ``checkboxes`` are groups: a fieldset whose legend is the question.
    """
    from wtforms import fields

    from .forms import MultiCheckboxField

    if isinstance(field, fields.RadioField):
        return "radio"
    if isinstance(field, MultiCheckboxField):
        return "checkboxes"
    if isinstance(field, fields.BooleanField):
        return "checkbox"
    if isinstance(field, fields.HiddenField):  # the CSRF token field included
        return "hidden"
    if isinstance(field, fields.TextAreaField):
        return "textarea"
    if isinstance(field, fields.SelectFieldBase):
        return "select"
    return "text"


def _current_nav(nav) -> str | None:
    """The endpoint of the navigation item the current page belongs to."""
    endpoint = request.endpoint or ""
    if any(item.endpoint == endpoint for item in nav):
        return endpoint
    blueprint = endpoint.partition(".")[0]
    return next((item.endpoint for item in nav if item.endpoint.partition(".")[0] == blueprint), None)


def register_template_helpers(app: Flask) -> None:
    """Expose ``can``, the navigation and the filters to every template."""
    app.jinja_env.filters["datum"] = i18n.shown_date  # Dutch, or the translated page's language
    app.jinja_env.filters["datumtijd"] = i18n.shown_datetime
    app.jinja_env.filters["wandtijd"] = format_wall_clock
    app.jinja_env.filters["getal"] = format_number
    app.jinja_env.filters["procent"] = format_percent
    app.jinja_env.filters["field_kind"] = field_kind
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject() -> dict:
        def can(name: str, obj=None) -> bool:
            return permissions.can(current_user, name, obj)

        nav = [item for item in registry(app).nav if can(item.permission)]
        return {"can": can, "main_nav": nav, "current_nav": _current_nav(nav),
                "secret_flashes": once.secret_flashes,
                "installation": installation.current(),
                "municipality": installation.current().name}
