"""Admin screens: accounts, organisations, wijken, buurten, periods; all audited."""

from __future__ import annotations

import re

import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, Buurt, Organisation, Period, Role, User, Wijk

from .conftest import get_org, login


def last_event(app, action: str) -> AuditEvent:
    with app.app_context():
        return db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc()))


def ids(app, model, names):
    with app.app_context():
        return [db.session.scalar(sa.select(model.id).where(model.name == n)) for n in names]


def test_admin_creates_a_social_worker_who_can_then_sign_in(app, login_as):
    admin = login_as(Role.ADMIN)
    org_id = ids(app, Organisation, ["MEE"])[0]
    wijk_ids = ids(app, Wijk, ["Oost", "Zuid"])
    response = admin.post("/beheer/gebruikers/nieuw", data={
        "name": "Fatima El Amrani", "email": "Fatima@MEE.nl", "role": "sociaal_werker",
        "organisation_id": str(org_id), "wijk_ids": [str(i) for i in wijk_ids]})
    assert response.status_code == 302
    flash = admin.get("/beheer/gebruikers").get_data(as_text=True)
    assert "De uitnodiging met een link om een wachtwoord te kiezen gaat naar fatima@mee.nl" in flash
    assert "Beheer › Berichten" in flash  # no mail server in the tests: where to find it
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "fatima@mee.nl"))
        assert user.role == Role.SOCIAAL_WERKER and user.organisation.name == "MEE"
        assert sorted(w.name for w in user.wijken) == ["Oost", "Zuid"]
    event = last_event(app, "user.create")
    assert event.new_values["email"] == "fatima@mee.nl" and event.actor_id == admin.user.id
    assert event.new_values["wijken"] == ["Oost", "Zuid"]
    # The newcomer chooses a password with the invitation's link, then signs in.
    from monitor import mail
    from monitor.notifications.models import OutgoingMessage

    with app.app_context():
        mail.deliver_pending()
        body = db.session.scalar(sa.select(OutgoingMessage.body_text).where(
            OutgoingMessage.kind == "account.invitation"))
    path = "/account/" + re.search(r"/account/(wachtwoord-instellen/\S+)", body).group(1)
    newcomer = app.test_client()
    assert newcomer.post(path, data={"new_password": "zon-over-de-heide-bij-de-molen",
                                     "confirm": "zon-over-de-heide-bij-de-molen"}).status_code == 302
    assert login(newcomer, "fatima@mee.nl", "zon-over-de-heide-bij-de-molen").status_code == 302


def test_incomplete_scope_is_refused_and_input_kept(app, login_as):
    admin = login_as(Role.ADMIN)
    response = admin.post("/beheer/gebruikers/nieuw", data={
        "name": "Zonder Organisatie", "email": "zonder@test.nl", "role": "sociaal_werker",
        "organisation_id": "None", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Een sociaal werker hoort bij een organisatie." in html
    assert 'value="Zonder Organisatie"' in html and 'value="zonder@test.nl"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "zonder@test.nl")) is None


def test_a_duplicate_email_is_refused(app, login_as, make_user):
    admin = login_as(Role.ADMIN)
    make_user(Role.RAADSLID, email="bestaat@test.nl")
    response = admin.post("/beheer/gebruikers/nieuw", data={
        "name": "Dubbel", "email": "BESTAAT@test.nl", "role": "raadslid"})
    assert "Er bestaat al een account met dit e-mailadres." in response.get_data(as_text=True)
    # No password field any more: the newcomer chooses it through the invitation.
    assert 'name="password"' not in admin.get("/beheer/gebruikers/nieuw").get_data(as_text=True)


def test_editing_a_user_records_old_and_new_values(app, login_as, make_user):
    admin = login_as(Role.ADMIN)
    user = make_user(Role.BUURTCOORDINATOR, wijken=["Oost"])
    wijk_ids = ids(app, Wijk, ["Zuid", "Centrum"])
    response = admin.post(f"/beheer/gebruikers/{user.id}", data={
        "name": user.name, "email": user.email, "role": "buurtcoordinator",
        "organisation_id": "None", "wijk_ids": [str(i) for i in wijk_ids]})
    assert response.status_code == 302
    event = last_event(app, "user.update")
    assert event.old_values == {"wijken": ["Oost"], "organisation_id": get_org_id(app, "Gemeente Hilversum")}
    assert event.new_values == {"wijken": ["Centrum", "Zuid"], "organisation_id": None}


def get_org_id(app, name):
    with app.app_context():
        return get_org(name).id


def test_admin_cannot_deactivate_themselves(app, login_as):
    admin = login_as(Role.ADMIN)
    admin.post(f"/beheer/gebruikers/{admin.user.id}/actief")
    assert "U kunt uw eigen account niet deactiveren." in admin.get("/beheer/gebruikers").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.user.id).active


def test_a_new_invitation_ends_the_password_and_the_sessions(app, login_as):
    from monitor.notifications.models import OutgoingMessage

    admin = login_as(Role.ADMIN)
    worker = login_as(Role.SOCIAAL_WERKER)
    response = admin.post(f"/beheer/gebruikers/{worker.user.id}/wachtwoord")
    assert response.status_code == 302
    assert worker.get("/start").status_code == 302
    assert login(app.test_client(), worker.user.email).status_code == 401  # the old password is gone
    with app.app_context():
        assert db.session.scalar(sa.select(OutgoingMessage.to_address).where(
            OutgoingMessage.kind == "account.invitation")) == worker.user.email


def test_organisations_wijken_buurten_are_deactivated_never_deleted(app, login_as):
    admin = login_as(Role.ADMIN)
    assert admin.post("/beheer/organisaties/nieuw", data={
        "name": "Buurtteam Oost", "kind": "welzijn", "description": "Nieuw"}).status_code == 302
    org_id = ids(app, Organisation, ["Buurtteam Oost"])[0]
    admin.post(f"/beheer/organisatie/{org_id}/actief")
    wijk_id = ids(app, Wijk, ["Oost"])[0]
    admin.post(f"/beheer/wijk/{wijk_id}/actief")
    buurt_id = ids(app, Buurt, ["Geuzenbuurt"])[0]
    admin.post(f"/beheer/buurt/{buurt_id}/actief")
    with app.app_context():
        assert db.session.get(Organisation, org_id).active is False
        assert db.session.get(Wijk, wijk_id).active is False
        assert db.session.get(Buurt, buurt_id).active is False
    assert last_event(app, "buurt.deactivate").old_values == {"active": True}
    # Deactivated wijken are no longer offered for new accounts.
    assert ">Oost</label>" not in admin.get("/beheer/gebruikers/nieuw").get_data(as_text=True)
    admin.post(f"/beheer/wijk/{wijk_id}/actief")
    with app.app_context():
        assert db.session.get(Wijk, wijk_id).active is True


def test_duplicate_names_are_refused(app, login_as):
    admin = login_as(Role.ADMIN)
    response = admin.post("/beheer/organisaties/nieuw", data={"name": "versa welzijn", "kind": "welzijn"})
    assert response.status_code == 400 and "Deze naam bestaat al." in response.get_data(as_text=True)
    response = admin.post("/beheer/wijken/nieuw", data={"name": "Oost"})
    assert "Deze naam bestaat al." in response.get_data(as_text=True)
    oost = ids(app, Wijk, ["Oost"])[0]
    response = admin.post("/beheer/buurten/nieuw", data={"name": "Geuzenbuurt", "wijk_id": str(oost)})
    assert "Deze naam bestaat al." in response.get_data(as_text=True)
    response = admin.post("/beheer/buurten/nieuw", data={"name": "Geuzenbuurt", "wijk_id": "999999"})
    assert response.status_code == 400


def test_buurt_can_be_added_and_moved(app, login_as):
    admin = login_as(Role.ADMIN)
    oost, zuid = ids(app, Wijk, ["Oost", "Zuid"])
    admin.post("/beheer/buurten/nieuw", data={"name": "Nieuwe Buurt", "wijk_id": str(oost)})
    buurt_id = ids(app, Buurt, ["Nieuwe Buurt"])[0]
    admin.post(f"/beheer/buurten/{buurt_id}", data={"name": "Nieuwe Buurt", "wijk_id": str(zuid), "verified": "y"})
    with app.app_context():
        buurt = db.session.get(Buurt, buurt_id)
        assert buurt.wijk.name == "Zuid" and buurt.verified
    event = last_event(app, "buurt.update")
    assert event.old_values == {"wijk_id": oost, "verified": False}


def test_period_deadline_can_be_changed_but_not_after_lock(app, login_as):
    admin = login_as(Role.ADMIN)
    with app.app_context():
        period_id = db.session.scalar(sa.select(Period.id).where(Period.year == 2026, Period.tertial == 1))
    response = admin.post(f"/beheer/perioden/{period_id}", data={"deadline": "2026-05-20", "lock_date": "2026-05-01"})
    assert response.status_code == 400
    assert "De vergrendeldatum kan niet vóór de deadline liggen." in response.get_data(as_text=True)
    response = admin.post(f"/beheer/perioden/{period_id}", data={"deadline": "2026-05-20", "lock_date": "2026-07-01"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Period, period_id).deadline.isoformat() == "2026-05-20"
    assert last_event(app, "period.update").new_values["deadline"] == "2026-05-20"
    response = admin.post(f"/beheer/perioden/{period_id}", data={"deadline": "twintig mei"})
    assert response.status_code == 400


def test_audit_log_lists_events_and_filters(app, login_as):
    admin = login_as(Role.ADMIN)
    admin.post("/beheer/wijken/nieuw", data={"name": "Testwijk"})
    html = admin.get("/beheer/audit?actie=wijk.").get_data(as_text=True)
    assert "wijk.create" in html and "Testwijk" in html
    assert "auth.login" not in html
    assert admin.get("/beheer/audit?pagina=abc").status_code == 200
    assert admin.get("/beheer/audit?pagina=-4").status_code == 200


def test_missing_records_give_404(login_as):
    admin = login_as(Role.ADMIN)
    assert admin.get("/beheer/gebruikers/424242").status_code == 404
    assert admin.post("/beheer/wijk/424242/actief").status_code == 404


def test_admin_home_flags_incomplete_accounts(app, login_as, make_user):
    admin = login_as(Role.ADMIN)
    lonely = make_user(Role.BUURTCOORDINATOR, wijken=[])
    html = admin.get("/start").get_data(as_text=True)
    assert f"{lonely.name}: buurtcoördinator zonder wijk" in html


def test_standard_form_messages_are_dutch(login_as):
    admin = login_as(Role.ADMIN)
    response = admin.post("/beheer/gebruikers/nieuw", data={
        "name": "X", "email": "x@test.nl", "role": "keizer", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not a valid choice" not in html and "Ongeldige keuze" in html, html[html.find("error-message"):][:400]
