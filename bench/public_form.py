"""Benchmark 6: one anonymous request to the public story form with three small, huge PNGs.

Issue 12 (section 3): three PNGs of ~170 KB each that declare ~40 megapixels (a flat
image compresses ~1000:1) cost 4–7 s of CPU and ~1 GB of worker memory in one anonymous
request. This runs that request through the real app (SQLite, migrated, reference data,
CSRF off, minimum fill time 0) in a fresh subprocess per run, and prints:

- CPU seconds of the request (user + system, ``resource.getrusage``), and
- peak memory: growth of the peak resident set (``VmHWM``, reset just before the request
  through ``/proc/self/clear_refs``) above what the process held before it;

beside the same request without photos as the baseline. The response status and the
app's answer are printed too (the figures only mean something with the answer).

``python -m bench.public_form`` runs it on its own; ``python -m bench --only photo`` runs it
with the photo pipeline.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import Figure, Report
from .photo import _reset_peak, _status_kb

ROOT = Path(__file__).resolve().parent.parent
SIDE = 6320  # 6320 × 6320 = 39.9 Mpx: just under the old per-photo limit of 40 Mpx


# 2 × 4000² + 2828² ≈ 40 Mpx: the most one request may decode (16 Mpx per photo, 40 per request)
LARGEST = (4000, 4000, 2828)


def make_png(path: str, seed: int, side: int = SIDE) -> int:
    """A flat RGBA PNG with a few lines: ~170 KB on disk at 40 Mpx, ~160 MB per copy decoded."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGBA", (side, side), (200, 220, 240, 160))
    draw = ImageDraw.Draw(image)
    for _ in range(3):
        draw.line([(rng.randrange(side), rng.randrange(side)), (rng.randrange(side), rng.randrange(side))],
                  fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256), 255), width=2)
    image.save(path, "PNG", compress_level=9)
    return os.path.getsize(path)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(photo_paths: list[str], work: str) -> dict:
    """In this (fresh) process: build the app, then send one anonymous request and measure it."""
    import sqlalchemy as sa

    from monitor import create_app
    from monitor.catalogues import Quality, seed_catalogue
    from monitor.cli import run_migrations
    from monitor.extensions import db
    from monitor.models import Wijk
    from monitor.seed import seed_places

    app = create_app({
        "TESTING": False, "SECRET_KEY": "bench-secret-key-not-for-production-use", "INSTANCE_PATH": work,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}/bench.sqlite", "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": f"{work}/uploads", "SEARCH_INDEX_DIR": f"{work}/index",
        "NARRATIVES_MIN_FILL_SECONDS": 0, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        run_migrations()
        seed_places()
        seed_catalogue()
        db.session.commit()
        wijk = db.session.scalar(sa.select(Wijk.id).order_by(Wijk.id))
        quality = db.session.scalar(sa.select(Quality.id).order_by(Quality.id))
    client = app.test_client()
    page = client.get("/verhalen/vertel").get_data(as_text=True)
    stamp = re.search(r'name="started"[^>]*value="([^"]+)"', page).group(1)
    data = {"title": "Drie foto's", "summary": "Een verhaal met drie foto's.",
            "body": "Over de buurt.", "wijk_id": str(wijk), "buurt_id": "", "about_date": "2026-03-10",
            "form": "fotoserie", "quality_ids": [str(quality)], "tags": "", "teller_name": "",
            "visibility": "openbaar", "language": "nl", "consent_given": "y", "website": "",
            "started": stamp}
    for i, path in enumerate(photo_paths, start=1):
        data[f"photo_{i}-file"] = (io.BytesIO(Path(path).read_bytes()), f"foto{i}.png")
        data[f"photo_{i}-alt_text"] = f"Foto {i}"
    _reset_peak()
    before_kb, cpu0 = _status_kb("VmRSS"), _cpu()
    response = client.post("/verhalen/vertel", data=data, content_type="multipart/form-data")
    cpu = _cpu() - cpu0
    peak_mb = (_status_kb("VmHWM") - before_kb) / 1024
    html = response.get_data(as_text=True)
    answer = re.search(r'utrecht-form-field-error-message"[^>]*><p>([^<]+)</p>', html)
    return {"cpu_s": cpu, "peak_mb": peak_mb, "status": response.status_code,
            "answer": answer.group(1).strip() if answer else ""}


def measure(photo_paths: list[str], work: str, repeat: int) -> tuple[list[float], list[float], dict]:
    cpu, mem, last = [], [], {}
    for n in range(repeat):
        run_dir = tempfile.mkdtemp(prefix=f"run{n}-", dir=work)
        proc = subprocess.run([sys.executable, "-m", "bench.public_form", "worker", run_dir, *photo_paths],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        last = json.loads(proc.stdout.strip().splitlines()[-1])
        cpu.append(last["cpu_s"])
        mem.append(last["peak_mb"])
    return cpu, mem, last


def _expect(answer: dict, status: int, what: str) -> None:
    """:raise RuntimeError: the app answered otherwise than the figure assumes (the harness
    then prints the step as ``niet gemeten`` with this reason)."""
    if answer["status"] != status:
        raise RuntimeError(f"{what}: antwoord {answer['status']} ({answer['answer'] or 'geen melding'}), "
                           f"verwacht {status}")


def run(report: Report, work: str, repeat: int) -> None:
    os.makedirs(work, exist_ok=True)
    base_cpu, base_mem, base = measure([], work, repeat)
    # A figure is only worth printing for the answer it is about: a form the app now refuses
    # for another reason (a field added since) would measure a refusal, not the photos.
    _expect(base, 302, "het verzoek zonder foto's")
    section = "6 openbaar formulier"
    cases = (("3 vlakke PNG's van 40 Mpx (de aanval)", (SIDE, SIDE, SIDE), 400),
             ("3 PNG's van samen 40 Mpx (het meeste dat één verzoek mag)", LARGEST, 302))
    for label, sides, expected in cases:
        paths = [os.path.join(work, f"vlak{side}-{i}.png") for i, side in enumerate(sides)]
        sizes = [make_png(p, i, side) for i, (p, side) in enumerate(zip(paths, sides, strict=True))]
        cpu, mem, answer = measure(paths, work, repeat)
        _expect(answer, expected, label)
        note = (f"{', '.join(f'{w}² {s // 1024} KB' for w, s in zip(sides, sizes, strict=True))}; "
                f"antwoord {answer['status']}{(': ' + answer['answer']) if answer['answer'] else ''}; "
                f"basis {base['status']}")
        report.add(section, Figure(f"{label}: CPU", "s", cpu, "hetzelfde verzoek zonder foto's",
                                   base_cpu, note=note))
        report.add(section, Figure(f"{label}: piekgeheugen", "MB", mem,
                                   "hetzelfde verzoek zonder foto's", base_mem, note=note))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "worker":
        print(json.dumps(worker(sys.argv[3:], sys.argv[2])))
    else:
        report = Report()
        with tempfile.TemporaryDirectory(prefix="tv-bench-form-") as tmp:
            run(report, tmp, int(sys.argv[1]) if len(sys.argv) > 1 else 3)
        print(report.table())
