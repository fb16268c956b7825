"""One contract for every search engine of the archive (issue 15 §2, issue 19 §7).

Each test runs against Whoosh (on SQLite and on PostgreSQL) and against PostgreSQL's
full-text search (on PostgreSQL only; skipped on SQLite), through the archive's routes.
The 10,000-story half of the contract (abusive syntax at scale) is in
``test_search_limits.py``, which runs it for both engines too.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from monitor import create_app
from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.engines import BackendError
from monitor.narratives.engines.models import SearchWord
from monitor.narratives.models import Story, StoryForm, StoryStatus, Visibility
from monitor.registry import registry

from ..conftest import BACKEND, base_config
from .conftest import contribute, quality_id, wijk_id
from .test_search import _facet, _titles, _total

ENGINES = ["whoosh", "postgresql"]


@pytest.fixture(params=ENGINES)
def engine(request, narr_app) -> str:
    """The engine under contract, chosen as an installation would (``SEARCH_BACKEND``)."""
    if request.param == "postgresql" and BACKEND != "postgresql":
        pytest.skip("PostgreSQL full-text search runs only on PostgreSQL (set TEST_DATABASE_URL)")
    narr_app.config["SEARCH_BACKEND"] = request.param
    return request.param


def _get(client, **args) -> str:
    response = client.get("/verhalen/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _marked_titles(html: str) -> list[str]:
    return re.findall(r'story-card__title"><a[^>]*>(.*?)</a>', html)


def test_dutch_stemming_finds_other_forms(engine, make_story, client):
    make_story(title="Feest", body="De hele buurt kwam samen op het plein.", qualities=("K7",))
    make_story(title="Markt", body="Kraampjes met groente en fruit.", qualities=("K7",))
    assert _titles(_get(client, q="buurten")) == ["Feest"]
    assert _titles(_get(client, q="pleinen")) == ["Feest"]


def test_diacritics_are_folded_both_ways(engine, make_story, client):
    make_story(title="Koffie in het café", body="Elke dinsdag.", qualities=("K7",))
    make_story(title="Ideeën voor de wijk", body="Een avond met de buren.", qualities=("K7",))
    assert _titles(_get(client, q="cafe")) == ["Koffie in het café"]
    assert _titles(_get(client, q="café")) == ["Koffie in het café"]
    assert _titles(_get(client, q="ideeen")) == ["Ideeën voor de wijk"]


def test_phrases_need_the_words_together_or_and_not(engine, make_story, client):
    make_story(title="Samen", body="We gaan samen koffie drinken in de buurt.", qualities=("K7",))
    make_story(title="Apart", body="Koffie is op. We gaan water drinken.", qualities=("K7",))
    make_story(title="Thee", body="Liever thee dan iets anders.", qualities=("K7",))
    assert sorted(_titles(_get(client, q="koffie drinken"))) == ["Apart", "Samen"]
    assert _titles(_get(client, q='"koffie drinken"')) == ["Samen"]
    assert sorted(_titles(_get(client, q="koffie OR thee"))) == ["Apart", "Samen", "Thee"]
    assert _titles(_get(client, q="koffie -water")) == ["Samen"]
    assert _titles(_get(client, q="koffie NOT water")) == ["Samen"]


@pytest.fixture
def languages(engine, make_story):
    make_story(title="Samen wandelen", body="De buurten wandelen samen door het park.")
    make_story(title="Walking together", body="The neighbours walk together. Gardening makes "
               "people happy.", language="en")
    make_story(title="Birlikte yürümek", body="Komşular parkta birlikte yürüyor.", language="tr")
    make_story(title="نمشي معًا", body="الجيران يمشون معًا في الحديقة.", language="ar")


def test_stories_in_other_languages_are_found_as_written_not_as_dutch(languages, client):
    # Dutch is stemmed: "parken" finds "park".
    assert _titles(_get(client, q="parken")) == ["Samen wandelen"]
    # Other languages keep their words as written (never through the Dutch stemmer) ...
    assert _titles(_get(client, q="gardening")) == ["Walking together"]
    assert _titles(_get(client, q="neighbours")) == ["Walking together"]
    assert _titles(_get(client, q="garden")) == []  # the Dutch stemmer would have found it
    assert _titles(_get(client, q="الحديقة")) == ["نمشي معًا"]
    assert _titles(_get(client, q="Komşular")) == ["Birlikte yürümek"]
    assert _titles(_get(client, q="komsular")) == ["Birlikte yürümek"]  # accents folded
    assert _titles(_get(client, q='"walk together"')) == ["Walking together"]
    # ... with their words highlighted, and the wijk's name (Dutch) still found.
    assert "<mark>Gardening</mark>" in _get(client, q="gardening")
    assert sorted(_titles(_get(client, q="Oost"))) == sorted(
        ["Samen wandelen", "Walking together", "Birlikte yürümek", "نمشي معًا"])
    assert _titles(_get(client, q="Oost -gardening -Komşular -الحديقة")) == ["Samen wandelen"]


def test_the_language_facet_counts_and_filters(languages, client):
    html = _get(client)
    assert _facet(html, "taal") == {"Nederlands": 1, "English": 1, "Türkçe": 1, "العربية": 1}
    html = _get(client, q="together OR parkta OR park", taal="en")
    assert _titles(html) == ["Walking together"] and _total(html) == 1
    assert _facet(html, "taal") == {"English": 1}
    html = client.get("/verhalen/?taal=en&taal=tr").get_data(as_text=True)
    assert sorted(_titles(html)) == ["Birlikte yürümek", "Walking together"]


def test_did_you_mean_knows_the_words_of_other_languages(languages, client):
    html = _get(client, q="gardenig")
    assert re.search(r'Bedoelde u: <a[^>]*>gardening</a>\?', html)


STORIES = [  # title, wijk, qualities, visibility, form, date
    ("Tuin in Oost", "Oost", ("K1", "K2"), Visibility.OPENBAAR, StoryForm.FOTOSERIE, date(2024, 6, 1)),
    ("Tuin voor de raad", "Oost", ("K1",), Visibility.RAAD, StoryForm.TEKST, date(2025, 3, 1)),
    ("Tuin intern", "Zuid", ("K6",), Visibility.INTERN, StoryForm.TEKST, date(2025, 9, 1)),
    ("Tuin in Zuid", "Zuid", ("K5", "K1"), Visibility.OPENBAAR, StoryForm.INTERVIEW, date(2025, 10, 1)),
]
READERS = {
    "anoniem": {Visibility.OPENBAAR},
    Role.RAADSLID: {Visibility.OPENBAAR, Visibility.RAAD},
    Role.SOCIAAL_WERKER: set(Visibility),
}


@pytest.fixture
def gardens(engine, make_story):
    for title, wijk, codes, visibility, form, day in STORIES:
        make_story(title=title, body="Een verhaal over de moestuin.", wijk=wijk,
                   qualities=codes, visibility=visibility, form=form, about=day)
    make_story(title="Tuin in concept", body="Over de moestuin.", status=StoryStatus.CONCEPT)


@pytest.mark.parametrize("reader", list(READERS), ids=str)
def test_hits_and_facet_counts_per_role(gardens, client, login_as, reader):
    browser = client if reader == "anoniem" else login_as(reader)
    visible = [s for s in STORIES if s[3] in READERS[reader]]
    html = _get(browser, q="moestuin")
    assert sorted(_titles(html)) == sorted(s[0] for s in visible)
    assert _total(html) == len(visible)
    wijken: dict[str, int] = {}
    years: dict[str, int] = {}
    for s in visible:
        wijken[s[1]] = wijken.get(s[1], 0) + 1
        years[str(s[5].year)] = years.get(str(s[5].year), 0) + 1
    assert _facet(html, "wijk") == wijken
    assert _facet(html, "jaar") == years
    k1 = sum(1 for s in visible if "K1" in s[2])
    assert _facet(html, "kwaliteit").get("Leefbare, sterke en betrokken buurten", 0) == k1


def test_facet_filters_narrow_and_widen(gardens, login_as, narr_app):
    staff = login_as(Role.SOCIAAL_WERKER)
    with narr_app.app_context():
        oost, zuid = wijk_id("Oost"), wijk_id("Zuid")
    html = _get(staff, q="moestuin", wijk=oost, kwaliteit="K1")
    assert sorted(_titles(html)) == ["Tuin in Oost", "Tuin voor de raad"]
    assert _facet(html, "vorm") == {"Fotoserie": 1, "Tekst": 1}
    html = staff.get(f"/verhalen/?q=moestuin&wijk={oost}&wijk={zuid}&vorm=interview").get_data(as_text=True)
    assert _titles(html) == ["Tuin in Zuid"]


def test_highlights_mark_the_words_and_titles_keep_their_punctuation(engine, make_story, client):
    make_story(title="Samen in de tuin (2025)", summary="Een zomer lang.",
               body="In de tuin groeiden tomaten, <b>bonen</b> & pompoenen.", qualities=("K7",))
    html = _get(client, q="tuin")
    assert _marked_titles(html) == ["Samen in de <mark>tuin</mark> (2025)"]
    assert "In de <mark>tuin</mark> groeiden" in html
    # The stored text is escaped: a tag in a story is text, never markup.
    assert "<b>bonen</b>" not in html
    assert _marked_titles(_get(client, q="2025")) == ["Samen in de tuin (<mark>2025</mark>)"]


def test_pagination_gives_every_story_once(engine, make_story, client):
    for day in range(1, 13):
        make_story(title=f"Buurtdag {day:02d}", about=date(2025, 1, day), body="Over de buurt.",
                   qualities=("K7",))
    first, second = _get(client, q="buurt"), _get(client, q="buurt", pagina=2)
    assert _total(first) == _total(second) == 12
    assert len(_titles(first)) == 10 and len(_titles(second)) == 2
    assert sorted(_titles(first) + _titles(second)) == [f"Buurtdag {d:02d}" for d in range(1, 13)]
    by_date = _get(client, q="buurt", sort="date")
    assert _titles(by_date) == [f"Buurtdag {d:02d}" for d in range(12, 2, -1)]
    assert _titles(_get(client, q="buurt", pagina=5)) == []


def test_did_you_mean_offers_the_index_s_own_word(engine, make_story, client):
    make_story(title="Vrijwilligers gezocht", body="De vrijwilligers van het buurthuis.",
               qualities=("K7",))
    html = _get(client, q="vrijwiligers")
    assert _total(html) == 0
    assert re.search(r'Bedoelde u: <a[^>]*href="/verhalen/\?q=vrijwilligers"[^>]*>vrijwilligers</a>\?',
                     html), html[html.find("resultaten-kop"):][:800]
    assert _titles(_get(client, q="vrijwilligers")) == ["Vrijwilligers gezocht"]
    # A word that is found, or one nothing resembles, gets no suggestion.
    assert "Bedoelde u" not in _get(client, q="vrijwilligers")
    assert "Bedoelde u" not in _get(client, q="xqzwvk")


def test_did_you_mean_never_reveals_a_hidden_story_s_word(engine, make_story, client, login_as):
    make_story(title="Intern overleg", body="Over de wijkagenten.", visibility=Visibility.INTERN,
               qualities=("K7",))
    make_story(title="Open verhaal", body="Over de markt.", qualities=("K7",))
    assert "Bedoelde u" not in _get(client, q="wijkagenen")  # only in a story hidden from them
    staff = login_as(Role.SOCIAAL_WERKER)
    assert "Bedoelde u: <a" in _get(staff, q="wijkagenen")


# What the reader typed, and whether the story is found: syntax signs only separate words,
# nothing expands (no field, wildcard, fuzzy, range or regular expression).
ABUSIVE = [("title:tuin", False), ("tu*", False), ("tuin~2", True), ("/t.*n/", False),
           ("[a TO z]", False), ("tuin^9", True), ("(tuin OR", True), ('"tuin', True),
           ("tuin && bank || x", True), ("-", False), ("NOT NOT", False), ("'; DROP", False),
           ("tuin:*", True), ("tuin <-> bank", True), ("!tuin", True)]


@pytest.mark.parametrize(("q", "found"), ABUSIVE)
def test_abusive_syntax_is_read_as_plain_words(engine, make_story, client, q, found):
    make_story(title="De tuin", body="Een bank in de tuin.", qualities=("K7",))
    html = _get(client, q=q)
    assert '<html lang="nl"' in html and 'id="facet-wijk"' in html
    assert _titles(html) == (["De tuin"] if found else [])


def test_refusals_are_the_same_for_every_engine(engine, make_story, client):
    make_story(title="De tuin")
    too_long = _get(client, q="tuin " * 50)
    assert "te lang" in too_long and _total(too_long) == 0
    too_many = _get(client, q=" ".join(f"woord{i}" for i in range(11)))
    assert "te veel woorden" in too_many
    assert "minstens één woord" in _get(client, q="de het een")


def _publish_edit_form(narr_app, story_id: int, title: str, body: str) -> dict:
    with narr_app.app_context():
        story = db.session.get(Story, story_id)
        return {"title": title, "summary": story.summary, "body": body,
                "wijk_id": str(story.wijk_id), "buurt_id": "", "about_date": "2026-03-10",
                "form": "tekst", "quality_ids": [str(quality_id("K7"))], "tags": "",
                "teller": "inwoner", "teller_name": "", "consent_given": "y",
                "consent_method": "online", "consent_date": "2026-03-10"}


def test_consistent_after_publish_edit_withdrawal_and_restore(
        engine, narr_app, client, public_form, login_as):
    with narr_app.app_context():
        story_id, private = contribute(client, public_form, title="Soep in de Meent",
                                       summary="Samen eten.",
                                       body="We koken pompoensoep voor de buren met Gerritsma.")
    assert _total(_get(client, q="pompoensoep")) == 0  # sent in, not published
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Hilversumse Meent"])
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                            data={"pub-visibility": "openbaar"}).status_code == 302
    assert _titles(_get(client, q="pompoensoep")) == ["Soep in de Meent"]  # at once

    staff = login_as(Role.SOCIAAL_WERKER)
    assert "Bedoelde u: <a" in _get(staff, q="Gerritsme")
    data = _publish_edit_form(narr_app, story_id, "Stamppot in de Meent",
                              "We koken boerenkool met Gerritsma.")
    assert coordinator.post(f"/verhalen/verhaal/{story_id}/bewerken", data=data).status_code == 302
    assert _total(_get(client, q="pompoensoep")) == 0
    assert _titles(_get(client, q="boerenkool")) == ["Stamppot in de Meent"]

    # A restore puts rows back under the index (here: the database changed without the
    # services); the hook `flask restore` runs makes the archive show the database again.
    with narr_app.app_context():
        db.session.execute(sa.update(Story).where(Story.id == story_id).values(
            title="Hutspot in de Meent", body="We koken hutspot met Gerritsma.", revision=Story.revision + 1))
        db.session.commit()
        hooks = {hook.name: hook.func for hook in registry(narr_app).after_restore}
        assert hooks["zoekindex"]() == "1 gepubliceerde verhalen"
    assert _total(_get(client, q="boerenkool")) == 0
    assert _titles(_get(client, q="hutspot")) == ["Hutspot in de Meent"]

    assert client.post(private + "/intrekken", data={}).status_code == 302
    assert _total(_get(client, q="hutspot")) == 0
    assert _total(_get(client, q="meent")) == 0
    # A withdrawn story's words are suggested to nobody (a name, for instance).
    assert "Bedoelde u" not in _get(staff, q="Gerritsme")
    if engine == "postgresql":  # and leave the vocabulary in the same transaction
        with narr_app.app_context():
            assert db.session.get(SearchWord, "gerritsma") is None
    with narr_app.app_context():  # no repair pass needed: nothing drifted
        summary = registry(narr_app).jobs["zoekindex controleren"].func(None)
        assert summary.startswith("0 openstaande update(s) toegepast, 0 afwijking(en) hersteld")


def test_every_host_sees_a_change_at_once_without_repair(engine, narr_app, make_story, tmp_path):
    """Two app instances over one database, as two hosts: PostgreSQL's index is the
    database's, so the second sees a story the first published; Whoosh is one host's."""
    if engine != "postgresql":
        pytest.skip("Whoosh keeps its index on one host's disk: the single-host default")
    other = create_app({**narr_app.config, "INSTANCE_PATH": str(tmp_path / "host2"),
                        "SEARCH_INDEX_DIR": str(tmp_path / "host2" / "index")})
    make_story(title="Op de andere server", body="Over de bibliotheek.", qualities=("K7",))
    html = other.test_client().get("/verhalen/?q=bibliotheek").get_data(as_text=True)
    assert _titles(html) == ["Op de andere server"]
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_postgresql_engine_needs_postgresql(tmp_path):
    config = base_config(tmp_path / "instance", f"sqlite:///{tmp_path / 'x.sqlite'}")
    with pytest.raises(BackendError, match="alleen met een PostgreSQL"):
        create_app({**config, "SEARCH_BACKEND": "postgresql"})
    with pytest.raises(BackendError, match="kies 'whoosh' of 'postgresql'"):
        create_app({**config, "SEARCH_BACKEND": "elastic"})


def test_a_search_past_its_time_limit_answers_a_dutch_message(engine, narr_app, make_story, client):
    make_story(title="De tuin", body="Een bank in de tuin.", qualities=("K7",))
    narr_app.config["SEARCH_TIME_LIMIT"] = 1e-9  # any real search exceeds this
    html = _get(client, q="tuin OR bank")
    assert "De zoekopdracht duurde te lang" in html and _total(html) == 0
    narr_app.config["SEARCH_TIME_LIMIT"] = 3.0
    assert _titles(_get(client, q="tuin OR bank")) == ["De tuin"]


@pytest.mark.slow
def test_demo_stories_are_searchable_with_every_engine(engine, narr_app, client):
    from monitor.narratives.seed import seed_demo_stories
    from monitor.seed import seed_demo_users

    with narr_app.app_context():
        seed_demo_users(lambda m: None)
        seed_demo_stories(lambda m: None)
        db.session.commit()
        published = db.session.scalar(sa.select(sa.func.count(Story.id)).where(
            Story.status == StoryStatus.GEPUBLICEERD, Story.visibility == Visibility.OPENBAAR))
    assert published and _total(_get(client)) == published
    assert _total(_get(client, q="Meent")) > 0
