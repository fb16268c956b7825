"""Issue 19 (3): the front door for residents and the public form in plain words."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story, StoryStatus, Visibility

from .conftest import image_bytes, quality_id


def _post(client, data, **kw):
    return client.post("/verhalen/vertel", data=data, content_type="multipart/form-data", **kw)


def _story(app, title: str) -> Story:
    with app.app_context():
        story = db.session.scalar(sa.select(Story).where(Story.title == title))
        db.session.expunge_all()
        return story


# --- the front door ---------------------------------------------------------------------

def test_visitor_without_account_gets_the_public_start(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/verhalen/vertel"' in html  # "Vertel uw verhaal"
    assert 'href="/verhalen/"' in html  # the archive
    assert "Hoe werkt het?" in html
    assert 'href="/account/inloggen"' in html  # the sign-in is one link among them
    assert 'name="password"' not in html


def test_signed_in_user_keeps_the_home_page(login_as):
    worker = login_as(Role.SOCIAAL_WERKER)
    response = worker.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/start"


def test_sign_in_page_links_to_the_form_and_the_archive(client):
    html = client.get("/account/inloggen").get_data(as_text=True)
    assert 'href="/verhalen/vertel"' in html and 'href="/verhalen/"' in html


# --- the form in plain words ------------------------------------------------------------

def test_form_has_no_markdown_jargon_and_qualities_are_optional(client):
    html = client.get("/verhalen/vertel").get_data(as_text=True)
    assert "Markdown" not in html and "zichtbaarheid" not in html.lower()
    legend = re.search(r'<fieldset[^>]*id="quality_ids".*?<legend[^>]*>(.*?)</legend>', html, re.S).group(1)
    assert "mag leeg blijven" in legend and "verplicht" not in legend


def test_resident_chooses_who_reads_in_plain_words(client):
    html = client.get("/verhalen/vertel").get_data(as_text=True)
    radios = re.findall(r'<input[^>]*name="visibility"[^>]*value="(\w+)"', html)
    assert sorted(radios) == sorted(v.value for v in Visibility)
    assert "Iedereen. Het verhaal komt op de website van de gemeente." in html
    assert "Alleen de gemeenteraad en de medewerkers van de gemeente." in html
    assert "Alleen de gemeente: de medewerkers die in de wijk werken." in html
    assert not re.search(r'name="visibility"[^>]*checked', html)  # nobody chooses for them


@pytest.mark.parametrize("choice, words", [
    ("openbaar", "iedereen (op de website)"),
    ("raad", "de gemeenteraad en de medewerkers van de gemeente"),
    ("intern", "alleen de medewerkers van de gemeente"),
])
def test_consent_text_names_the_chosen_audience(narr_app, client, public_form, choice, words):
    # Refused (no title): the form comes back with the consent sentence naming the choice.
    response = _post(client, public_form(visibility=choice, title=""))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    label = re.search(r'<label[^>]*for="consent_given">(.*?)</label>', html, re.S).group(1)
    assert 'class="consent-audience"' in label and f">{words}</strong>" in label
    # Accepted: the receipt names what was consented to, and the story records it.
    response = _post(client, public_form(visibility=choice, title=f"Keuze {choice}"))
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"<strong>{words}</strong>" in receipt
    story = _story(narr_app, f"Keuze {choice}")
    assert story.consented_visibility == Visibility(choice) == story.visibility


def test_no_audience_chosen_is_refused_beside_the_field(narr_app, client, public_form):
    data = public_form()
    del data["visibility"]
    response = _post(client, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="visibility-error"' in html and "Kies wie uw verhaal mag lezen." in html
    assert "de groep die ik hierboven kies" in html


def test_consent_checkbox_follows_the_utrecht_form_field_markup(client):
    html = client.get("/verhalen/vertel").get_data(as_text=True)
    block = re.search(r'<div class="utrecht-form-field utrecht-form-field--checkbox[^"]*">\s*'
                      r'<div class="utrecht-form-field__input">\s*(<input[^>]*id="consent_given"[^>]*>)\s*</div>\s*'
                      r'<div class="utrecht-form-field__label utrecht-form-field__label--checkbox">\s*'
                      r'<label class="utrecht-form-label utrecht-form-label--checkbox" for="consent_given">',
                      html)
    assert block, "checkbox and label each in their own part of the form field"
    assert 'type="checkbox"' in block.group(1)


def test_refused_submission_keeps_every_typed_field(narr_app, client, public_form):
    with narr_app.app_context():
        k7 = str(quality_id("K7"))
    data = public_form(title="Het bankje bij de vijver", summary="Buren praten bij het bankje.",
                       body="Elke ochtend zitten we daar.\n\nDan praten we.", tags="bankje, vijver",
                       teller_name="Fatma", email="geen-adres", visibility="raad", language="tr",
                       form="interview", about_date="2026-02-14",
                       quality_ids=[k7],
                       **{"photo_1-alt_text": "Een bankje", "photo_1-caption": "In de zon",
                          "photo_1-recognisable_people": "y"})
    response = _post(client, data)
    assert response.status_code == 400  # the address is no address
    html = response.get_data(as_text=True)
    for name in ("title", "tags", "teller_name", "email", "photo_1-alt_text", "photo_1-caption"):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(data[name])}"', html) or \
            re.search(rf'value="{re.escape(data[name])}"[^>]*name="{name}"', html), name
    assert "\nBuren praten bij het bankje.</textarea>" in html
    assert "Elke ochtend zitten we daar.\n\nDan praten we.</textarea>" in html
    assert re.search(r'value="raad"[^>]*checked|checked[^>]*value="raad"', html)
    assert re.search(r'<option selected value="tr">|<option value="tr" selected', html)
    assert re.search(r'<option selected value="interview">|<option value="interview" selected', html)
    assert 'value="2026-02-14"' in html
    assert re.search(rf'checked[^>]*value="{k7}"|value="{k7}"[^>]*checked', html)
    assert re.search(r'id="photo_1-recognisable_people"[^>]*checked|checked[^>]*id="photo_1-recognisable_people"', html)
    assert re.search(r'checked[^>]*name="consent_given"|name="consent_given"[^>]*checked', html) or \
        re.search(r'id="consent_given"[^>]*checked|checked[^>]*id="consent_given"', html)


@pytest.mark.real_db  # the rate limiter's counts must survive the request's rollback
def test_refusal_for_the_rate_limit_keeps_what_was_typed(narr_app, client, public_form):
    narr_app.config.update(NARRATIVES_MAX_PER_HOUR=1, NARRATIVES_MAX_PER_DAY=10)
    assert _post(client, public_form()).status_code == 302
    data = public_form(title="Tweede verhaal", body="Nog een verhaal.\nMet twee regels.",
                       visibility="intern", language="en", teller_name="Jan",
                       email="jan@example.org", tags="tuin")
    response = _post(client, data)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "al meerdere verhalen verstuurd" in html and "Wat u typte staat er nog" in html
    for value in ('value="Tweede verhaal"', 'value="Jan"', 'value="jan@example.org"', 'value="tuin"'):
        assert value in html
    assert "Nog een verhaal.\nMet twee regels.</textarea>" in html
    assert re.search(r'value="intern"[^>]*checked|checked[^>]*value="intern"', html)
    assert re.search(r'<option selected value="en">|<option value="en" selected', html)
    assert "alleen de medewerkers van de gemeente</strong>" in html  # the consent says so too
    # The form shown again carries a stamp that works once the limit has passed.
    assert re.search(r'name="started"[^>]*value="[^"]+"', html)


@pytest.mark.real_db  # the photo is refused after the attempt was counted (committed)
def test_error_summary_names_the_field_and_the_message(narr_app, client, public_form):
    data = public_form(photos=[(b"not an image at all", "foto.jpg", "Een bankje")])
    response = _post(client, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = html.split('id="foutmeldingen"')[1].split("</ul>")[0]
    items = re.findall(r"<li>(.*?)</li>", summary, re.S)
    assert items and all(": file" not in item for item in items)
    assert any('href="#photo_1-file"' in item and "Foto 1 – Kies een foto: " in item for item in items)


def test_error_summary_names_a_top_level_field(client, public_form):
    summary = _post(client, public_form(title="")).get_data(as_text=True).split('id="foutmeldingen"')[1]
    assert 'href="#title">Titel: Geef uw verhaal een titel.</a>' in summary


def test_story_without_qualities_is_moderated_after_the_coordinator_assigns_them(
        narr_app, client, public_form, login_as):
    response = _post(client, public_form(title="Zonder kwaliteit", quality_ids=[]))
    assert response.status_code == 302
    story = _story(narr_app, "Zonder kwaliteit")
    assert story.status == StoryStatus.INGEDIEND
    with narr_app.app_context():
        k1 = str(quality_id("K1"))
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    page = coordinator.get(f"/verhalen/verhaal/{story.id}/moderatie").get_data(as_text=True)
    assert "Nog geen: de verteller liet ze aan u over" in page
    refused = coordinator.post(f"/verhalen/verhaal/{story.id}/publiceren",
                               data={"pub-visibility": "openbaar"})
    assert "minstens één kwaliteit" in refused.get_data(as_text=True)
    # The coordinator assigns a quality through the edit page, then publishes.
    edit = coordinator.get(f"/verhalen/verhaal/{story.id}/bewerken").get_data(as_text=True)
    fields = dict(re.findall(r'name="(title|summary|wijk_id|about_date|form|teller)"[^>]*value="([^"]*)"', edit))
    response = coordinator.post(f"/verhalen/verhaal/{story.id}/bewerken", data={
        "title": "Zonder kwaliteit", "summary": story.summary, "body": story.body,
        "wijk_id": str(story.wijk_id), "buurt_id": "", "about_date": story.about_date.isoformat(),
        "form": "tekst", "teller": fields.get("teller", "inwoner"), "teller_name": "",
        "quality_ids": [k1], "tags": "", "consent_given": "y",
        "consent_method": "online", "consent_date": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    response = coordinator.post(f"/verhalen/verhaal/{story.id}/publiceren",
                                data={"pub-visibility": "openbaar"})
    assert response.status_code == 302
    assert _story(narr_app, "Zonder kwaliteit").status == StoryStatus.GEPUBLICEERD


def test_moderator_cannot_publish_wider_than_the_resident_allowed(
        narr_app, client, public_form, login_as):
    assert _post(client, public_form(title="Alleen voor de raad", visibility="raad")).status_code == 302
    story = _story(narr_app, "Alleen voor de raad")
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    page = coordinator.get(f"/verhalen/verhaal/{story.id}/moderatie").get_data(as_text=True)
    assert re.search(r'value="raad"[^>]*checked|checked[^>]*value="raad"', page)  # the default
    response = coordinator.post(f"/verhalen/verhaal/{story.id}/publiceren",
                                data={"pub-visibility": "openbaar"})
    assert response.status_code == 400
    assert "Breder publiceren kan niet" in response.get_data(as_text=True)
    assert _story(narr_app, "Alleen voor de raad").status == StoryStatus.INGEDIEND
    # Narrower is always possible; so is the resident's own choice.
    for choice in ("intern", "raad"):
        assert coordinator.post(f"/verhalen/verhaal/{story.id}/publiceren",
                                data={"pub-visibility": choice}).status_code == 302
    assert _story(narr_app, "Alleen voor de raad").visibility == Visibility.RAAD
    assert client.get(f"/verhalen/verhaal/{story.id}").status_code == 404  # not public


def test_photo_error_keeps_the_photo_fields(narr_app, client, public_form):
    data = public_form(photos=[(image_bytes(), "a.jpg", "", {"caption": "Onder de foto"})])
    response = _post(client, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Onder de foto"' in html
    assert "Beschrijf wat er op de foto te zien is" in html
