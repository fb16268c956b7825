"""Issue 19 (4): the public pages in Dutch, English, Turkish and Arabic; stories record
their language; the archive filters on it; only Dutch stories are stemmed as Dutch."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story

from .test_search import _facet, _titles, _total

# A label of the form and the page's heading, as the catalogue translates them.
FORM_PAGE = {
    "nl": ("Vertel uw verhaal", "Wie mag uw verhaal lezen?", "ltr"),
    "en": ("Tell your story", "Who may read your story?", "ltr"),
    "tr": ("Hikâyenizi anlatın", "Hikâyenizi kim okuyabilir?", "ltr"),
    "ar": ("احكِ قصتك", "من يُسمح له بقراءة قصتك؟", "rtl"),
}


def _html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


def _selected_language(html: str) -> str:
    select = re.search(r'<select[^>]*name="language".*?</select>', html, re.S).group(0)
    return re.search(r'<option (?:selected value="(\w+)"|value="(\w+)" selected)', select).group(1, 2)


@pytest.mark.parametrize("lang", list(FORM_PAGE))
def test_form_in_each_language_with_lang_and_dir(client, lang):
    heading, legend, direction = FORM_PAGE[lang]
    html = client.get(f"/verhalen/vertel?lang={lang}").get_data(as_text=True)
    assert _html_tag(html) == f'<html lang="{lang}" dir="{direction}" class="tellen-theme">'
    assert f'<h1 class="utrecht-heading-1">{heading}</h1>' in html
    assert legend in html
    assert lang in [v for v in _selected_language(html) if v]  # the story's language defaults to the page's
    # The switch names every language in its own words and marks the current one.
    for code, name in (("nl", "Nederlands"), ("en", "English"), ("tr", "Türkçe"), ("ar", "العربية")):
        assert f'lang="{code}"' in html and name in html
    assert re.search(rf'<span aria-current="true" lang="{lang}"', html)


def test_choice_is_remembered_in_a_cookie_and_overrides_accept_language(client):
    response = client.get("/verhalen/?lang=ar")
    assert "taal=ar" in response.headers["Set-Cookie"]
    assert {"Cookie", "Accept-Language"} <= set(response.vary)  # for caches
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in _html_tag(html)
    assert 'lang="tr"' in _html_tag(client.get("/privacy?lang=tr").get_data(as_text=True))
    assert 'lang="tr"' in _html_tag(client.get("/toegankelijkheid").get_data(as_text=True))


def test_accept_language_is_the_first_guess(client):
    html = client.get("/verhalen/vertel", headers={"Accept-Language": "tr-TR,tr;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="tr"' in _html_tag(html)
    html = client.get("/verhalen/vertel", headers={"Accept-Language": "fr, de"}).get_data(as_text=True)
    assert 'lang="nl"' in _html_tag(html)  # no catalogue: Dutch
    assert 'lang="nl"' in _html_tag(client.get("/verhalen/vertel?lang=xx").get_data(as_text=True))


def test_staff_pages_stay_dutch_whatever_was_chosen(login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    coordinator.set_cookie("taal", "ar")
    for path in ("/start", "/verhalen/moderatie", "/verhalen/nieuw"):
        html = coordinator.get(path, headers={"Accept-Language": "ar"}).get_data(as_text=True)
        assert _html_tag(html) == '<html lang="nl" dir="ltr" class="tellen-theme">', path
        assert "Ga direct naar de inhoud" in html and "class=\"language-switch\"" not in html



def test_sign_in_page_stays_dutch(client):
    assert 'lang="nl"' in _html_tag(client.get("/account/inloggen?lang=en").get_data(as_text=True))


def test_signed_in_users_keep_the_language_on_public_pages(login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    assert 'lang="en"' in _html_tag(coordinator.get("/verhalen/?lang=en").get_data(as_text=True))


def test_translated_errors_in_the_readers_language(client, public_form):
    data = public_form(title="")
    del data["consent_given"]
    html = client.post("/verhalen/vertel?lang=en", data=data,
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Give your story a title." in html
    summary = html.split('id="foutmeldingen"')[1].split("</ul>")[0]
    assert "Please check the form" in html and 'href="#title">Title: Give your story a title.' in summary
    data = public_form()
    del data["consent_given"]
    html = client.post("/verhalen/vertel?lang=tr", data=data,
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "İzniniz olmadan hikâyeyi yayınlayamayız." in html  # a service's message, translated


@pytest.mark.parametrize("lang", ["ar", "en", "tr", "nl"])
def test_a_story_records_its_language(narr_app, client, public_form, lang):
    response = client.post(f"/verhalen/vertel?lang={lang}", data=public_form(language=lang, title=f"Taal {lang}"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<html lang="{lang}"' in receipt
    with narr_app.app_context():
        assert db.session.scalar(sa.select(Story.language).where(Story.title == f"Taal {lang}")) == lang


def test_an_unknown_language_is_refused_beside_the_field(narr_app, client, public_form):
    response = client.post("/verhalen/vertel", data=public_form(language="xx"),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'id="language-error"' in response.get_data(as_text=True)


@pytest.fixture
def languages(make_story):
    make_story(title="Samen wandelen", body="De buurten wandelen samen door het park.")
    make_story(title="Walking together", body="The neighbours walk together. Gardening makes people happy.",
               language="en")
    make_story(title="Birlikte yürümek", body="Komşular parkta birlikte yürüyor.", language="tr")
    make_story(title="نمشي معًا", body="الجيران يمشون معًا في الحديقة.", language="ar")


def test_archive_filters_on_language(client, languages):
    html = client.get("/verhalen/").get_data(as_text=True)
    assert _facet(html, "taal") == {"Nederlands": 1, "English": 1, "Türkçe": 1, "العربية": 1}
    html = client.get("/verhalen/?taal=en").get_data(as_text=True)
    assert _titles(html) == ["Walking together"] and _total(html) == 1
    html = client.get("/verhalen/?taal=en&taal=tr").get_data(as_text=True)
    assert sorted(_titles(html)) == ["Birlikte yürümek", "Walking together"]
    # A story told in another language than the page is marked as such for screen readers.
    assert re.search(r'story-card__title"><a[^>]* lang="tr" dir="ltr">Birlikte', html)
    html = client.get("/verhalen/?taal=ar").get_data(as_text=True)
    assert re.search(r'story-card__title"><a[^>]* lang="ar" dir="rtl">', html)


def test_dutch_stemming_stays_for_dutch_and_other_languages_are_not_stemmed(client, languages):
    # Dutch: "parken" finds "park" (stemmed).
    assert _titles(client.get("/verhalen/?q=parken").get_data(as_text=True)) == ["Samen wandelen"]
    # English words are kept as written: the Dutch stemmer would make "gardening" "garden"
    # and drop "door"-like stop words; here the exact word finds the story...
    assert _titles(client.get("/verhalen/?q=gardening").get_data(as_text=True)) == ["Walking together"]
    assert _titles(client.get("/verhalen/?q=neighbours").get_data(as_text=True)) == ["Walking together"]
    # ... and Arabic and Turkish words are found as they were written.
    assert _titles(client.get("/verhalen/?q=الحديقة").get_data(as_text=True)) == ["نمشي معًا"]
    assert _titles(client.get("/verhalen/?q=Komşular").get_data(as_text=True)) == ["Birlikte yürümek"]
    # A highlighted hit of a story in another language shows its words.
    html = client.get("/verhalen/?q=gardening").get_data(as_text=True)
    assert "<mark>Gardening</mark>" in html


def test_non_dutch_story_is_indexed_without_the_dutch_stemmer(narr_app, languages):
    from whoosh import index

    ix = index.open_dir(narr_app.config["SEARCH_INDEX_DIR"])
    with ix.searcher() as searcher:
        plain = set(searcher.lexicon("text_plain"))
        dutch = set(searcher.lexicon("text"))
    assert b"gardening" in plain and b"neighbours" in plain  # as written
    assert not any(w.startswith(b"garden") for w in dutch)  # never through the Dutch analyser
    assert b"buurt" in dutch  # "buurten", stemmed


def test_a_story_in_another_language_is_marked_on_its_page(narr_app, client, make_story):
    story_id = make_story(title="نمشي معًا", body="الجيران يمشون معًا.", summary="قصة قصيرة.",
                          language="ar")
    html = client.get(f"/verhalen/verhaal/{story_id}").get_data(as_text=True)
    assert '<span lang="ar" dir="rtl">نمشي معًا</span>' in html
    assert re.search(r'<article class="story-body" lang="ar" dir="rtl">', html)
    dutch = make_story(title="Samen wandelen")
    assert 'lang="ar"' not in client.get(f"/verhalen/verhaal/{dutch}").get_data(as_text=True).split("<main")[1]
