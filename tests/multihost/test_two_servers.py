"""Two app servers, one installation: what one host does, the other sees at once.

Two gunicorn servers on different ports, each with an instance folder of its own (so
nothing on local disk is shared), over the same PostgreSQL database, the same S3 object
store (moto's server on the loopback), the same Redis queue and the same ``SECRET_KEY``,
with one job worker for the installation. A browser's requests alternate between them,
as behind a load balancer without sticky sessions:

- a sign-in on one host is valid on the other (and a form's CSRF token too);
- a photo uploaded through one host is shown by the other;
- a story published through one host is found by a search on the other;
- a withdrawal through one host is gone on both: page, search hit and photo.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from PIL import Image

from monitor.models import Role

from ..conftest import BACKEND, PASSWORD, get_wijk
from ..narratives.conftest import quality_id

pytestmark = [pytest.mark.slow, pytest.mark.real_db,
              pytest.mark.skipif(BACKEND != "postgresql", reason=(
                  "several hosts share a PostgreSQL database; SQLite is the one-host default"))]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="([\w-]*csrf_token)"[^>]*value="([^"]+)"')
TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _photo() -> bytes:
    image = Image.new("RGB", (640, 480), (40, 120, 90))
    for x in range(0, 640, 40):
        for y in range(0, 480, 40):
            image.putpixel((x, y), (250, 250, 250))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Browser:
    """One person's browser; every request goes to the next host in turn."""

    def __init__(self, hosts: list[str]):
        self.hosts, self.turn, self.http = hosts, 0, requests.Session()

    def host(self) -> str:
        self.turn += 1
        return self.hosts[self.turn % len(self.hosts)]

    def get(self, path: str, host: str | None = None) -> requests.Response:
        return self.http.get((host or self.host()) + path, timeout=TIMEOUT, allow_redirects=False)

    def post(self, path: str, data: dict, host: str | None = None, **kw) -> requests.Response:
        return self.http.post((host or self.host()) + path, data=data, timeout=TIMEOUT,
                              allow_redirects=False, **kw)

    def form(self, path: str, host: str | None = None) -> dict[str, str]:
        """The CSRF fields of the page at ``path`` (fetched from ``host`` or the next host)."""
        page = self.get(path, host)
        assert page.status_code == 200, (path, page.status_code)
        return dict(CSRF.findall(page.text))

    def sign_in(self, email: str, host: str) -> None:
        fields = self.form("/account/inloggen", host)
        response = self.post("/account/inloggen", {**fields, "email": email, "password": PASSWORD},
                             host=host)
        assert response.status_code == 302, response.text[:500]


@pytest.fixture
def object_store():
    """A real S3 API on the loopback (moto's server) with an empty bucket."""
    moto_server = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket="tellen")
    try:
        yield {**env, "MONITOR_STORAGE_URL": "s3://tellen/installatie"}
    finally:
        server.stop()


def _env(app, instance: Path, store: dict[str, str]) -> dict[str, str]:
    instance.mkdir(parents=True, exist_ok=True)
    return dict(
        os.environ, **store, MONITOR_ENV="production",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=app.config["SECRET_KEY"],
        MONITOR_INSTANCE_PATH=str(instance), MONITOR_UPLOAD_FOLDER=str(instance / "uploads"),
        MONITOR_SEARCH_INDEX=str(instance / "search-index"),
        MONITOR_SEARCH_BACKEND="postgresql",
        MONITOR_QUEUE_URL="redis://127.0.0.1:6379/11",
        MONITOR_SECURE_COOKIES="0", MONITOR_MFA_REQUIRED_ROLES="", MONITOR_ACCESS_LOG="")


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("gunicorn stopped:\n" + log.read_text(errors="replace")[-3000:])
        try:
            if requests.get(base + "/gezondheid", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)  # polling a starting server
    raise AssertionError("gunicorn did not start serving")


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def two_hosts(app, object_store, tmp_path):
    """Two gunicorn servers and one job worker over the same database, store and queue."""
    hosts, processes, logs = [], [], []
    for name in ("a", "b"):
        port = _free_port()
        env = _env(app, tmp_path / f"host-{name}", object_store)
        log = tmp_path / f"gunicorn-{name}.log"
        processes.append(_start([str(BIN / "gunicorn"), "--workers", "2", "--bind",
                                 f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"], env, log))
        hosts.append(f"http://127.0.0.1:{port}")
        logs.append(log)
    worker_log = tmp_path / "worker.log"
    processes.append(_start([str(BIN / "flask"), "--app", "wsgi", "worker"],
                            _env(app, tmp_path / "worker", object_store), worker_log))
    logs.append(worker_log)
    try:
        for base, process, log in zip(hosts, processes[:2], logs[:2], strict=True):
            _wait_until_serving(base, process, log)
        yield hosts
    finally:
        _stop(processes)
    errors = [line for log in logs for line in log.read_text(errors="replace").splitlines()
              if "Traceback" in line]
    assert not errors, errors


def test_what_one_host_does_the_other_sees(app, make_user, two_hosts):
    a, b = two_hosts
    word = "zonnebloem" + uuid.uuid4().hex[:6]  # one word only this story has
    worker_user = make_user(Role.SOCIAAL_WERKER, wijken=["Oost"])
    coordinator_user = make_user(Role.BUURTCOORDINATOR, wijken=["Oost"])
    with app.app_context():
        oost = get_wijk("Oost").id
        quality = quality_id("K4")

    # Signed in on A, recognised on B (no sign-in loop, no "formulier verlopen").
    worker = Browser([a, b])
    worker.sign_in(worker_user.email, host=a)
    start = worker.get("/start", host=b)
    assert start.status_code == 200 and worker_user.name in start.text

    # The form comes from B, the upload with its CSRF token goes to A.
    fields = worker.form("/verhalen/nieuw", host=b)
    data = {**fields, "title": f"De {word} in de tuin", "summary": "Samen zaaien.",
            "body": f"Wij zaaiden een {word} bij het buurthuis.", "wijk_id": str(oost),
            "buurt_id": "", "about_date": "2026-06-01", "form": "tekst",
            "quality_ids": str(quality), "tags": "", "teller": "professional", "teller_name": "",
            "consent_given": "y", "consent_method": "schriftelijk", "consent_date": "2026-06-02",
            "photo_1-alt_text": "Een zonnebloem voor het buurthuis"}
    created = worker.post("/verhalen/nieuw", data, host=a,
                          files={"photo_1-file": ("tuin.jpg", _photo(), "image/jpeg")})
    assert created.status_code == 302, created.text[:1000]
    story_id = int(re.search(r"/verhalen/verhaal/(\d+)", created.headers["Location"]).group(1))
    preview = worker.get(f"/verhalen/verhaal/{story_id}", host=b)
    assert preview.status_code == 200
    photo_urls = sorted(set(re.findall(r'/verhalen/foto/[0-9a-f]+/web', preview.text)))
    assert len(photo_urls) == 1, "the photo uploaded through A is on B's page"
    web_from_b = worker.get(photo_urls[0], host=b)
    web_from_a = worker.get(photo_urls[0], host=a)
    assert web_from_b.status_code == 200 and web_from_b.headers["Content-Type"] == "image/jpeg"
    assert web_from_a.content == web_from_b.content and len(web_from_b.content) > 1000
    fields = worker.form(f"/verhalen/verhaal/{story_id}", host=a)
    assert worker.post(f"/verhalen/verhaal/{story_id}/indienen", fields, host=b).status_code == 302

    # Published through A …
    coordinator = Browser([a, b])
    coordinator.sign_in(coordinator_user.email, host=b)
    fields = coordinator.form(f"/verhalen/verhaal/{story_id}/moderatie", host=b)
    published = coordinator.post(f"/verhalen/verhaal/{story_id}/publiceren",
                                 {**fields, "pub-visibility": "openbaar"}, host=a)
    assert published.status_code == 302, published.text[:1000]

    # … found by a visitor's search on B and on A, with its photo on both.
    visitor = Browser([a, b])
    for host in (b, a):
        hits = visitor.get(f"/verhalen/?q={word}", host=host)
        # The hit links to the story (its title may be split by the highlight's <mark>).
        assert hits.status_code == 200 and f'href="/verhalen/verhaal/{story_id}"' in hits.text, host
        page = visitor.get(f"/verhalen/verhaal/{story_id}", host=host)
        assert page.status_code == 200 and photo_urls[0] in page.text
        assert visitor.get(photo_urls[0], host=host).status_code == 200

    # Withdrawn through B: gone on both hosts, page, search hit and photo.
    fields = coordinator.form(f"/verhalen/verhaal/{story_id}/moderatie", host=a)
    withdrawn = coordinator.post(f"/verhalen/verhaal/{story_id}/intrekken", fields, host=b)
    assert withdrawn.status_code == 302, withdrawn.text[:1000]
    for host in (a, b):
        assert f'href="/verhalen/verhaal/{story_id}"' not in visitor.get(f"/verhalen/?q={word}", host=host).text
        assert visitor.get(f"/verhalen/verhaal/{story_id}", host=host).status_code in (404, 410)
        assert visitor.get(photo_urls[0], host=host).status_code in (404, 410)
