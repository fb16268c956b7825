"""QIM screens for judgement rounds: opening, closing, personal links, entering judgements."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...errors import DomainError
from ...formerrors import show_error
from ...http import form_status, get_or_404
from ...models import Period
from ...permissions import require_object, requires
from ...timeutil import utcnow
from .. import services
from ..forms import (
    ConfirmForm,
    LinksForm,
    MailLinksForm,
    OpenRoundForm,
    judgement_form,
)
from ..models import JudgementRound, ResponseLink, Stakeholder
from .common import _arg_int, _load_plan, bp

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
                tokens: list[str] | None = None, token_group: Stakeholder | None = None,
                mail_form: MailLinksForm | None = None):
    groups = services.judging_groups(rnd.plan)
    if links_form is None:
        links_form = LinksForm(formdata=None)
    links_form.stakeholder_id.choices = [(s.id, s.name) for s in groups]
    if mail_form is None:
        mail_form = MailLinksForm(formdata=None, prefix="mail")
    mail_form.stakeholder_id.choices = [(s.id, s.name) for s in groups]
    counts = services.judgement_counts(rnd)
    return render_template(
        "qim/round.html", rnd=rnd, plan=rnd.plan, groups=groups, links_form=links_form,
        links=services.links_of_round(rnd), now=utcnow(), counts=counts, mail_form=mail_form,
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


@bp.route("/rondes/<int:round_id>/links/mailen", methods=["POST"])
@requires("qim.round_manage")
def links_mail(round_id: int):
    """Send personal links by e-mail (sent after the request, by the outbox)."""
    rnd = _load_round(round_id)
    form = MailLinksForm(prefix="mail")
    form.stakeholder_id.choices = [(s.id, s.name) for s in services.judging_groups(rnd.plan)]
    if form.validate_on_submit():
        stakeholder = get_or_404(Stakeholder, form.stakeholder_id.data)
        try:
            n = services.send_links(rnd, stakeholder, form.addresses.data, form.days.data,
                                    bool(form.keep_for_reminder.data), current_user)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"{n} persoonlijke link(s) voor {stakeholder.name} worden per e-mail verstuurd.", "ok")
            return redirect(url_for("qim.round", round_id=rnd.id))
    return _round_page(rnd, mail_form=form), 400


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
