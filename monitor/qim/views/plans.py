"""QIM screens for plans: the overview, the catalogue, a buurt, a plan, settling and versions."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ...catalogues import city_qualities
from ...errors import DomainError
from ...http import get_or_404
from ...models import Buurt
from ...periods import period_containing
from ...permissions import require_object, requires
from .. import results, services
from ..forms import (
    ConfirmForm,
    NewPlanForm,
    OpenRoundForm,
)
from .common import _arg_int, _load_plan, bp, can

# --- overview, buurt page, plan page ------------------------------------------------------

@bp.route("/")
@requires("qim.view")
def index():
    """The QIM plans of the buurten in scope for a year."""
    year = _arg_int("jaar") or date.today().year
    if not 2000 <= year <= 2100:
        year = date.today().year
    form = NewPlanForm(formdata=None, year=year)
    rows = services.overview(current_user, year)
    form.buurt_id.choices = [(r.buurt.id, f"{r.buurt.wijk.name} – {r.buurt.name}") for r in rows
                             if r.plan is None and can("qim.plan_manage", r.buurt)]
    return render_template("qim/index.html", rows=rows, year=year, form=form,
                           wijken=sorted({r.buurt.wijk for r in rows}, key=lambda w: w.name),
                           period=period_containing(date.today()))


@bp.route("/kwaliteiten")
@requires("qim.view")
def catalogue():
    """The quality catalogue: the seven qualities, the doelen they serve, the buurten's own."""
    return render_template("qim/catalogue.html", qualities=city_qualities(),
                           goals=services.societal_goals(), own=services.own_qualities())


@bp.route("/plannen/nieuw", methods=["POST"])
@requires("qim.plan_manage")
def plan_new():
    """Start a buurt's plan for a year (a copy of last year's plan when there is one)."""
    form = NewPlanForm()
    form.buurt_id.choices = [(b.id, b.name) for b in services.buurten_in_scope(current_user)]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("qim.index"))
    buurt = get_or_404(Buurt, form.buurt_id.data)
    require_object("qim.plan_manage", buurt)
    try:
        plan = services.create_plan(buurt, form.year.data, current_user)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("qim.index", jaar=form.year.data))
    flash(f"QIM-plan voor {buurt.name} {plan.year} gestart"
          + (" als kopie van het plan van vorig jaar." if plan.copied_from_id else "."), "ok")
    return redirect(url_for("qim.plan", plan_id=plan.id))


@bp.route("/buurten/<int:buurt_id>")
@requires("qim.view")
def buurt(buurt_id: int):
    """A buurt's plans, rounds and trend over periods."""
    buurt = get_or_404(Buurt, buurt_id)
    periods, trend = results.buurt_trend(buurt.id)
    if not can("qim.motivations", buurt):
        results.protect_trend(trend)
    chart = {"type": "line", "labels": [p.label for p in periods], "datasets": [
        {"label": row.quality.name,
         "data": [round(s.mean, 2) if s and s.mean is not None else None for s in row.cells]} for row in trend]}
    return render_template("qim/buurt.html", buurt=buurt, plans=services.plans_of_buurt(buurt.id),
                           rounds=services.rounds_of_buurt(buurt.id), periods=periods,
                           trend=trend, chart=chart, suppress=not can("qim.motivations", buurt))


@bp.route("/plannen/<int:plan_id>")
@requires("qim.view")
def plan(plan_id: int):
    """A plan with its six steps and which are done; rounds when settled."""
    plan = _load_plan(plan_id)
    round_form = OpenRoundForm()
    round_form.period_id.choices = [(p.id, f"{p.label} ({p.covers})")
                                    for p in services.periods_of_year(plan.year)]
    return render_template(
        "qim/plan.html", plan=plan, steps=services.STEPS, status=services.step_status(plan),
        can_settle=services.can_settle(plan), round_form=round_form,
        versions=services.plan_versions(plan.buurt_id, plan.year),
        intended=services.intended_qualities(plan),
        rounds=[r for r in services.rounds_of_buurt(plan.buurt_id) if r.period.year == plan.year],
        confirm=ConfirmForm(),
    )


@bp.route("/plannen/<int:plan_id>/vaststellen", methods=["POST"])
@requires("qim.plan_manage")
def plan_settle(plan_id: int):
    """Settle a concept plan: from now on it is read-only."""
    plan = _load_plan(plan_id, "qim.plan_manage")
    if ConfirmForm().validate_on_submit():
        try:
            services.settle(plan, current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(f"{plan} is vastgesteld.", "ok")
    return redirect(url_for("qim.plan", plan_id=plan.id))


@bp.route("/plannen/<int:plan_id>/nieuwe-versie", methods=["POST"])
@requires("qim.plan_manage")
def plan_new_version(plan_id: int):
    """Start a concept revision of a settled plan."""
    plan = _load_plan(plan_id, "qim.plan_manage")
    if ConfirmForm().validate_on_submit():
        try:
            revision = services.new_version(plan, current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(f"Versie {revision.version} is aangemaakt als concept.", "ok")
            return redirect(url_for("qim.plan", plan_id=revision.id))
    return redirect(url_for("qim.plan", plan_id=plan.id))
