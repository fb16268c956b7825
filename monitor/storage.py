"""One interface for stored files: photos, media and import staging.

The embedded default keeps files on local disk under ``UPLOAD_FOLDER``; an installation
with several app servers sets ``MONITOR_STORAGE_URL`` to an object store that all of them
share (see the S3 implementation when it is configured). Callers never build paths
themselves: they name a *key* (``photos/<hex>.jpg``, ``counts-imports/<org>-<token>.csv``)
and read or write bytes through :func:`current`.

Keys are relative, slash-separated, and made of ``[A-Za-z0-9._-]`` segments; anything else
(``..``, absolute paths, backslashes) is refused with :class:`ValueError`, so a key taken
from a request can never reach outside the store.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class StorageError(Exception):
    """The store could not be reached or refused the operation (message is Dutch)."""


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative key; raise :class:`ValueError` otherwise."""
    parts = key.split("/")
    if not key or any(not _SEGMENT.match(p) or p in {".", ".."} for p in parts):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class Storage(Protocol):
    """What every store offers. Writes are atomic: a reader sees all bytes or none."""

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...
    def get(self, key: str) -> bytes: ...  # FileNotFoundError when absent
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...  # absent keys are fine
    def keys(self, prefix: str = "", older_than: float = 0) -> Iterator[str]: ...
    def local_path(self, key: str) -> Path | None: ...  # a file on this host, if any


class LocalStorage:
    """Files under one folder on this host (the embedded default)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise StorageError("Het bestand kon niet worden opgeslagen. Probeer het later opnieuw.") from err
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

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

    def local_path(self, key: str) -> Path | None:
        return self._path(key)


def init_app(app: Flask) -> None:
    """Choose the store from ``MONITOR_STORAGE_URL`` (default: local ``UPLOAD_FOLDER``)."""
    url = app.config.get("STORAGE_URL") or ""
    if not url or url.startswith("file:"):
        root = url.removeprefix("file://") if url else app.config["UPLOAD_FOLDER"]
        app.extensions["monitor.storage"] = LocalStorage(root)
    else:
        raise RuntimeError(f"MONITOR_STORAGE_URL {url!r}: unknown kind of store")


def current() -> Storage:
    """The store of the running app."""
    return current_app.extensions["monitor.storage"]
