"""The one form base and the shared fields of every module.

:class:`BaseForm` is Flask-WTF's ``FlaskForm`` made safe for hostile input and Dutch:

- a JSON body only fills a form when it is an object, and only with its scalar values
  (or lists of them): ``false``, ``[1, 2]`` or nested objects cannot break a form;
- WTForms' own messages ("Not a valid choice") are Dutch;
- an integer of more than 15 digits is refused before ``NumberRange`` turns it into a
  float that overflows.

Every module's forms derive from :class:`BaseForm`; nothing is patched process-wide.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from wtforms import DateField, IntegerField, RadioField, SelectField, SelectMultipleField, i18n
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

_DUTCH = i18n.get_translations(["nl"])
INVALID_CHOICE = "Kies een van de mogelijkheden."
MAX_INTEGER_DIGITS = 15


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


class BaseForm(FlaskForm):
    """The base of every form of the application (see the module docstring)."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
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

        def get_translations(self, form):
            """WTForms' built-in messages in Dutch ("Ongeldige keuze.")."""
            return _DUTCH


def optional_int(value: Any) -> int | None:
    """``coerce`` for an optional id: empty means ``None``; anything that is no whole
    number becomes ``-1``, which is never a choice, so the field shows its Dutch
    "not a valid choice" error instead of silently counting as empty."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice rendered as labelled checkboxes (keyboard-friendly)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NlSelectField(SelectField):
    """A select whose invalid-choice message is Dutch; an optional one may stay empty."""

    def pre_validate(self, form) -> None:
        if self.data is None and not self.flags.required:
            return
        if not any(self.data == value for value, *_ in self.iter_choices()):
            raise ValidationError(INVALID_CHOICE)


class NlRadioField(RadioField):
    """Radio buttons whose invalid-choice message is Dutch."""

    def pre_validate(self, form) -> None:
        if not any(self.data == value for value, *_ in self.iter_choices()):
            raise ValidationError(INVALID_CHOICE)


class NlDateField(DateField):
    """A date field accepting dd-mm-jjjj or the browser's jjjj-mm-dd, with a Dutch error."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d-%m-%Y"], **kwargs)

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Vul een geldige datum in (dd-mm-jjjj).") from None


class NlIntegerField(IntegerField):
    """A whole number with a Dutch message; more than 15 digits is refused outright."""

    def process_formdata(self, valuelist) -> None:
        if valuelist and len(str(valuelist[0]).strip().lstrip("+-")) > MAX_INTEGER_DIGITS:
            self.data = None
            raise ValueError("Vul een getal in.")
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Vul een getal in.") from None
