"""Hardening of Flask-WTF for every form of every module: hostile JSON, Dutch messages.

Flask-WTF feeds a JSON request body straight into ``ImmutableMultiDict``: a body that
is not an object (``false``, ``[1, 2, 3]``, ``"x"``) raises inside the form's
constructor (a 500), and nested values reach fields and services as dicts. And
without Flask-Babel, WTForms' own messages ("Not a valid choice.") stay English. And an
``IntegerField`` with ``NumberRange`` fails on a 400-digit number (float overflow).
:func:`harden_forms` fixes both for every ``FlaskForm``, once per process.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from wtforms import IntegerField, i18n

_DUTCH = i18n.get_translations(["nl"])


def _json_formdata(payload: Any) -> ImmutableMultiDict | None:
    """Only a JSON object becomes form data; only scalar values (or lists of them) count."""
    if not isinstance(payload, dict):
        return None
    items = []
    for key, value in payload.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                items.append((key, "true" if item else "false"))
            elif isinstance(item, int | float | str):
                items.append((key, str(item)))
            # null and nested objects are left out: the field counts as missing.
    return ImmutableMultiDict(items)


def wrap_formdata(self, form, formdata):  # noqa: ARG001 - Flask-WTF's Meta signature
    """Flask-WTF's ``wrap_formdata``, but a hostile JSON body cannot break the form."""
    if formdata is not _Auto:
        return formdata
    if not _is_submitted():
        return None
    if request.files:
        return CombinedMultiDict((request.files, request.form))
    if request.form:
        return request.form
    if request.is_json:
        return _json_formdata(request.get_json(silent=True))
    return None


def get_translations(self, form):  # noqa: ARG001
    """WTForms' built-in messages in Dutch ("Ongeldige keuze.")."""
    return _DUTCH


MAX_INTEGER_DIGITS = 15
_original_integer_formdata = IntegerField.process_formdata


def _bounded_integer_formdata(self, valuelist) -> None:
    """An integer of more than 15 digits is no figure anyone types: refuse it before
    WTForms' ``NumberRange`` turns it into a float (which overflows: a 500)."""
    if valuelist and len(str(valuelist[0]).strip().lstrip("+-")) > MAX_INTEGER_DIGITS:
        self.data = None
        raise ValueError(self.gettext("Not a valid integer value."))
    _original_integer_formdata(self, valuelist)


def harden_forms() -> None:
    """Install the fixes on ``FlaskForm.Meta`` and ``IntegerField`` (inherited by every form)."""
    FlaskForm.Meta.wrap_formdata = wrap_formdata
    FlaskForm.Meta.get_translations = get_translations
    IntegerField.process_formdata = _bounded_integer_formdata
