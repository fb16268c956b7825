"""Forms for recordings (sound, film): shape only; the services check files and captions."""

from __future__ import annotations

from flask import request
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, Form, FormField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..errors import DomainError
from ..forms import BaseForm
from .services.media_files import MediaInput

MEDIA_SLOT = "media_1"
MAX_CAPTION_FILE = 200_000


class _MediaText:
    """The fields that describe a recording (upload and later edits share them)."""

    title = StringField("Waar gaat de opname over? (korte beschrijving)",
                        validators=[Optional(), Length(max=300, message="Maximaal 300 tekens.")],
                        description="Verplicht bij een opname: voor wie hem niet kan afspelen.")
    has_speech = BooleanField("Er wordt gesproken in deze film",
                              description="Dan zijn ondertitels nodig voordat het verhaal "
                                          "gepubliceerd kan worden. Bij geluid is altijd een "
                                          "transcript nodig.")
    transcript = TextAreaField(
        "Transcript: wat er gezegd wordt, uitgeschreven",
        validators=[Optional(), Length(max=50000, message="Maximaal 50.000 tekens.")],
        description="Nodig voor geluid, voordat het verhaal gepubliceerd wordt. Mag later.")
    captions_file = FileField("Ondertitels als bestand (WebVTT, .vtt)")
    captions = TextAreaField(
        "Of plak de ondertitels hier (WebVTT)",
        validators=[Optional(), Length(max=200000, message="Maximaal 200.000 tekens.")],
        description="Begint met de regel WEBVTT, dan per stukje een tijd als "
                    "'00:01.000 --> 00:04.000' en de tekst.")


class MediaSubForm(Form, _MediaText):
    """One recording slot: the file, what it is about, transcript, captions and consent."""

    file = FileField("Geluid of film (niet verplicht)",
                     description="Geluid: MP3, M4A, Ogg/Opus of WAV. Film: MP4, WebM of MOV. "
                                 "Locatie- en apparaatgegevens worden verwijderd.")
    recognisable_people = BooleanField("Er zijn herkenbare stemmen of gezichten in deze opname")
    people_consent = BooleanField("Iedereen die herkenbaar is, geeft toestemming om de opname te publiceren")


class AddMediaForm(BaseForm):
    """Add one recording to an existing story."""

    media = FormField(MediaSubForm, label="Opname toevoegen")


class MediaTextForm(BaseForm, _MediaText):
    """Change a recording's description, transcript and captions."""


def attach_media_slot(*form_classes) -> None:
    """Give the story forms (staff and public) their recording slot."""
    for cls in form_classes:
        setattr(cls, MEDIA_SLOT, FormField(MediaSubForm, label="Geluid of film"))


def captions_text(form, field_prefix: str = "") -> str | None:
    """The captions typed or uploaded (an uploaded .vtt wins); ``None`` when unreadable."""
    upload = form.captions_file.data
    if isinstance(upload, FileStorage) and upload.filename:
        data = upload.stream.read(MAX_CAPTION_FILE + 1)
        if len(data) > MAX_CAPTION_FILE:
            form.captions_file.errors = list(form.captions_file.errors or []) + [
                "Het ondertitelbestand is te groot (maximaal 200 kB)."]
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.captions_file.errors = list(form.captions_file.errors or []) + [
                "Het ondertitelbestand is geen WebVTT-tekst (UTF-8)."]
            return None
    return form.captions.data or ""


def slot_inputs(form) -> list[MediaInput]:
    """The recording of a story form's slot. :raise DomainError: the slot shows an error."""
    inputs = media_inputs(form, [MEDIA_SLOT])
    if inputs is None:
        raise DomainError("Bij de opname staat wat er nog mis is.")
    return inputs


def media_inputs(form, names: list[str]) -> list[MediaInput] | None:
    """The recordings chosen in ``form``'s slots; ``None`` when a slot has an error already."""
    inputs, ok = [], True
    for name in names:
        if name not in form:
            continue
        sub = form[name].form
        upload = sub.file.data
        captions = captions_text(sub)
        if captions is None:
            ok = False
            continue
        if isinstance(upload, FileStorage) and upload.filename:
            inputs.append(MediaInput(
                stream=upload.stream, title=sub.title.data or "", has_speech=bool(sub.has_speech.data),
                transcript=sub.transcript.data or "", captions=captions,
                recognisable_people=bool(sub.recognisable_people.data),
                people_consent=bool(sub.people_consent.data), field=f"{name}-file"))
        elif ((sub.title.data or "").strip() or (sub.transcript.data or "").strip()) \
                and request.method == "POST":
            sub.file.errors = list(sub.file.errors or []) + [
                "U beschreef een opname, maar koos geen bestand."]
            ok = False
    return inputs if ok else None
