"""CSV import of measurements: dry-run preview with row errors, then all or nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent
from monitor.outcomes.models import Client, Measurement


@pytest.fixture
def clients(app, make_client, make_trajectory):
    zrm = make_client("Versa Welzijn")
    ladder = make_client("Versa Welzijn")
    other = make_client("MEE")
    make_trajectory(zrm, "zrm", started=date(2025, 1, 1), ended=None)
    make_trajectory(ladder, "ladder", started=date(2025, 1, 1), ended=None)
    make_trajectory(other, "ladder", started=date(2025, 1, 1), ended=None)
    with app.app_context():
        return {k: db.session.get(Client, v).code for k, v in
                (("zrm", zrm), ("ladder", ladder), ("other", other))}


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Measurement.id)))


def _upload(c, text: str, filename: str = "metingen.csv"):
    return c.post("/uitkomsten/import", data={
        "action": "check", "file": (io.BytesIO(text.encode("utf-8")), filename)},
        content_type="multipart/form-data")


def test_preview_lists_row_errors_and_saves_nothing(app, login_as, clients):
    c = login_as("sociaal_werker")
    text = (
        "clientcode;datum;instrument;soort;trede;FIN;HUI;GGZ\n"
        f"{clients['zrm']};03-02-2025;zrm;begin;;2;nvt;\n"          # fine
        f"{clients['zrm']};2025-02-04;zrm;begin;;3;;\n"             # second begin
        f"{clients['ladder']};05-02-2025;ladder;begin;9;;;\n"       # bad step
        f"{clients['other']};05-02-2025;ladder;begin;2;;;\n"        # another organisation
        f"{clients['ladder']};31-02-2025;ladder;begin;2;;;\n"       # impossible date
        f"{clients['zrm']};2025-03-01;zrm;tussen;;6;;\n"            # score out of range
    )
    r = _upload(c, text)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "6 regels gelezen, 5 met fouten" in html
    assert "heeft al een beginmeting" in html
    assert "Kies een trede van 1 tot en met 6" in html
    assert html.count("Onbekende cliëntcode bij uw organisatie") == 1
    assert "Datum onleesbaar" in html
    assert "is geen score 1–5 of nvt" in html
    assert 'value="import"' not in html  # no import button while there are errors
    assert _count(app) == 0


def test_a_clean_file_is_previewed_then_imported_completely(app, login_as, clients):
    c = login_as("sociaal_werker")
    text = (
        "clientcode,datum,instrument,soort,trede,FIN,HUI,GGZ\n"
        f"{clients['zrm']},03-02-2025,zrm,begin,,2,nvt,\n"
        f"{clients['zrm']},03-06-2025,zrm,eind,,4,nvt,3\n"
        f"{clients['ladder']},05-02-2025,participatieladder,begin,2,,,\n"
    )
    r = _upload(c, text)
    html = r.get_data(as_text=True)
    assert "3 regels gelezen, 0 met fouten" in html and 'value="import"' in html
    assert _count(app) == 0  # the preview changed nothing
    r = c.post("/uitkomsten/import", data={"action": "import", "content": text})
    assert r.status_code == 302
    assert _count(app) == 3
    with app.app_context():
        ms = db.session.scalars(sa.select(Measurement).order_by(Measurement.measured_on)).all()
        assert ms[0].score_map() == {"FIN": 2, "HUI": None}
        assert {m.ladder_step for m in ms} == {None, 2}
        assert db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "outcomes.import")).new_values["measurements"] == 3


def test_import_with_any_bad_row_imports_nothing(app, login_as, clients):
    c = login_as("sociaal_werker")
    text = (
        "clientcode;datum;instrument;soort;trede\n"
        f"{clients['ladder']};05-02-2025;ladder;begin;2\n"
        f"{clients['ladder']};01-01-2024;ladder;eind;3\n"  # before the trajectory started
    )
    r = c.post("/uitkomsten/import", data={"action": "import", "content": text})
    assert r.status_code == 200
    assert "er is niets geïmporteerd" in r.get_data(as_text=True)
    assert _count(app) == 0


@pytest.mark.parametrize("payload", [
    b"", b"\xff\xfe\x00garbage", b"naam;adres\nJan;Dorpsstraat 1\n",
    b"clientcode;datum;instrument;soort\n\"unterminated;x;y;z\n",
])
def test_odd_uploads_get_a_dutch_answer(app, login_as, clients, payload):
    c = login_as("sociaal_werker")
    r = c.post("/uitkomsten/import", data={
        "action": "check", "file": (io.BytesIO(payload), "x.csv")},
        content_type="multipart/form-data")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert any(text in html for text in (
        "Kies een CSV-bestand", "leeg", "Kolommen ontbreken", "geen", "Onbekende"))
    assert _count(app) == 0
