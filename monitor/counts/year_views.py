"""The year figure of a December return, added once the year is over (issue 18): the
December return is due before the year ends, so unique clients over the year are not asked
at submission and are added here afterwards."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for

from ..errors import DomainError
from ..http import get_or_404
from ..permissions import require_object, requires
from . import services
from .blueprint import bp
from .figures import year_complete
from .models import CountReturn, ReturnStatus


def year_figure_open(ret: CountReturn, today: date | None = None) -> bool:
    """Whether the organisation can still add the unique clients over the year."""
    return (ret.period.tertial == 3 and year_complete(ret.period, today or date.today())
            and ret.status in (ReturnStatus.INGEDIEND, ReturnStatus.GOEDGEKEURD)
            and ret.unique_clients_year is None and "unique_clients_year" not in (ret.not_registered or []))


@bp.route("/opgaven/<int:return_id>/jaarcijfer", methods=["POST"])
@requires("counts.enter")
def year_figure(return_id: int):
    """Add the unique clients over the year to a submitted December return."""
    ret = get_or_404(CountReturn, return_id)
    require_object("counts.enter", ret)
    try:
        services.add_year_figure(ret, request.form.get("unique_clients_year", ""))
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash("Het aantal unieke cliënten over het jaar is aangevuld.", "ok")
    return redirect(url_for("counts.detail", return_id=ret.id))
