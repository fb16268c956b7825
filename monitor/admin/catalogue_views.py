"""The beheerder's pages for the quality catalogue and the maatschappelijke doelen."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..catalogues import Quality, SocietalGoal, city_goals, city_qualities
from ..errors import DomainError
from ..formerrors import show_error
from ..http import form_status, get_or_404
from ..permissions import requires
from . import catalogue as services
from .forms import GoalForm, QualityForm
from .views import bp


def _city_quality_or_404(quality_id: int) -> Quality:
    quality = get_or_404(Quality, quality_id)
    if quality.buurt_id is not None:  # a buurt's own quality belongs to its QIM plan
        abort(404)
    return quality


@bp.route("/kwaliteiten")
@requires("admin.manage")
def qualities():
    """The city-wide qualities and the doelen, with their order and status."""
    qualities = city_qualities(active_only=False)
    goals = city_goals()
    return render_template(
        "admin/qualities.html", qualities=qualities, goals=goals,
        quality_used={q.id: services.quality_in_use(q) for q in qualities},
        goal_used={g.id: services.goal_in_use(g) for g in goals})


@bp.route("/kwaliteiten/nieuw", methods=["GET", "POST"], defaults={"quality_id": None})
@bp.route("/kwaliteiten/<int:quality_id>", methods=["GET", "POST"])
@requires("admin.manage")
def quality_edit(quality_id: int | None):
    """Create or edit a quality and the doelen it serves."""
    quality = _city_quality_or_404(quality_id) if quality_id else None
    form = QualityForm(obj=quality)
    form.goal_ids.choices = [(g.id, f"{g.code} {g.name}" + ("" if g.active else " (gedeactiveerd)"))
                             for g in city_goals()
                             if g.active or (quality and g in quality.goals)]
    if quality is not None and request.method == "GET":
        form.goal_ids.data = [g.id for g in quality.goals]
    if form.validate_on_submit():
        try:
            services.save_quality(quality, code=form.code.data, name=form.name.data,
                                  description=form.description.data or "", goal_ids=form.goal_ids.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Kwaliteit {form.name.data.strip()} opgeslagen.", "ok")
            return redirect(url_for("admin.qualities"))
    return render_template("admin/simple_form.html", form=form, obj=quality, title="Kwaliteit",
                           back=url_for("admin.qualities")), form_status()


@bp.route("/doelen/nieuw", methods=["GET", "POST"], defaults={"goal_id": None})
@bp.route("/doelen/<int:goal_id>", methods=["GET", "POST"])
@requires("admin.manage")
def goal_edit(goal_id: int | None):
    """Create or edit a maatschappelijk doel."""
    goal = get_or_404(SocietalGoal, goal_id) if goal_id else None
    form = GoalForm(obj=goal)
    if form.validate_on_submit():
        try:
            services.save_goal(goal, code=form.code.data, name=form.name.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Doel {form.name.data.strip()} opgeslagen.", "ok")
            return redirect(url_for("admin.qualities") + "#doelen")
    return render_template("admin/simple_form.html", form=form, obj=goal, title="Maatschappelijk doel",
                           back=url_for("admin.qualities")), form_status()


def _load(kind: str, entry_id: int):
    return _city_quality_or_404(entry_id) if kind == "kwaliteit" else get_or_404(SocietalGoal, entry_id)


@bp.route("/<any(kwaliteit, doel):kind>/<int:entry_id>/status", methods=["POST"])
@requires("admin.manage")
def catalogue_toggle(kind: str, entry_id: int):
    """Deactivate or reactivate a quality or doel (it stays with what used it)."""
    entry = _load(kind, entry_id)
    services.set_active(entry, not entry.active)
    flash(f"{entry.name} is {'weer actief' if entry.active else 'gedeactiveerd en wordt niet meer aangeboden'}.",
          "ok")
    return redirect(url_for("admin.qualities"))


@bp.route("/<any(kwaliteit, doel):kind>/<int:entry_id>/<any(omhoog, omlaag):direction>", methods=["POST"])
@requires("admin.manage")
def catalogue_move(kind: str, entry_id: int, direction: str):
    """Move a quality or doel one place up or down."""
    entry = _load(kind, entry_id)
    services.move(entry, -1 if direction == "omhoog" else 1)
    return redirect(url_for("admin.qualities") + ("#doelen" if kind == "doel" else ""))


@bp.route("/<any(kwaliteit, doel):kind>/<int:entry_id>/verwijderen", methods=["POST"])
@requires("admin.manage")
def catalogue_delete(kind: str, entry_id: int):
    """Delete a quality or doel that nothing uses yet."""
    entry = _load(kind, entry_id)
    try:
        name = services.delete(entry)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(f"{name} is verwijderd.", "ok")
    return redirect(url_for("admin.qualities"))
