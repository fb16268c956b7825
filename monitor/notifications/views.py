"""Meldingen (the user's own notifications), mail preferences, and the beheerder's outbox."""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..forms import BaseForm
from ..http import form_status
from ..permissions import requires
from ..registry import registry
from ..timeutil import utcnow
from .models import Delivery, MessageStatus, Notification, NotificationPreference, OutgoingMessage

bp = Blueprint("notifications", __name__)


@bp.get("/meldingen")
@requires("notifications.own")
def index():
    items = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(200)).all()
    unread = [n.id for n in items if n.read_at is None]
    page = render_template("notifications/index.html", items=items, unread=set(unread),
                           form=BaseForm())
    if unread:
        db.session.execute(sa.update(Notification).where(Notification.id.in_(unread))
                           .values(read_at=utcnow()))
        db.session.commit()
    return page


def _kinds():
    return sorted(registry().notification_kinds.values(), key=lambda k: k.label)


@bp.route("/meldingen/voorkeuren", methods=["GET", "POST"])
@requires("notifications.own")
def preferences():
    from flask import request

    kinds = [k for k in _kinds() if not k.required]
    current = {p.kind: p.delivery for p in db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == current_user.id))}
    form = BaseForm()
    errors: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        chosen = {}
        for kind in kinds:
            value = request.form.get(f"kind-{kind.key}", Delivery.DIRECT.value)
            try:
                chosen[kind.key] = Delivery(value)
            except ValueError:
                errors.append(f"{kind.label}: kies een van de drie mogelijkheden.")
        if not errors:
            from .services import save_preferences

            save_preferences(current_user, chosen)
            flash("Uw voorkeuren voor e-mail zijn opgeslagen.", "success")
            return redirect(url_for(".preferences"))
        current = {**current, **{k: v for k, v in chosen.items()}}
    return render_template("notifications/preferences.html", kinds=kinds, current=current,
                           deliveries=list(Delivery), form=form, errors=errors), form_status()


@bp.get("/beheer/berichten")
@requires("notifications.outbox")
def outbox():
    from flask import request

    status = request.args.get("status", "")
    query = sa.select(OutgoingMessage).order_by(OutgoingMessage.id.desc()).limit(300)
    if status in {s.value for s in MessageStatus}:
        query = query.where(OutgoingMessage.status == MessageStatus(status))
    messages = db.session.scalars(query).all()
    return render_template("notifications/outbox.html", messages=messages, statuses=list(MessageStatus),
                           status=status, kinds=registry().notification_kinds)


@bp.get("/beheer/berichten/<int:message_id>")
@requires("notifications.outbox")
def outbox_message(message_id: int):
    from ..http import get_or_404

    message = get_or_404(OutgoingMessage, message_id)
    return render_template("notifications/message.html", message=message,
                           kinds=registry().notification_kinds)


@bp.get("/beheer/berichten/<int:message_id>.eml")
@requires("notifications.outbox")
def outbox_eml(message_id: int):
    from .. import mail
    from ..http import get_or_404

    message = get_or_404(OutgoingMessage, message_id)
    if not message.outbox_file:
        abort(404)
    path = os.path.join(mail.outbox_dir(), os.path.basename(message.outbox_file))
    if not os.path.exists(path):
        abort(404)
    with open(path, "rb") as fh:
        data = fh.read()
    return Response(data, mimetype="message/rfc822", headers={
        "Content-Disposition": f'attachment; filename="{message.outbox_file}"'})
