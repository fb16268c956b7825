"""The 10,000-story archive of the search-limit tests: built quickly, and on SQLite beside the run.

What it holds is what ``bench.generate.generate(size, seed, parts=("verhalen",))`` made
for these tests before: the benchmark generator's stories (``story_data`` and
``story_visibility`` with the same seed, so the same texts, places, dates, qualities and
visibilities), every one published by the bench editor, and the search index rebuilt from
the database by the app's own ``reindex_all``. What differs is how the rows get there:
the generator's services path goes through ``create_story``, ``submit`` and ``publish`` per
story (three flushes and three audit events each: half of the minute the fixture took),
this module inserts the finished rows with the generator's bulk path
(``bench.bulk.insert_stories``: one executemany per table and batch). The services'
validation and the equality of both paths are tested by the benchmark generator's own tests
(``tests/bench``); the search tests need the archive, not the path it took.

On SQLite the archive is a database file and an instance folder of its own, so it is built
in a second process while the rest of the suite runs (``start`` when the collected tests
need it, ``built`` waits for it): a 2-core machine does the work on its other core.
``python -m tests.narratives.archive FOLDER`` is that process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench.bulk import insert_stories, story_draws
from bench.generate import Size, buurten_of, reference_data

ARCHIVE = Size("issue-12", stories=10_000, clients=0, years=(2025, 2025), organisations=1,
               wijken=8, photo_files=0, photo_share=0.0)
SEED = 12
ROOT = Path(__file__).resolve().parents[2]
DATABASE = "archief.sqlite"
COUNT = "indexed.txt"
LOG = "build.log"


def fill(size: Size = ARCHIVE, seed: int = SEED) -> int:
    """Insert ``size.stories`` published stories into the (migrated, empty) database of the
    current app; returns how many stories it holds."""
    from monitor.extensions import db
    from monitor.models import User
    from monitor.narratives import services
    from monitor.narratives.models import Story

    ids = reference_data(size)
    quality_ids = [q.id for q in services.quality_choices()]
    draws = story_draws(size, ids["wijken"], buurten_of(ids["wijken"]), quality_ids, seed)
    insert_stories(draws, db.session.get(User, ids["editor"][0]))
    return db.session.scalar(sa.select(sa.func.count(Story.id)))


def build(folder: Path) -> int:
    """A migrated SQLite database with the archive and its index in ``folder``; returns the
    number of indexed stories (also written to ``folder/indexed.txt``)."""
    from monitor import create_app, search
    from monitor.extensions import db
    from monitor.narratives import services

    from ..conftest import _migrate, base_config

    uri = f"sqlite:///{folder / DATABASE}"
    _migrate(uri, folder / "migrate-instance")
    app = create_app(base_config(folder / "instance", uri))
    with app.app_context():
        fill()
        count = services.reindex_all()
        search.close_cached_searcher()
        db.session.remove()
        db.engine.dispose()
    (folder / COUNT).write_text(str(count))
    return count


class Background:
    """The build of the run, in a process of its own (SQLite only)."""

    process: subprocess.Popen | None = None
    folder: Path | None = None
    started = 0.0

    @classmethod
    def start(cls, folder: Path) -> None:
        if cls.process is not None:
            return
        cls.folder, cls.started = folder, time.monotonic()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        with open(folder / LOG, "wb") as log:
            cls.process = subprocess.Popen(
                [sys.executable, "-m", "tests.narratives.archive", str(folder)], cwd=ROOT,
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    @classmethod
    def wait(cls, timeout: float = 1200) -> tuple[Path, int]:
        """Wait for the build; returns its folder and the number of indexed stories."""
        assert cls.process is not None and cls.folder is not None
        try:
            code = cls.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            cls.stop()
            raise RuntimeError(f"the archive was not built within {timeout} s") from None
        if code != 0:
            log = (cls.folder / LOG).read_text(errors="replace")[-4000:]
            raise RuntimeError(f"building the archive failed ({code}):\n{log}")
        return cls.folder, int((cls.folder / COUNT).read_text())

    @classmethod
    def stop(cls) -> None:
        if cls.process is not None and cls.process.poll() is None:
            cls.process.kill()
            cls.process.wait()


if __name__ == "__main__":
    target = Path(sys.argv[1])
    print(f"{build(target)} stories indexed in {target}")
