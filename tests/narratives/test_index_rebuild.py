"""A rebuild of the search index never leaves readers with an empty archive.

Two ways it did: a full rebuild made the index anew (empty) before filling it, so every search
during it found nothing; and an index of an older schema, opened by a reader after an upgrade,
was made anew empty and stayed so until the hourly repair found the stories "missing".
"""

from __future__ import annotations

from whoosh import fields as whoosh_fields
from whoosh import index as whoosh_index

from monitor import search, search_index
from monitor.narratives import indexing
from monitor.registry import registry


def _titles(client, query: str) -> str:
    return client.get(f"/verhalen/?q={query}").get_data(as_text=True)


def test_readers_find_the_stories_while_the_index_is_rebuilt(narr_app, make_story, client):
    narr_app.config["SEARCH_LOCK_TIMEOUT"] = 0.05
    for i in range(3):
        make_story(title=f"Moestuin {i}", body="Over de moestuin aan de Larenseweg.")
    with narr_app.app_context():
        indexing.apply_pending()
    assert '3 verhalen voor "moestuin"' in _titles(client, "moestuin")
    seen_during = []

    def progress(step: int) -> None:  # called for every story the rebuild has written
        seen_during.append(_titles(client, "moestuin"))

    with narr_app.app_context():
        assert indexing.engines.current().rebuild(progress) == 3
    assert len(seen_during) == 3
    assert all('3 verhalen voor "moestuin"' in page for page in seen_during), [p[p.find("resultaten-kop"):p.find("resultaten-kop")+200] for p in seen_during][:1]
    assert '3 verhalen voor "moestuin"' in _titles(client, "moestuin")


def test_an_index_of_an_older_schema_is_rebuilt_by_the_next_job_run_not_left_empty(
        narr_app, make_story, client):
    make_story(title="Pluktuin", body="De pluktuin in Oost.")
    dirname = narr_app.config["SEARCH_INDEX_DIR"]
    # The index as an earlier version left it: another schema, the story in it.
    old = whoosh_index.create_in(dirname, whoosh_fields.Schema(
        id=whoosh_fields.NUMERIC(stored=True, unique=True), title=whoosh_fields.TEXT(stored=True)))
    writer = old.writer()
    writer.add_document(id=1, title="Pluktuin")
    writer.commit()
    with narr_app.app_context():
        from monitor.extensions import db
        from monitor.narratives.models import StoryIndexOp
        db.session.query(StoryIndexOp).delete()  # nothing queued: the index "had" the story
        db.session.commit()

    # A reader after the upgrade: the index is unusable, the page says it is being rebuilt.
    page = _titles(client, "pluktuin")
    assert "De zoekfunctie wordt bijgewerkt" in page
    with narr_app.app_context():
        assert indexing.engines.current().outdated()
        # The minute job (not only the hourly repair) rebuilds it.
        result = registry(narr_app).jobs["zoekindex bijwerken"].func(None)
        assert "opnieuw opgebouwd (1 verhalen)" in result
        assert not indexing.engines.current().outdated()
    page = _titles(client, "pluktuin")
    assert '1 verhaal voor "pluktuin"' in page and "De zoekfunctie wordt bijgewerkt" not in page
    assert search.schema_current(dirname)


def test_a_rebuild_takes_the_current_fields_options_when_they_changed(narr_app, make_story):
    make_story(title="Speeltuin")
    dirname = narr_app.config["SEARCH_INDEX_DIR"]
    older = search.story_schema()
    older.remove("tags")  # the same field names, other options: as after an upgrade
    older.add("tags", whoosh_fields.TEXT(stored=True))
    whoosh_index.create_in(dirname, older)
    with narr_app.app_context():
        assert indexing.engines.current().rebuild(None) == 1
    assert search_index._same_schema(whoosh_index.open_dir(dirname).schema, search.story_schema())
    assert not search.rebuild_pending(dirname)
