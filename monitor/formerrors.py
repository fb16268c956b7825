"""Putting a service's :class:`~monitor.errors.DomainError` beside the field it concerns."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext

from .errors import DomainError
from .forms import BaseForm


def show_error(form: BaseForm, err: DomainError) -> None:
    """Add ``err.message`` to the field ``err.field`` names, or flash it when none matches.

    ``"photo_1-file"`` names a field of a sub-form (a ``FormField``); a sub-form named
    directly gets the message on its ``file`` field when it has one.
    """
    field, target = err.field, None
    # Marked messages (``monitor.i18n.N_``) are in the catalogues: on a translated page
    # the reader sees them in their language; elsewhere the Dutch text stays.
    message = gettext(err.message)
    if field and "-" in field and field not in form:
        top, sub = field.split("-", 1)
        if top in form and hasattr(form[top], "form") and sub in form[top].form:
            target = form[top].form[sub]
    elif field and field in form:
        target = form[field]
        sub_form = getattr(target, "form", None)
        if sub_form is not None and "file" in sub_form:
            target = sub_form["file"]
    if target is not None:
        target.errors = list(target.errors or []) + [message]
    else:
        flash(message, "error")
