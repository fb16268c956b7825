"""Back-up and restore round trip: every row of every table and every file comes back."""

from __future__ import annotations

import io
import json
import stat
import tarfile
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.extensions import db
from monitor.models import AuditEvent, User, Wijk
from monitor.registry import add_after_restore, registry

from ..conftest import BACKEND, login
from .conftest import database_is_empty, table_rows, upload_files

# Back-ups read the database file or pg_dump it: only committed rows are in them.
pytestmark = [pytest.mark.real_db, pytest.mark.slow]


def _backup(app, path: Path):
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return result


def _restore(app, path: Path, *extra: str):
    return app.test_cli_runner().invoke(args=["restore", str(path), *extra])


def _rewrite_archive(source: Path, target: Path, change) -> None:
    """Copy an archive member by member; ``change(name, data)`` may alter or drop a member."""
    with tarfile.open(source, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            new = change(member.name, data)
            if new is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(new)
            dst.addfile(info, io.BytesIO(new))


def test_round_trip_restores_every_row_and_file(filled_app, make_target, tmp_path):
    rows_before = table_rows(filled_app)
    files_before = upload_files(filled_app)
    non_empty = [name for name, rows in rows_before.items() if rows]
    assert len(non_empty) >= 10 and len(files_before) == 5
    archive = tmp_path / "back-up.tar.gz"

    output = _backup(filled_app, archive).output
    assert "Back-up geschreven" in output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds personal data
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["backend"] == BACKEND
    assert set(manifest["files"]) | {"manifest.json"} == names
    assert {f"uploads/{rel}" for rel in files_before} <= set(manifest["files"])
    assert "0500" in manifest["schema_revisions"] and manifest["schema_revisions"] == manifest["code_heads"]
    assert manifest["tables"]["users"] == len(rows_before["users"])

    target = make_target()
    result = _restore(target, archive)
    assert result.exit_code == 0, result.output
    assert "Controlegetallen van het archief kloppen." in result.output

    rows_after = table_rows(target)
    restore_events = [r for r in rows_after["audit_events"] if r not in rows_before["audit_events"]]
    assert len(restore_events) == 1  # the restore itself is on the audit trail
    rows_after["audit_events"].remove(restore_events[0])
    for name, rows in rows_before.items():
        assert rows_after[name] == rows, f"table {name} differs after restore"
    assert upload_files(target) == files_before

    with target.app_context():
        event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert event.action == "ops.restore"
        # Sequences and autoincrement continue after the restored rows.
        wijk = Wijk(name="Nieuwe wijk na herstel")
        db.session.add(wijk)
        db.session.commit()
        assert wijk.id > max(r[0] for r in rows_before["wijken"])
        email = db.session.scalar(sa.select(User.email).order_by(User.id))
    assert login(target.test_client(), email).status_code == 302


def test_restore_into_a_used_instance_is_refused_unless_forced(filled_app, make_target, tmp_path):
    archive = tmp_path / "b.tar.gz"
    _backup(filled_app, archive)
    target = make_target()
    assert _restore(target, archive).exit_code == 0
    with target.app_context():
        db.session.add(Wijk(name="Na de back-up"))
        db.session.commit()

    refused = _restore(target, archive)
    assert refused.exit_code == 1
    assert "Herstellen kan alleen in een lege installatie" in refused.output
    assert "Er is niets hersteld" in refused.output and "--force" in refused.output
    with target.app_context():
        assert db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Na de back-up"))

    forced = _restore(target, archive, "--force")
    assert forced.exit_code == 0, forced.output
    with target.app_context():
        assert db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Na de back-up")) is None


def test_uploads_in_the_target_also_count_as_in_use(filled_app, make_target, tmp_path):
    archive = tmp_path / "b.tar.gz"
    _backup(filled_app, archive)
    target = make_target()
    stray = Path(target.config["UPLOAD_FOLDER"]) / "al-aanwezig.jpg"
    stray.write_bytes(b"foto")
    refused = _restore(target, archive)
    assert refused.exit_code == 1 and "uploads" in refused.output
    assert stray.read_bytes() == b"foto"
    assert database_is_empty(target)


def test_a_damaged_archive_is_refused_before_anything_is_touched(filled_app, make_target, tmp_path):
    archive, damaged = tmp_path / "b.tar.gz", tmp_path / "beschadigd.tar.gz"
    _backup(filled_app, archive)
    _rewrite_archive(archive, damaged, lambda name, data: (
        data[:-1] + bytes([data[-1] ^ 1]) if name.endswith("a1b2c3.jpg") else data))
    target = make_target()
    result = _restore(target, damaged)
    assert result.exit_code == 1
    assert "Het controlegetal van uploads/verhalen/2026/05/a1b2c3.jpg klopt niet" in result.output
    assert upload_files(target) == {}
    assert database_is_empty(target)


def test_archives_with_unknown_or_unsafe_content_are_refused(filled_app, make_target, tmp_path):
    archive = tmp_path / "b.tar.gz"
    _backup(filled_app, archive)
    target = make_target()

    newer = tmp_path / "nieuwer.tar.gz"

    def bump(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["schema_revisions"].append("9999")
        return json.dumps(manifest).encode()

    _rewrite_archive(archive, newer, bump)
    result = _restore(target, newer)
    assert result.exit_code == 1 and "nieuwere versie" in result.output and "9999" in result.output

    with tarfile.open(archive, "r:gz") as src:
        members = [(m, src.extractfile(m).read()) for m in src.getmembers()]
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as dst:
        for member, data in members:
            dst.addfile(member, io.BytesIO(data))
        info = tarfile.TarInfo("../../buiten-de-map.txt")
        info.size = 3
        dst.addfile(info, io.BytesIO(b"bah"))
    result = _restore(target, evil)
    assert result.exit_code == 1 and "ongeldig onderdeel" in result.output
    assert not (tmp_path / "buiten-de-map.txt").exists()

    without_db = tmp_path / "zonder-database.tar.gz"

    def drop_database(name, data):
        if name.startswith("database/"):
            return None
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"] = {k: v for k, v in manifest["files"].items() if not k.startswith("database/")}
            return json.dumps(manifest).encode()
        return data

    _rewrite_archive(archive, without_db, drop_database)
    result = _restore(target, without_db)
    assert result.exit_code == 1 and "onvolledig of ongeldig" in result.output

    garbage = tmp_path / "geen-archief.tar.gz"
    garbage.write_bytes(b"dit is geen archief")
    result = _restore(target, garbage)
    assert result.exit_code == 1 and "kan niet worden gelezen" in result.output
    assert database_is_empty(target)


def test_restore_rebuilds_the_search_index_through_the_hook(filled_app, make_target, tmp_path):
    archive = tmp_path / "b.tar.gz"
    _backup(filled_app, archive)
    target = make_target()
    seen = []

    def reindex() -> str:
        # Called after the database is back: it sees the restored rows.
        seen.append(db.session.scalar(sa.select(sa.func.count(User.id))))
        return f"{seen[-1]} documenten"

    add_after_restore(target, "zoekindex", reindex)
    result = _restore(target, archive)
    assert result.exit_code == 0, result.output
    assert seen == [len(table_rows(filled_app)["users"])] and seen[0] > 0
    assert f"Zoekindex: {seen[0]} documenten" in result.output


def test_backup_while_writes_go_on_is_a_consistent_snapshot(filled_app, make_target, tmp_path):
    """A writer commits rows one by one during the back-up; the archive holds a prefix."""
    stop = threading.Event()
    written: list[int] = []

    def writer():
        with filled_app.app_context():
            engine = db.engine
            while not stop.is_set() and len(written) < 2000:
                with engine.begin() as conn:
                    new_id = conn.execute(sa.insert(AuditEvent.__table__).values(
                        actor_label="schrijver", action="test.write", summary=str(len(written)),
                        created_at=sa.func.current_timestamp()).returning(AuditEvent.id)).scalar_one()
                written.append(new_id)
                # Leave the lock free for a moment: a writer that takes it back at once
                # starves the back-up's own commit past SQLite's 5 s busy timeout
                # ("database is locked").
                stop.wait(0.002)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:  # the writer is really running before the back-up starts
            threading.Event().wait(0.001)
        _backup(filled_app, tmp_path / "b.tar.gz")
    finally:
        stop.set()
        thread.join()
    target = make_target()
    result = _restore(target, tmp_path / "b.tar.gz")
    assert result.exit_code == 0, result.output  # restore also checks the manifest's row counts
    with target.app_context():
        restored = list(db.session.scalars(
            sa.select(AuditEvent.id).where(AuditEvent.action == "test.write").order_by(AuditEvent.id)))
    assert restored == written[: len(restored)]  # a prefix: nothing torn, nothing out of order
    assert len(restored) >= 20


def test_the_database_url_is_converted_for_pg_dump_without_exposing_the_password():
    from monitor.ops.backup import libpq_url

    url = sa.make_url("postgresql+psycopg://monitor:g%40heim@db.example:5433/tv?sslmode=require")
    plain, env = libpq_url(url)
    assert plain == "postgresql://monitor@db.example:5433/tv?sslmode=require"
    assert env == {"PGPASSWORD": "g@heim"}
    assert libpq_url(sa.make_url("postgresql+psycopg://postgres@127.0.0.1/test")) == (
        "postgresql://postgres@127.0.0.1/test", {})


def test_a_failing_index_rebuild_is_reported_after_the_data_is_back(filled_app, make_target, tmp_path):
    archive = tmp_path / "b.tar.gz"
    _backup(filled_app, archive)
    target = make_target()

    def broken_reindex():
        raise OSError("schijf vol")

    add_after_restore(target, "zoekindex", broken_reindex)
    result = _restore(target, archive)
    assert result.exit_code == 1
    assert "De database en de bestanden zijn hersteld" in result.output and "schijf vol" in result.output
    assert len(table_rows(target)["users"]) == len(table_rows(filled_app)["users"])
    assert upload_files(target) == upload_files(filled_app)


def test_restore_rebuilds_the_story_index_with_the_narratives_hook(filled_app, make_target, tmp_path):
    from datetime import date

    from monitor.catalogues import Quality
    from monitor.models import Wijk
    from monitor.narratives import services as story_services
    from monitor.narratives.models import (
        ConsentMethod,
        Story,
        StoryForm,
        StoryIndexOp,
        StoryStatus,
        Teller,
        Visibility,
    )

    with filled_app.app_context():
        story = Story(reference="VH-HERSTEL", title="De pluktuin aan de Larenseweg",
                      summary="Samen oogsten.", body="Over de pluktuin.", about_date=date(2025, 6, 1),
                      wijk_id=db.session.scalar(sa.select(Wijk.id).where(Wijk.name == "Oost")),
                      form=StoryForm.TEKST, teller=Teller.INWONER, status=StoryStatus.GEPUBLICEERD,
                      visibility=Visibility.OPENBAAR,
                      consent_given=True, consent_method=ConsentMethod.SCHRIFTELIJK,
                      consent_date=date(2025, 6, 1), consent_recorded_by="test")
        story.qualities = list(db.session.scalars(sa.select(Quality).where(Quality.code == "K1")))
        db.session.add(story)
        db.session.flush()
        db.session.add(StoryIndexOp(story_id=story.id))
        db.session.commit()
        story_services.apply_pending()
    archive = tmp_path / "verhalen.tar.gz"
    _backup(filled_app, archive)
    target = make_target()
    # by the narratives module; the counts module computes its stored publication tables anew
    assert [h.name for h in registry(target).after_restore] == ["publicatietabellen", "zoekindex"]
    result = _restore(target, archive)
    assert result.exit_code == 0, result.output
    assert "Zoekindex: 1 gepubliceerde verhalen" in result.output
    assert "Publicatietabellen: " in result.output and "tabel(len) gewist" in result.output and "bijgewerkt" in result.output
    page = target.test_client().get("/verhalen/?q=pluktuin").get_data(as_text=True)
    assert '1 verhaal voor "pluktuin"' in page and "aan de Larenseweg</a>" in page
