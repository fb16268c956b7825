"""Benchmark 4: the photo pipeline on a 24-megapixel JPEG, time and peak memory.

The harness draws a 6000×4000 JPEG (and 6 and 12 megapixel ones, to see how memory grows
with the photo) and runs, each in a fresh subprocess so peak memory is its own:

- the app: ``monitor.photos.process_upload`` (checks, EXIF orientation, metadata
  stripped, web size 1600 px and thumbnail 400 px re-encoded) plus ``photos.store``;
- the baseline: bare Pillow making the same two files: ``open → draft (to the web size) →
  thumbnail → save → thumbnail → save`` with the same filter and encoder settings.

Peak memory is the growth of the process's peak resident set (``VmHWM``, reset just before
the call through ``/proc/self/clear_refs``) above what it held after importing; Pillow's pixel buffers are not
Python objects, so ``tracemalloc`` would not see them.
"""

from __future__ import annotations

import io
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from .common import Figure, Report

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"6 MP": (3000, 2000), "12 MP": (4240, 2832), "24 MP": (6000, 4000)}


def make_jpeg(path: str, size: tuple[int, int], seed: int = 7) -> int:
    """A photo-like JPEG: gradients, shapes and grain (compresses like a real photo)."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    w, h = size
    small = Image.new("RGB", (w // 8, h // 8))
    draw = ImageDraw.Draw(small)
    for y in range(h // 8):
        draw.line([(0, y), (w // 8, y)], fill=(90 + y * 100 // (h // 8), 140, 200 - y * 80 // (h // 8)))
    for _ in range(60):
        x, y = rng.randrange(w // 8), rng.randrange(h // 8)
        r = rng.randint(5, 60)
        draw.ellipse([x - r, y - r, x + r, y + r],
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image = small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise(size, 24).convert("RGB")
    image = Image.blend(image, grain, 0.12)
    image.save(path, "JPEG", quality=85)
    return os.path.getsize(path)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    """Reset the peak resident set (VmHWM) to the current one (Linux ``clear_refs`` 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def worker(mode: str, path: str, out: str) -> dict:
    """Run one pipeline once in this (fresh) process and measure it."""
    from PIL import Image

    from monitor import photos

    data = Path(path).read_bytes()
    os.makedirs(out, exist_ok=True)
    _reset_peak()
    before = _status_kb("VmRSS")
    t0 = time.perf_counter()
    if mode == "app":
        processed = photos.process_upload(io.BytesIO(data), max_bytes=len(data) + 1)
        photos.store(out, photos.new_key(), processed)
    else:
        # The same output, as a skilled engineer writes it with bare Pillow: decode at the
        # smallest JPEG scale that still covers the web size, shrink in place, save the web
        # size, shrink again and save the thumbnail (same filter and encoder settings).
        with Image.open(io.BytesIO(data)) as image:
            scale = photos.WEB_SIZE / max(image.size)
            image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            image.thumbnail((photos.WEB_SIZE, photos.WEB_SIZE), Image.Resampling.LANCZOS)
            image.save(os.path.join(out, "bare.jpg"), "JPEG", quality=85, optimize=True)
            image.thumbnail((photos.THUMB_SIZE, photos.THUMB_SIZE), Image.Resampling.LANCZOS)
            image.save(os.path.join(out, "bare_thumb.jpg"), "JPEG", quality=85, optimize=True)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_mb": (_status_kb("VmHWM") - before) / 1024}


def measure(path: str, out: str, repeat: int) -> dict[str, tuple[list[float], list[float]]]:
    """Times (ms) and peak memory (MB) of the app and the bare pipeline, run in turns (so
    a burst of other work on the shared machine hits both alike)."""
    found: dict[str, tuple[list[float], list[float]]] = {"app": ([], []), "bare": ([], [])}
    for _ in range(repeat):
        for mode in ("app", "bare"):
            proc = subprocess.run([sys.executable, "-m", "bench.photo", mode, path, out], cwd=ROOT,
                                  capture_output=True, text=True)
            if proc.returncode:
                raise RuntimeError(f"bench.photo {mode} failed: {proc.stderr[-2000:]}")
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            found[mode][0].append(result["seconds"] * 1000)
            found[mode][1].append(result["peak_mb"])
    return found


def run(report: Report, work: str, repeat: int) -> None:
    for label, size in SIZES.items():
        path = os.path.join(work, f"photo-{label.replace(' ', '')}.jpg")
        nbytes = make_jpeg(path, size)
        found = measure(path, os.path.join(work, "photo-out"), repeat)
        (app_t, app_m), (bare_t, bare_m) = found["app"], found["bare"]
        section = f"4 foto {label}"
        note = f"{size[0]}×{size[1]}, {nbytes / 1e6:.1f} MB"
        report.add(section, Figure("process_upload + store: tijd", "ms", app_t,
                                   "Pillow open→draft→thumbnail→save, web + thumbnail", bare_t, note=note))
        report.add(section, Figure("process_upload + store: piekgeheugen", "MB", app_m,
                                   "Pillow open→draft→thumbnail→save, web + thumbnail", bare_m, note=note))


if __name__ == "__main__":
    print(json.dumps(worker(sys.argv[1], sys.argv[2], sys.argv[3])))
