"""Back-up and restore: one archive with the database, the uploads and a manifest.

The archive (``.tar.gz``, mode 0600: it holds personal data) contains

- ``database/monitor.sqlite`` made with SQLite's online backup API, or
  ``database/monitor.pgdump`` made with ``pg_dump --format=custom``;
- ``uploads/...``: every stored file (:mod:`.backup_files`: the files under
  ``UPLOAD_FOLDER``, or every object of the bucket when ``MONITOR_STORAGE_URL`` is S3);
- ``manifest.json``: format, creation time, backend, the schema revisions in the
  database and the migration heads of the code, the row count of every table and the
  SHA-256 checksum and size of every other file in the archive.

Both work while the app is in use: the database is copied as one consistent snapshot
first (PostgreSQL: row counts and dump read the same exported snapshot), then the files.
Restore only goes into an empty instance (unless forced), checks every checksum before
it touches anything, then restores the database and the files, upgrades the schema to
the code's heads and runs the after-restore hooks modules registered
(:func:`monitor.registry.add_after_restore`: the story archive rebuilds its search index).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import URL, Connection

from .. import audit
from ..extensions import db
from ..registry import registry
from ..storage import StorageError
from ..timeutil import utcnow
from . import backup_files

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database/monitor.sqlite", "postgresql": "database/monitor.pgdump"}
UPLOADS = backup_files.UPLOADS
# Bookkeeping tables that do not make an instance "in use".
IGNORED_FOR_EMPTINESS = {"alembic_version", "rate_limit_counters", "one_time_secrets"}


class BackupError(Exception):
    """Back-up or restore refused or failed; the message is Dutch and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    files: int = 0
    rebuilt: dict[str, str] = field(default_factory=dict)  # after-restore hook name → summary
    notes: list[str] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------

def _backend() -> str:
    name = db.engine.dialect.name
    if name not in DB_MEMBER:
        raise BackupError(f"Back-up van een {name}-database wordt niet ondersteund.")
    return name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("Een database in het geheugen kan niet worden geback-upt of hersteld.")
    return Path(database)


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """Turn the app's SQLAlchemy URL into a libpq URL for pg_dump/pg_restore.

    The password goes into the environment (``PGPASSWORD``), never on the command
    line where ``ps`` would show it.

    :return: the URL and the extra environment variables.
    """
    env = {}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    # URL.set(password=None) would keep the password ("None" means unchanged there).
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env_extra: dict[str, str]) -> None:
    env = dict(os.environ, **env_extra)
    try:
        completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"Het programma {args[0]} is niet gevonden; installeer de "
                          "PostgreSQL-clientprogramma's (postgresql-client).") from exc
    if completed.returncode != 0:
        logger.error("%s failed: %s", args[0], completed.stderr.strip())
        raise BackupError(f"{args[0]} is mislukt: {completed.stderr.strip()[:500]}")


def code_heads() -> list[str]:
    """The migration heads the running code knows."""
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    config = migrate.migrate.get_config(migrate.directory)
    return sorted(ScriptDirectory.from_config(config).get_heads())


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def _table_counts(conn: Connection) -> dict[str, int]:
    """Row count of every table in the database (also tables of modules not loaded)."""
    counts = {}
    for name in sorted(sa.inspect(conn).get_table_names()):
        counts[name] = conn.execute(
            sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
    return counts


def _revisions(conn: Connection) -> list[str]:
    if not sa.inspect(conn).has_table("alembic_version"):
        return []
    return sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


# --- back-up ---------------------------------------------------------------------------

def _snapshot_sqlite(target: Path) -> tuple[dict[str, int], list[str]]:
    source = sqlite3.connect(_sqlite_path())
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # online backup API: a consistent copy while in use
    finally:
        source.close()
        copy.close()
    engine = sa.create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return _table_counts(conn), _revisions(conn)
    finally:
        engine.dispose()


def _snapshot_postgresql(target: Path) -> tuple[dict[str, int], list[str]]:
    url, env = libpq_url(db.engine.url)
    # Count rows in the very snapshot pg_dump dumps: export it from a repeatable-read
    # transaction that stays open until pg_dump has finished.
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            counts, revisions = _table_counts(conn), _revisions(conn)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={target}", f"--dbname={url}"], env)
    return counts, revisions


def default_backup_path() -> Path:
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Path(current_app.instance_path) / "backups" / f"tellen-vertellen-{stamp}.tar.gz"


def create_backup(output: Path | None = None) -> BackupResult:
    """Write one archive with database, uploads and manifest (safe while in use).

    :param output: where to write; default ``instance/backups/tellen-vertellen-<UTC>.tar.gz``.
    :raise BackupError: unsupported database, pg_dump missing or failing.
    """
    backend = _backend()
    output = Path(output or default_backup_path()).absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    created_at = utcnow()
    with tempfile.TemporaryDirectory(prefix="tv-backup-", dir=output.parent) as work_dir:
        work = Path(work_dir)
        db_member = DB_MEMBER[backend]
        (work / db_member).parent.mkdir(parents=True)
        if backend == "sqlite":
            counts, revisions = _snapshot_sqlite(work / db_member)
        else:
            counts, revisions = _snapshot_postgresql(work / db_member)
        members = [db_member]
        try:
            files, skipped = backup_files.collect(work)
        except StorageError as exc:
            raise BackupError(f"De bestanden konden niet worden gelezen: {exc} Er is geen "
                              "back-up gemaakt.") from exc
        members += files
        manifest = {
            "format": FORMAT,
            "app": "Tellen & Vertellen",
            "created_at": created_at.isoformat(timespec="seconds") + "Z",
            "backend": backend,
            "schema_revisions": revisions,
            "code_heads": code_heads(),
            "tables": counts,
            "files": {m: {"sha256": _sha256(work / m), "size": (work / m).stat().st_size}
                      for m in members},
            "skipped": skipped,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False),
                                     encoding="utf-8")
        partial = output.with_name(output.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                for member in [*members, MANIFEST]:
                    tar.add(work / member, arcname=member, recursive=False)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, output)  # never a half-written archive under the final name
    audit.record("ops.backup", summary=f"Back-up gemaakt: {output.name}",
                 new={"file": output.name, "tables": len(counts), "files": len(members) - 1},
                 actor_label="systeem (back-up)")
    db.session.commit()
    logger.info("Backup written to %s", output)
    return BackupResult(output, manifest)


# --- restore ---------------------------------------------------------------------------

def _extract(archive: Path, target: Path) -> dict[str, Any]:
    """Unpack safely and check every checksum; nothing of the instance is touched yet."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                path = PurePosixPath(member.name)
                if not (member.isfile() or member.isdir()) or path.is_absolute() or ".." in path.parts:
                    raise BackupError(f"Het archief bevat een ongeldig onderdeel ({member.name!r}); "
                                      "er is niets hersteld.")
            tar.extractall(target, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"Het archief kan niet worden gelezen ({exc}); er is niets hersteld.") from exc
    manifest_path = target / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("Het archief heeft geen manifest.json; er is niets hersteld.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Onbekende archiefversie {manifest.get('format')!r}; er is niets hersteld.")
        files = manifest["files"]
        valid = (
            manifest.get("backend") in DB_MEMBER
            and DB_MEMBER[manifest["backend"]] in files
            and all(isinstance(info["sha256"], str) and isinstance(info["size"], int)
                    and not PurePosixPath(name).is_absolute() and ".." not in PurePosixPath(name).parts
                    for name, info in files.items())
            and all(isinstance(n, int) for n in manifest["tables"].values())
            and all(isinstance(r, str) for r in manifest["schema_revisions"])
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError("Het manifest van het archief is onleesbaar; er is niets hersteld.") from exc
    if not valid:
        raise BackupError("Het manifest van het archief is onvolledig of ongeldig; er is niets hersteld.")
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    extra = sorted(present - set(files) - {MANIFEST})
    if extra:
        raise BackupError(f"Het archief bevat bestanden die niet in het manifest staan ({extra[0]}); "
                          "er is niets hersteld.")
    for name, info in files.items():
        path = target / name
        if not path.is_file():
            raise BackupError(f"{name} ontbreekt in het archief; er is niets hersteld.")
        if path.stat().st_size != info["size"] or _sha256(path) != info["sha256"]:
            raise BackupError(f"Het controlegetal van {name} klopt niet: het archief is beschadigd "
                              "of gewijzigd. Er is niets hersteld.")
    return manifest


def _non_empty_reason() -> str | None:
    """Why this instance is not empty, or ``None`` when it is."""
    with db.engine.connect() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            if name in IGNORED_FOR_EMPTINESS:
                continue
            if conn.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first():
                return f"de database is niet leeg (tabel {name} bevat gegevens)"
    return backup_files.non_empty_reason()


def _restore_sqlite(source: Path) -> None:
    target = _sqlite_path()
    db.session.remove()
    db.engine.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)  # replaces the whole target database, page by page
    finally:
        src.close()
        dst.close()


def _restore_postgresql(source: Path) -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        existing = sa.MetaData()
        existing.reflect(conn)
        existing.drop_all(conn)  # empty (checked) or forced: make room for the dump
        # Objects that are not tables but come back with the dump: the search engine's text
        # search configurations (migration s15_search_postgresql); extensions are restored
        # with IF NOT EXISTS and may stay.
        for (name,) in conn.execute(sa.text(
                "SELECT cfgname FROM pg_ts_config WHERE cfgnamespace = 'public'::regnamespace")):
            conn.execute(sa.text(f'DROP TEXT SEARCH CONFIGURATION IF EXISTS public."{name}" CASCADE'))
    db.engine.dispose()
    url, env = libpq_url(db.engine.url)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={url}", str(source)], env)


def restore_backup(archive: Path, force: bool = False,
                   echo: Callable[[str], None] | None = None) -> RestoreResult:
    """Bring an archive back into this (empty) instance.

    :param force: also restore when the database or the uploads folder is not empty;
        what is there now is replaced.
    :raise BackupError: damaged archive, other backend, newer schema, or not empty.
    """
    echo = echo or (lambda _msg: None)
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"Het archief {archive} bestaat niet.")
    backend = _backend()
    work_parent = Path(current_app.instance_path)
    with tempfile.TemporaryDirectory(prefix="tv-restore-", dir=work_parent) as work_dir:
        work = Path(work_dir)
        manifest = _extract(archive, work)
        echo("Controlegetallen van het archief kloppen.")
        if manifest.get("backend") != backend:
            raise BackupError(
                f"Dit archief is van een {manifest.get('backend')}-database; deze installatie "
                f"gebruikt {backend}. Er is niets hersteld.")
        unknown = [r for r in manifest.get("schema_revisions", []) if not _known_revision(r)]
        if unknown:
            raise BackupError(
                f"Het archief komt van een nieuwere versie van de applicatie (schemaversie "
                f"{', '.join(unknown)} is hier onbekend). Werk eerst de applicatie bij. "
                "Er is niets hersteld.")
        unfit = backup_files.unfit_names(list(manifest["files"]))
        if unfit:
            raise BackupError(f"Het archief bevat een bestandsnaam die de opslag voor bestanden "
                              f"niet aanneemt ({unfit[0]}). Er is niets hersteld.")
        try:
            reason = _non_empty_reason()
        except StorageError as exc:
            raise BackupError(f"{exc} Er is niets hersteld.") from exc
        if reason and not force:
            raise BackupError(
                f"Herstellen kan alleen in een lege installatie, maar {reason}. Er is niets "
                "hersteld. Gebruik --force om alles wat er nu staat te vervangen door de back-up.")
        if reason:
            echo(f"Let op: {reason}; dit wordt vervangen (--force).")
        db_file = work / DB_MEMBER[backend]
        if backend == "sqlite":
            _restore_sqlite(db_file)
        else:
            _restore_postgresql(db_file)
        echo("Database hersteld.")
        result = RestoreResult(manifest)
        try:
            result.files = backup_files.restore(work / UPLOADS)
        except StorageError as exc:
            raise BackupError(f"De database is hersteld, maar de bestanden niet: {exc} Herstel "
                              "opnieuw met --force zodra de opslag bereikbaar is.") from exc
        echo(f"{result.files} bestand(en) teruggezet.")

    with db.engine.connect() as conn:
        counts = _table_counts(conn)
    for name, expected in manifest["tables"].items():
        if counts.get(name) != expected:
            raise BackupError(f"Na het herstellen heeft tabel {name} {counts.get(name)} rijen "
                              f"in plaats van {expected}. Controleer de database.")

    from ..cli import run_migrations

    run_migrations()  # an older archive is brought up to the code's schema
    result.tables = len(manifest["tables"])
    result.rows = sum(manifest["tables"].values())
    audit.record("ops.restore", summary=f"Back-up teruggezet: {archive.name}",
                 new={"file": archive.name, "created_at": manifest.get("created_at"),
                      "forced": bool(reason)}, actor_label="systeem (herstel)")
    db.session.commit()
    hooks = registry().after_restore
    if not hooks:
        result.notes.append("geen zoekmodule geregistreerd: geen index opgebouwd")
        return result
    for hook in hooks:
        try:
            result.rebuilt[hook.name] = hook.func() or f"{hook.name} opnieuw opgebouwd"
        except Exception as exc:
            logger.exception("After-restore hook %s failed", hook.name)
            db.session.rollback()
            raise BackupError(
                "De database en de bestanden zijn hersteld, maar het opnieuw opbouwen van de "
                f"{hook.name} is mislukt ({exc.__class__.__name__}: {exc}). Los de oorzaak op en "
                f"bouw de {hook.name} opnieuw op.") from exc
        echo(f"{hook.name[:1].upper()}{hook.name[1:]}: {result.rebuilt[hook.name]}")
    return result
