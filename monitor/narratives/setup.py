"""What the story archive needs: someone to moderate the stories of every wijk."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from ..extensions import db
from ..models import User, Wijk
from ..registry import SetupCheck
from .permissions import MODERATORS


def moderators_check() -> SetupCheck:
    """Every active wijk has an active buurtcoördinator, who moderates its stories."""
    wijken = db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name))
    moderators = db.session.scalars(sa.select(User).where(User.active.is_(True), User.role.in_(MODERATORS)))
    covered = {w.id for u in moderators for w in u.wijken}
    uncovered = [w.name for w in wijken if w.id not in covered]
    missing = [f"Geen buurtcoördinator voor: {', '.join(uncovered)}."] if uncovered else []
    return SetupCheck("Buurtcoördinator per wijk (modereert de verhalen)", missing,
                      url_for("admin.user_new", rol="buurtcoordinator"),
                      "Elke wijk heeft een buurtcoördinator.")


def setup_checks() -> list[SetupCheck]:
    return [moderators_check()]
