"""The foundation's set-up checks: places, organisations, periods, the catalogue, accounts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for

from .. import installation
from ..catalogues import city_goals, city_qualities
from ..extensions import db
from ..models import Organisation, OrganisationKind, Period, User, Wijk
from ..periods import current_and_next, find_period
from ..permissions import incomplete_scope
from ..registry import SetupCheck


def _names(items) -> str:
    return ", ".join(i.name for i in items)


def places_check() -> SetupCheck:
    wijken = list(db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name)))
    missing = []
    if not wijken:
        missing.append("Er is nog geen wijk.")
    without = [w for w in wijken if not any(b.active for b in w.buurten)]
    if without:
        missing.append(f"Geen buurt in: {_names(without)}.")
    return SetupCheck("Wijken en buurten", missing, url_for("admin.wijken"),
                      f"{len(wijken)} wijken, elk met buurten.")


def organisations_check() -> SetupCheck:
    orgs = list(db.session.scalars(sa.select(Organisation).where(
        Organisation.active.is_(True), Organisation.kind == OrganisationKind.WELZIJN)
        .order_by(Organisation.name)))
    wijken = list(db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.name)))
    missing = []
    if not orgs:
        missing.append("Er is nog geen welzijnsorganisatie.")
    without = [o for o in orgs if not any(w.active for w in o.wijken)]
    if without:
        missing.append(f"Geen werkgebied: {_names(without)}.")
    covered = {w.id for o in orgs for w in o.wijken}
    uncovered = [w for w in wijken if w.id not in covered]
    if orgs and uncovered:
        missing.append(f"Geen organisatie werkt in: {_names(uncovered)}.")
    return SetupCheck("Organisaties en hun werkgebied", missing, url_for("admin.organisations"),
                      f"{len(orgs)} welzijnsorganisaties met een werkgebied.")


def periods_check(today: date | None = None) -> SetupCheck:
    today = today or date.today()
    missing, years = [], []
    for year, tertial in current_and_next(today):
        if find_period(year, tertial) is None:
            label = Period(year=year, tertial=tertial).label
            missing.append(f"Periode {label} ontbreekt.")
            years.append(year)
    url = url_for("admin.period_new", jaar=years[0]) if years else url_for("admin.periods")
    return SetupCheck("Perioden met deadlines (huidige en volgende)", missing, url,
                      "De huidige en de volgende periode hebben een deadline.")


def catalogue_check() -> SetupCheck:
    qualities, goals = city_qualities(), city_goals(active_only=True)
    missing = []
    if not qualities:
        missing.append("Er is nog geen actieve kwaliteit: het verhalenformulier en de "
                       "QIM-plannen vragen erom.")
    if not goals:
        missing.append("Er is nog geen maatschappelijk doel.")
    return SetupCheck("Kwaliteitencatalogus en maatschappelijke doelen", missing,
                      url_for("admin.qualities"),
                      f"{len(qualities)} kwaliteiten, {len(goals)} doelen.")


def accounts_check() -> SetupCheck:
    users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name))
    missing = [f"{u.name}: {problem}." for u in users if (problem := incomplete_scope(u))]
    return SetupCheck("Accounts compleet (organisatie en wijken)", missing, url_for("admin.users"),
                      "Elk actief account heeft de organisatie en wijken die zijn rol vraagt.")


def installation_check() -> SetupCheck:
    missing = [] if installation.current().name else [
        "De naam van de gemeente is nog niet ingesteld (pagina's, documenten, e-mail)."]
    return SetupCheck("Gemeente, logo en thema", missing, url_for("admin.installation_settings"),
                      f"Ingesteld voor gemeente {installation.current().name}.")


def setup_checks() -> list[SetupCheck]:
    """What the foundation needs before the modules can work."""
    return [installation_check(), places_check(), organisations_check(), periods_check(), catalogue_check(),
            accounts_check()]
