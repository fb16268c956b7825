"""Measurements imported with the organisation's own client number: the number is
pseudonymised on import (keyed hash per organisation), new clients and trajectories are
made from begin rows, and the next import finds them again without retyping."""

from __future__ import annotations

import io

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.outcomes.models import Client, Measurement, Trajectory
from monitor.outcomes.references import ClientReference, ReferenceKey

HEADER = "clientnummer;datum;instrument;soort;dienst;wijk;trede;FIN;WEO\n"


def _upload(c, text: str):
    return c.post("/uitkomsten/import", data={
        "action": "check", "file": (io.BytesIO(text.encode("utf-8")), "export.csv")},
        content_type="multipart/form-data")


def _import(c, text: str):
    preview = _upload(c, text)
    assert preview.status_code == 200 and 'value="import"' in preview.get_data(as_text=True), \
        preview.get_data(as_text=True)
    return c.post("/uitkomsten/import", data={"action": "import", "content": text})


def _dump(app) -> str:
    """Every stored value of the tables the import writes, as one text."""
    with app.app_context():
        rows = []
        for model in (Client, Trajectory, Measurement, ClientReference, ReferenceKey):
            for obj in db.session.scalars(sa.select(model)):
                rows.append(" ".join(str(getattr(obj, c.key)) for c in model.__table__.columns))
        return "\n".join(rows)


def test_own_numbers_make_clients_once_and_are_never_stored(app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER, organisation="Versa Welzijn")
    first = (HEADER
             + "CL-2024-0012;10-01-2025;zrm;begin;individuele_ondersteuning;Oost;;2;3\n"
             + "CL-2024-0012;10-01-2025;ladder;begin;Individuele ondersteuning (maatschappelijk werk);;2;;\n"
             + "cl-2024 0099;15-01-2025;zrm;begin;individuele_ondersteuning;;;1;1\n")
    response = _import(worker, first)
    assert response.status_code == 302
    with app.app_context():
        clients = list(db.session.scalars(sa.select(Client)))
        assert len(clients) == 2
        oost = next(c for c in clients if c.wijk is not None)
        assert oost.wijk.name == "Oost" and {t.instrument.value for t in oost.trajectories} == {"zrm", "ladder"}
        assert all(c.code.startswith("K-") for c in clients)  # the platform's own pseudonym
    # The number itself is nowhere in the database, in any spelling.
    stored = _dump(app).upper()
    for spelling in ("CL-2024-0012", "CL-20240012", "0012", "CL-2024-0099"):
        assert spelling not in stored

    # Next export: the same numbers (other spelling) find the same clients; an end row fits.
    second = (HEADER + "CL-2024-0012;20-11-2025;zrm;eind;;;;4;4\n"
              + "CL-2024-0099;20-11-2025;zrm;tussen;;;;2;2\n")
    assert _import(worker, second).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 2
        assert db.session.scalar(sa.select(sa.func.count(Measurement.id))) == 5


def test_the_same_number_at_two_organisations_is_two_unrelated_clients(app, login_as):
    versa = login_as(Role.SOCIAAL_WERKER, organisation="Versa Welzijn")
    mee = login_as(Role.SOCIAAL_WERKER, organisation="MEE")
    row = "1001;10-01-2025;zrm;begin;individuele_ondersteuning;;;2;3\n"
    assert _import(versa, HEADER + row).status_code == 302
    # MEE's 1001 is not Versa's: an end row for it is refused as unknown, not matched.
    html = _upload(mee, HEADER + "1001;20-11-2025;zrm;eind;;;;4;4\n").get_data(as_text=True)
    assert "Onbekend cliëntnummer bij uw organisatie" in html
    assert _import(mee, HEADER + row).status_code == 302
    with app.app_context():
        hashes = list(db.session.scalars(sa.select(ClientReference.reference_hash)))
        orgs = set(db.session.scalars(sa.select(Client.organisation_id)))
    assert len(hashes) == 2 and hashes[0] != hashes[1] and len(orgs) == 2


def test_a_dry_run_writes_nothing_and_bad_rows_say_why(app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER, organisation="Versa Welzijn")
    text = (HEADER + "A-1;10-01-2025;zrm;eind;individuele_ondersteuning;;;2;3\n"
            + "A-2;10-01-2025;zrm;begin;;;;2;3\n"
            + "A-3;10-01-2025;zrm;begin;bestaat_niet;;;2;3\n"
            + "A-4;10-01-2025;zrm;begin;individuele_ondersteuning;Atlantis;;2;3\n"
            + "A-5;10-01-2025;zrm;begin;individuele_ondersteuning;;;2;3\n"
            + ("X" * 65) + ";10-01-2025;zrm;begin;individuele_ondersteuning;;;2;3\n")
    html = _upload(worker, text).get_data(as_text=True)
    assert "een nieuwe cliënt begint met een beginmeting".lower() in html.lower()
    assert "de kolom &#39;dienst&#39; nodig" in html or "de kolom 'dienst' nodig" in html
    assert "Onbekende dienst" in html and "Onbekende wijk" in html and "langer dan 64 tekens" in html
    assert 'value="import"' not in html
    r = worker.post("/uitkomsten/import", data={"action": "import", "content": text})
    assert r.status_code == 200 and "er is niets geïmporteerd" in r.get_data(as_text=True)
    with app.app_context():
        for model in (Client, Trajectory, Measurement, ClientReference):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_purging_a_client_removes_its_number_hash(app, login_as):
    worker = login_as(Role.SOCIAAL_WERKER, organisation="Versa Welzijn")
    assert _import(worker, HEADER + "Z-9;10-01-2025;zrm;begin;individuele_ondersteuning;;;2;3\n").status_code == 302
    with app.app_context():
        client = db.session.scalar(sa.select(Client))
        db.session.delete(client)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(ClientReference.id))) == 0
