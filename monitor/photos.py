"""Photo uploads: the only module that imports Pillow.

Every upload is checked to be a real image of an accepted type, within byte and pixel
limits (decompression bombs refused), turned upright by its EXIF orientation and
re-encoded as a web size and a thumbnail. Re-encoding from pixels drops all metadata
(EXIF with GPS, XMP, IPTC, ICC comments): nothing of the original file is kept.

Decoding is the expensive part: a flat PNG of 170 KB can declare 40 megapixels (160 MB
per copy in memory). :func:`decoded_pixels` reads from the header alone how many pixels
a file will decode to (a JPEG decodes at 1/2, 1/4 or 1/8 scale, never below the web
size), so the caller can check each photo and a whole request against a budget before
anything is decoded; :func:`process` then shrinks the decoded image in place first, so
the later steps work on the web size and memory stays near one decoded copy.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageDraw, ImageFile, ImageOps, UnidentifiedImageError

from .storage import LocalStorage, Storage, StorageError

logger = logging.getLogger(__name__)

try:  # HEIC/HEIF, as iPhones and many Android phones take them (libheif in the wheel)
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pinned in requirements.txt
    pillow_heif = None

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
FORMAT_LABELS = "JPEG, PNG, WebP of HEIC"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000  # as declared in the file's header
# As decoded (after a JPEG's reduced-scale decoding): Pillow keeps RGB(A) at 4 bytes a
# pixel, so 16 Mpx is ~64 MB for the one full-size copy.
DEFAULT_MAX_DECODED_PIXELS = 16_000_000
# All photos of one request together: three 12 Mpx photos that cannot be decoded at
# reduced scale (PNG, WebP) still fit; a phone JPEG decodes to ~3 Mpx.
DEFAULT_REQUEST_DECODED_PIXELS = 40_000_000
TOO_MANY_PIXELS = "De foto heeft te veel pixels. Verklein hem en probeer het opnieuw."
WEB_SIZE = 1600
THUMB_SIZE = 400
CONTENT_TYPE = "image/jpeg"


class PhotoError(ValueError):
    """The upload is refused; the message is Dutch and meant for the user."""


@dataclass(frozen=True)
class ProcessedPhoto:
    """A cleaned photo ready to be stored: JPEG bytes without any metadata."""

    web: bytes
    thumb: bytes
    width: int
    height: int


def _heif_available() -> bool:
    try:
        return "HEIF" in Image.registered_extensions().values()
    except Exception:  # pragma: no cover
        return False


def accepted_formats() -> tuple[str, ...]:
    """JPEG, PNG and WebP; HEIC too when this Pillow can open it."""
    return ACCEPTED_FORMATS + (("HEIF",) if _heif_available() else ())


def read_upload(stream: BinaryIO, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The uploaded file's bytes (read from its current position).

    :raise PhotoError: empty or larger than ``max_bytes``.
    """
    data = stream.read(max_bytes + 1)
    if not data:
        raise PhotoError("Het bestand is leeg.")
    if len(data) > max_bytes:
        raise PhotoError(f"De foto is te groot (maximaal {max_bytes // (1024 * 1024)} MB).")
    return data


def refuse_truncated_files() -> None:
    """Undo a library's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES = True``."""
    ImageFile.LOAD_TRUNCATED_IMAGES = False


@contextmanager
def _reading() -> Iterator[None]:
    """Turn whatever Pillow raises on a hostile file into a Dutch :class:`PhotoError`.

    A truncated file must fail: Pillow's process-wide ``LOAD_TRUNCATED_IMAGES`` is switched
    on by libraries that import it (WeasyPrint does, on import), so it is reset here.
    """
    refuse_truncated_files()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise PhotoError(TOO_MANY_PIXELS) from err
    except UnidentifiedImageError as err:
        raise PhotoError(f"Dit bestand is geen foto van een toegestaan type ({FORMAT_LABELS}).") from err
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as err:
        raise PhotoError("De foto is beschadigd of onvolledig en kan niet worden gelezen.") from err


def _web_size(width: int, height: int) -> tuple[int, int]:
    """The size of the web version: within WEB_SIZE × WEB_SIZE, never enlarged.

    A JPEG is decoded at the smallest scale that still covers this (so a 4032 × 3024 phone
    photo decodes at 2016 × 1512, not at full size: its web version is 1600 × 1200).
    """
    scale = min(1.0, WEB_SIZE / max(width, height, 1))
    return max(1, -int(-width * scale // 1)), max(1, -int(-height * scale // 1))


def decoded_pixels(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS,
                   max_decoded_pixels: int = DEFAULT_MAX_DECODED_PIXELS) -> int:
    """How many pixels ``data`` will decode to, read from its header (nothing is decoded).

    :raise PhotoError: not an accepted image, damaged, more than ``max_pixels`` declared
        or more than ``max_decoded_pixels`` to decode.
    """
    with _reading(), Image.open(io.BytesIO(data), formats=list(accepted_formats())) as probe:
        width, height = probe.size
        if width * height > max_pixels:
            raise PhotoError(TOO_MANY_PIXELS)
        # A JPEG decodes at reduced scale (never below the web size); others at full size.
        probe.draft("RGB", _web_size(width, height))
        width, height = probe.size
        if width * height > max_decoded_pixels:
            raise PhotoError(TOO_MANY_PIXELS)
        probe.verify()  # structure and checksums, without decoding the pixels
    return width * height


def process(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS,
            max_decoded_pixels: int = DEFAULT_MAX_DECODED_PIXELS) -> ProcessedPhoto:
    """Check, decode and clean one image (its header is checked first, as
    :func:`decoded_pixels` does).

    :raise PhotoError: not an image, wrong type, too many pixels, damaged.
    """
    decoded_pixels(data, max_pixels=max_pixels, max_decoded_pixels=max_decoded_pixels)
    with _reading(), Image.open(io.BytesIO(data), formats=list(accepted_formats())) as image:
        # A large JPEG is decoded at 1/2, 1/4 or 1/8 scale, never below the web
        # size: memory follows the web size, not the camera (docs/benchmarks.md).
        image.draft("RGB", _web_size(*image.size))
        image.load()
        return _clean(image)


def process_upload(stream: BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES,
                   max_pixels: int = DEFAULT_MAX_PIXELS,
                   max_decoded_pixels: int = DEFAULT_MAX_DECODED_PIXELS) -> ProcessedPhoto:
    """Read, check and clean one uploaded image (:func:`read_upload` + :func:`process`).

    :param stream: the uploaded file (read from its current position).
    :raise PhotoError: not an image, wrong type, too large, too many pixels, damaged.
    """
    return process(read_upload(stream, max_bytes), max_pixels=max_pixels,
                   max_decoded_pixels=max_decoded_pixels)


def _clean(image: Image.Image) -> ProcessedPhoto:
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        alpha = image.mode in ("PA", "La", "RGBa") or "transparency" in image.info
        image = image.convert("RGBA" if alpha else "RGB")
    # Shrink first, in place: every later step (turning upright, flattening, copying)
    # works on the web size, not on the decoded size. The box is square, so turning the
    # image upright afterwards gives the same size.
    image.thumbnail((WEB_SIZE, WEB_SIZE), Image.Resampling.LANCZOS)
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA"):
        rgba = upright.convert("RGBA")
        background = Image.new("RGB", upright.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.split()[-1])
        upright = background
    else:
        upright = upright.convert("RGB")
    # A fresh image from the pixels alone: no EXIF, XMP, ICC or comments survive.
    web = Image.new("RGB", upright.size)
    web.paste(upright)
    del upright
    thumb = web.copy()
    thumb.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(_jpeg(web), _jpeg(thumb), web.width, web.height)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def new_key() -> str:
    """A random, unguessable base name for a photo's files."""
    return secrets.token_hex(16)


def file_keys(key: str) -> tuple[str, str]:
    """The storage keys of the web-size and thumbnail files of the photo ``key``.

    Photos keep the layout of the first installations: ``<key>.jpg`` and
    ``<key>_thumb.jpg`` at the top of the store (the uploads folder, or the bucket's
    prefix), so existing files need no migration.
    """
    if not key.isalnum() or not key.isascii():
        raise ValueError("invalid photo key")
    return f"{key}.jpg", f"{key}_thumb.jpg"


def _store_of(target: Storage | str | os.PathLike) -> Storage:
    return target if hasattr(target, "put") else LocalStorage(target)


def paths(folder: str | os.PathLike, key: str) -> tuple[Path, Path]:
    """The web-size and thumbnail paths of the photo ``key`` in a local folder."""
    base = Path(folder)
    return tuple(base / name for name in file_keys(key))


def store(target: Storage | str | os.PathLike, key: str, photo: ProcessedPhoto) -> None:
    """Write both files, each atomically; if the second fails the first is removed again.

    :param target: the store (:func:`monitor.storage.current`) or a local folder.
    :raise StorageError: the store failed (Dutch message); nothing of this photo is left,
        unless the store became unreachable before the first file could be removed again
        (the orphan clean-up of the story archive removes it later).
    """
    storage = _store_of(target)
    written: list[str] = []
    try:
        for name, data in zip(file_keys(key), (photo.web, photo.thumb), strict=True):
            storage.put(name, data, CONTENT_TYPE)
            written.append(name)
    except BaseException:
        for name in written:
            try:
                storage.delete(name)
            except (OSError, StorageError):
                logger.warning("Could not remove half-stored photo file %s", name)
        raise


def read(target: Storage | str | os.PathLike, key: str, size: str) -> bytes:
    """The JPEG bytes of ``size`` ("web" or "thumb"). :raise FileNotFoundError: absent."""
    web, thumb = file_keys(key)
    return _store_of(target).get(thumb if size == "thumb" else web)


def remove(target: Storage | str | os.PathLike, key: str) -> None:
    """Delete both files of a photo (missing files are fine)."""
    storage = _store_of(target)
    for name in file_keys(key):
        storage.delete(name)


def stored_keys(target: Storage | str | os.PathLike, older_than: float = 0) -> set[str]:
    """The photo keys that have files in the store (for orphan clean-up).

    :param older_than: only files last modified at least this many seconds ago, so an
        upload still on its way to the database is never taken for an orphan.
    """
    keys = set()
    for name in _store_of(target).keys("", older_than=older_than):
        if "/" not in name and name.endswith(".jpg"):
            base = name.removesuffix(".jpg").removesuffix("_thumb")
            if base.isalnum() and base.isascii():
                keys.add(base)
    return keys


def stray_temp_files(folder: str | os.PathLike, older_than: float = 3600) -> list[Path]:
    """Temporary files of writes that never finished (the process was killed mid-write).

    :param older_than: only files this many seconds old, so a write in progress is left alone.
    """
    cutoff = time.time() - older_than
    stray = []
    for path in Path(folder).glob("*.tmp"):
        try:
            if path.stat().st_mtime <= cutoff:
                stray.append(path)
        except FileNotFoundError:
            continue
    return stray


def demo_image(seed: int, label: str, palette: tuple[tuple[int, int, int], ...],
               size: tuple[int, int] = (1200, 800)) -> bytes:
    """Draw a simple, deterministic illustration for demo stories (PNG bytes).

    Not a photo of anyone: coloured shapes suggesting houses, trees and people.
    """
    import random

    rnd = random.Random(seed)
    image = Image.new("RGB", size, palette[0])
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle([0, int(h * 0.7), w, h], fill=palette[1])
    for _ in range(rnd.randint(3, 6)):
        x = rnd.randint(0, w - 200)
        bw, bh = rnd.randint(120, 260), rnd.randint(150, 320)
        top = int(h * 0.7) - bh
        draw.rectangle([x, top, x + bw, int(h * 0.7)], fill=palette[2], outline=(40, 40, 40))
        draw.polygon([(x - 10, top), (x + bw // 2, top - 80), (x + bw + 10, top)], fill=palette[3])
    for _ in range(rnd.randint(2, 5)):
        x = rnd.randint(0, w)
        draw.rectangle([x - 8, int(h * 0.55), x + 8, int(h * 0.75)], fill=(90, 60, 30))
        draw.ellipse([x - 60, int(h * 0.35), x + 60, int(h * 0.6)], fill=(46, 125, 50))
    for _ in range(rnd.randint(1, 4)):
        x = rnd.randint(60, w - 60)
        y = int(h * 0.78)
        draw.ellipse([x - 14, y - 70, x + 14, y - 42], fill=(60, 60, 60))
        draw.rectangle([x - 12, y - 42, x + 12, y], fill=palette[3])
    draw.rectangle([20, 20, 20 + 14 * len(label) + 20, 70], fill=(255, 255, 255))
    draw.text((36, 36), label, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
