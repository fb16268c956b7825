"""The confirmation step before a destructive action on a story (issue 19 §5).

Each danger button on the staff and teller pages is a link to one of these pages (GET);
the page says what will happen and whether it can be undone, and its form POSTs to the
action itself (the routes in :mod:`.views`). No JavaScript needed. Which actions can be
undone and why: ``docs/privacy.md`` ("Verwijderen, intrekken en ongedaan maken").
"""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _

from ..i18n import translated
from ..permissions import public, require_object, requires
from . import services
from .blueprint import bp
from .models import StoryStatus


def _story_for_moderation(story_id: int):
    item = services.get_story_or_404(story_id)
    require_object("narratives.moderate", item)
    if item.status == StoryStatus.INGETROKKEN:
        abort(404)
    return item


@bp.route("/verhaal/<int:story_id>/intrekken", methods=["GET"])
@requires("narratives.moderate")
def withdraw_confirm(story_id: int):
    item = _story_for_moderation(story_id)
    return render_template(
        "_confirm.html", title=f"Verhaal {item.reference} intrekken",
        question=f"Wilt u het verhaal '{item.title}' intrekken?",
        consequences=["Het verhaal verdwijnt meteen van de site, uit de zoekfunctie en uit de dossiers.",
                      "De tekst en de foto's worden meteen gewist; de referentiecode en wie wat deed blijven "
                      "in het logboek."],
        permanent=True, button="Ja, verhaal intrekken",
        action=url_for("narratives.withdraw", story_id=item.id),
        cancel=url_for("narratives.moderate", story_id=item.id))


@bp.route("/verhaal/<int:story_id>/verwijderen", methods=["GET"])
@requires("narratives.moderate")
def delete_confirm(story_id: int):
    item = _story_for_moderation(story_id)
    return render_template(
        "_confirm.html", title=f"Verhaal {item.reference} verwijderen",
        question=f"Wilt u het verhaal '{item.title}' voorgoed verwijderen?",
        consequences=["Het verhaal, de foto's, de terugkoppeling en de meldingen worden gewist.",
                      "Ook in vastgelegde dossiers blijft alleen staan dat er een verhaal was."],
        permanent=True, button="Ja, voorgoed verwijderen",
        action=url_for("narratives.delete", story_id=item.id),
        cancel=url_for("narratives.moderate", story_id=item.id))


@bp.route("/foto/<string:key>/verwijderen", methods=["GET"])
@requires("narratives.edit")
def photo_remove_confirm(key: str):
    photo = services.get_photo_or_abort(key)
    require_object("narratives.edit", photo.story)
    return render_template(
        "_confirm.html", title="Foto verwijderen",
        question=f"Wilt u de foto '{photo.alt_text}' van het verhaal '{photo.story.title}' verwijderen?",
        consequences=["De foto wordt gewist; de link naar de foto werkt daarna nooit meer."],
        permanent=True, button="Ja, foto verwijderen",
        action=url_for("narratives.photo_remove", key=photo.file_key),
        cancel=url_for("narratives.edit", story_id=photo.story_id))


@bp.route("/mijn/<string:token>/intrekken", methods=["GET"])
@public
@translated
def withdraw_own_confirm(token: str):
    item = services.story_for_token(token)
    if item is None or item.status == StoryStatus.INGETROKKEN:
        abort(404)
    return render_template(
        "_confirm.html", title=_("Uw verhaal intrekken"),
        question=_("Wilt u uw verhaal '%(title)s' intrekken?", title=item.title),
        consequences=[_("Uw verhaal en de foto's verdwijnen meteen van de site en uit de zoekfunctie."),
                      _("De tekst en de foto's worden meteen gewist."),
                      _("Wilt u later toch weer iets vertellen? Dat kan altijd, met een nieuw verhaal.")],
        permanent=True, button=_("Ja, mijn verhaal intrekken"),
        action=url_for("narratives.withdraw_own", token=token),
        cancel=url_for("narratives.mine", token=token))
