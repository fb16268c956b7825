"""The files part of back-up and restore, for every kind of store (:mod:`monitor.storage`).

The archive keeps one layout whatever the store: ``uploads/<key>``. A local store is
copied as its folder (every file, also names that are not storage keys); an object store
(S3) is listed and every object downloaded. So an archive of a one-host installation can
be restored into a bucket and the other way round.

Restore into a local store swaps the folder (all or nothing); into an object store every
file is uploaded (each one atomic) and, when forced, the objects the archive does not have
are deleted afterwards. Archive names that are not valid keys are refused before anything
is touched (:func:`unfit_names`).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .. import storage

UPLOADS = "uploads"


def collect(work: Path) -> tuple[list[str], list[str]]:
    """Copy every stored file to ``work/uploads/...``; return (archive members, skipped)."""
    store = storage.current()
    if store.local_root is not None:
        return _collect_folder(store.local_root, work)
    members, skipped = [], []
    for key in sorted(store.keys()):
        target = work / UPLOADS / key
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(target, "wb") as fh:
                for chunk in store.stream(key):
                    fh.write(chunk)
        except FileNotFoundError:  # removed while we were copying: not in use any more
            target.unlink(missing_ok=True)
            skipped.append(key)
            continue
        members.append(f"{UPLOADS}/{key}")
    return members, skipped


def _collect_folder(upload_root: Path, work: Path) -> tuple[list[str], list[str]]:
    members, skipped = [], []
    for dirpath, dirnames, filenames in os.walk(upload_root):
        dirnames.sort()
        for name in sorted(filenames):
            source = Path(dirpath) / name
            rel = source.relative_to(upload_root).as_posix()
            if source.is_symlink() or not source.is_file():
                skipped.append(rel)
                continue
            staged = work / UPLOADS / rel
            staged.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(source, staged)
            except FileNotFoundError:  # removed while we were copying: not in use any more
                skipped.append(rel)
                continue
            members.append(f"{UPLOADS}/{rel}")
    return members, skipped


def unfit_names(members: list[str]) -> list[str]:
    """Archive files that this store cannot take (an object store only takes valid keys)."""
    if storage.current().local_root is not None:
        return []
    prefix = UPLOADS + "/"
    return [m for m in members if m.startswith(prefix) and not storage.is_key(m[len(prefix):])]


def non_empty_reason() -> str | None:
    """Why the store is not empty, or ``None``."""
    store = storage.current()
    if store.local_root is not None:
        root = store.local_root
        if root.exists() and any(p.is_file() or p.is_symlink() for p in root.rglob("*")):
            return f"de map met uploads ({root}) is niet leeg"
        return None
    if next(iter(store.keys()), None) is not None:
        return f"de opslag voor bestanden ({store.describe()}) is niet leeg"
    return None


def restore(source: Path) -> int:
    """Put the archive's files (``source`` = the extracted ``uploads`` folder) in the store."""
    store = storage.current()
    if store.local_root is not None:
        return _swap_folder(source, Path(store.local_root).absolute())
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else []
    wanted = set()
    for path in files:
        key = path.relative_to(source).as_posix()
        with open(path, "rb") as fh:
            store.put_file(key, fh, _content_type(key))
        wanted.add(key)
    for key in list(store.keys()):
        if key not in wanted:
            store.delete(key)
    return len(files)


def _content_type(key: str) -> str:
    import mimetypes

    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def _swap_folder(source: Path, upload_root: Path) -> int:
    """Put the archive's uploads in place of the current folder (swap, then remove)."""
    upload_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".uploads-restore-", dir=upload_root.parent))
    count = 0
    if source.is_dir():
        shutil.copytree(source, staging, dirs_exist_ok=True)
        count = sum(1 for p in staging.rglob("*") if p.is_file())
    old = None
    if upload_root.exists():
        old = upload_root.with_name(upload_root.name + f".old-{os.getpid()}")
        os.replace(upload_root, old)
    os.replace(staging, upload_root)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return count
