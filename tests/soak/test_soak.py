"""Concurrency soak: gunicorn with 4 workers, 20 simulated users, bounded in time.

Users (threads, each with its own cookies and, for residents, its own client address via
``X-Forwarded-For`` behind one trusted proxy, as behind nginx):
- 5 organisation systems post returns through the JSON API with their own token;
- 6 residents fill in the public story form (every other one with a photo); they search
  the archive while "typing", since the form needs a minimum fill time;
- 4 buurtcoördinatoren sign in and publish what waits in their wijk's queue;
- 5 readers search the archive.
Afterwards: no response was a 5xx or a broken connection, every acknowledged write is in
the database (returns with their last acknowledged figure, stories by reference with
their photos and files, publications), and ``flask --app wsgi search check`` finds the
index in sync with the database.

``MONITOR_SOAK_SECONDS`` sets the duration (default 15; the documented run uses 60).
"""

from __future__ import annotations

import io
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from PIL import Image

from monitor.catalogues import Quality
from monitor.counts import services as count_services
from monitor.counts.models import CountReturn
from monitor.extensions import db
from monitor.models import Organisation, OrganisationKind, Period, Role, Wijk
from monitor.narratives.models import Story, StoryPhoto, StoryStatus

from ..conftest import BACKEND, PASSWORD

# gunicorn workers on the database: committed data, long.
pytestmark = [pytest.mark.soak, pytest.mark.slow, pytest.mark.real_db]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECONDS = float(os.environ.get("MONITOR_SOAK_SECONDS", "15"))
WORKERS = 4
API_USERS, RESIDENTS, COORDINATORS, READERS = 5, 6, 4, 5
MIN_FILL = 5.0  # the public form's minimum fill time (NARRATIVES_MIN_FILL_SECONDS default)
WORDS = ["buurt", "koffie", "molen", "tuin", "ontmoeting", "wandeling", "bankje", "markt"]
CSRF = re.compile(r'name="([\w-]*csrf_token)"[^>]*value="([^"]+)"')
TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _photo(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@dataclass
class Tally:
    """What the users saw and what the server acknowledged (shared, under a lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    returns: dict[tuple[int, str, int, int], int] = field(default_factory=dict)
    stories: dict[str, int] = field(default_factory=dict)  # reference → photos sent
    published: set[int] = field(default_factory=set)
    requests_by_kind: Counter = field(default_factory=Counter)

    def seen(self, kind: str, response: requests.Response | None, error: str | None = None) -> None:
        with self.lock:
            self.requests_by_kind[kind] += 1
            if response is None:
                self.failures.append(f"{kind}: {error}")
                return
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.failures.append(f"{kind}: {response.status_code} {response.url}")


class User(threading.Thread):
    def __init__(self, base: str, tally: Tally, deadline: float, number: int) -> None:
        super().__init__(daemon=True, name=f"{type(self).__name__}-{number}")
        self.base, self.tally, self.deadline, self.number = base, tally, deadline, number
        self.http = requests.Session()
        self.rng = random.Random(number)
        self.crashed: BaseException | None = None

    def call(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        try:
            response = self.http.request(method, self.base + path, timeout=TIMEOUT,
                                         allow_redirects=False, **kwargs)
        except requests.RequestException as err:
            self.tally.seen(kind, None, repr(err))
            return None
        self.tally.seen(kind, response)
        return response

    def csrf(self, html: str) -> dict[str, str]:
        return {name: value for name, value in CSRF.findall(html)}

    def search(self) -> None:
        self.call("search", "GET", f"/verhalen/?q={self.rng.choice(WORDS)}")

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                self.step()
        except BaseException as err:  # a bug in the simulation itself fails the test
            self.crashed = err


class ApiUser(User):
    """An organisation's system: its own wijk, posts returns for the periods in turn."""

    def __init__(self, *args, token: str, org_id: int, wijk: str, periods: list[tuple[int, int]]):
        super().__init__(*args)
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.org_id, self.wijk, self.periods, self.count = org_id, wijk, periods, 0

    def step(self) -> None:
        self.count += 1
        year, tertial = self.periods[self.count % len(self.periods)]
        meldingen = 10 + self.count
        body = {"year": year, "tertial": tertial, "wijk": self.wijk,
                "figures": {"volunteers": 5, "meldingen": meldingen, "meldingen_sociaal_plein": 3,
                            "closed_total": 4, "closed_within_six_months": 2}}
        response = self.call("api", "POST", "/api/v1/returns", json=body)
        if response is not None and response.status_code in (200, 201):
            with self.tally.lock:
                self.tally.returns[(self.org_id, self.wijk, year, tertial)] = meldingen
        elif response is not None and response.status_code < 500:
            self.tally.failures.append(f"api refused: {response.status_code} {response.text[:300]}")
        if self.count % 5 == 0:
            self.call("api", "GET", "/api/v1/returns")


class Resident(User):
    """Fills in the public form from an address of its own; every other story has a photo."""

    def __init__(self, *args, wijk_ids: list[int], quality_id: int):
        super().__init__(*args)
        self.wijk_ids, self.quality_id, self.sent = wijk_ids, quality_id, 0

    def step(self) -> None:
        self.sent += 1
        # Behind the (trusted) proxy every resident is a different client address.
        self.http.headers["X-Forwarded-For"] = f"10.{self.number}.{self.sent // 200}.{self.sent % 200 + 1}"
        page = self.call("form", "GET", "/verhalen/vertel")
        if page is None or page.status_code != 200:
            return
        started_at = time.monotonic()
        stamp = re.search(r'name="started"[^>]*value="([^"]+)"', page.text)
        # Reading the archive while writing: the form needs a minimum fill time.
        while time.monotonic() - started_at < MIN_FILL + 0.3:
            if time.monotonic() >= self.deadline:
                return
            self.search()
        word = self.rng.choice(WORDS)
        data = {**self.csrf(page.text), "title": f"Soak {self.number}-{self.sent} {word}",
                "summary": "Een verhaal uit de soaktest.", "body": f"Over de {word} in onze buurt.",
                "wijk_id": str(self.rng.choice(self.wijk_ids)), "buurt_id": "",
                "about_date": "2026-03-10", "form": "tekst", "quality_ids": [str(self.quality_id)],
                "tags": word, "teller_name": "", "visibility": "openbaar", "language": "nl",
                "consent_given": "y", "website": "",
                "started": stamp.group(1) if stamp else ""}
        files = None
        photos = 0
        if self.sent % 2:
            photos = 1
            data["photo_1-alt_text"] = f"Foto van de {word}"
            files = {"photo_1-file": ("foto.jpg", _photo(self.number * 1000 + self.sent), "image/jpeg")}
        response = self.call("contribute", "POST", "/verhalen/vertel", data=data, files=files)
        if response is None or response.status_code != 302:
            if response is not None and response.status_code < 500:
                self.tally.failures.append(f"story refused: {response.status_code} "
                                           f"{re.findall(r'utrecht-form-field-error[^>]*>([^<]+)', response.text)}")
            return
        receipt = self.call("contribute", "GET", "/verhalen/vertel/ontvangen")
        found = re.search(r'class="reference">([^<]+)<', receipt.text if receipt is not None else "")
        if found:
            with self.tally.lock:
                self.tally.stories[found.group(1)] = photos
        else:
            self.tally.failures.append("receipt without reference")


class Coordinator(User):
    """Signs in and publishes whatever waits in the moderation queue of its wijk."""

    def __init__(self, *args, email: str):
        super().__init__(*args)
        self.email, self.signed_in = email, False

    def sign_in(self) -> None:
        page = self.call("login", "GET", "/account/inloggen")
        if page is None:
            return
        response = self.call("login", "POST", "/account/inloggen",
                             data={**self.csrf(page.text), "email": self.email, "password": PASSWORD})
        self.signed_in = response is not None and response.status_code == 302

    def step(self) -> None:
        if not self.signed_in:
            self.sign_in()
            return
        queue = self.call("moderate", "GET", "/verhalen/moderatie")
        if queue is None or queue.status_code != 200:
            return
        waiting = queue.text.split("Onlangs gemodereerd")[0]
        ids = [int(i) for i in re.findall(r'href="/verhalen/verhaal/(\d+)/moderatie"', waiting)]
        if not ids:
            self.search()
            return
        story_id = self.rng.choice(ids)
        page = self.call("moderate", "GET", f"/verhalen/verhaal/{story_id}/moderatie")
        if page is None or page.status_code != 200:
            return
        token = next(iter(self.csrf(page.text).values()), "")
        response = self.call("publish", "POST", f"/verhalen/verhaal/{story_id}/publiceren",
                             data={"pub-csrf_token": token, "pub-visibility": "openbaar"})
        if response is not None and response.status_code == 302:
            with self.tally.lock:
                self.tally.published.add(story_id)


class Reader(User):
    def step(self) -> None:
        self.search()
        if self.rng.random() < 0.2:
            self.call("read", "GET", "/verhalen/")


def _env(app) -> dict[str, str]:
    return dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                MONITOR_INSTANCE_PATH=app.config["INSTANCE_PATH"], SECRET_KEY=app.config["SECRET_KEY"],
                MONITOR_UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
                MONITOR_SEARCH_INDEX=app.config["SEARCH_INDEX_DIR"],
                MONITOR_SECURE_COOKIES="0", MONITOR_TRUSTED_PROXIES="1", MONITOR_ACCESS_LOG="")


def _wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("gunicorn stopped:\n" + log.read_text(errors="replace")[-3000:])
        try:
            if requests.get(base + "/account/inloggen", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)  # polling a starting server, not waiting for time to pass
    raise AssertionError("gunicorn did not start serving")


@pytest.fixture
def soak_world(app, make_user):
    """Reference data, coordinators and API tokens (one per welfare organisation)."""
    with app.app_context():
        wijken = list(db.session.scalars(sa.select(Wijk).where(Wijk.active.is_(True)).order_by(Wijk.id)))
        orgs = list(db.session.scalars(sa.select(Organisation).where(
            Organisation.kind == OrganisationKind.WELZIJN).order_by(Organisation.id)))
        periods = [(p.year, p.tertial) for p in db.session.scalars(
            sa.select(Period).where(Period.year == 2025).order_by(Period.tertial))]
        quality_id = db.session.scalar(sa.select(Quality.id).order_by(Quality.id))
        wijk_names = [w.name for w in wijken]
        wijk_ids = [w.id for w in wijken]
    admin = make_user(Role.ADMIN)
    coordinators = [make_user(Role.BUURTCOORDINATOR, wijken=[wijk_names[i]]).email
                    for i in range(COORDINATORS)]
    tokens = []
    with app.app_context():
        for i in range(API_USERS):
            org = db.session.get(Organisation, orgs[i % len(orgs)].id)
            _, plain = count_services.create_token(org, f"soak {i}", db.session.merge(admin))
            tokens.append((plain, org.id, wijk_names[i % len(wijk_names)]))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"wijk_ids": wijk_ids[:COORDINATORS], "periods": periods, "quality_id": quality_id,
            "coordinators": coordinators, "tokens": tokens}


def test_soak_under_gunicorn_loses_nothing_and_never_fails(app, soak_world, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
             "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=_env(app), stdout=out, stderr=subprocess.STDOUT)
    tally = Tally()
    try:
        _wait_until_serving(base, process, log)
        started = time.monotonic()
        deadline = started + SECONDS
        users: list[User] = []
        n = 0
        for token, org_id, wijk in soak_world["tokens"]:
            n += 1
            users.append(ApiUser(base, tally, deadline, n, token=token, org_id=org_id, wijk=wijk,
                                 periods=soak_world["periods"]))
        for _ in range(RESIDENTS):
            n += 1
            users.append(Resident(base, tally, deadline, n, wijk_ids=soak_world["wijk_ids"],
                                  quality_id=soak_world["quality_id"]))
        for email in soak_world["coordinators"]:
            n += 1
            users.append(Coordinator(base, tally, deadline, n, email=email))
        for _ in range(READERS):
            n += 1
            users.append(Reader(base, tally, deadline, n))
        assert len(users) == 20
        for user in users:
            user.start()
        for user in users:
            user.join(timeout=SECONDS + 2 * TIMEOUT + 30)
        elapsed = time.monotonic() - started
        assert not [u.name for u in users if u.is_alive()], "users still busy after the deadline"
        crashed = [f"{u.name}: {u.crashed!r}" for u in users if u.crashed]
        assert not crashed, crashed
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    total = sum(tally.statuses.values())
    print(f"\nsoak {BACKEND}: {elapsed:.1f} s, {total} requests ({total / elapsed:.0f}/s), "
          f"statuses {dict(sorted(tally.statuses.items()))}, by kind {dict(tally.requests_by_kind)}, "
          f"{len(tally.returns)} returns, {len(tally.stories)} stories "
          f"({sum(tally.stories.values())} photos), {len(tally.published)} published")
    server_errors = [line for line in log.read_text(errors="replace").splitlines()
                     if "Traceback" in line or "ERROR" in line]

    # Zero 5xx, zero broken connections, nothing refused that should have been accepted.
    assert not tally.failures, tally.failures[:20]
    assert not server_errors, server_errors[:20]
    assert tally.returns and tally.stories and tally.published, "every kind of write happened"

    # Zero lost writes: everything acknowledged is in the database.
    with app.app_context():
        for (org_id, wijk, year, tertial), meldingen in tally.returns.items():
            ret = db.session.scalar(sa.select(CountReturn).join(Period).join(Wijk).where(
                CountReturn.organisation_id == org_id, Wijk.name == wijk,
                Period.year == year, Period.tertial == tertial))
            assert ret is not None and ret.meldingen == meldingen, (org_id, wijk, year, tertial)
        stories = {s.reference: s for s in db.session.scalars(
            sa.select(Story).where(Story.reference.in_(list(tally.stories))))}
        assert sorted(stories) == sorted(tally.stories)
        folder = Path(app.config["UPLOAD_FOLDER"])
        for reference, photos in tally.stories.items():
            story_photos = list(db.session.scalars(sa.select(StoryPhoto).where(
                StoryPhoto.story_id == stories[reference].id)))
            assert len(story_photos) == photos, reference
            for photo in story_photos:
                assert (folder / f"{photo.file_key}.jpg").is_file()
                assert (folder / f"{photo.file_key}_thumb.jpg").is_file()
        published = set(db.session.scalars(sa.select(Story.id).where(
            Story.status == StoryStatus.GEPUBLICEERD)))
        assert tally.published <= published
        db.session.remove()
        db.engine.dispose()

    # Database and index agree (pending updates may legitimately wait for the next writer).
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "search", "check"], cwd=ROOT,
                            env=_env(app), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "De zoekindex klopt met de database." in result.stdout, result.stdout
    assert "Ontbrekend in de index: 0" in result.stdout and "Verouderd in de index: 0" in result.stdout
