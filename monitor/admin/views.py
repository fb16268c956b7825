"""Admin screens (thin: forms in, one service call, redirect)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import DomainError
from ..formerrors import show_error
from ..http import form_status, get_or_404
from ..models import Buurt, Organisation, Period, Role, User, Wijk
from ..periods import DeadlineRule, all_periods
from ..permissions import requires
from . import periods as period_services
from . import services
from .forms import BuurtForm, OrganisationForm, PeriodForm, PeriodYearForm, UserForm, WijkForm

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.route("/")
@requires("admin.manage")
def index():
    """Overview of what the admin manages."""
    return render_template(
        "admin/index.html", users=services.list_users(),
        organisations=services.list_organisations(), wijken=services.list_wijken(),
    )


# --- users -----------------------------------------------------------------------

def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.organisation_id.choices = [(None, "— geen —")] + [
        (o.id, o.name) for o in services.list_organisations(active_only=True)
        if o.active or (user and user.organisation_id == o.id)
    ]
    form.wijk_ids.choices = [(w.id, w.name) for w in services.list_wijken(active_only=True)]
    if user is not None and request.method == "GET":
        form.role.data = user.role.value
        form.wijk_ids.data = [w.id for w in user.wijken]
    elif user is None and request.method == "GET":
        # The set-up checklist links here with the role (and organisation) it misses.
        if request.args.get("rol") in {r.value for r in Role}:
            form.role.data = request.args["rol"]
        org_id = request.args.get("organisatie", type=int)
        if any(value == org_id for value, _ in form.organisation_id.choices):
            form.organisation_id.data = org_id
    return form


@bp.route("/gebruikers")
@requires("admin.manage")
def users():
    """List all accounts."""
    return render_template("admin/users.html", users=services.list_users())


def _invitation_sent(user: User, what: str) -> None:
    from flask import current_app

    where = ("" if current_app.config["MAIL_URL"] else
             " Er is geen mailserver ingesteld: u vindt het bericht onder Beheer › Berichten en "
             "kunt het zelf doorsturen.")
    flash(f"{what} De uitnodiging met een link om een wachtwoord te kiezen gaat naar {user.email}.{where}",
          "ok")


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@requires("admin.manage")
def user_new():
    """Create an account; the new user gets an invitation to choose a password."""
    form = _user_form()
    if form.validate_on_submit():
        try:
            user, _ = services.create_user(
                name=form.name.data, email=form.email.data, role=form.role.data,
                organisation_id=form.organisation_id.data, wijk_ids=form.wijk_ids.data,
                invite_by=current_user._get_current_object(),
            )
        except DomainError as err:
            show_error(form, err)
        else:
            _invitation_sent(user, f"Account voor {user.name} aangemaakt.")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), form_status()


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@requires("admin.manage")
def user_edit(user_id: int):
    """Edit an account's details, role and scope."""
    user = get_or_404(User, user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            services.update_user(user, name=form.name.data, email=form.email.data,
                                 role=form.role.data, organisation_id=form.organisation_id.data,
                                 wijk_ids=form.wijk_ids.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Account van {user.name} opgeslagen.", "ok")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), form_status()


@bp.route("/gebruikers/<int:user_id>/actief", methods=["POST"])
@requires("admin.manage")
def user_toggle(user_id: int):
    """Activate or deactivate an account."""
    user = get_or_404(User, user_id)
    try:
        services.set_user_active(user, not user.active, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(f"Account van {user.name} is {'geactiveerd' if user.active else 'gedeactiveerd'}.", "ok")
    return redirect(url_for("admin.users"))


@bp.route("/gebruikers/<int:user_id>/wachtwoord", methods=["POST"])
@requires("admin.manage")
def user_reset_password(user_id: int):
    """End the account's password and sessions; mail a new invitation."""
    user = get_or_404(User, user_id)
    services.reset_password(user, current_user._get_current_object())
    _invitation_sent(user, f"Het wachtwoord van {user.name} werkt niet meer en alle sessies zijn beëindigd.")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/gebruikers/<int:user_id>/tweede-factor", methods=["POST"])
@requires("admin.manage")
def user_reset_mfa(user_id: int):
    """Remove the account's second factor (lost phone); audited, sessions end."""
    user = get_or_404(User, user_id)
    try:
        services.reset_mfa(user, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(f"De tweede factor van {user.name} is gewist. Bij de volgende keer inloggen stelt "
              "de gebruiker een nieuwe in (verplicht voor beheerders en accounthouders).", "ok")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# --- organisations, wijken, buurten -----------------------------------------------

@bp.route("/organisaties")
@requires("admin.manage")
def organisations():
    """List organisations."""
    return render_template("admin/organisations.html", organisations=services.list_organisations())


@bp.route("/organisaties/nieuw", methods=["GET", "POST"], defaults={"org_id": None})
@bp.route("/organisaties/<int:org_id>", methods=["GET", "POST"])
@requires("admin.manage")
def organisation_edit(org_id: int | None):
    """Create or edit an organisation."""
    org = get_or_404(Organisation, org_id) if org_id else None
    form = OrganisationForm(obj=org)
    # Inactive wijken stay listed while the organisation still has them, so saving the
    # page does not silently drop them.
    form.wijk_ids.choices = [(w.id, w.name + ("" if w.active else " (gedeactiveerd)"))
                             for w in services.list_wijken()
                             if w.active or (org and org.works_in(w))]
    if org is not None and request.method == "GET":
        form.kind.data = org.kind.value
        form.wijk_ids.data = [w.id for w in org.wijken]
    if form.validate_on_submit():
        try:
            services.save_organisation(org, name=form.name.data, kind=form.kind.data,
                                       description=form.description.data, wijk_ids=form.wijk_ids.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Organisatie opgeslagen.", "ok")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, obj=org,
                           back=url_for("admin.organisations")), form_status()


@bp.route("/wijken")
@requires("admin.manage")
def wijken():
    """List wijken with their buurten."""
    return render_template("admin/wijken.html", wijken=services.list_wijken(),
                           buurten=services.list_buurten())


@bp.route("/wijken/nieuw", methods=["GET", "POST"], defaults={"wijk_id": None})
@bp.route("/wijken/<int:wijk_id>", methods=["GET", "POST"])
@requires("admin.manage")
def wijk_edit(wijk_id: int | None):
    """Create or edit a wijk."""
    wijk = get_or_404(Wijk, wijk_id) if wijk_id else None
    form = WijkForm(obj=wijk)
    if form.validate_on_submit():
        try:
            services.save_wijk(wijk, name=form.name.data, code=form.code.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Wijk opgeslagen.", "ok")
            return redirect(url_for("admin.wijken"))
    return render_template("admin/simple_form.html", form=form, obj=wijk,
                           title="Wijk", back=url_for("admin.wijken")), form_status()


@bp.route("/buurten/nieuw", methods=["GET", "POST"], defaults={"buurt_id": None})
@bp.route("/buurten/<int:buurt_id>", methods=["GET", "POST"])
@requires("admin.manage")
def buurt_edit(buurt_id: int | None):
    """Create or edit a buurt."""
    buurt = get_or_404(Buurt, buurt_id) if buurt_id else None
    form = BuurtForm(obj=buurt)
    form.wijk_id.choices = [(w.id, w.name) for w in services.list_wijken(active_only=True)]
    # type=int: "²".isdigit() is true but int("²") fails; a bad value is simply ignored.
    if buurt is None and request.method == "GET" and request.args.get("wijk", type=int):
        form.wijk_id.data = request.args.get("wijk", type=int)
    if form.validate_on_submit():
        try:
            services.save_buurt(buurt, name=form.name.data, wijk_id=form.wijk_id.data,
                                verified=form.verified.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash("Buurt opgeslagen.", "ok")
            return redirect(url_for("admin.wijken"))
    return render_template("admin/simple_form.html", form=form, obj=buurt,
                           title="Buurt", back=url_for("admin.wijken")), form_status()


_TOGGLE_MODELS = {"organisatie": (Organisation, "admin.organisations"),
                  "wijk": (Wijk, "admin.wijken"), "buurt": (Buurt, "admin.wijken")}


@bp.route("/<any(organisatie, wijk, buurt):kind>/<int:object_id>/actief", methods=["POST"])
@requires("admin.manage")
def toggle_active(kind: str, object_id: int):
    """Deactivate or reactivate an organisation, wijk or buurt (never delete)."""
    model, back = _TOGGLE_MODELS[kind]
    obj = get_or_404(model, object_id)
    services.set_active(obj, not obj.active)
    flash(f"{obj.name} is {'weer actief' if obj.active else 'gedeactiveerd'}.", "ok")
    return redirect(url_for(back))


# --- periods and audit -------------------------------------------------------------

@bp.route("/perioden")
@requires("admin.manage")
def periods():
    """List periods with their deadlines."""
    return render_template("admin/periods.html", periods=all_periods())


@bp.route("/perioden/nieuw", methods=["GET", "POST"])
@requires("admin.manage")
def period_new():
    """A year's three tertials from a deadline rule: first a preview, then saved."""
    form = PeriodYearForm()
    if request.method == "GET":
        year = request.args.get("jaar", type=int)
        form.year.data = year if year and 2000 <= year <= 2100 else period_services.suggested_year(date.today())
    preview = None
    if form.validate_on_submit():
        rule = DeadlineRule(mode=form.mode.data, day=form.day.data or 15,
                            days_after_end=form.days_after_end.data if form.days_after_end.data is not None else 14,
                            lock_days=form.lock_days.data)
        try:
            if request.form.get("action") == "save":
                created = period_services.create_year(form.year.data, rule, current_user)
            else:
                preview = period_services.plan_year(form.year.data, rule)
        except DomainError as err:
            show_error(form, err)
        else:
            if preview is None:
                flash(f"{len(created)} perioden van {form.year.data} aangemaakt: "
                      + ", ".join(p.label for p in created) + ".", "ok")
                return redirect(url_for("admin.periods"))
            return render_template("admin/period_new.html", form=form, preview=preview)
    return render_template("admin/period_new.html", form=form, preview=None), form_status()


@bp.route("/perioden/<int:period_id>", methods=["GET", "POST"])
@requires("admin.manage")
def period_edit(period_id: int):
    """Change a period's deadline and lock date."""
    period = get_or_404(Period, period_id)
    form = PeriodForm(obj=period)
    if form.validate_on_submit():
        try:
            services.update_period(period, deadline=form.deadline.data, lock_date=form.lock_date.data)
        except DomainError as err:
            show_error(form, err)
        else:
            flash(f"Periode {period.label} opgeslagen.", "ok")
            return redirect(url_for("admin.periods"))
    return render_template("admin/simple_form.html", form=form, obj=period,
                           title=f"Periode {period.label}", back=url_for("admin.periods")), form_status()


@bp.route("/audit")
@requires("admin.audit")
def audit_log():
    """The audit trail, newest first."""
    page = request.args.get("pagina", 1, type=int)
    action = request.args.get("actie", "").strip()[:80] or None
    return render_template("admin/audit.html", page=services.audit_page(max(page, 1), action=action),
                           action=action or "")
