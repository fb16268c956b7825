"""The public QIM answer page: a stakeholder's judgements through a personal link."""

from __future__ import annotations

from flask import render_template, request

from ...errors import DomainError
from ...formerrors import show_error
from ...http import form_status
from ...permissions import public
from .. import services
from ..forms import (
    judgement_form,
)
from .common import bp

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
