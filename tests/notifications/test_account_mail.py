"""Account mail end to end through a real SMTP server: invitation, reset, notices (issue 17 §3)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from monitor import mail
from monitor.auth.models import AccountToken
from monitor.extensions import db
from monitor.models import Organisation, Role, User
from monitor.timeutil import utcnow

from ..conftest import PASSWORD, login
from ..mailkit import account_link_path

NEW = "zon-over-de-heide-bij-de-molen"


def _deliver(app) -> None:
    with app.app_context():
        mail.deliver_pending()


def _set(client, path, password=NEW):
    return client.post(path, data={"new_password": password, "confirm": password})


def test_a_new_account_is_invited_by_mail_and_chooses_its_own_password(app, smtp, login_as):
    admin = login_as(Role.ADMIN)
    with app.app_context():
        org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "MEE"))
    response = admin.post("/beheer/gebruikers/nieuw", data={
        "name": "Fatima El Amrani", "email": "fatima@mee.nl", "role": "raadslid",
        "organisation_id": str(org_id)})
    assert response.status_code == 302
    flash = admin.get("/beheer/gebruikers").get_data(as_text=True)
    assert "gaat naar fatima@mee.nl" in flash and "Berichten" not in flash  # a mail server is set
    _deliver(app)
    [invitation] = smtp.to("fatima@mee.nl")
    assert invitation.subject == "Uw account voor Tellen & Vertellen"
    assert "Uw gebruikersnaam is fatima@mee.nl" in invitation.text() and "7 dagen geldig" in invitation.text()
    assert "/meldingen/voorkeuren" not in invitation.text()  # required: no way to switch it off
    path = account_link_path(invitation.text())
    with app.app_context():  # only the hash of the link's token is stored
        assert db.session.scalar(sa.select(AccountToken.token_hash)) != path.rsplit("/", 1)[1]

    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "Kies het wachtwoord voor uw nieuwe account" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    mismatch = newcomer.post(path, data={"new_password": NEW, "confirm": NEW + "x"})
    assert mismatch.status_code == 400 and "niet gelijk" in mismatch.get_data(as_text=True)
    assert _set(newcomer, path).headers["Location"] == "/account/inloggen"
    assert login(newcomer, "fatima@mee.nl", NEW).status_code == 302
    used = app.test_client().get(path)
    assert used.status_code == 410 and "al gebruikt of verlopen" in used.get_data(as_text=True)
    assert _set(app.test_client(), path, "nog-een-ander-zinnetje-hier").status_code == 410
    _deliver(app)
    assert [m.subject for m in smtp.to("fatima@mee.nl")] == [
        "Uw account voor Tellen & Vertellen", "Uw wachtwoord is gewijzigd"]


def test_without_a_mail_server_the_beheerder_finds_the_invitation_in_the_outbox(app, login_as):
    assert not app.config["MAIL_URL"]
    admin = login_as(Role.ADMIN)
    admin.post("/beheer/gebruikers/nieuw", data={"name": "Piet", "email": "piet@example.nl",
                                                 "role": "raadslid", "organisation_id": "None"})
    assert "u vindt het bericht onder Beheer › Berichten" in admin.get("/beheer/gebruikers").get_data(as_text=True)
    _deliver(app)
    listing = admin.get("/beheer/berichten").get_data(as_text=True)
    assert "Uw account voor Tellen &amp; Vertellen" in listing and "piet@example.nl" in listing
    from monitor.notifications.models import OutgoingMessage

    with app.app_context():
        message_id = db.session.scalar(sa.select(OutgoingMessage.id).where(
            OutgoingMessage.kind == "account.invitation"))
    eml = admin.get(f"/beheer/berichten/{message_id}.eml")
    assert eml.status_code == 200 and b"/account/wachtwoord-instellen/" in eml.data


def test_a_forgotten_password_is_reset_by_mail_without_telling_who_has_an_account(app, smtp, make_user):
    user = make_user(Role.SOCIAAL_WERKER, email="werker@example.org")
    client = app.test_client()
    assert "Wachtwoord vergeten?" in client.get("/account/inloggen").get_data(as_text=True)
    known = client.post("/account/wachtwoord-vergeten", data={"email": "Werker@Example.org"})
    unknown = app.test_client().post("/account/wachtwoord-vergeten", data={"email": "niemand@example.org"})
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert client.get("/account/inloggen").get_data(as_text=True).count("Als er een actief account") == 1
    _deliver(app)
    assert smtp.to("niemand@example.org") == []
    [reset] = smtp.to("werker@example.org")
    assert reset.subject == "Nieuw wachtwoord kiezen" and "60 minuten geldig" in reset.text()
    path = account_link_path(reset.text())
    assert _set(client, path).status_code == 302
    assert login(app.test_client(), user.email, PASSWORD).status_code == 401  # the old one is gone
    assert login(app.test_client(), user.email, NEW).status_code == 302
    _deliver(app)
    assert [m.subject for m in smtp.to("werker@example.org")][-1] == "Uw wachtwoord is gewijzigd"


def test_a_reset_link_expires_and_asking_is_limited_per_address(app, smtp, make_user):
    make_user(Role.SOCIAAL_WERKER, email="werker@example.org")
    client = app.test_client()
    client.post("/account/wachtwoord-vergeten", data={"email": "werker@example.org"})
    _deliver(app)
    path = account_link_path(smtp.to("werker@example.org")[0].text())
    with app.app_context():
        db.session.execute(sa.update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(path).status_code == 410
    limit = app.config["PASSWORD_RESET_MAX_PER_ACCOUNT"]
    for email in ("werker@example.org", "niemand@example.org"):
        answers = [app.test_client().post("/account/wachtwoord-vergeten", data={"email": email}).status_code
                   for _ in range(limit + 1)]
        # The first request for werker@ was above; the limit is the same for an unknown address.
        expected = [302] * (limit - 1) + [429, 429] if email.startswith("werker") else [302] * limit + [429]
        assert answers == expected, email
    page = app.test_client().post("/account/wachtwoord-vergeten", data={"email": "niemand@example.org"})
    assert "te vaak om een nieuw wachtwoord gevraagd" in page.get_data(as_text=True)


def test_a_password_change_is_notified_and_an_admin_hears_of_a_new_device(app, smtp, login_as, make_user):
    worker = login_as(Role.SOCIAAL_WERKER, email="werker@example.org")
    assert worker.post("/account/wachtwoord", data={"current_password": PASSWORD, "new_password": NEW,
                                                    "confirm": NEW}).status_code == 302
    make_user(Role.ADMIN, email="beheer@example.org")
    browser = app.test_client()
    assert login(browser, "beheer@example.org").status_code == 302  # a browser never seen
    browser.post("/account/uitloggen")
    assert login(browser, "beheer@example.org").status_code == 302  # the same browser again
    _deliver(app)
    assert [m.subject for m in smtp.to("werker@example.org")] == ["Uw wachtwoord is gewijzigd"]
    notices = smtp.to("beheer@example.org")
    assert [m.subject for m in notices] == ["Ingelogd vanaf een nieuw apparaat"]
    assert "adres: 127.0.0.1" in notices[0].text()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "werker@example.org"))
        assert user.password_changed_at is not None
