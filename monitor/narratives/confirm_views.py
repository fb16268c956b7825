"""The confirmation step before a destructive action on a story (issue 19 §5).

Each danger button on the staff and teller pages is a link to one of these pages (GET);
the page says what will happen and whether it can be undone, and its form POSTs to the
action itself (the routes in :mod:`.views`). No JavaScript needed. Which actions can be
undone and why: ``docs/privacy.md`` ("Verwijderen, intrekken en ongedaan maken").
"""

from __future__ import annotations

from flask import abort, current_app, render_template, url_for
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


def _removal_page(kind: str, name: str, story, action: str):
    """The confirmation step of removing a photo or recording: removal with undo (the
    default) or, the second choice, erased at once."""
    days = current_app.config["NARRATIVES_UNDO_DAYS"]
    return render_template(
        "_confirm.html", title=f"{kind} verwijderen",
        question=f"Wilt u de {kind.lower()} '{name}' van het verhaal '{story.title}' verwijderen?",
        consequences=[f"De {kind.lower()} verdwijnt meteen van de site, uit de zoekfunctie en uit de "
                      "dossiers; de link ernaar werkt niet meer.",
                      f"Daarna wordt hij nog {days} dagen bewaard; in die tijd kunt u (of een andere "
                      "redacteur van het verhaal) hem terugzetten. Daarna wordt hij voorgoed gewist."],
        permanent=False, undo=f"Dit kunt u {days} dagen ongedaan maken, onder 'Recent verwijderd' "
                              "bij het verhaal.",
        button=f"Ja, {kind.lower()} verwijderen", action=action,
        cancel=url_for("narratives.edit", story_id=story.id),
        alternative={"title": "Meteen voorgoed wissen",
                     "text": f"Mag de {kind.lower()} nergens meer bewaard blijven, bijvoorbeeld omdat "
                             "iemand herkenbaar is die geen toestemming gaf (portretrecht)? Dan wordt hij "
                             "nu gewist, met alle bestanden; de link werkt nooit meer.",
                     "button": f"{kind} meteen voorgoed wissen", "fields": {"wissen": "meteen"},
                     "action": action})


@bp.route("/foto/<string:key>/verwijderen", methods=["GET"])
@requires("narratives.edit")
def photo_remove_confirm(key: str):
    photo = services.get_photo_or_abort(key)
    require_object("narratives.edit", photo.story)
    return _removal_page("Foto", photo.alt_text, photo.story,
                         url_for("narratives.photo_remove", key=photo.file_key))


@bp.route("/opname/<string:key>/verwijderen", methods=["GET"])
@requires("narratives.edit")
def media_remove_confirm(key: str):
    record = services.get_media_or_abort(key)
    require_object("narratives.edit", record.story)
    return _removal_page("Opname", record.title, record.story,
                         url_for("narratives.media_remove", key=record.file_key))


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
