"""Issue 15: wijken and buurten with CBS codes from a CSV, for any gemeente; names unique per parent."""

from __future__ import annotations

import io

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Buurt, Role, Wijk

GOOISE_MEREN = """wijkcode;wijknaam;buurtcode;buurtnaam
WK196601;Centrum;BU19660101;Bussum-Centrum
WK196601;Centrum;BU19660102;Brediusbuurt
WK196602;Naarden-Vesting;BU19660201;Vesting
"""


def _post(client, text=None, action="controleren", file=None):
    data = {"actie": action, "text": text or ""}
    if file is not None:
        data["file"] = file
    return client.post("/beheer/wijken/importeren", data=data, content_type="multipart/form-data")


def _places(app):
    with app.app_context():
        return {(w.gemeente_code, w.code, w.name, tuple(sorted((b.code, b.name) for b in w.buurten)))
                for w in db.session.scalars(sa.select(Wijk))}


def test_a_dry_run_shows_what_would_change_and_writes_nothing(app, login_as):
    admin = login_as(Role.ADMIN)
    before = _places(app)
    response = _post(admin, GOOISE_MEREN)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Het bestand is in orde: 2 wijk(en) en 3 buurt(en), waarvan 5 nieuw of gewijzigd" in text
    assert "Naarden-Vesting" in text and 'value="importeren"' in text
    assert _places(app) == before


def test_importing_another_gemeente_keeps_a_wijk_of_the_same_name(app, login_as):
    """Hilversum has a wijk Centrum too: names are unique within the gemeente only."""
    admin = login_as(Role.ADMIN)
    response = _post(admin, GOOISE_MEREN, action="importeren")
    assert response.status_code == 302
    with app.app_context():
        centra = db.session.scalars(sa.select(Wijk).where(Wijk.name == "Centrum").order_by(Wijk.id)).all()
        assert [(w.gemeente_code, w.code) for w in centra] == [("", None), ("GM1966", "WK196601")]
        assert sorted(b.name for b in centra[1].buurten) == ["Brediusbuurt", "Bussum-Centrum"]
        assert all(b.verified and b.code.startswith("BU196601") for b in centra[1].buurten)
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "places.import")).one()
        assert event.new_values == {"wijken": 2, "buurten": 3}
    # The wijken page lists the new buurten with their codes; running it again changes nothing.
    assert "BU19660201" in admin.get("/beheer/wijken").get_data(as_text=True)
    again = _post(admin, GOOISE_MEREN).get_data(as_text=True)
    assert "waarvan 0 nieuw of gewijzigd" in again


def test_an_uploaded_file_in_windows_1252_with_cbs_column_names(app, login_as):
    admin = login_as(Role.ADMIN)
    data = "WK_CODE,WK_NAAM,BU_CODE,BU_NAAM\nWK040299,Hoogt,BU04029901,Lage Ëng\n".encode("cp1252")
    response = _post(admin, action="importeren", file=(io.BytesIO(data), "buurten.csv"))
    assert response.status_code == 302
    with app.app_context():
        buurt = db.session.scalars(sa.select(Buurt).where(Buurt.code == "BU04029901")).one()
        assert buurt.name == "Lage Ëng" and buurt.wijk.gemeente_code == "GM0402"


def test_a_hand_made_wijk_gets_its_code_instead_of_a_twin(app, login_as):
    admin = login_as(Role.ADMIN)
    text = "gemeentecode;wijkcode;wijknaam;buurtcode;buurtnaam\nGM0402;WK040201;Oost;;\n"
    page = _post(admin, text).get_data(as_text=True)
    assert "krijgt de CBS-code" in page
    _post(admin, text, action="importeren")
    with app.app_context():
        oost = db.session.scalars(sa.select(Wijk).where(Wijk.name == "Oost")).all()
        assert [(w.code, w.gemeente_code) for w in oost] == [("WK040201", "GM0402")]


def test_every_wrong_line_gets_a_dutch_error_and_nothing_is_written(app, login_as):
    admin = login_as(Role.ADMIN)
    before = _places(app)
    text = "\n".join([
        "gemeentecode;wijkcode;wijknaam;buurtcode;buurtnaam",
        "GM1966;WK196601;Centrum;BU19660101;Bussum-Centrum",
        "GM1966;WK19660;Spiegel;;",                         # 3: not a wijk code
        "GM0402;WK196602;Naarden;;",                        # 4: code of another gemeente
        "GM1966;WK196601;Anders;BU19660102;Brink",          # 5: the same wijk named otherwise
        "GM1966;WK196603;Muiderberg;BU19660101;Dorp",       # 6: buurt code of another wijk
        "GM1966;WK196601;Centrum;BU19660103;Bussum-centrum",  # 7: buurt name twice in its wijk
        "GM1966;WK196604;;;",                               # 8: no wijk name
        "GM1966;WK196605;" + "x" * 101 + ";;",              # 9: too long
    ])
    response = _post(admin, text, action="importeren")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for expected in (
        "Regel 3: de wijkcode &#39;WK19660&#39; is geen CBS-wijkcode (WK en zes cijfers).",
        "Regel 4: de wijkcode WK196602 hoort niet bij gemeentecode GM0402.",
        "Regel 5: wijk WK196601 heet op regel 2 &#39;Centrum&#39;.",
        "Regel 6: de buurtcode BU19660101 hoort niet bij wijk WK196603.",
        "Regel 7: de buurtnaam &#39;Bussum-centrum&#39; staat in wijk WK196601 al op regel 2.",
        "Regel 8: de wijknaam ontbreekt.",
        "Regel 9: de wijknaam is langer dan 100 tekens.",
    ):
        assert expected in page, expected
    assert "Er is niets veranderd" in page and 'value="importeren"' not in page
    assert "Spiegel" in page  # the lines stay in the form to correct
    assert _places(app) == before


def test_a_file_without_the_columns_or_lines(login_as):
    admin = login_as(Role.ADMIN)
    page = _post(admin, "naam;code\nOost;1\n").get_data(as_text=True)
    assert "Regel 1: de kolom wijkcode en wijknaam ontbreekt." in page
    assert "Kies een bestand of plak de regels." in _post(admin, "").get_data(as_text=True)
    assert "geen regels onder de kolomnamen" in _post(admin, "wijkcode;wijknaam\n").get_data(as_text=True)


def test_only_the_beheerder_imports(login_as):
    for role in (Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR):
        client = login_as(role)
        assert client.get("/beheer/wijken/importeren").status_code == 403
        assert _post(client, GOOISE_MEREN, action="importeren").status_code == 403


def test_a_wijk_name_is_unique_within_its_gemeente_when_edited_by_hand(app, login_as):
    admin = login_as(Role.ADMIN)
    response = admin.post("/beheer/wijken/nieuw", data={"name": "centrum", "code": ""})
    assert response.status_code == 400
    assert "Deze naam bestaat al." in response.get_data(as_text=True)
    _post(admin, GOOISE_MEREN, action="importeren")
    with app.app_context():
        other = db.session.scalars(sa.select(Wijk).where(Wijk.code == "WK196602")).one().id
    # Renaming Gooise Meren's Naarden-Vesting to "Oost" is fine: Hilversum's Oost is elsewhere.
    response = admin.post(f"/beheer/wijken/{other}", data={"name": "Oost", "code": "WK196602"})
    assert response.status_code == 302


def test_without_the_gemeente_code_hand_made_wijken_are_not_guessed(app, login_as):
    app.config["MUNICIPALITY_CODE"] = ""
    admin = login_as(Role.ADMIN)
    page = _post(admin, "wijkcode;wijknaam\nWK040201;Oost\n").get_data(as_text=True)
    assert "De CBS-gemeentecode van deze installatie is niet ingesteld" in page
    # Set in the browser, the same line finds Hilversum's Oost.
    admin.post("/beheer/installatie", data={"municipality_name": "Hilversum", "short_name": "",
                                            "municipality_code": "gm0402", "theme": ""},
               content_type="multipart/form-data")
    page = _post(admin, "wijkcode;wijknaam\nWK040201;Oost\n").get_data(as_text=True)
    assert "krijgt de CBS-code" in page and "niet ingesteld" not in page
    bad = admin.post("/beheer/installatie", data={"municipality_name": "Hilversum", "short_name": "",
                                                  "municipality_code": "0402", "theme": ""},
                     content_type="multipart/form-data")
    assert bad.status_code == 400
    assert "Een CBS-gemeentecode is GM en vier cijfers" in bad.get_data(as_text=True)


def test_a_huge_field_is_a_dutch_error_not_a_crash(login_as):
    admin = login_as(Role.ADMIN)
    response = _post(admin, 'wijkcode;wijknaam\nWK040201;"' + "x" * 200_000 + '"\n')
    assert response.status_code == 400
    assert "geen leesbare CSV" in response.get_data(as_text=True)
