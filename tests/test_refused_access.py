"""Refused access (403) is logged: every refusal in the process log, aggregated in the audit trail."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from monitor import accesslog
from monitor.extensions import db
from monitor.models import AuditEvent, Role

from .conftest import get_org, get_wijk


def denied(app) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "access.denied").order_by(AuditEvent.id)))
        db.session.expunge_all()
    return rows


def test_a_refused_page_is_logged_with_who_what_and_how(app, login_as, caplog):
    worker = login_as(Role.SOCIAAL_WERKER)
    caplog.set_level(logging.WARNING, logger="monitor.accesslog")
    response = worker.get("/beheer/gebruikers?token=geheim-in-de-query")
    assert response.status_code == 403 and "Geen toegang" in response.get_data(as_text=True)
    [event] = denied(app)
    assert event.actor_id == worker.user.id
    assert event.new_values["endpoint"] == "admin.users" and event.new_values["method"] == "GET"
    assert event.new_values["role"] == "sociaal_werker" and event.new_values["permission"] == "admin.manage"
    assert event.ip_address == "127.0.0.1"
    [line] = [r.getMessage() for r in caplog.records if "Access refused" in r.getMessage()]
    assert f"user={worker.user.id}" in line and "role=sociaal_werker" in line
    assert "endpoint=admin.users" in line and "method=GET" in line
    everything = line + repr(event.new_values) + event.summary
    assert "geheim-in-de-query" not in everything  # no query strings (they can carry tokens)


def test_an_object_refusal_names_the_object(app, login_as):
    from monitor.counts.models import CountReturn

    from .counts.conftest import org_id, period, wijk_id

    worker = login_as(Role.SOCIAAL_WERKER)  # Versa Welzijn, Oost and Hilversumse Meent
    with app.app_context():
        ret = CountReturn(organisation_id=org_id("MEE"), wijk_id=wijk_id("Oost"),
                          period_id=period(2024, 1).id, meldingen=3)
        db.session.add(ret)
        db.session.commit()
        mee_return = ret.id
    assert worker.get(f"/tellen/opgaven/{mee_return}").status_code == 403
    [event] = denied(app)
    assert (event.object_type, event.object_id) == ("CountReturn", str(mee_return))
    assert event.new_values["permission"] == "counts.read_return"
    assert event.new_values["ids"] == {"return_id": mee_return}


def test_refusals_are_aggregated_so_probing_cannot_flood_the_audit_trail(app, login_as, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="monitor.accesslog")
    raadslid = login_as(Role.RAADSLID)
    for _ in range(30):
        assert raadslid.get("/beheer/gebruikers").status_code == 403
    assert len(denied(app)) == 1  # one record per (who, page) per ten minutes
    assert sum("Access refused" in r.getMessage() for r in caplog.records) == 30  # the log has all
    monkeypatch.setattr(accesslog, "PER_ACTOR", 3)
    for url in ("/beheer/", "/beheer/organisaties", "/beheer/wijken", "/beheer/perioden", "/beheer/audit"):
        assert raadslid.get(url).status_code == 403
    events = denied(app)
    assert len(events) == 4  # three, then one that says the rest is only in the process log
    assert events[-1].summary.startswith("Meer dan 3 geweigerde verzoeken")


def test_the_admin_reads_refusals_in_the_audit_log(app, login_as):
    login_as(Role.RAADSLID).get("/beheer/gebruikers")
    admin = login_as(Role.ADMIN)
    assert "/beheer/audit?actie=access.denied" in admin.get("/beheer/").get_data(as_text=True)
    page = admin.get("/beheer/audit", query_string={"actie": "access.denied"}).get_data(as_text=True)
    assert "Geen toegang: GET /beheer/gebruikers" in page


def test_an_api_refusal_is_logged_with_the_token(app, login_as):
    from .counts.test_api import GOOD, bearer, create_token

    token = create_token(app, login_as(Role.ACCOUNTHOUDER))
    with app.app_context():
        versa = get_org("Versa Welzijn")
        versa.wijken = [get_wijk("Oost")]
        db.session.commit()
    assert app.test_client().post("/api/v1/returns", json=dict(GOOD, wijk="Zuid"),
                                  headers=bearer(token)).status_code == 403
    [event] = denied(app)
    assert event.actor_id is None and event.actor_label.startswith("API: Versa Welzijn (sleutel tv_")
    assert event.object_type == "Wijk" and "werkgebied" in event.summary
    assert token not in repr(event.new_values) + event.summary + event.actor_label
