"""One interface for stored files: photos, media and import staging.

The embedded default keeps files on local disk under ``UPLOAD_FOLDER``; an installation
with several app servers sets ``MONITOR_STORAGE_URL=s3://bucket/prefix`` to an S3-compatible
object store that all of them share (:mod:`monitor.storage_s3`; endpoint and credentials
from the usual AWS variables). Callers never build paths themselves: they name a *key*
(``<hex>.jpg`` for a photo, ``media/<hex>.<ext>``, ``counts-imports/<org>-<token>.csv``)
and read or write bytes through :func:`current`.

Keys are relative, slash-separated, and made of ``[A-Za-z0-9._-]`` segments; anything else
(``..``, absolute paths, backslashes) is refused with :class:`ValueError`, so a key taken
from a request can never reach outside the store.

Every write is atomic from a reader's view (all bytes or none: a temporary file renamed
into place, or one S3 PUT / completed multipart upload). A store that cannot be reached
or refuses raises :class:`StorageError` with a Dutch message meant for the user; a key
that is not there raises :class:`FileNotFoundError`.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CHUNK = 64 * 1024
NOT_SAVED = "Het bestand kon niet worden opgeslagen. Probeer het later opnieuw."


class StorageError(Exception):
    """The store could not be reached or refused the operation (message is Dutch)."""


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative key; raise :class:`ValueError` otherwise."""
    parts = key.split("/")
    if not key or any(not _SEGMENT.match(p) or p in {".", ".."} for p in parts):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


def is_key(key: str) -> bool:
    try:
        check_key(key)
    except ValueError:
        return False
    return True


class Storage(Protocol):
    """What every store offers. Writes are atomic: a reader sees all bytes or none."""

    #: The folder on this host that holds every key, or ``None`` (an object store).
    local_root: Path | None

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...
    def put_file(self, key: str, fh: BinaryIO,
                 content_type: str = "application/octet-stream") -> None: ...  # streamed
    def get(self, key: str) -> bytes: ...  # FileNotFoundError when absent
    def stream(self, key: str) -> Iterator[bytes]: ...  # opened at once (FileNotFoundError)
    def size(self, key: str) -> int: ...  # FileNotFoundError when absent
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...  # absent keys are fine
    def keys(self, prefix: str = "", older_than: float = 0) -> Iterator[str]: ...
    def stray(self, older_than: float = 3600) -> list[str]: ...  # writes that never finished
    def discard_stray(self, names: list[str]) -> None: ...
    def local_path(self, key: str) -> Path | None: ...  # a file on this host, if any
    def describe(self) -> str: ...  # for messages: the folder or s3://bucket/prefix


class LocalStorage:
    """Files under one folder on this host (the embedded default)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.local_root = self.root

    def __fspath__(self) -> str:  # a local store is its folder for path-based helpers
        return os.fspath(self.root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._write(key, lambda fh: fh.write(data))

    def put_file(self, key: str, fh: BinaryIO, content_type: str = "application/octet-stream") -> None:
        self._write(key, lambda out: shutil.copyfileobj(fh, out, CHUNK))

    def _write(self, key: str, write) -> None:
        path = self._path(key)
        tmp = path.with_name(path.name + ".tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise StorageError(NOT_SAVED) from err
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def stream(self, key: str) -> Iterator[bytes]:
        fh = open(self._path(key), "rb")  # noqa: SIM115  (closed by the generator)

        def chunks() -> Iterator[bytes]:
            with fh:
                while block := fh.read(CHUNK):
                    yield block
        return chunks()

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path.stat().st_size

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "", older_than: float = 0) -> Iterator[str]:
        """Stored keys under ``prefix`` (a folder key or ""), last written ``older_than`` s ago."""
        base = self._path(prefix) if prefix else self.root
        if not base.is_dir():
            return
        cutoff = time.time() - older_than
        for path in base.rglob("*"):
            try:
                if path.is_file() and not path.name.endswith(".tmp") and path.stat().st_mtime <= cutoff:
                    yield path.relative_to(self.root).as_posix()
            except FileNotFoundError:
                continue

    def stray(self, older_than: float = 3600) -> list[str]:
        """Temporary files of writes that never finished (the process was killed mid-write)."""
        if not self.root.is_dir():
            return []
        cutoff = time.time() - older_than
        found = []
        for path in self.root.rglob("*.tmp"):
            try:
                if path.is_file() and path.stat().st_mtime <= cutoff:
                    found.append(path.relative_to(self.root).as_posix())
            except FileNotFoundError:
                continue
        return found

    def discard_stray(self, names: list[str]) -> None:
        for name in names:
            if name.endswith(".tmp") and is_key(name):
                self._path(name).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def describe(self) -> str:
        return str(self.root)


def from_url(url: str, upload_folder: str) -> Storage:
    """The store a ``MONITOR_STORAGE_URL`` names (empty or ``file://``: a local folder)."""
    if not url or url.startswith("file:"):
        return LocalStorage(url.removeprefix("file://") if url else upload_folder)
    if url.startswith("s3://"):
        from .storage_s3 import S3Storage

        return S3Storage.from_url(url)
    raise RuntimeError(f"MONITOR_STORAGE_URL {url!r}: unknown kind of store (file:// or s3://)")


def init_app(app: Flask) -> None:
    """Choose the store from ``MONITOR_STORAGE_URL`` (default: local ``UPLOAD_FOLDER``)."""
    app.extensions["monitor.storage"] = from_url(app.config.get("STORAGE_URL") or "",
                                                 app.config["UPLOAD_FOLDER"])


def current() -> Storage:
    """The store of the running app."""
    return current_app.extensions["monitor.storage"]
