"""Entering a return's breakdowns, and reading them per year (exact inside, protected outside)."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..extensions import db
from ..http import arg_int
from ..permissions import requires
from . import breakdowns, services
from .blueprint import bp
from .breakdown_tables import view
from .figures import parse_number
from .permissions import is_return_worker, sees_small_counts
from .views import _load_entry


def _field(dimension: str, code: str) -> str:
    return f"{dimension}__{code}"


@bp.route("/opgave/<int:period_id>/<int:wijk_id>/uitsplitsing", methods=["GET", "POST"])
@requires("counts.enter")
def breakdown(period_id: int, wijk_id: int):
    """The breakdowns of one return's new meldingen; each dimension may stay unregistered."""
    org, period, wijk = _load_entry(period_id, wijk_id)
    ret = services.find_return(org.id, wijk.id, period.id)
    if ret is None:
        flash("Sla eerst de opgave op; daarna kunt u de meldingen uitsplitsen.", "error")
        return redirect(url_for("counts.edit", period_id=period.id, wijk_id=wijk.id))
    stored = breakdowns.of_return(ret.id)
    dims = breakdowns.dimensions(org.id)
    if not dims:
        flash("Voor uw organisatie zijn geen uitsplitsingen ingesteld.", "ok")
        return redirect(url_for("counts.edit", period_id=period.id, wijk_id=wijk.id))
    typed = {_field(d.key, c): ("" if stored.get(d.key, {}).get(c) is None else str(stored[d.key][c]))
             for d in dims for c, _ in d.categories}
    field_errors: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    editable = ret.status.editable
    if request.method == "POST" and editable:
        values: dict[str, dict[str, int | None]] = {}
        for d in dims:
            for code, _ in d.categories:
                name = _field(d.key, code)
                typed[name] = request.form.get(name, "")[:20]
                try:
                    values.setdefault(d.key, {})[code] = parse_number(typed[name])
                except ValueError as err:
                    field_errors[name] = str(err)
        if not field_errors:
            errors = breakdowns.check(values, ret.meldingen, ret.meldingen_sociaal_plein, dims)
        if field_errors or errors:
            status = 400
            flash("De uitsplitsing is niet opgeslagen: controleer de gemarkeerde vragen.", "error")
        else:
            old, new = breakdowns.replace(ret.id, values, dims)
            if old != new:
                labels = {d.key: d.label for d in breakdowns.dimensions(active_only=False)}
                audit.record("count_return.breakdown", ret, old={labels[k]: v for k, v in old.items()},
                             new={labels[k]: v for k, v in new.items()},
                             summary=f"Uitsplitsing opgave {org.name}, {wijk.name}, {period.label} gewijzigd")
            db.session.commit()
            flash("Uitsplitsing opgeslagen.", "ok")
            return redirect(url_for("counts.edit", period_id=period.id, wijk_id=wijk.id))
    return render_template("counts/breakdown.html", ret=ret, org=org, period=period, wijk=wijk,
                           dimensions=dims, typed=typed, field_errors=field_errors,
                           errors=errors, editable=editable, field=_field), status


def _reader_view(dimension: str, year: int):
    """Accounthouder and beheerder: everything exact; a social worker: the own organisation
    exact; everyone else: the protected city table."""
    if sees_small_counts(current_user):
        return view(dimension, year, protected=False, organisation_id=None)
    if is_return_worker(current_user) and current_user.organisation_id is not None:
        return view(dimension, year, protected=False, organisation_id=current_user.organisation_id)
    return view(dimension, year, protected=True, organisation_id=None)


def _choice() -> tuple[str | None, int]:
    """The chosen breakdown (``None`` while the beheerder has defined none) and year."""
    keys = [d.key for d in breakdowns.dimensions(active_only=False)]
    year = arg_int("jaar", date.today().year, minimum=2000, maximum=2100)
    if not keys:
        return None, year
    dimension = request.args.get("dimensie", keys[0])
    if dimension not in keys:
        dimension = keys[0]
    return dimension, year


@bp.route("/uitsplitsing")
@requires("counts.breakdowns")
def breakdown_overview():
    """Meldingen per doelgroep, leefgebied, leeftijdsgroep or verwijzer in one year."""
    dimension, year = _choice()
    if dimension is None:
        return render_template("counts/breakdown_none.html")
    return render_template("counts/breakdown_overview.html", v=_reader_view(dimension, year),
                           dim=breakdowns.by_key(dimension), dimensions=breakdowns.dimensions(active_only=False),
                           years=list(range(date.today().year, date.today().year - 6, -1)))


@bp.route("/uitsplitsing.csv")
@requires("counts.breakdowns")
def breakdown_csv():
    """The same figures as the page, as they are shown (``<5`` and ``×`` included)."""
    dimension, year = _choice()
    if dimension is None:
        abort(404)
    v, dim = _reader_view(dimension, year), breakdowns.by_key(dimension)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([dim.label, "Hele gemeente" if v.protected else "Totaal", *[w.name for w in v.wijken]])
    for code, label in dim.categories:
        writer.writerow([label, v.city[code].text, *[v.by_wijk.get((w.id, code), 0) for w in v.wijken]])
    if not dim.multi:
        writer.writerow(["Totaal", v.city[None].text])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="uitsplitsing-{dimension}-{year}.csv"'})


@bp.app_template_global()
def breakdown_problems(ret) -> list[str]:
    """Stored breakdowns that no longer fit the return (its meldingen changed since)."""
    stored = breakdowns.of_return(ret.id)
    if not stored:
        return []
    known = {d.key: d for d in breakdowns.dimensions(active_only=False, all_categories=True)}
    # Check what was stored against its own categories (the catalogue may have changed since).
    dims = tuple(breakdowns.Dimension(k, known[k].label if k in known else k, "", tuple((c, c) for c in cells),
                                      known[k].multi if k in known else False)
                 for k, cells in stored.items())
    errors = breakdowns.check(stored, ret.meldingen, ret.meldingen_sociaal_plein, dims)
    labels = {k: d.label for k, d in known.items()}
    return [f"{labels.get(k, k)}: {m}" for k, m in errors.items()]
