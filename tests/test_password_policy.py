"""The password policy: common passwords, words of the context, leetspeak, reuse (issue 12)."""

from __future__ import annotations

import pytest

from monitor.extensions import db
from monitor.models import Role, User
from monitor.timeutil import utcnow

from .conftest import PASSWORD, login

THIS_YEAR = utcnow().year


def change(client, new: str, current: str = PASSWORD):
    return client.post("/account/wachtwoord", data={
        "current_password": current, "new_password": new, "confirm": new})


@pytest.mark.parametrize("weak", [
    f"Hilversum{THIS_YEAR}", f"hilversum{THIS_YEAR - 1}!", "H1lv3rsum!2026", f"{THIS_YEAR}Hilversum",
    "TellenVertellen1", "tellen-en-vertellen", f"Gemeente-Hilversum-{THIS_YEAR}",
    "Versa-Welzijn-2024", "Sanne-de-Vries-88", "sdevries.hilversum",
])
def test_context_words_are_refused(app, make_user, weak):
    user = make_user(Role.SOCIAAL_WERKER, email="s.devries@versa.test")
    with app.app_context():
        db.session.get(User, user.id).name = "Sanne de Vries"
        db.session.commit()
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    response = change(client, weak)
    assert response.status_code == 400, weak
    html = response.get_data(as_text=True)
    assert "bestaat vooral uit woorden die bij u of bij deze site horen" in html, weak
    assert 'id="new_password-error"' in html  # beside the field


@pytest.mark.parametrize("weak", [
    "Welkom2026!!!", "P@ssw0rd1234", "wachtwoord123", "Qwertyuiop12", "iloveyou2025!",
    "Zomer-Winter-Lente", "123456789012", "Voetbal!Voetbal",
])
def test_common_passwords_are_refused_also_decorated(app, login_as, weak):
    response = change(login_as(Role.RAADSLID), weak)
    assert response.status_code == 400, weak
    assert "te eenvoudig te raden" in response.get_data(as_text=True), weak


@pytest.mark.parametrize("good", [
    "een-heel-nieuw-wachtwoord", "mijn fiets staat bij de Hilversumse hei", "Ĳsvogel-op-de-Vecht-9",
    "коротко и ясно, друзья", "welkom-aan-boord-van-de-pont",
])
def test_passphrases_that_contain_such_a_word_are_fine(app, login_as, good):
    response = change(login_as(Role.RAADSLID), good)
    assert response.status_code == 302, (good, response.get_data(as_text=True)[-3000:])


def test_the_previous_password_cannot_come_back(app, login_as):
    client = login_as(Role.BUURTCOORDINATOR)
    assert change(client, "een-heel-nieuw-wachtwoord").status_code == 302
    response = change(client, PASSWORD, current="een-heel-nieuw-wachtwoord")
    assert response.status_code == 400
    assert "U heeft dit wachtwoord al eerder gebruikt" in response.get_data(as_text=True)
    assert change(client, "nog-een-heel-ander-zinnetje", current="een-heel-nieuw-wachtwoord").status_code == 302


def test_after_an_admin_reset_the_old_password_is_refused(app, login_as, make_user):
    from .mailkit import account_link_path, last_outbox_text

    user = make_user(Role.RAADSLID)
    admin = login_as(Role.ADMIN)
    admin.post(f"/beheer/gebruikers/{user.id}/wachtwoord")
    path = account_link_path(last_outbox_text(app, "account.invitation"))
    response = app.test_client().post(path, data={"new_password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400
    assert "U heeft dit wachtwoord al eerder gebruikt" in response.get_data(as_text=True)


def test_the_invitation_form_applies_the_policy_beside_the_field(app, login_as):
    from .mailkit import account_link_path, last_outbox_text

    admin = login_as(Role.ADMIN)
    admin.post("/beheer/gebruikers/nieuw", data={
        "name": "Piet Jansen", "email": "piet.jansen@example.nl", "role": "raadslid",
        "organisation_id": "None"})
    path = account_link_path(last_outbox_text(app, "account.invitation"))
    weak = f"Hilversum{THIS_YEAR}"
    response = app.test_client().post(path, data={"new_password": weak, "confirm": weak})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="new_password-error"' in html and "woorden die bij u of bij deze site horen" in html
