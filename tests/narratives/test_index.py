"""The index follows every change, across processes; CLI reindex and check repair drift."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from whoosh import index as whoosh_index

from monitor import create_app, search, search_index
from monitor.extensions import db
from monitor.models import Role, User
from monitor.narratives import services
from monitor.narratives.models import Story, StoryIndexOp, StoryStatus
from monitor.registry import registry

WORKERS = 3
PER_WORKER = 6


def _index_state(app) -> dict[int, int]:
    ix = whoosh_index.open_dir(app.config["SEARCH_INDEX_DIR"])
    with ix.searcher() as searcher:
        return {f["id"]: f["revision"] for f in searcher.all_stored_fields()}


def _db_state(app) -> dict[int, int]:
    with app.app_context():
        return dict(db.session.execute(sa.select(Story.id, Story.revision).where(
            Story.status == StoryStatus.GEPUBLICEERD)).all())


def _publisher(config: dict, user_id: int, story_ids: list[int], barrier, withdraw_id: int | None):
    """Runs in a forked process: a separate app, engine and index handle (like a worker)."""
    app = create_app(config)
    with app.test_request_context("/"):
        user = db.session.get(User, user_id)
        barrier.wait(timeout=30)
        for story_id in story_ids:
            services.publish(db.session.get(Story, story_id), user, "openbaar")
        if withdraw_id is not None:
            services.withdraw(db.session.get(Story, withdraw_id), by=user)
        db.session.remove()
        db.engine.dispose()


@pytest.mark.slow
@pytest.mark.real_db
def test_index_is_consistent_after_concurrent_publishing_from_several_processes(
        narr_app, make_story, make_user):
    coordinator = make_user(Role.BUURTCOORDINATOR, wijken=["Oost"])
    ids = [make_story(title=f"Verhaal {i}", body="Over de buurt.", wijk="Oost",
                      status=StoryStatus.INGEDIEND, index=False)
           for i in range(WORKERS * PER_WORKER)]
    already = make_story(title="Al gepubliceerd", wijk="Oost")
    with narr_app.test_request_context("/"):
        services.apply_pending()
        # This process searches first, so it holds a cached searcher that must refresh.
        before = services.search_archive(None, "buurt", {}, "relevance", 1)
        assert before.result.total == 1
        db.session.remove()
        db.engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WORKERS)
    processes = [
        context.Process(target=_publisher, args=(
            dict(narr_app.config), coordinator.id, ids[w::WORKERS], barrier,
            already if w == 0 else None))
        for w in range(WORKERS)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * WORKERS
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StoryIndexOp.id))) == 0
    expected = _db_state(narr_app)
    assert sorted(expected) == sorted(ids)
    assert _index_state(narr_app) == expected
    with narr_app.test_request_context("/"):
        report = services.check_index(repair=False)
        after = services.search_archive(None, "buurt", {}, "relevance", 1, per_page=50)
    assert report.in_sync and report.pending == 0
    assert after.result.total == len(ids)
    assert sorted(story.id for story, _, _ in after.items) == sorted(ids)


def test_busy_index_never_fails_a_user_and_loses_no_update(narr_app, make_story, login_as, client,
                                                           monkeypatch):
    story_id = make_story(title="Wachtend verhaal", body="Over de molen.", wijk="Oost",
                          qualities=("K7",), status=StoryStatus.INGEDIEND, index=False)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    narr_app.config["SEARCH_LOCK_TIMEOUT"] = 0.05
    with search.writer_lock(narr_app.config["SEARCH_INDEX_DIR"]):
        # Another worker holds the index: publishing still succeeds for the user.
        response = coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                                    data={"pub-visibility": "openbaar"})
        assert response.status_code == 302
        assert coordinator.get(response.headers["Location"]).status_code == 200
        with narr_app.app_context():
            assert services.pending_count() >= 1
        # Searching meanwhile shows no error either, and waits for the writer no longer than
        # SEARCH_LOCK_TIMEOUT (it tries to apply the queue), also when the index does not
        # exist yet and opening it would need the lock (it waited 10 s there).
        waits = []
        real_lock = search_index.writer_lock

        def spied_lock(dirname, timeout=10.0):
            waits.append(timeout)
            return real_lock(dirname, timeout)

        with monkeypatch.context() as patched:
            patched.setattr(search_index, "writer_lock", spied_lock)
            patched.setattr(search, "writer_lock", spied_lock)
            assert client.get("/verhalen/?q=molen").status_code == 200
        assert waits and max(waits) <= narr_app.config["SEARCH_LOCK_TIMEOUT"]
    # Once the lock is free, the next reader applies the queued update.
    assert "Wachtend verhaal" in client.get("/verhalen/?q=molen").get_data(as_text=True)
    with narr_app.app_context():
        assert services.pending_count() == 0


def test_a_new_web_worker_does_no_index_work_the_job_worker_applies_the_queue(
        narr_app, make_story, tmp_path):
    make_story(title="Al in de index")
    story_id = make_story(title="Uit de wachtrij", index=False)
    fresh = create_app({**narr_app.config, "INSTANCE_PATH": str(tmp_path / "worker2")})
    fresh.test_client().get("/verhalen/vertel")  # any first request of a new web worker
    assert story_id not in _index_state(narr_app)  # issue 15: no repair at start-up
    with fresh.app_context():
        jobs = registry(fresh).jobs
        assert "zoekindex verhalen" not in [t.name for t in registry(fresh).startup_tasks]
        assert jobs["zoekindex bijwerken"].func(None) == "1 update(s) toegepast"
        assert jobs["zoekindex bijwerken"].func(None) == "niets openstaand"
        db.session.remove()
        db.engine.dispose()
    assert story_id in _index_state(narr_app)


def test_cli_reindex_and_check_repair_drift(narr_app, make_story, runner):
    keep = make_story(title="Blijft")
    lost = make_story(title="Raakt kwijt")
    with narr_app.app_context():
        dirname = narr_app.config["SEARCH_INDEX_DIR"]
        with search.writer_lock(dirname):
            search.write(dirname, [{"id": 999999, "revision": 1, "title": "Spook",
                                    "visibility": "openbaar"}], [lost])
        story = db.session.get(Story, keep)
        story.revision += 5  # changed without an index update: stale
        db.session.commit()
    orphan = Path(narr_app.config["UPLOAD_FOLDER"]) / "deadbeef.jpg"
    orphan.write_bytes(b"x")
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))  # an interrupted upload
    in_flight = Path(narr_app.config["UPLOAD_FOLDER"]) / "cafebabe.jpg"
    in_flight.write_bytes(b"y")  # just written, its record not committed yet

    result = runner.invoke(args=["search", "check", "--no-repair"])
    assert result.exit_code == 1
    assert "Ontbrekend in de index: 1" in result.output
    assert "Te veel in de index: 1" in result.output
    assert "Verouderd in de index: 1" in result.output
    assert orphan.exists()

    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    assert "Afwijkingen hersteld." in result.output
    assert not orphan.exists()
    assert in_flight.exists()
    assert _index_state(narr_app) == _db_state(narr_app)
    assert "De zoekindex klopt met de database." in runner.invoke(args=["search", "check"]).output

    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "2 gepubliceerde verhalen" in result.output
    assert _index_state(narr_app) == _db_state(narr_app)


def test_search_sees_a_rebuilt_index_at_once(narr_app, make_story, runner, client):
    story_id = make_story(title="Oude naam", body="Over de haven.", qualities=("K7",))
    assert "Oude naam" in client.get("/verhalen/?q=haven").get_data(as_text=True)
    with narr_app.app_context():
        story = db.session.get(Story, story_id)
        story.title, story.body = "Nieuwe naam", "Over de molen."  # behind the index's back
        db.session.commit()
    assert "Nieuwe naam" not in client.get("/verhalen/?q=molen").get_data(as_text=True)
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert "Nieuwe naam" in client.get("/verhalen/?q=molen").get_data(as_text=True)
    assert "Nieuwe naam" not in client.get("/verhalen/?q=haven").get_data(as_text=True)
