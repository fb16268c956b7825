"""Reference and demo data shared by ``seed-demo`` and the tests."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from .catalogues import seed_catalogue
from .data import read_reference_csv
from .extensions import db
from .models import Buurt, Organisation, OrganisationKind, Role, ServiceType, Specialism, User, Wijk
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


# Specialisms of the social workers (source 003, chapters 1-4 and 6).
SPECIALISMS = [
    ("buurtwerk", "Buurtwerk"),
    ("sociaal_wijknetwerk", "Sociaal wijknetwerk"),
    ("kinderwerk", "Kinderwerk"),
    ("jongerenwerk", "Jongerenwerk"),
    ("vrijwillige_thuishulp", "Vrijwillige thuishulp"),
    ("burenhulp", "Burenhulp"),
    ("amw", "Algemeen maatschappelijk werk"),
    ("gmw", "Groepsmaatschappelijk werk"),
    ("sociaal_raadslieden", "Sociaal raadsliedenwerk"),
    ("wonen_welzijn_mantelzorg", "Wonen, welzijn en mantelzorgondersteuning"),
]

# Types of service clients receive (source 003 ch. 3-5; source 001 "Begeleiding in de wijk").
SERVICE_TYPES = [
    ("individuele_ondersteuning", "Individuele ondersteuning (maatschappelijk werk)"),
    ("groepsaanbod", "Groepsaanbod en trainingen"),
    ("formulierenhulp", "Formulieren- en financiële hulp"),
    ("vrijwillige_thuishulp", "Vrijwillige thuishulp"),
    ("maatjes_burenhulp", "Maatjes en burenhulp"),
    ("mantelzorgondersteuning", "Mantelzorgondersteuning"),
    ("welzijn_op_recept", "Welzijn op recept"),
    ("kinder_jongerenwerk", "Kinder- en jongerenactiviteiten"),
    ("clientondersteuning", "Cliëntondersteuning"),
    ("begeleiding_in_de_wijk", "Begeleiding in de wijk"),
]


def seed_catalogues() -> None:
    """Create the specialism and service-type catalogues when missing (no commit)."""
    for model, entries in ((Specialism, SPECIALISMS), (ServiceType, SERVICE_TYPES)):
        known = set(db.session.scalars(sa.select(model.code)))
        for position, (code, name) in enumerate(entries, start=1):
            if code not in known:
                db.session.add(model(code=code, name=name, position=position))
    db.session.flush()


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
    """Create the organisations of the source documents when missing (no commit).

    A new one works in every active wijk (in the demo every organisation reports for
    all eight); the admin narrows the werkgebied on the organisation's page.
    """
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    wijken = list(db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True))))
    for name, kind, description in ORGANISATIONS:
        if name not in orgs:
            orgs[name] = Organisation(name=name, kind=kind, description=description)
            orgs[name].wijken = list(wijken)
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


def seed_reference(first_year: int, last_year: int) -> None:
    """The reference data of DOMAIN.md: Hilversum's wijken and buurten, the organisations of
    the sources, the specialism and service-type catalogues, the quality catalogue, and the
    periods of ``first_year``–``last_year`` (idempotent, no commit).

    One function for ``seed-demo``, the test suites and the benchmark generator.
    """
    seed_places()
    seed_organisations()
    seed_catalogue()
    seed_catalogues()
    from .counts.breakdowns import seed_defaults as seed_breakdowns

    seed_breakdowns()
    ensure_periods(first_year, last_year)


def seed_demo_installation() -> None:
    """The demo is Hilversum's: its name, unless the beheerder already set one."""
    from .installation import InstallationSettings

    row = db.session.get(InstallationSettings, 1)
    if row is None:
        db.session.add(InstallationSettings(id=1, municipality_name="Hilversum", short_name="",
                                            municipality_code="GM0402", theme=""))
    elif not row.municipality_name:
        row.municipality_name, row.municipality_code = "Hilversum", row.municipality_code or "GM0402"


def seed_core(echo: Callable[[str], None]) -> None:
    """Reference data, periods five years back and one ahead, and demo users."""
    this_year = date.today().year
    seed_reference(this_year - 5, this_year + 1)
    seed_demo_installation()
    seed_demo_users(echo)
