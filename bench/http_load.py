"""Benchmark 2: HTTP throughput and latency under gunicorn with 2 workers, on loopback.

Starts ``gunicorn --workers 2 wsgi:app`` on the bench database and drives it with a small
load driver (threads with ``http.client`` and keep-alive-less requests, as a browser's
first visit), signed in as the bench raadslid through the real login form. Pages:

- the archive search page (``/verhalen/?q=…``, a different query per request),
- a story page (``/verhalen/verhaal/<id>``, published, openbaar, with a photo),
- the wijk dashboard (``/tellen/dashboard?wijk=…``, the last nine periods with returns, the
  span the page shows by default);

each beside the trivial endpoint ``/gezondheid`` of the same app on the same server (4
clients at once), and, one request at a time, beside the service call the page makes,
timed in the harness's own process on the same data (:func:`service_times`): what the
request costs on top of its service (session, user, permissions, navigation, rendering).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from .common import Figure, Report

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["buurten", "koffie ouderen", "vrijwilligers", "mantelzorg", "moestuin", "eenzaamheid",
           "taal cultuur", "spreekuur", "muziek", "samen koken"]


def service_times(story_ids: list[int], wijk_ids: list[int], period_ids: tuple[int, int],
                  rounds: int = 3) -> dict[str, list[float]]:
    """Milliseconds of each page's service call(s), in the current app context, as the
    bench raadslid: ``search_archive`` for the archive, the story and its related stories
    for the story page, ``dashboards.build`` with the tables it shows for the dashboard."""
    import sqlalchemy as sa
    from flask import current_app

    from monitor.counts import behind, dashboards
    from monitor.extensions import db
    from monitor.models import Period, Role, User
    from monitor.narratives import services
    from monitor.narratives.council import figures_behind

    reader = db.session.scalar(sa.select(User).where(User.role == Role.RAADSLID))
    first, last = (db.session.get(Period, i) for i in period_ids)

    def archive(q: str) -> None:
        services.search_archive(reader, q, {}, "relevance", 1)

    def story(story_id: int) -> None:  # what the view calls, in its order
        item = services.get_story_or_404(story_id)
        services.can_read(reader, item)
        services.render_markdown(item.body)
        services.related_stories(item, reader)
        services.may_moderate(reader, item)
        figures_behind(reader, item)  # the wijk's figures beside the story, for a raadslid

    def dashboard(wijk_id: int) -> None:
        dash = dashboards.build(reader, dashboards.Filters(first, last, wijk_id=wijk_id, perspective="wijk"))
        for chart in [*dash.breakdowns, *dash.charts]:
            chart.cells()
        with current_app.test_request_context("/"):  # their addresses are built as on the page
            behind.stories_for(reader, wijk_id, first, last)  # the stories the page shows beside them

    out: dict[str, list[float]] = {}
    for name, fn, args in (("archief zoeken", archive, QUERIES), ("verhaalpagina", story, story_ids),
                           ("wijkdashboard", dashboard, wijk_ids)):
        times = []
        for n in range(rounds + 1):
            for arg in args:
                t0 = time.perf_counter()
                fn(arg)
                if n:  # the first round warms up
                    times.append((time.perf_counter() - t0) * 1000)
                db.session.expire_all()
        out[name] = times
    db.session.rollback()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, instance: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "MONITOR_INSTANCE_PATH": instance,
           "MONITOR_UPLOAD_FOLDER": f"{instance}/uploads", "MONITOR_SEARCH_INDEX": f"{instance}/index",
           "SECRET_KEY": "bench-secret-key-not-for-production-use", "MONITOR_ENV": "development", "MONITOR_ACCESS_LOG": "",
           "MONITOR_STARTUP_TASKS": "0", "WEB_CONCURRENCY": "2"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env,
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            status, _, _ = request(port, "/gezondheid")
            if status == 200:
                # both workers up: a few more answers
                for _ in range(4):
                    request(port, "/gezondheid")
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError("gunicorn did not start")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def request(port: int, path: str, method: str = "GET", body: str | None = None,
            cookies: dict[str, str] | None = None) -> tuple[int, dict[str, list[str]], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": f"127.0.0.1:{port}"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    found: dict[str, list[str]] = {}
    for k, v in resp.getheaders():
        found.setdefault(k.lower(), []).append(v)
    conn.close()
    return resp.status, found, data


def _take_cookies(headers: dict[str, list[str]], jar: dict[str, str]) -> None:
    for line in headers.get("set-cookie", []):
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def sign_in(port: int, email: str, password: str) -> dict[str, str]:
    jar: dict[str, str] = {}
    status, headers, page = request(port, "/account/inloggen")
    _take_cookies(headers, jar)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"email": email, "password": password}
    if token:
        form["csrf_token"] = token.group(1).decode()
    status, headers, _ = request(port, "/account/inloggen", "POST", urllib.parse.urlencode(form), jar)
    _take_cookies(headers, jar)
    if status != 302:
        raise RuntimeError(f"sign-in failed ({status})")
    return jar


def load(port: int, paths: list[str], cookies: dict[str, str], threads: int,
         requests_per_thread: int) -> tuple[list[float], float, int]:
    """Latencies (ms), requests per second and the number of non-200 answers."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(offset: int) -> None:
        mine = []
        bad = 0
        for i in range(requests_per_thread):
            path = paths[(offset + i) % len(paths)]
            t0 = time.perf_counter()
            status, _, _ = request(port, path, cookies=cookies)
            mine.append((time.perf_counter() - t0) * 1000)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    # warm up both workers on these pages
    for path in paths[:4]:
        request(port, path, cookies=cookies)
    pool = [threading.Thread(target=worker, args=(n * 7,)) for n in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    return latencies, len(latencies) / wall, errors[0]


def run(report: Report, url: str, instance: str, story_ids: list[int], wijk_ids: list[int],
        label: str, period_ids: tuple[int, int], service_ms: dict[str, list[float]] | None = None,
        threads: int = 4, requests_per_thread: int = 40) -> None:
    from .generate import BENCH_PASSWORD

    port = free_port()
    proc = start_gunicorn(url, instance, port)
    try:
        cookies = sign_in(port, "raad@bench.example", BENCH_PASSWORD)
        span = f"van={period_ids[0]}&tot={period_ids[1]}"
        pages = {
            "archief zoeken": [f"/verhalen/?q={urllib.parse.quote(q)}" for q in QUERIES],
            "verhaalpagina": [f"/verhalen/verhaal/{i}" for i in story_ids],
            "wijkdashboard": [f"/tellen/dashboard?wijk={w}&{span}" for w in wijk_ids],
        }
        if service_ms:
            one_lat, _, _ = load(port, ["/gezondheid"], cookies, 1, requests_per_thread)
            for name, paths in pages.items():
                lat, _, bad = load(port, paths, cookies, 1, requests_per_thread)
                service = {"archief zoeken": "services.search_archive, zelfde vragen",
                           "verhaalpagina": "get_story + render_markdown + related_stories + figures_behind",
                           "wijkdashboard": "dashboards.build + tabellen + stories_for, zelfde wijken"}[name]
                report.add(f"2 HTTP {label}", Figure(
                    f"{name} latentie (1 tegelijk)", "ms", lat, f"{service} (in het proces)",
                    service_ms[name], note=f"/gezondheid 1 tegelijk {statistics.median(one_lat):.1f} ms"
                    + (f"; {bad} antwoorden niet 200" if bad else "")))
        base_lat, base_rps, base_bad = load(port, ["/gezondheid"], cookies, threads, requests_per_thread)
        for name, paths in pages.items():
            lat, rps, bad = load(port, paths, cookies, threads, requests_per_thread)
            note = f"{rps:.1f} verzoeken/s tegen {base_rps:.0f}/s"
            if bad or base_bad:
                note += f"; {bad} antwoorden niet 200"
            report.add(f"2 HTTP {label}", Figure(
                f"{name} latentie ({threads} gelijktijdig)", "ms", lat,
                "/gezondheid", base_lat, note=note))
    finally:
        stop(proc)
