"""QIM screens: the plan's six steps, rounds and links, results, and the public answer page."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..catalogues import city_qualities
from ..errors import DomainError
from ..formerrors import show_error
from ..http import arg_int, form_status, get_or_404
from ..models import Buurt, Organisation, Period, Role, Wijk
from ..periods import all_periods, period_containing
from ..permissions import can as _can_user
from ..permissions import public, require_object, requires
from ..timeutil import utcnow
from . import results, services
from .forms import (
    ConfirmForm,
    LinksForm,
    MonitoredForm,
    NewPlanForm,
    OpenRoundForm,
    OrganisationQualitiesForm,
    OwnQualityForm,
    QualitiesForm,
    StakeholderForm,
    TargetForm,
    judgement_form,
)
from .models import JudgementRound, PlanTarget, QimPlan, ResponseLink, Stakeholder

bp = Blueprint("qim", __name__, url_prefix="/qim")


def can(name: str, obj=None) -> bool:
    """Whether the signed-in user holds ``name`` (on ``obj``)."""
    return _can_user(current_user, name, obj)






def _arg_int(name: str) -> int | None:
    return arg_int(name, minimum=0)


def _load_plan(plan_id: int, permission: str = "qim.view") -> QimPlan:
    plan = get_or_404(QimPlan, plan_id)
    require_object(permission, plan)
    return plan


def _read_only(plan: QimPlan):
    """Refuse a change to a settled plan with a clear message (POST only)."""
    flash("Dit plan is vastgesteld en kan niet meer worden gewijzigd. Maak een nieuwe versie "
          "om iets aan te passen.", "error")
    return redirect(url_for("qim.plan", plan_id=plan.id))


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
    if current_user.role == Role.SOCIAAL_WERKER:
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
    orgs = ([current_user.organisation] if current_user.role == Role.SOCIAAL_WERKER
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
                      choose_org=current_user.role != Role.SOCIAAL_WERKER), form_status()


@bp.route("/plannen/<int:plan_id>/stap/4", methods=["GET", "POST"])
@requires("qim.plan_contribute")
def step4(plan_id: int):
    """Step 4: each organisation's stakeholder groups, including those out of reach."""
    plan = _load_plan(plan_id, "qim.plan_contribute")
    form = StakeholderForm()
    orgs = ([current_user.organisation] if current_user.role == Role.SOCIAAL_WERKER
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
                      choose_org=current_user.role != Role.SOCIAAL_WERKER), form_status()


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
    elif current_user.role == Role.SOCIAAL_WERKER and (
            stakeholder.organisation_id != current_user.organisation_id):
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


# --- rounds, links and entered judgements -------------------------------------------------

def _load_round(round_id: int, permission: str = "qim.round_manage") -> JudgementRound:
    rnd = get_or_404(JudgementRound, round_id)
    require_object(permission, rnd)
    return rnd


@bp.route("/plannen/<int:plan_id>/rondes", methods=["POST"])
@requires("qim.round_manage")
def round_open(plan_id: int):
    """Open a judgement round for a settled plan."""
    plan = _load_plan(plan_id, "qim.round_manage")
    form = OpenRoundForm()
    form.period_id.choices = [(p.id, p.label) for p in services.periods_of_year(plan.year)]
    if form.validate_on_submit():
        period = get_or_404(Period, form.period_id.data)
        try:
            rnd = services.open_round(plan, period, current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(f"Oordeelronde {period.label} is geopend.", "ok")
            return redirect(url_for("qim.round", round_id=rnd.id))
    else:
        flash("Kies een periode van het planjaar.", "error")
    return redirect(url_for("qim.plan", plan_id=plan.id))


def _round_page(rnd: JudgementRound, links_form: LinksForm | None = None,
                tokens: list[str] | None = None, token_group: Stakeholder | None = None):
    groups = services.judging_groups(rnd.plan)
    if links_form is None:
        links_form = LinksForm(formdata=None)
    links_form.stakeholder_id.choices = [(s.id, s.name) for s in groups]
    counts = services.judgement_counts(rnd)
    return render_template(
        "qim/round.html", rnd=rnd, plan=rnd.plan, groups=groups, links_form=links_form,
        links=services.links_of_round(rnd), now=utcnow(), counts=counts,
        missing=services.missing_pairs(rnd), tokens=tokens or [], token_group=token_group,
        confirm=ConfirmForm(),
        monitored={s.id: services.monitored_qualities(rnd.plan, s) for s in groups},
    )


@bp.route("/rondes/<int:round_id>", endpoint="round")
@requires("qim.round_manage")
def round_detail(round_id: int):
    """A round: its groups, how many judgements came in, the links."""
    return _round_page(_load_round(round_id))


@bp.route("/rondes/<int:round_id>/links", methods=["POST"])
@requires("qim.round_manage")
def links_create(round_id: int):
    """Make personal links for a stakeholder group; they are shown once."""
    rnd = _load_round(round_id)
    form = LinksForm()
    form.stakeholder_id.choices = [(s.id, s.name) for s in services.judging_groups(rnd.plan)]
    if form.validate_on_submit():
        stakeholder = get_or_404(Stakeholder, form.stakeholder_id.data)
        try:
            tokens = services.create_links(rnd, stakeholder, form.count.data, form.days.data,
                                           current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"{len(tokens)} persoonlijke link(s) gemaakt voor {stakeholder.name}. "
                  "Kopieer ze nu: ze worden maar één keer getoond.", "ok")
            return _round_page(rnd, tokens=tokens, token_group=stakeholder)
    return _round_page(rnd, links_form=form), 400


@bp.route("/links/<int:link_id>/intrekken", methods=["POST"])
@requires("qim.round_manage")
def link_revoke(link_id: int):
    """Revoke a personal link that has not been used."""
    link = get_or_404(ResponseLink, link_id)
    require_object("qim.round_manage", link.round)
    if ConfirmForm().validate_on_submit():
        try:
            services.revoke_link(link)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(f"Link {link.id} is ingetrokken.", "ok")
    return redirect(url_for("qim.round", round_id=link.round_id))


@bp.route("/rondes/<int:round_id>/sluiten", methods=["POST"])
@requires("qim.round_manage")
def round_close(round_id: int):
    """Close a round (its links stop working) or open it again."""
    rnd = _load_round(round_id)
    if ConfirmForm().validate_on_submit():
        again = request.form.get("heropenen") == "1"
        services.close_round(rnd, open_again=again)
        flash("De oordeelronde is weer geopend." if again else "De oordeelronde is gesloten.", "ok")
    return redirect(url_for("qim.round", round_id=rnd.id))


@bp.route("/rondes/<int:round_id>/invoeren", methods=["GET", "POST"])
@requires("qim.round_manage")
def judgements_enter(round_id: int):
    """Enter one stakeholder's judgements (for instance from a meeting)."""
    rnd = _load_round(round_id)
    groups = services.judging_groups(rnd.plan)
    group_id = _arg_int("groep")
    group = next((g for g in groups if g.id == group_id), None)
    if group is None:
        return render_template("qim/enter_choose.html", rnd=rnd, groups=groups)
    qualities = services.monitored_qualities(rnd.plan, group)
    form = judgement_form(qualities)
    if form.validate_on_submit():
        try:
            n = services.enter_judgements(rnd, group, form.answers(), current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"{n} oordeel/oordelen van {group.name} opgeslagen. U kunt het volgende "
                  "invoeren.", "ok")
            return redirect(url_for("qim.judgements_enter", round_id=rnd.id, groep=group.id))
    return render_template("qim/enter.html", rnd=rnd, group=group, form=form,
                           qualities=qualities), form_status()


# --- results ------------------------------------------------------------------------------

def _n_labels(stats_list: list, suppress: bool = False) -> list[str]:
    """Counts of judgements as shown (masked groups, see ``results.protect_line``, show their mark)."""
    return ["—" if s is None else str(s.n) for s in stats_list]


@bp.route("/rondes/<int:round_id>/resultaten")
@requires("qim.view")
def round_results(round_id: int):
    """Results of a round: per quality, per stakeholder group and overall."""
    rnd = get_or_404(JudgementRound, round_id)
    suppress = not can("qim.motivations", rnd)
    rows = results.round_results(rnd)
    if suppress:
        results.protect_round(rows)
    labels = {}
    for row in rows:
        group_labels = _n_labels([g.stats for g in row.groups] + [row.overall], suppress)
        labels[row.quality.id] = group_labels
    return render_template("qim/results.html", rnd=rnd, plan=rnd.plan, rows=rows,
                           labels=labels, suppress=suppress,
                           show_motivations=not suppress)


def _wijk_chart(data: results.WijkResults | None) -> dict:
    if data is None:
        return {}
    return {"type": "bar", "labels": [q.quality.name for q in data.qualities], "datasets": [
        {"label": f"Wijk {data.wijk.name} (alle buurten)",
         "data": [round(q.overall.mean, 2) if q.overall and q.overall.mean is not None else None for q in data.qualities]}
    ] + [
        {"label": buurt.name,
         "data": [round(q.buurten[i].stats.mean, 2) if q.buurten[i].stats and q.buurten[i].stats.mean is not None else None
                  for q in data.qualities]}
        for i, buurt in enumerate(data.buurten)
    ]}


def _wijk_n_labels(data: results.WijkResults | None, suppress: bool) -> dict[int, list[str]]:
    """Per quality: the wijk's n, then each buurt's n, as shown (suppressed for outsiders)."""
    labels: dict[int, list[str]] = {}
    for row in (data.qualities if data else []):
        buurt_labels = _n_labels([c.stats for c in row.buurten], suppress)
        overall = _n_labels([row.overall], suppress)[0]
        labels[row.quality.id] = [overall] + buurt_labels
    return labels


def _period_arg() -> Period | None:
    period_id = _arg_int("periode")
    if period_id:
        period = get_or_404(Period, period_id)
        return period
    return period_containing(date.today())


def _wijk_figures(wijk_id: int) -> dict:
    """What the wijk page and its presentation view both show, for the chosen period."""
    wijk = get_or_404(Wijk, wijk_id)
    period = _period_arg()
    if period is None:
        abort(404)
    data = results.wijk_results(wijk.id, period.id)
    suppress = not can("qim.motivations", wijk)
    if suppress:
        results.protect_wijk(data)
    return {"wijk": wijk, "period": period, "data": data, "chart": _wijk_chart(data),
            "labels": _wijk_n_labels(data, suppress), "suppress": suppress}


@bp.route("/wijken/<int:wijk_id>")
@requires("qim.view")
def wijk(wijk_id: int):
    """Roll-up from the buurten to the wijk for a period."""
    figures = _wijk_figures(wijk_id)
    return render_template("qim/wijk.html", periods=all_periods(),
                           missing=results.rounds_lacking_judgements(figures["wijk"].id, figures["period"].id),
                           **figures)


@bp.route("/wijken/<int:wijk_id>/presentatie")
@requires("qim.view")
def presentation(wijk_id: int):
    """The wijk's figures for the screen in the monitorgesprek."""
    return render_template("qim/presentation.html", **_wijk_figures(wijk_id))


# --- the public answer page ---------------------------------------------------------------

def _client_address() -> str:
    return request.remote_addr or "onbekend"


@bp.route("/oordeel/<token>", methods=["GET", "POST"])
@public
def answer(token: str):
    """A stakeholder gives their judgements through a personal link (no account)."""
    try:
        link = services.link_for_token(token, _client_address())
    except services.LinkRefused as refused:
        return render_template("qim/link_refused.html", message=refused.message), refused.status
    rnd, group = link.round, link.stakeholder
    qualities = services.monitored_qualities(rnd.plan, group)
    form = judgement_form(qualities)
    if form.validate_on_submit():
        try:
            services.submit_response(token, form.answers(), _client_address())
        except services.LinkRefused as refused:
            return render_template("qim/link_refused.html", message=refused.message), refused.status
        except DomainError as err:
            show_error(form, err)
        else:
            return render_template("qim/answer_thanks.html", buurt=rnd.plan.buurt)
    return render_template("qim/answer.html", form=form, rnd=rnd, group=group,
                           qualities=qualities, buurt=rnd.plan.buurt), form_status()
