"""Reference and demo data shared by ``seed-demo`` and the tests."""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from .extensions import db
from .models import Buurt, Organisation, OrganisationKind, Role, User, Wijk
from .periods import ensure_periods

ORGANISATIONS = [
    ("Versa Welzijn", OrganisationKind.WELZIJN, "Welzijnsorganisatie: buurtwerk, jeugdwerk, vrijwillige inzet, maatschappelijk werk."),
    ("MEE", OrganisationKind.WELZIJN, "Cliëntondersteuning en begeleiding in de wijk."),
    ("Kwintes", OrganisationKind.WELZIJN, "Begeleid wonen en ambulante begeleiding."),
    ("Sherpa", OrganisationKind.WELZIJN, "Ondersteuning van mensen met een verstandelijke beperking."),
    ("HilverZorg", OrganisationKind.WELZIJN, "Zorg en welzijn voor ouderen."),
    ("Humanitas", OrganisationKind.WELZIJN, "Vrijwilligersorganisatie: thuisadministratie, maatjes, rouwverwerking."),
    ("Sociaal Plein", OrganisationKind.TOEGANG, "Gemeentelijke toegang tot geïndiceerde zorg en ondersteuning."),
    ("Gemeente Hilversum", OrganisationKind.GEMEENTE, "Opdrachtgever: accounthouders en buurtcoördinatoren."),
]

# (role, e-mail, name, organisation, wijken)
DEMO_USERS = [
    (Role.ADMIN, "beheerder@hilversum.demo", "Bea Beheer", "Gemeente Hilversum", []),
    (Role.ACCOUNTHOUDER, "accounthouder@hilversum.demo", "Ahmed Accounthouder", "Gemeente Hilversum", []),
    (Role.BUURTCOORDINATOR, "buurtcoordinator@hilversum.demo", "Bram Buurtcoördinator", "Gemeente Hilversum", ["Hilversumse Meent", "Oost", "Noordwest"]),
    (Role.SOCIAAL_WERKER, "sociaalwerker@hilversum.demo", "Sanne Sociaal Werker", "Versa Welzijn", ["Hilversumse Meent", "Oost"]),
    (Role.SOCIAAL_WERKER, "sociaalwerker.mee@hilversum.demo", "Mo MEE-consulent", "MEE", ["Oost", "Zuidoost"]),
    (Role.RAADSLID, "raadslid@hilversum.demo", "Renée Raadslid", None, []),
]


def read_reference_csv(name: str) -> list[dict[str, str]]:
    """Read one of the reference CSV files shipped in :mod:`monitor.data`."""
    text = resources.files("monitor.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def seed_places() -> dict[str, Wijk]:
    """Create Hilversum's wijken and verified buurten when missing (no commit)."""
    wijken = {w.name: w for w in db.session.scalars(sa.select(Wijk))}
    for row in read_reference_csv("hilversum_wijken.csv"):
        wijk = wijken.get(row["wijk"])
        if wijk is None:
            wijk = Wijk(name=row["wijk"])
            db.session.add(wijk)
            wijken[wijk.name] = wijk
        if row["buurt"] and not any(b.name == row["buurt"] for b in wijk.buurten):
            wijk.buurten.append(Buurt(name=row["buurt"], verified=row["verified"] == "yes"))
    # Wijken without verified buurten still need a buurt to run QIM for: the wijk itself.
    for wijk in wijken.values():
        if not wijk.buurten:
            wijk.buurten.append(Buurt(name=wijk.name, verified=False))
    db.session.flush()
    return wijken


def seed_organisations() -> dict[str, Organisation]:
    """Create the organisations of the source documents when missing (no commit)."""
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    for name, kind, description in ORGANISATIONS:
        if name not in orgs:
            orgs[name] = Organisation(name=name, kind=kind, description=description)
            db.session.add(orgs[name])
    db.session.flush()
    return orgs


def _demo_passwords() -> dict[str, str]:
    """Demo passwords are generated once per instance and kept in ``instance/``."""
    path = Path(current_app.instance_path) / "demo-logins.txt"
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            email, _, password = line.partition(" ")
            if password:
                known[email] = password
    for _, email, *_ in DEMO_USERS:
        known.setdefault(email, "demo-" + secrets.token_urlsafe(9))
    path.write_text("".join(f"{e} {p}\n" for e, p in known.items()), encoding="utf-8")
    path.chmod(0o600)
    return known


def seed_demo_users(echo: Callable[[str], None]) -> None:
    """One demo user per role (two social workers), printing the credentials."""
    from .auth.services import set_password

    wijken = {w.name: w for w in db.session.scalars(sa.select(Wijk))}
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    passwords = _demo_passwords()
    echo("Demo-accounts (wachtwoorden staan ook in instance/demo-logins.txt):")
    for role, email, name, org, wijk_names in DEMO_USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role,
                        organisation=orgs.get(org) if org else None)
            user.wijken = [wijken[n] for n in wijk_names]
            db.session.add(user)
        set_password(user, passwords[email])
        user.active = True
        echo(f"  {role.label:<18} {email:<36} {passwords[email]}")
    db.session.flush()


def seed_core(echo: Callable[[str], None]) -> None:
    """Places, organisations, periods and demo users."""
    from .qim.catalogue import seed_catalogue

    seed_places()
    seed_organisations()
    seed_catalogue()
    this_year = date.today().year
    ensure_periods(this_year - 5, this_year + 1)
    seed_demo_users(echo)
