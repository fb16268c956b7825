"""One contract for every store: the local folder and S3 (a real S3 API on the loopback).

Each test runs against both (``store`` is parametrised); what differs is only how the
store is reached. A failing write leaves nothing (no half object, no temporary name
visible, the old content kept); a store that goes away answers with a Dutch
:class:`StorageError`, never a library's exception.
"""
from __future__ import annotations

import io
import threading

import pytest

from monitor import storage
from monitor.storage import LocalStorage, StorageError
from monitor.storage_s3 import S3Storage

from .storagekit import S3Server, age_files, aws_env, new_bucket


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    bucket = request.getfixturevalue("s3_bucket")
    return S3Storage(bucket, "installatie", attempts=1)


def test_round_trip_of_bytes_streams_and_sizes(store):
    data = bytes(range(256)) * 1000 + b"\x00\xff"
    store.put("photos/abc.jpg", data, "image/jpeg")
    assert store.get("photos/abc.jpg") == data
    assert b"".join(store.stream("photos/abc.jpg")) == data
    assert store.size("photos/abc.jpg") == len(data)
    assert store.exists("photos/abc.jpg")
    store.put_file("media/film.mp4", io.BytesIO(data[:5000]), "video/mp4")
    assert store.get("media/film.mp4") == data[:5000]
    store.put("photos/abc.jpg", b"korter")  # overwritten entirely, not in place
    assert store.get("photos/abc.jpg") == b"korter"


def test_missing_keys(store):
    assert not store.exists("photos/nooit.jpg")
    for read in (store.get, store.size, store.stream):
        with pytest.raises(FileNotFoundError):
            read("photos/nooit.jpg")
    store.delete("photos/nooit.jpg")  # absent is fine


@pytest.mark.parametrize("key", ["../buiten.jpg", "a/../../b", "/etc/passwd", "a\\b", ".env", "a//b"])
def test_unsafe_keys_never_reach_the_store(store, key):
    for call in (lambda: store.put(key, b"x"), lambda: store.get(key), lambda: store.delete(key),
                 lambda: store.exists(key), lambda: list(store.keys(key))):
        with pytest.raises(ValueError):
            call()
    assert list(store.keys()) == []


def test_keys_are_listed_per_folder_and_by_age(store, monkeypatch):
    for key in ("a.jpg", "a_thumb.jpg", "counts-imports/1-x.csv", "counts-imports-oud/2.csv",
                "media/diep/c.mp3"):
        store.put(key, b"1")
    assert sorted(store.keys()) == ["a.jpg", "a_thumb.jpg", "counts-imports-oud/2.csv",
                                    "counts-imports/1-x.csv", "media/diep/c.mp3"]
    # A folder is a folder: "counts-imports" does not take in "counts-imports-oud".
    assert list(store.keys("counts-imports")) == ["counts-imports/1-x.csv"]
    assert list(store.keys("media")) == ["media/diep/c.mp3"]
    assert list(store.keys("counts-imports", older_than=3600)) == []  # just written
    age_files(monkeypatch, 7200)
    assert list(store.keys("counts-imports", older_than=3600)) == ["counts-imports/1-x.csv"]


def test_a_reader_sees_the_old_or_the_new_file_never_a_mix(store):
    old, new = b"A" * 300_000, b"B" * 300_000
    store.put("photos/wissel.jpg", old)
    seen, stop = set(), threading.Event()

    def read():
        while not stop.is_set():
            seen.add(store.get("photos/wissel.jpg"))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(12):
            store.put("photos/wissel.jpg", new if i % 2 == 0 else old)
    finally:
        stop.set()
        reader.join()
    assert seen <= {old, new} and seen


class _FailingSource(io.RawIOBase):
    """An upload whose source breaks off after ``after`` bytes (a client gone away)."""

    def __init__(self, data: bytes, after: int) -> None:
        self.data, self.after, self.pos = data, after, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.pos >= self.after:
            raise OSError("verbinding verbroken")
        chunk = self.data[self.pos:min(self.after, self.pos + len(buffer))]
        buffer[:len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)


@pytest.mark.parametrize("size", [200_000, 6 * 1024 * 1024])
def test_an_upload_that_breaks_off_leaves_nothing_and_keeps_the_old_file(store, size):
    from boto3.s3.transfer import TransferConfig

    if isinstance(store, S3Storage):  # the large one in parts (S3's smallest part is 5 MB)
        store.transfer = TransferConfig(multipart_threshold=5 * 1024 * 1024,
                                        multipart_chunksize=5 * 1024 * 1024, use_threads=False)
    store.put("media/oud.mp3", b"het oude geluid")
    data = bytes(range(256)) * (size // 256)
    for key in ("media/nieuw.mp3", "media/oud.mp3"):
        with pytest.raises(StorageError) as failed:
            store.put_file(key, io.BufferedReader(_FailingSource(data, size - 1000)))
        assert "niet worden opgeslagen" in str(failed.value)
    assert not store.exists("media/nieuw.mp3")
    assert store.get("media/oud.mp3") == b"het oude geluid"
    assert list(store.keys()) == ["media/oud.mp3"]
    assert store.stray(older_than=0) == []  # no temporary file, no open multipart upload


def test_temporary_files_of_killed_writes_are_found_when_old(tmp_path, monkeypatch):
    store = LocalStorage(tmp_path)
    store.put("media/a.mp3", b"1")
    (tmp_path / "media" / "b.mp3.tmp").write_bytes(b"half")  # a process killed mid-write
    assert store.stray() == []  # an hour to finish
    age_files(monkeypatch, 4000)
    assert store.stray() == ["media/b.mp3.tmp"]
    store.discard_stray(store.stray())
    assert sorted(p.name for p in (tmp_path / "media").iterdir()) == ["a.mp3"]


def test_unfinished_multipart_uploads_are_found_and_aborted(s3_bucket, monkeypatch):
    store = S3Storage(s3_bucket, "installatie", attempts=1)
    started = store.client.create_multipart_upload(Bucket=s3_bucket, Key="installatie/media/x.mp4")
    # moto reports a fixed initiation date (2010), so "too fresh to abort" cannot be seen
    # here; the age rule is the same comparison as for the listed objects.
    age_files(monkeypatch, 4000)
    assert store.stray() == [f"installatie/media/x.mp4\n{started['UploadId']}"]
    store.discard_stray(store.stray())
    assert store.stray(older_than=0) == []
    assert list(store.keys()) == []


def test_a_store_that_went_away_answers_in_dutch(monkeypatch):
    server = S3Server()
    aws_env(monkeypatch, server.endpoint)
    bucket = new_bucket(server.endpoint)
    store = S3Storage(bucket, "p", attempts=1)
    store.put("photos/a.jpg", b"foto")
    server.stop()
    calls = [lambda: store.put("photos/b.jpg", b"x"), lambda: store.get("photos/a.jpg"),
             lambda: store.exists("photos/a.jpg"), lambda: list(store.keys()),
             lambda: store.delete("photos/a.jpg"), lambda: store.stream("photos/a.jpg")]
    for call in calls:
        with pytest.raises(StorageError, match="niet bereikbaar"):
            call()


def test_storage_url_chooses_the_store(tmp_path, s3_bucket):
    local = storage.from_url("", str(tmp_path / "uploads"))
    assert isinstance(local, LocalStorage) and local.local_root == tmp_path / "uploads"
    assert storage.from_url(f"file://{tmp_path}/elders", "x").local_root == tmp_path / "elders"
    remote = storage.from_url(f"s3://{s3_bucket}/gemeente/hilversum?attempts=2", "x")
    assert isinstance(remote, S3Storage) and remote.local_root is None
    assert (remote.bucket, remote.prefix) == (s3_bucket, "gemeente/hilversum")
    remote.put("a.jpg", b"1")
    assert remote.client.get_object(Bucket=s3_bucket, Key="gemeente/hilversum/a.jpg")["Body"].read() == b"1"
    for bad in ("s3:///zonder-bucket", "ftp://x/y", "s3://b/../x"):
        with pytest.raises((RuntimeError, ValueError)):
            storage.from_url(bad, "x")
