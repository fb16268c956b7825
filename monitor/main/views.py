"""Home page per role, accessibility statement, privacy statement, policy overview."""

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user

from ..i18n import translated
from ..models import ROLE_LABELS, Role
from ..permissions import all_permissions, public, requires
from ..registry import registry

bp = Blueprint("main", __name__)


@bp.route("/")
@public
@translated
def index():
    """The front door: signed-in people go to their home page; residents and other
    visitors see the public start (the stories, "Vertel uw verhaal", how it works)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/start.html")


@bp.route("/start")
@requires("home.view")
def home():
    """Show what the signed-in person has to do."""
    sections = [s for s in (p(current_user) for p in registry().home) if s is not None]
    sections.sort(key=lambda s: s.order)
    return render_template("main/home.html", sections=sections)


@bp.route("/inrichting")
@requires("admin.manage")
def setup():
    """The beheerder's set-up checklist: per module what is ready and what is missing."""
    from .home import setup_status

    status = setup_status()
    total = sum(len(items) for _, items in status)
    done = sum(1 for _, items in status for check in items if check.done)
    return render_template("main/setup.html", status=status, total=total, done=done)


@bp.route("/toegankelijkheid")
@public
@translated
def accessibility():
    """The accessibility statement (toegankelijkheidsverklaring)."""
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@public
@translated
def privacy():
    """How the platform handles personal data."""
    return render_template("main/privacy.html")


@bp.route("/rechten")
@requires("policy.view")
def policy():
    """The permission policy: which role may do what."""
    perms = sorted(all_permissions().values(), key=lambda p: p.name)
    return render_template("main/policy.html", permissions=perms, roles=list(Role),
                           role_labels=ROLE_LABELS)


@bp.route("/gezondheid")
@public
def health():
    """A trivial liveness answer (no database): the baseline of the HTTP benchmarks."""
    return Response("ok\n", mimetype="text/plain")
