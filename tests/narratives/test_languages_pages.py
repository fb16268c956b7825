"""Issue 19 (4), the rest: a story's page, the wijk overview, the teller's private page and
its steps, and the mails to residents follow the reader's (or the story's) language; staff
pages and staff mail stay Dutch; an installation without a gemeente name reads well."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from monitor.catalogues import SEEDED_QUALITY_NAMES
from monitor.data import read_reference_csv
from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.labels import PUBLIC_LABELS
from monitor.narratives.models import (
    ReportReason,
    Story,
    StoryForm,
    StoryStatus,
    Teller,
    TellingWay,
    Visibility,
)

from .conftest import contribute, wijk_id
from .test_notices import _deliver, send_back
from .test_teller_link import _write_story


def _html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


def _main(html: str) -> str:
    return html.split('<main', 1)[1]


def _page(client, path: str, lang: str) -> str:
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# What each page shows in English and Arabic, and the Dutch it must no longer show.
STORY = {
    "en": ["Qualities", "Liveable, strong and involved neighbourhoods", "Text", "May 1, 2025",
           "period May–August 2025", "A resident, in their own words", "Is something wrong with this story? Report it"],
    "ar": ["الجودات", "أحياء صالحة للعيش وقوية ومترابطة", "نص", "أحد السكان، بكلماته الخاصة",
           "هل في هذه القصة شيء غير صحيح؟ أبلغ عنه"],
}
STORY_DUTCH = ["Kwaliteiten", "Leefbare, sterke en betrokken buurten", "1 mei 2025", "periode",
               "Een inwoner, in eigen woorden", "Klopt er iets niet aan dit verhaal", ">Verhalen<"]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_storys_page_in_english_and_arabic(client, make_story, lang):
    story_id = make_story(title="Samen koffie", summary="Buren drinken koffie.", qualities=("K1",))
    html = _page(client, f"/verhalen/verhaal/{story_id}", lang)
    rtl = "rtl" if lang == "ar" else "ltr"
    assert f'lang="{lang}" dir="{rtl}"' in _html_tag(html)
    for text in STORY[lang]:
        assert text in html, text
    for text in STORY_DUTCH:
        assert text not in _main(html), text
    # The story itself stays Dutch, and says so.
    assert '<span lang="nl" dir="ltr">Samen koffie</span>' in html
    assert re.search(r'<article class="story-body" lang="nl" dir="ltr">', html)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_wijk_overview_in_english_and_arabic(narr_app, client, make_story, lang):
    make_story(title="Samen koffie", wijk="Oost", qualities=("K7",))
    with narr_app.app_context():
        oost = wijk_id("Oost")
    html = _page(client, f"/verhalen/wijk/{oost}", lang)
    expected = {"en": ["Stories from Oost", "1 published story from Oost.", "Number of stories", "Giving and receiving",
                       "Search these stories", "All stories"],
                "ar": ["قصص من Oost", "قصة واحدة منشورة من Oost.", "عدد القصص", "التبادل والمعاملة بالمثل"]}[lang]
    assert f'lang="{lang}"' in _html_tag(html) and ('dir="rtl"' in _html_tag(html)) == (lang == "ar")
    for text in expected:
        assert text in html, text
    for text in ("gepubliceerd", "Aantal verhalen", "Wederkerigheid", "Zoeken in deze verhalen", "Alle verhalen"):
        assert text not in _main(html), text


def test_the_residents_private_page_and_withdrawal_in_english_and_arabic(narr_app, client, public_form):
    with narr_app.app_context():
        story_id, private = contribute(client, public_form)
    html = _page(client, private, "en")
    assert 'lang="en" dir="ltr"' in _html_tag(html)
    for text in ("Reference code", "status:", "Waiting to be checked", "Withdraw the story", "Withdraw my story…"):
        assert text in html, text
    for text in ("Referentiecode", "Wacht op moderatie", "Verhaal intrekken", "Mijn verhaal intrekken"):
        assert text not in html, text
    # The confirmation step, in Arabic.
    confirm = _page(client, private + "/intrekken", "ar")
    assert 'lang="ar" dir="rtl"' in _html_tag(confirm)
    for text in ("سحب قصتك", "نعم، اسحب قصتي", "لا يمكن التراجع عن هذا.", "لا، رجوع"):
        assert text in confirm, text
    for text in ("Uw verhaal intrekken", "Ja, mijn verhaal intrekken", "Nee, terug", "ongedaan"):
        assert text not in confirm, text
    # Withdrawn: the message and the page in the reader's language (kept in the cookie).
    response = client.post(private + "/intrekken", data={}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "تم سحب قصتك." in html and "تم سحب هذه القصة في" in html
    assert "ingetrokken" not in _main(html)
    with narr_app.app_context():
        assert db.session.get(Story, story_id).status == StoryStatus.INGETROKKEN


def test_the_teller_confirms_and_asks_for_a_correction_in_english(narr_app, login_as, client):
    worker = login_as(Role.SOCIAAL_WERKER, wijken=["Oost"])
    story_id, private, _slip = _write_story(narr_app, worker)
    html = _page(client, private, "en")
    for text in ("wrote down this story after a talk with you.", "Is this right?", "Yes, this is my story",
                 "Something is not right", "What is not right?", "Ask for a correction", "Draft"):
        assert text in html, text
    for text in ("schreef dit verhaal op", "Klopt dit?", "Ja, dit is mijn verhaal", "Vraag om een correctie",
                 "Concept<"):
        assert text not in html, text
    # An empty correction: the error in English beside the field, nothing lost, no 500.
    response = client.post(private + "/correctie", data={"correction": ""})
    assert response.status_code == 400
    assert "Write down what is not right." in response.get_data(as_text=True)
    response = client.post(private + "/correctie", data={"correction": "Het was op woensdag."},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "On " in html and "you asked for a correction" in html
    assert "The staff member who wrote down your story will read what is not right" in html
    response = client.post(private + "/bevestigen", data={}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "You have confirmed that this is your story as you told it." in html
    assert "you confirmed that this is your story as you told it." in html


def test_staff_pages_stay_dutch_with_lang_en(login_as, make_story):
    story_id = make_story(status=StoryStatus.INGEDIEND)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    for path in (f"/verhalen/verhaal/{story_id}/moderatie", f"/verhalen/verhaal/{story_id}/intrekken",
                 f"/verhalen/verhaal/{story_id}/bewerken"):
        html = coordinator.get(f"{path}?lang=en").get_data(as_text=True)
        assert _html_tag(html) == '<html lang="nl" dir="ltr" class="tellen-theme">', path
        assert "Ga direct naar de inhoud" in html, path
    assert "Nee, terug" in coordinator.get(f"/verhalen/verhaal/{story_id}/intrekken?lang=en").get_data(as_text=True)


def test_the_residents_mails_are_in_the_storys_language_and_staff_mail_stays_dutch(
        narr_app, smtp, client, public_form, login_as):
    coordinator = login_as(Role.BUURTCOORDINATOR, email="bc.meent@gemeente.nl", wijken=["Hilversumse Meent"])
    client.get("/verhalen/vertel?lang=tr")  # the page is Turkish: the mail follows the story's language
    with narr_app.app_context():
        story_id, private = contribute(client, public_form, email="bewoner@example.org",
                                       teller_name="Fatima", language="ar")
        reference = db.session.get(Story, story_id).reference
    _deliver(narr_app)
    [got] = smtp.to("bewoner@example.org")
    assert got.subject == f"وصلتنا قصتك ({reference})"
    text = got.text()
    assert "عزيزي/عزيزتي Fatima،" in text and "شكرًا على قصتك!" in text and private in text
    assert "تصلك هذه الرسالة لأن أعطيت عنوان بريدك الإلكتروني" in text
    for dutch in ("Dank u wel", "Beste", "U krijgt dit bericht"):
        assert dutch not in text, dutch
    assert '<html lang="ar" dir="rtl">' in got.html()
    # The moderator's mail, sent from the same (Turkish) request, is Dutch.
    waiting = [m for m in smtp.to("bc.meent@gemeente.nl") if reference in m.subject][-1]
    assert waiting.subject == f"Verhaal {reference} uit Hilversumse Meent wacht op moderatie"
    assert "Beste " in waiting.text() and "U krijgt dit bericht omdat" in waiting.text()
    assert '<html lang="nl">' in waiting.html()

    send_back(narr_app, coordinator, story_id, "Wilt u de naam van de buurvrouw weglaten?")
    back = smtp.to("bewoner@example.org")[-1]
    assert back.subject == f"أُعيدت إليك قصتك {reference}"
    assert "قرأ منسق الحي قصتك" in back.text() and '"Wilt u de naam van de buurvrouw weglaten?"' in back.text()
    assert "استخدم إذن الرابط الشخصي من أول رسالة وصلتك منا" in back.text()
    assert f"وصلتنا قصتك ({reference})" in back.text()

    resident = narr_app.test_client()
    assert resident.post(private, data={"title": "قهوة", "summary": "قهوة معًا.",
                                        "body": "كل ثلاثاء قهوة."}).status_code == 302
    response = coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren", data={"pub-visibility": "raad"})
    assert response.status_code == 302
    _deliver(narr_app)
    published = smtp.to("bewoner@example.org")[-1]
    assert published.subject == f"نُشرت قصتك {reference}"
    assert "خبر سار: نُشرت قصتك" in published.text() and "يمكن أن يقرأها: المجلس (أعضاء المجلس والموظفون)." in published.text()


def test_an_english_story_mails_its_resident_in_english(narr_app, smtp, client, public_form):
    with narr_app.app_context():
        story_id, _private = contribute(client, public_form, email="resident@example.org", language="en")
        reference = db.session.get(Story, story_id).reference
    _deliver(narr_app)
    [got] = smtp.to("resident@example.org")
    assert got.subject == f"Your story has been received ({reference})"
    assert "Dear reader," in got.text() and "Thank you for your story!" in got.text()
    assert "You get this message because you gave your e-mail address" in got.text()


@pytest.mark.parametrize("lang", ["nl", "en", "ar"])
def test_an_unnamed_installation_reads_well_in_every_language(app, client, lang):
    app.config["MUNICIPALITY_NAME"] = ""
    for path in ("/", "/toegankelijkheid", "/privacy", "/verhalen/"):
        html = _page(client, path, lang)
        for empty in ("gemeente  ", "gemeente .", "gemeente ·", "van .", "van <", "municipality of  ",
                      "municipality of .", " Belediyesi", "بلدية  ", "بلدية ."):
            assert empty not in html, (path, empty)
    start = _page(client, "/", lang)
    expected = {"nl": "De gemeente en de welzijnsorganisaties", "en": "Neighbourhood welfare monitor",
                "ar": "مرصد الرعاية في الحي"}[lang]
    assert expected in start
    accessibility = _page(client, "/toegankelijkheid", lang)
    assert {"nl": "De gemeente wil dat iedereen", "en": "The municipality wants everyone",
            "ar": "تريد البلدية أن يتمكن الجميع"}[lang] in accessibility


def test_the_fixed_labels_residents_read_are_in_the_catalogue():
    shown = ([s.label for s in StoryStatus] + [v.label for v in Visibility] + [f.label for f in StoryForm]
             + [t.label for t in Teller] + [w.public_label for w in TellingWay] + [r.label for r in ReportReason])
    assert sorted(shown) == sorted(PUBLIC_LABELS)
    seeded = [row["name"] for row in read_reference_csv("qualities.csv") if row["kind"] == "kwaliteit"]
    assert sorted(seeded) == sorted(SEEDED_QUALITY_NAMES)


def test_a_name_the_gemeente_gave_a_quality_itself_is_shown_as_it_is(narr_app, client, make_story):
    from monitor.catalogues import Quality

    story_id = make_story(qualities=("K7",))
    with narr_app.app_context():
        quality = db.session.scalar(sa.select(Quality).where(Quality.code == "K7"))
        quality.name = "Geven en nemen in de buurt"
        db.session.commit()
    html = _page(client, f"/verhalen/verhaal/{story_id}", "en")
    assert "Geven en nemen in de buurt" in html and "Giving and receiving" not in html


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_report_form_behind_a_storys_page_in_english_and_arabic(client, make_story, lang):
    story_id = make_story(title="Samen koffie")
    html = _page(client, f"/verhalen/verhaal/{story_id}/melden", lang)
    expected = {"en": ["Report a story", "Why are you reporting this story?", "It is hurtful, insulting or discriminating",
                       "Send the report", "Back to the story"],
                "ar": ["الإبلاغ عن قصة", "لماذا تبلّغ عن هذه القصة؟", "أرسل البلاغ"]}[lang]
    assert f'lang="{lang}"' in _html_tag(html) and ('dir="rtl"' in _html_tag(html)) == (lang == "ar")
    for text in expected:
        assert text in html, text
    assert '<strong lang="nl" dir="ltr">Samen koffie</strong>' in html
    for text in ("Waarom meldt u", "Het is kwetsend", "Melding versturen", "Terug naar het verhaal"):
        assert text not in _main(html), text
    # Refused without a reason: the error in the reader's language, the words kept.
    response = client.post(f"/verhalen/verhaal/{story_id}/melden", data={"message": "Mijn buurman staat erin."})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert {"en": "Choose why you are reporting this story.", "ar": "اختر سبب إبلاغك عن هذه القصة."}[lang] in html
    assert "Mijn buurman staat erin." in html
    response = client.post(f"/verhalen/verhaal/{story_id}/melden", data={"reason": "kwetsend"}, follow_redirects=True)
    assert {"en": "Thank you for your report.", "ar": "شكرًا على بلاغك."}[lang] in response.get_data(as_text=True)


def test_the_archives_facets_name_forms_and_seeded_qualities_in_the_readers_language(client, make_story):
    make_story(title="Samen koffie", qualities=("K2",), form=StoryForm.HOORSPEL)
    html = _page(client, "/verhalen/", "en")
    assert "Involved residents (1)" in html and "Radio play (1)" in html
    assert "Betrokken inwoners" not in html and "Hoorspel" not in html


def test_the_public_form_offers_the_seeded_qualities_in_the_readers_language(client):
    html = _page(client, "/verhalen/vertel", "tr")
    assert "Karşılıklılık" in html and "Katılımcı sakinler" in html
    assert "Wederkerigheid" not in html and "Betrokken inwoners" not in html
