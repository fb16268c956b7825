"""A social worker registers clients, scores ZRM and the ladder, closes; the report shows it."""

from __future__ import annotations

import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Organisation, Period, ServiceType, Wijk
from monitor.outcomes.models import Client, ClientAccess, Measurement, Trajectory


def _ids(app):
    with app.app_context():
        wijk = db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost"))
        service = db.session.scalar(sa.select(ServiceType.id).order_by(ServiceType.position))
        periods = db.session.scalars(sa.select(Period).where(Period.year == 2025)
                                     .order_by(Period.tertial)).all()
        versa = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == "Versa Welzijn"))
        return wijk, service, periods[0].id, periods[-1].id, versa


def _register(c, wijk):
    r = c.post("/uitkomsten/clienten/nieuw", data={"birth_year": "1975", "wijk_id": str(wijk),
                                                  "buurt_id": ""})
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(re.search(r"/clienten/(\d+)", r.headers["Location"]).group(1))


def _open(c, client_id, service, instrument):
    r = c.post(f"/uitkomsten/clienten/{client_id}/trajecten/nieuw", data={
        "service_type_id": str(service), "worker_id": "", "instrument": instrument,
        "zrm_version": "2017", "started_on": "2025-02-03"})
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(re.search(r"/trajecten/(\d+)/meting", r.headers["Location"]).group(1))


def test_register_score_close_and_report(app, login_as):
    wijk, service, first, last, versa = _ids(app)
    c = login_as("sociaal_werker")

    zrm_client = _register(c, wijk)
    t1 = _open(c, zrm_client, service, "zrm")
    # Begin: only three domains discussed, one of them n.v.t.; nothing else forced.
    r = c.post(f"/uitkomsten/trajecten/{t1}/meting", data={
        "kind": "begin", "measured_on": "05-02-2025", "zrm_FIN": "2", "zrm_HUI": "3",
        "zrm_GGZ": "nvt"})
    assert r.status_code == 302, r.get_data(as_text=True)
    r = c.post(f"/uitkomsten/trajecten/{t1}/meting", data={
        "kind": "eind", "measured_on": "2025-06-10", "zrm_FIN": "4", "zrm_HUI": "3",
        "zrm_GGZ": "nvt"})
    assert r.status_code == 302
    r = c.post(f"/uitkomsten/trajecten/{t1}/afsluiten", data={
        "ended_on": "2025-06-12", "closing_reason": "afgerond"})
    assert r.status_code == 302

    ladder_client = _register(c, wijk)
    t2 = _open(c, ladder_client, service, "ladder")
    for kind, day, step in (("begin", "2025-02-03", "2"), ("eind", "2025-07-01", "3")):
        r = c.post(f"/uitkomsten/trajecten/{t2}/meting",
                   data={"kind": kind, "measured_on": day, "ladder_step": step})
        assert r.status_code == 302, r.get_data(as_text=True)
    assert c.post(f"/uitkomsten/trajecten/{t2}/afsluiten", data={
        "ended_on": "2025-07-01", "closing_reason": "doorverwezen"}).status_code == 302

    with app.app_context():
        t = db.session.get(Trajectory, t1)
        assert t.closed and t.zrm_version == "2017"
        begin = t.measurements[0].score_map()
        assert begin == {"FIN": 2, "HUI": 3, "GGZ": None}
        assert db.session.get(Trajectory, t2).measurements[-1].ladder_step == 3
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert {"outcomes.client_create", "outcomes.trajectory_open",
                "outcomes.measurement_create", "outcomes.trajectory_close"} <= actions

    # The administrator's audit log tells what happened, without client codes or scores.
    with app.app_context():
        code = db.session.get(Client, zrm_client).code
    admin = login_as("admin")
    audit_page = admin.get("/beheer/audit").get_data(as_text=True)
    assert "Traject geopend voor cliënt" in audit_page and code not in audit_page

    page = c.get(f"/uitkomsten/clienten/{zrm_client}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "chart-data-" in html and "2 niet zelfredzaam" in html and "n.v.t." in html
    assert "© GGD Amsterdam" in html

    report = c.get(f"/uitkomsten/?first={first}&last={last}&grouping=totaal"
                   f"&organisation_id={versa}").get_data(as_text=True)
    # Own organisation: unsuppressed. FIN 2→4 improved (1 of 1), HUI 3→3 not (0 of 1),
    # ladder 2→3 improved (1 of 1). Wilson for 1/1 is 21%–100%.
    assert "Participatieladder: minstens één trede hoger" in report
    assert "ZRM Financiën: minstens één punt beter" in report
    assert "ZRM Huisvesting: minstens één punt beter" in report
    assert "Geestelijke gezondheid" not in report  # n.v.t. does not count
    assert "21% – 100%" in report and "100%" in report and "0% – 79%" in report


def test_scoring_form_shows_labels_and_never_forces_a_domain(app, login_as, make_client,
                                                            make_trajectory):
    c = login_as("sociaal_werker")
    cid = make_client()
    tid = make_trajectory(cid, "zrm", version="2013", ended=None, begin=None, end=None)
    html = c.get(f"/uitkomsten/trajecten/{tid}/meting").get_data(as_text=True)
    assert "Dagbesteding" in html and "acute problematiek" in html  # 2013 names and labels
    assert "Werk &amp; Opleiding" not in html
    assert len(re.findall(r'<input checked[^>]*value=""', html)) == 11  # all "niet besproken"
    # Nothing scored at all: a Dutch message, nothing saved.
    r = c.post(f"/uitkomsten/trajecten/{tid}/meting",
               data={"kind": "begin", "measured_on": "2025-02-01"})
    assert r.status_code == 400
    assert "Scoor minstens één domein" in r.get_data(as_text=True)
    # A 2017-only domain code is ignored by the 2013 form; a bad score is refused.
    r = c.post(f"/uitkomsten/trajecten/{tid}/meting",
               data={"kind": "begin", "measured_on": "2025-02-01", "zrm_FIN": "7"})
    assert r.status_code == 400 and "Kies een van de mogelijkheden" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Measurement.id))) == 0


def test_bad_input_keeps_what_was_typed(app, login_as, make_client, make_trajectory):
    c = login_as("sociaal_werker")
    cid = make_client()
    tid = make_trajectory(cid, "ladder", ended=None, begin=None, end=None)
    r = c.post(f"/uitkomsten/trajecten/{tid}/meting",
               data={"kind": "begin", "measured_on": "31-02-2025", "ladder_step": "4"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Vul een geldige datum in" in html
    assert re.search(r'<input checked[^>]*value="4"', html)  # the chosen step stays
    r = c.post("/uitkomsten/clienten/nieuw", data={"birth_year": "abc", "wijk_id": "zz"})
    assert r.status_code == 400 and "Vul een getal in" in r.get_data(as_text=True)
    r = c.post(f"/uitkomsten/clienten/{cid}/trajecten/nieuw", data={
        "service_type_id": "", "instrument": "zrm", "started_on": "2099-01-01"})
    assert r.status_code == 400 and "Kies een soort dienstverlening" in r.get_data(as_text=True)
    # An end measurement before the begin measurement is refused.
    c.post(f"/uitkomsten/trajecten/{tid}/meting",
           data={"kind": "begin", "measured_on": "2025-03-01", "ladder_step": "2"})
    r = c.post(f"/uitkomsten/trajecten/{tid}/meting",
               data={"kind": "eind", "measured_on": "2025-02-01", "ladder_step": "3"})
    assert r.status_code == 400 and "vóór de beginmeting" in r.get_data(as_text=True)


def test_registering_stores_nothing_identifying(app, login_as):
    c = login_as("sociaal_werker")
    wijk, *_ = _ids(app)
    cid = _register(c, wijk)
    with app.app_context():
        columns = set(Client.__table__.columns.keys())
        client = db.session.get(Client, cid)
        assert re.fullmatch(r"K-[A-Z2-9]{4}-[A-Z2-9]{4}", client.code)
    assert columns == {"id", "code", "organisation_id", "birth_year", "wijk_id", "buurt_id",
                       "created_at"}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ClientAccess.id))) >= 1


def test_a_measurement_entered_by_mistake_can_be_deleted(app, login_as, make_client,
                                                         make_trajectory):
    c = login_as("sociaal_werker")
    tid = make_trajectory(make_client(), "ladder", begin=2, end=3)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(Measurement.id).where(
            Measurement.trajectory_id == tid).order_by(Measurement.measured_on)))
    r = c.post(f"/uitkomsten/metingen/{ids[1]}/verwijderen")
    assert r.status_code == 302
    assert c.post(f"/uitkomsten/metingen/{ids[1]}/verwijderen").status_code == 404
    with app.app_context():
        left = list(db.session.scalars(sa.select(Measurement.id).where(
            Measurement.trajectory_id == tid, Measurement.deleted_at.is_(None))))
        assert left == [ids[0]]  # the deleted one waits for its undo window (test_measurement_undo)
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "outcomes.measurement_delete"))
        assert event.old_values["kind"] == "eind" and event.object_id == str(ids[1])
