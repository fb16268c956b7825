"""Search: Dutch stemming, visibility per role in hits and facet counts, facets, sort, pages."""

from __future__ import annotations

import re
from datetime import date

import pytest

from monitor.models import Role
from monitor.narratives.models import StoryForm, StoryStatus, Visibility

from .conftest import wijk_id

# (title, wijk, qualities, visibility, status, form, date) — the fixture the expectations use.
STORIES = [
    ("Buurtmoestuin Geuzenbuurt", "Oost", ("K1", "K2"), Visibility.OPENBAAR, StoryStatus.GEPUBLICEERD, StoryForm.FOTOSERIE, date(2024, 6, 1)),
    ("Koffie in de buurt", "Oost", ("K1",), Visibility.RAAD, StoryStatus.GEPUBLICEERD, StoryForm.TEKST, date(2025, 3, 1)),
    ("Intern buurtverslag", "Oost", ("K6",), Visibility.INTERN, StoryStatus.GEPUBLICEERD, StoryForm.TEKST, date(2025, 9, 1)),
    ("Jongeren op het plein in de buurt", "Zuid", ("K5", "K1"), Visibility.OPENBAAR, StoryStatus.GEPUBLICEERD, StoryForm.INTERVIEW, date(2025, 10, 1)),
    ("Mantelzorg in de buurt", "Zuid", ("K3",), Visibility.RAAD, StoryStatus.GEPUBLICEERD, StoryForm.INTERVIEW, date(2026, 2, 1)),
    ("Concept over de buurt", "Oost", ("K1",), Visibility.OPENBAAR, StoryStatus.CONCEPT, StoryForm.TEKST, date(2026, 1, 1)),
    ("Ingediend over de buurt", "Zuid", ("K1",), Visibility.OPENBAAR, StoryStatus.INGEDIEND, StoryForm.TEKST, date(2026, 1, 1)),
    ("Afgewezen buurtverhaal", "Oost", ("K1",), Visibility.OPENBAAR, StoryStatus.AFGEWEZEN, StoryForm.TEKST, date(2026, 1, 1)),
]

VISIBLE = {
    "anoniem": {Visibility.OPENBAAR},
    Role.RAADSLID: {Visibility.OPENBAAR, Visibility.RAAD},
    Role.SOCIAAL_WERKER: set(Visibility),
    Role.ACCOUNTHOUDER: set(Visibility),
}


@pytest.fixture
def archive(make_story):
    for title, wijk, codes, visibility, status, form, day in STORIES:
        make_story(title=title, body=f"{title}. Een verhaal over buurten en bewoners.",
                   wijk=wijk, qualities=codes, visibility=visibility, status=status,
                   form=form, about=day)


def _client(reader, client, login_as):
    return client if reader == "anoniem" else login_as(reader)


def _titles(html: str) -> list[str]:
    titles = re.findall(r'story-card__title"><a[^>]*>(.*?)</a>', html)
    return [re.sub(r"</?mark>", "", t) for t in titles]


def _facet(html: str, key: str) -> dict[str, int]:
    section = html.split(f'id="facet-{key}"')[1].split("</section>")[0]
    return {label: int(n) for label, n in re.findall(r'>([^<>()]+?) \((\d+)\)', section)}


def _total(html: str) -> int:
    return int(re.search(r'id="resultaten-kop"[^>]*>(\d+) verha', html).group(1))


@pytest.mark.parametrize("reader", list(VISIBLE), ids=lambda r: str(r))
def test_hits_and_facet_counts_cover_only_what_the_reader_may_see(
        narr_app, client, login_as, archive, reader):
    visible = [s for s in STORIES if s[4] == StoryStatus.GEPUBLICEERD and s[3] in VISIBLE[reader]]
    browser = _client(reader, client, login_as)
    html = browser.get("/verhalen/?q=buurten").get_data(as_text=True)
    assert sorted(_titles(html)) == sorted(s[0] for s in visible)
    assert _total(html) == len(visible)
    expected_wijk: dict[str, int] = {}
    expected_year: dict[str, int] = {}
    for s in visible:
        expected_wijk[s[1]] = expected_wijk.get(s[1], 0) + 1
        expected_year[str(s[6].year)] = expected_year.get(str(s[6].year), 0) + 1
    assert _facet(html, "wijk") == expected_wijk
    assert _facet(html, "jaar") == expected_year
    expected_k1 = sum(1 for s in visible if "K1" in s[2])
    assert _facet(html, "kwaliteit").get("Leefbare, sterke en betrokken buurten", 0) == expected_k1


def test_stemming_finds_other_forms(narr_app, client, make_story):
    # K7 "Wederkerigheid": the quality names are searchable too, so avoid K1 ("… buurten").
    make_story(title="Bewoners", body="De bewoners van de buurt komen samen.", qualities=("K7",))
    make_story(title="Vrijwilligerswerk", body="Een vrijwilliger helpt met boodschappen.",
               qualities=("K7",))
    assert _titles(client.get("/verhalen/?q=buurten").get_data(as_text=True)) == ["Bewoners"]
    assert _titles(client.get("/verhalen/?q=bewoner").get_data(as_text=True)) == ["Bewoners"]
    assert _titles(client.get("/verhalen/?q=vrijwilligers").get_data(as_text=True)) == [
        "Vrijwilligerswerk"]
    html = client.get("/verhalen/?q=buurten").get_data(as_text=True)
    assert "<mark>buurt</mark>" in html


def test_facets_combine_and_within_a_facet_widen(narr_app, client, login_as, archive):
    staff = login_as(Role.ACCOUNTHOUDER)
    with narr_app.app_context():
        oost, zuid = wijk_id("Oost"), wijk_id("Zuid")
    html = staff.get(f"/verhalen/?wijk={oost}&kwaliteit=K1").get_data(as_text=True)
    published = [s for s in STORIES if s[4] == StoryStatus.GEPUBLICEERD]
    expected = [s[0] for s in published if s[1] == "Oost" and "K1" in s[2]]
    assert sorted(_titles(html)) == sorted(expected)
    # Counts shown next to other facets obey the active filters too.
    assert _facet(html, "vorm") == {"Fotoserie": 1, "Tekst": 1}
    html = staff.get(f"/verhalen/?wijk={oost}&wijk={zuid}&vorm=interview").get_data(as_text=True)
    assert sorted(_titles(html)) == sorted(s[0] for s in published if s[5] == StoryForm.INTERVIEW)
    # The active filter links back without itself.
    assert f'href="/verhalen/?wijk={zuid}&amp;vorm=interview"' in html


def test_sort_by_date_and_pagination(narr_app, client, make_story):
    for day in range(1, 24):
        make_story(title=f"Buurtdag {day:02d}", about=date(2025, 1, day), body="Over de buurt.",
                   qualities=("K7",))
    html = client.get("/verhalen/?q=buurt&sort=date").get_data(as_text=True)
    assert _titles(html) == [f"Buurtdag {d:02d}" for d in range(23, 13, -1)]
    assert _total(html) == 23
    page3 = client.get("/verhalen/?q=buurt&sort=date&pagina=3").get_data(as_text=True)
    assert _titles(page3) == [f"Buurtdag {d:02d}" for d in range(3, 0, -1)]
    assert 'aria-current="page">3<' in page3
    # Relevance sort and the empty query (newest first) both give every story once.
    seen = []
    for page in (1, 2, 3):
        seen += _titles(client.get(f"/verhalen/?pagina={page}").get_data(as_text=True))
    assert sorted(seen) == sorted(f"Buurtdag {d:02d}" for d in range(1, 24))


@pytest.mark.parametrize("query", [
    "/verhalen/?q=%22niet+afgesloten", "/verhalen/?q=AND+OR+NOT", "/verhalen/?pagina=99999",
    "/verhalen/?pagina=-1", "/verhalen/?wijk=abc&jaar=x", "/verhalen/?q=" + "a" * 5000,
    "/verhalen/?sort=drop", "/verhalen/?q=buurt*&kwaliteit=%C3%28",
])
def test_odd_queries_never_fail(narr_app, client, make_story, query):
    make_story(title="Buurt")
    assert client.get(query).status_code == 200


def test_a_nul_character_is_refused_with_a_dutch_page(narr_app, client):
    response = client.get("/verhalen/?q=buurt*&kwaliteit=%00")
    assert response.status_code == 400
    assert "nul-teken" in response.get_data(as_text=True)


@pytest.mark.parametrize("reader", list(VISIBLE), ids=lambda r: str(r))
def test_story_pages_and_related_respect_visibility(narr_app, client, login_as, archive, reader):
    from monitor.extensions import db
    from monitor.narratives.models import Story

    browser = _client(reader, client, login_as)
    with narr_app.app_context():
        stories = {s.title: s.id for s in db.session.scalars(db.select(Story))}
    for title, _, _, visibility, status, *_ in STORIES:
        response = browser.get(f"/verhalen/verhaal/{stories[title]}")
        if status == StoryStatus.GEPUBLICEERD and visibility in VISIBLE[reader]:
            assert response.status_code == 200, title
            for related in re.findall(r'id="verwant-kop".*', response.get_data(as_text=True), re.S):
                for other in _titles(related):
                    entry = next(s for s in STORIES if s[0] == other)
                    assert entry[3] in VISIBLE[reader] and entry[4] == StoryStatus.GEPUBLICEERD
        else:  # hidden or not there: the same 404 for everyone, anonymous visitors included
            assert response.status_code == 404, title


def test_wijk_overview_counts_visible_stories(narr_app, client, login_as, archive):
    with narr_app.app_context():
        oost = wijk_id("Oost")
    html = client.get(f"/verhalen/wijk/{oost}").get_data(as_text=True)
    public_oost = [s for s in STORIES if s[1] == "Oost" and s[4] == StoryStatus.GEPUBLICEERD
                   and s[3] == Visibility.OPENBAAR]
    assert sorted(_titles(html)) == sorted(s[0] for s in public_oost)
    row = re.search(r'kwaliteit=K1">Leefbare, sterke en betrokken buurten</a></th><td[^>]*>(\d+)<', html)
    assert int(row.group(1)) == sum(1 for s in public_oost if "K1" in s[2])
    assert client.get("/verhalen/wijk/999999").status_code == 404


def test_words_phrases_or_and_not(narr_app, client, make_story):
    make_story(title="Koffie", body="Koffie met de buren in het buurthuis.", qualities=("K7",))
    make_story(title="Thee", body="Thee drinken met de buren.", qualities=("K7",))
    make_story(title="Buren", body="De buren helpen met koffie zetten.", qualities=("K7",))

    def titles(q: str) -> list[str]:
        return sorted(_titles(client.get("/verhalen/", query_string={"q": q}).get_data(as_text=True)))

    assert titles("koffie buren") == ["Buren", "Koffie"]
    assert titles('"koffie met de buren"') == ["Koffie"]  # a phrase (stop words skipped)
    assert titles("koffie OR thee") == ["Buren", "Koffie", "Thee"]
    assert titles("buren -koffie") == titles("buren NOT koffie") == ["Thee"]
    assert titles('NOT "koffie zetten"') == ["Koffie", "Thee"]
    assert titles("koffie AND buurthuis") == ["Koffie"]


@pytest.mark.parametrize("query, message", [
    ("buurt " * 40, "Uw zoekvraag is te lang. Gebruik hoogstens 200 tekens."),
    (" ".join(f"woord{i}" for i in range(11)), "te veel woorden. Gebruik er hoogstens 10."),
    ("*", "Zoek op minstens één woord"),
    ("de het een", "Zoek op minstens één woord"),
])
def test_refused_queries_get_a_dutch_message_on_the_archive_page(narr_app, client, make_story,
                                                                  query, message):
    make_story(title="Buurt")
    response = client.get("/verhalen/", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "search-refused" in html and message in html
    assert _total(html) == 0 and 'id="facet-wijk"' in html


def test_search_syntax_is_read_as_plain_words(narr_app, client, make_story):
    make_story(title="Buurtmoestuin", body="Tuinieren in de buurt.", qualities=("K7",))
    for query in ("text:buurt", "buurt*", "buurt~2", "buurt^5", "((buurt))", "[buurt TO zon]"):
        html = client.get("/verhalen/", query_string={"q": query}).get_data(as_text=True)
        assert "worden genegeerd" in html, query
    # "text" and "zon" are words too: all words must occur.
    assert _titles(client.get("/verhalen/?q=buurt*").get_data(as_text=True)) == ["Buurtmoestuin"]
    assert _titles(client.get("/verhalen/?q=((buurt))").get_data(as_text=True)) == ["Buurtmoestuin"]


def test_a_search_past_its_time_limit_is_stopped_with_a_dutch_message(narr_app, client, make_story):
    make_story(title="Buurt")
    narr_app.config["SEARCH_TIME_LIMIT"] = 1e-9
    html = client.get("/verhalen/?q=buurt").get_data(as_text=True)
    assert "De zoekopdracht duurde te lang" in html and _total(html) == 0
