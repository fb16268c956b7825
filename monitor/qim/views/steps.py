"""QIM screens for the six steps of a concept plan."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...errors import DomainError
from ...formerrors import show_error
from ...http import form_status, get_or_404
from ...models import Organisation
from ...permissions import require_object, requires
from .. import services
from ..forms import (
    ConfirmForm,
    MonitoredForm,
    OrganisationQualitiesForm,
    OwnQualityForm,
    QualitiesForm,
    StakeholderForm,
    TargetForm,
)
from ..models import PlanTarget, QimPlan, Stakeholder
from ..permissions import acts_for_own_organisation, may_change_group
from .common import _arg_int, _load_plan, _read_only, bp

# --- steps 1 to 6 -------------------------------------------------------------------------

def _step_page(plan: QimPlan, step: int, **context):
    return render_template(f"qim/step{step}.html", plan=plan, step=step, steps=services.STEPS,
                           status=services.step_status(plan), **context)


@bp.route("/plannen/<int:plan_id>/stap/1", methods=["GET", "POST"])
@requires("qim.plan_manage")
def step1(plan_id: int):
    """Step 1: the qualities the opdrachtgever aims for (and the buurt's own ones)."""
    plan = _load_plan(plan_id, "qim.plan_manage")
    form = QualitiesForm()
    form.quality_ids.choices = [(q.id, q.name) for q in services.available_qualities(plan)]
    if request.method == "GET":
        form.quality_ids.data = sorted(services.plan_quality_ids(plan, commissioner=True))
    if request.method == "POST" and not plan.is_concept:
        return _read_only(plan)
    if form.validate_on_submit():
        try:
            services.set_commissioner_qualities(plan, form.quality_ids.data or [])
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Stap 1 is opgeslagen.", "ok")
            return redirect(url_for("qim.plan", plan_id=plan.id))
    return _step_page(plan, 1, form=form, own_form=OwnQualityForm(formdata=None),
                      qualities=services.available_qualities(plan)), form_status()


@bp.route("/plannen/<int:plan_id>/stap/1/eigen-kwaliteit", methods=["POST"])
@requires("qim.plan_manage")
def own_quality(plan_id: int):
    """Add a quality of the buurt's own, with what 'good' looks like."""
    plan = _load_plan(plan_id, "qim.plan_manage")
    if not plan.is_concept:
        return _read_only(plan)
    own_form = OwnQualityForm()
    if own_form.validate_on_submit():
        try:
            quality = services.add_own_quality(plan, own_form.name.data, own_form.description.data)
        except DomainError as err:
            show_error(own_form, err)
        else:
            flash(f"Eigen kwaliteit '{quality.name}' toegevoegd en gekozen in stap 1.", "ok")
            return redirect(url_for("qim.step1", plan_id=plan.id))
    form = QualitiesForm(formdata=None)
    form.quality_ids.choices = [(q.id, q.name) for q in services.available_qualities(plan)]
    form.quality_ids.data = sorted(services.plan_quality_ids(plan, commissioner=True))
    return _step_page(plan, 1, form=form, own_form=own_form,
                      qualities=services.available_qualities(plan)), 400


def _organisation_for(plan: QimPlan, requested: int | None) -> Organisation | None:
    """Sociaal werkers act for their own organisation; the municipality chooses one."""
    if acts_for_own_organisation(current_user):
        return current_user.organisation
    orgs = services.executing_organisations()
    for org in orgs:
        if org.id == requested:
            return org
    return None


@bp.route("/plannen/<int:plan_id>/stap/2", methods=["GET", "POST"])
@requires("qim.plan_manage")
def step2(plan_id: int):
    """Step 2: the opdrachtgever's stakeholder groups."""
    plan = _load_plan(plan_id, "qim.plan_manage")
    form = StakeholderForm()
    del form.organisation_id
    del form.out_of_reach
    if request.method == "POST" and not plan.is_concept:
        return _read_only(plan)
    if form.validate_on_submit():
        try:
            services.add_stakeholder(plan, None, name=form.name.data,
                                     description=form.description.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Stakeholdergroep '{form.name.data.strip()}' toegevoegd.", "ok")
            return redirect(url_for("qim.step2", plan_id=plan.id))
    groups = [s for s in plan.stakeholders if s.organisation_id is None]
    return _step_page(plan, 2, form=form, groups=groups, confirm=ConfirmForm()), form_status()


@bp.route("/plannen/<int:plan_id>/stap/3", methods=["GET", "POST"])
@requires("qim.plan_contribute")
def step3(plan_id: int):
    """Step 3: the qualities each executing organisation wants to realise."""
    plan = _load_plan(plan_id, "qim.plan_contribute")
    form = OrganisationQualitiesForm()
    orgs = ([current_user.organisation] if acts_for_own_organisation(current_user)
            else services.executing_organisations())
    form.organisation_id.choices = [(o.id, o.name) for o in orgs]
    form.quality_ids.choices = [(q.id, q.name) for q in services.available_qualities(plan)]
    requested = form.organisation_id.data if request.method == "POST" else _arg_int("organisatie")
    org = _organisation_for(plan, requested)
    if request.method == "POST" and not plan.is_concept:
        return _read_only(plan)
    if request.method == "GET":
        form.organisation_id.data = org.id if org else None
        form.quality_ids.data = sorted(services.plan_quality_ids(plan, org.id)) if org else []
    if form.validate_on_submit():
        if org is None:
            form.organisation_id.errors = ["Kies een uitvoerende organisatie."]
        else:
            try:
                services.set_organisation_qualities(plan, org, form.quality_ids.data or [])
            except DomainError as err:
                show_error(form, err)
            else:
                flash(f"Stap 3 voor {org.name} is opgeslagen.", "ok")
                return redirect(url_for("qim.plan", plan_id=plan.id))
    by_org: dict[str, list[str]] = {}
    for pq in plan.qualities:
        if pq.organisation is not None:
            by_org.setdefault(pq.organisation.name, []).append(pq.quality.name)
    return _step_page(plan, 3, form=form, organisation=org, by_org=by_org,
                      qualities=services.available_qualities(plan),
                      choose_org=not acts_for_own_organisation(current_user)), form_status()


@bp.route("/plannen/<int:plan_id>/stap/4", methods=["GET", "POST"])
@requires("qim.plan_contribute")
def step4(plan_id: int):
    """Step 4: each organisation's stakeholder groups, including those out of reach."""
    plan = _load_plan(plan_id, "qim.plan_contribute")
    form = StakeholderForm()
    orgs = ([current_user.organisation] if acts_for_own_organisation(current_user)
            else services.executing_organisations())
    form.organisation_id.choices = [(o.id, o.name) for o in orgs]
    if request.method == "GET":
        form.organisation_id.data = _arg_int("organisatie") or (orgs[0].id if orgs else None)
    if request.method == "POST" and not plan.is_concept:
        return _read_only(plan)
    if form.validate_on_submit():
        org = _organisation_for(plan, form.organisation_id.data)
        if org is None:
            form.organisation_id.errors = ["Kies een uitvoerende organisatie."]
        else:
            try:
                services.add_stakeholder(plan, org, name=form.name.data,
                                         description=form.description.data,
                                         out_of_reach=form.out_of_reach.data)
            except DomainError as err:
                show_error(form, err)
            else:
                flash(f"Stakeholdergroep '{form.name.data.strip()}' van {org.name} toegevoegd.", "ok")
                return redirect(url_for("qim.step4", plan_id=plan.id, organisatie=org.id))
    groups = [s for s in plan.stakeholders if s.organisation_id is not None]
    return _step_page(plan, 4, form=form, groups=groups, confirm=ConfirmForm(),
                      choose_org=not acts_for_own_organisation(current_user)), form_status()


@bp.route("/plannen/<int:plan_id>/stakeholders/<int:stakeholder_id>/verwijderen",
          methods=["POST"])
@requires("qim.plan_contribute")
def stakeholder_remove(plan_id: int, stakeholder_id: int):
    """Remove a stakeholder group from a concept plan."""
    plan = _load_plan(plan_id, "qim.plan_contribute")
    stakeholder = get_or_404(Stakeholder, stakeholder_id)
    if stakeholder.plan_id != plan.id:
        abort(404)
    if stakeholder.organisation_id is None:
        require_object("qim.plan_manage", plan)
    elif not may_change_group(current_user, stakeholder):
        abort(403)
    if not plan.is_concept:
        return _read_only(plan)
    if ConfirmForm().validate_on_submit():
        services.remove_stakeholder(plan, stakeholder)
        flash(f"Stakeholdergroep '{stakeholder.name}' verwijderd.", "ok")
    return redirect(url_for("qim.step2" if stakeholder.organisation_id is None else "qim.step4",
                            plan_id=plan.id))


@bp.route("/plannen/<int:plan_id>/stap/5", methods=["GET", "POST"])
@requires("qim.plan_manage")
def step5(plan_id: int):
    """Step 5: which stakeholder groups judge which qualities."""
    plan = _load_plan(plan_id, "qim.plan_manage")
    qualities = [q for q, _ in services.intended_qualities(plan)]
    form = MonitoredForm()
    form.pairs.choices = [(f"{s.id}-{q.id}", f"{q.name} door {s.name}")
                          for s in plan.stakeholders for q in qualities]
    if request.method == "GET":
        form.pairs.data = [f"{m.stakeholder_id}-{m.quality_id}" for m in plan.monitored]
    if request.method == "POST" and not plan.is_concept:
        return _read_only(plan)
    if form.validate_on_submit():
        pairs = [tuple(int(x) for x in value.split("-")) for value in form.pairs.data or []]
        try:
            services.set_monitored(plan, pairs)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Stap 5 is opgeslagen: de gemonitorde set staat vast in dit concept.", "ok")
            return redirect(url_for("qim.plan", plan_id=plan.id))
    return _step_page(plan, 5, form=form, qualities=qualities,
                      selected=set(form.pairs.data or [])), form_status()


@bp.route("/plannen/<int:plan_id>/stap/6", methods=["GET", "POST"])
@requires("qim.plan_manage")
def step6(plan_id: int):
    """Step 6 (optional): strategic goals, financial frames, indicative targets."""
    plan = _load_plan(plan_id, "qim.plan_manage")
    form = TargetForm()
    if request.method == "POST" and not plan.is_concept:
        return _read_only(plan)
    if form.validate_on_submit():
        services.add_target(plan, form.kind.data, form.text.data)
        flash("Toegevoegd aan stap 6.", "ok")
        return redirect(url_for("qim.step6", plan_id=plan.id))
    return _step_page(plan, 6, form=form, confirm=ConfirmForm()), form_status()


@bp.route("/plannen/<int:plan_id>/stap/6/afgerond", methods=["POST"])
@requires("qim.plan_manage")
def step6_done(plan_id: int):
    """Mark step 6 done (or not), with or without entries."""
    plan = _load_plan(plan_id, "qim.plan_manage")
    if not plan.is_concept:
        return _read_only(plan)
    if ConfirmForm().validate_on_submit():
        done = request.form.get("klaar", "1") == "1"
        services.set_step6_done(plan, done)
        flash("Stap 6 is afgerond." if done else "Stap 6 staat weer open.", "ok")
    return redirect(url_for("qim.plan", plan_id=plan.id))


@bp.route("/plannen/<int:plan_id>/doelen/<int:target_id>/verwijderen", methods=["POST"])
@requires("qim.plan_manage")
def target_remove(plan_id: int, target_id: int):
    """Remove a step 6 entry."""
    plan = _load_plan(plan_id, "qim.plan_manage")
    target = get_or_404(PlanTarget, target_id)
    if target.plan_id != plan.id:
        abort(404)
    if not plan.is_concept:
        return _read_only(plan)
    if ConfirmForm().validate_on_submit():
        services.remove_target(plan, target)
        flash("Verwijderd uit stap 6.", "ok")
    return redirect(url_for("qim.step6", plan_id=plan.id))
