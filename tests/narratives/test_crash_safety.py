"""Crash safety: a worker killed with SIGKILL loses no story and leaves no half upload.

Each crash happens in a real separate Python process (its own app, engine and index
handle) that kills itself with ``SIGKILL`` at the worst moment; afterwards a fresh
process runs the job worker's index upkeep (``flask --app wsgi jobs run "zoekindex
controleren"``, which the worker runs hourly; web workers never repair) and the result is
checked from the outside.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor import search
from monitor.extensions import db
from monitor.models import Role
from monitor.narratives.models import Story, StoryIndexOp, StoryPhoto, StoryStatus

from .conftest import image_bytes, wijk_id

# Child processes (a killed worker, the maintenance command) open the database themselves.
pytestmark = [pytest.mark.real_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")

# Runs in the child: an app of its own, a signed-in test client, and a patched step that
# kills the process at the chosen moment (no clean-up handler can run after SIGKILL).
CHILD = r"""
import json, os, signal, sys
from monitor import create_app, photos
from monitor.narratives import services

config, scenario, payload = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

app = create_app(config)
client = app.test_client()
if scenario == "publish":
    # Killed right after the commit, before the index is touched.
    services.sync_index = die
    with client.session_transaction() as sess:
        sess.update(payload["session"])
    client.post(f"/verhalen/verhaal/{payload['story_id']}/publiceren",
                data={"pub-visibility": "openbaar"})
elif scenario == "upload":
    real_store, calls = photos.store, []
    def store_then_die(folder, key, photo):
        calls.append(key)
        if len(calls) == 2:  # half-way through writing the second photo's file
            tmp = photos.paths(folder, key)[0].with_suffix(".tmp")
            with open(tmp, "wb") as fh:
                fh.write(photo.web[: len(photo.web) // 2])
                fh.flush()
            die()
        return real_store(folder, key, photo)
    photos.store = store_then_die
    import io
    data = dict(payload["form"])
    for i, name in enumerate(("a.jpg", "b.png"), start=1):
        with open(payload["files"][i - 1], "rb") as fh:
            data[f"photo_{i}-file"] = (io.BytesIO(fh.read()), name)
    client.post("/verhalen/vertel", data=data, content_type="multipart/form-data")
print("survived")  # never reached
"""


def _plain_config(app) -> dict:
    return {k: v for k, v in app.config.items()
            if isinstance(v, str | int | float | bool) and k != "PERMANENT_SESSION_LIFETIME"}


def _run_child(app, scenario: str, payload: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(_plain_config(app)), scenario, json.dumps(payload)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr[-3000:]
    assert "survived" not in result.stdout
    return result


def _maintenance(app) -> str:
    """A fresh process, as the job worker: runs the index upkeep job."""
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               MONITOR_INSTANCE_PATH=app.config["INSTANCE_PATH"], SECRET_KEY=app.config["SECRET_KEY"],
               MONITOR_UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
               MONITOR_SEARCH_INDEX=app.config["SEARCH_INDEX_DIR"])
    result = subprocess.run([str(FLASK), "--app", "wsgi", "jobs", "run", "zoekindex controleren"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_story_published_by_a_worker_killed_before_the_index_update_is_found_after_restart(
        narr_app, make_story, login_as):
    story_id = make_story(title="Het bankje bij de molen", body="Een verhaal over de vlinderstruik.",
                          wijk="Oost", status=StoryStatus.INGEDIEND, index=False)
    coordinator = login_as(Role.BUURTCOORDINATOR, wijken=["Oost"])
    with coordinator.session_transaction() as sess:
        session = dict(sess)
    make_story(title="Al in de index", body="Iets anders.")  # the index exists already
    dirname = narr_app.config["SEARCH_INDEX_DIR"]

    _run_child(narr_app, "publish", {"story_id": story_id, "session": session})

    with narr_app.app_context():
        story = db.session.get(Story, story_id)
        assert story.status == StoryStatus.GEPUBLICEERD  # the commit happened …
        assert db.session.scalar(sa.select(sa.func.count(StoryIndexOp.id)).where(
            StoryIndexOp.story_id == story_id)) == 1  # … with its index operation
    assert story_id not in search.indexed_revisions(dirname)  # … but the index never saw it

    output = _maintenance(narr_app)
    assert "ok  zoekindex controleren: 1 openstaande update(s) toegepast" in output, output
    assert "FOUT" not in output, output

    assert story_id in search.indexed_revisions(dirname)
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StoryIndexOp.id))) == 0
    page = narr_app.test_client().get("/verhalen/?q=vlinderstruik").get_data(as_text=True)
    assert "Het bankje bij de molen" in page


def test_upload_killed_half_way_leaves_no_record_and_its_files_are_cleaned_up(
        narr_app, public_form, tmp_path):
    files = []
    for name, content in (("a.jpg", image_bytes()), ("b.png", image_bytes("PNG"))):
        files.append(str(tmp_path / name))
        Path(files[-1]).write_bytes(content)
    form = {k: v for k, v in public_form().items()}
    for i, alt in ((1, "Eerste foto"), (2, "Tweede foto")):
        form[f"photo_{i}-alt_text"] = alt
    folder = Path(narr_app.config["UPLOAD_FOLDER"])

    _run_child(narr_app, "upload", {"form": form, "files": files})

    left = sorted(p.name for p in folder.iterdir())
    # The first photo was written completely, the second only half (temporary name) …
    assert len([n for n in left if n.endswith(".jpg")]) == 2 and len([n for n in left if n.endswith(".tmp")]) == 1
    with narr_app.app_context():  # … and nothing reached the database.
        assert db.session.scalar(sa.select(sa.func.count(Story.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(StoryPhoto.id))) == 0

    # Fresh files may belong to an upload still on its way: a restart leaves them alone.
    _maintenance(narr_app)
    assert sorted(p.name for p in folder.iterdir()) == left
    # An hour later they can only be left-overs: the next start-up removes them all.
    old = time.time() - 3700
    for path in folder.iterdir():
        os.utime(path, (old, old))
    output = _maintenance(narr_app)
    # One photo without a record (web size + thumbnail) and one temporary file.
    assert "2 los(se) fotobestand(en) verwijderd" in output, output
    assert list(folder.iterdir()) == []
    with narr_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StoryPhoto.id))) == 0
        assert wijk_id("Oost")  # the database is still usable
