"""The QIM blueprint and what its view modules share: loading a plan, the read-only answer."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from ...http import arg_int, get_or_404
from ...permissions import can as _can_user
from ...permissions import require_object
from ..models import QimPlan

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
