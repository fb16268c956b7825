"""What Tellen needs before returns can be entered and reviewed (the beheerder's checklist)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for

from ..extensions import db
from ..models import Organisation, OrganisationKind, Role, ServiceType, Specialism, User
from ..periods import period_containing
from ..registry import SetupCheck


def _active(role: Role):
    return sa.select(User).where(User.active.is_(True), User.role == role)


def catalogue_check(today: date | None = None) -> SetupCheck:
    """Specialisms (hours) and service types (clients) valid for the current period."""
    period = period_containing(today or date.today())
    missing = []
    for model, label in ((Specialism, "specialisme (uren)"), (ServiceType, "soort dienstverlening (cliënten)")):
        entries = list(db.session.scalars(sa.select(model)))
        valid = [e for e in entries if period is None or e.valid_for(period)]
        if not valid:
            missing.append(f"Er is nog geen {label}" + (f" dat geldt voor {period.label}." if period else "."))
    return SetupCheck("Catalogi: specialismen en soorten dienstverlening", missing,
                      url_for("counts.catalogues"), "De opgave heeft specialismen en soorten dienstverlening.")


def reviewer_check() -> SetupCheck:
    """Someone reviews the submitted returns: at least one accounthouder."""
    found = db.session.scalar(_active(Role.ACCOUNTHOUDER).limit(1)) is not None
    return SetupCheck("Accounthouder (beoordeelt de opgaven)",
                      [] if found else ["Er is nog geen accounthouder."],
                      url_for("admin.user_new", rol=Role.ACCOUNTHOUDER.value),
                      "Er is een accounthouder.")


def workers_check() -> SetupCheck:
    """Every welfare organisation has sociaal werkers for each wijk of its werkgebied."""
    orgs = db.session.scalars(sa.select(Organisation).where(
        Organisation.active.is_(True), Organisation.kind == OrganisationKind.WELZIJN)
        .order_by(Organisation.name))
    workers = list(db.session.scalars(_active(Role.SOCIAAL_WERKER)))
    missing, first = [], None
    for org in orgs:
        own = [w for w in workers if w.organisation_id == org.id]
        covered = {wijk.id for w in own for wijk in w.wijken}
        if not own:
            missing.append(f"{org.name}: nog geen sociaal werker.")
        elif uncovered := [w.name for w in org.wijken if w.active and w.id not in covered]:
            missing.append(f"{org.name}: geen sociaal werker voor {', '.join(uncovered)}.")
        else:
            continue
        first = first or org
    url = (url_for("admin.user_new", rol=Role.SOCIAAL_WERKER.value, organisatie=first.id)
           if first else url_for("admin.users"))
    return SetupCheck("Sociaal werkers per organisatie (voeren de opgaven in)", missing, url,
                      "Elke welzijnsorganisatie heeft sociaal werkers voor haar werkgebied.")


def setup_checks() -> list[SetupCheck]:
    return [catalogue_check(), reviewer_check(), workers_check()]
