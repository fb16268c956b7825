"""The local store: atomic writes, safe keys, listing for clean-up."""
import os
import time

import pytest

from monitor.storage import LocalStorage, check_key


@pytest.mark.parametrize("key", ["", "../x", "a/../b", "/abs", "a\\b", "a//b", ".hidden", "a/"])
def test_unsafe_keys_are_refused(key):
    with pytest.raises(ValueError):
        check_key(key)


def test_put_get_delete_and_list(tmp_path):
    store = LocalStorage(tmp_path)
    store.put("photos/abc.jpg", b"jpeg")
    assert store.get("photos/abc.jpg") == b"jpeg"
    assert store.exists("photos/abc.jpg")
    assert list(store.keys("photos")) == ["photos/abc.jpg"]
    assert not list(tmp_path.rglob("*.tmp"))
    store.delete("photos/abc.jpg")
    store.delete("photos/abc.jpg")  # absent is fine
    assert not store.exists("photos/abc.jpg")
    with pytest.raises(FileNotFoundError):
        store.get("photos/abc.jpg")


def test_keys_older_than_leaves_fresh_files(tmp_path):
    store = LocalStorage(tmp_path)
    store.put("staging/old.csv", b"1")
    store.put("staging/new.csv", b"2")
    past = time.time() - 7200
    os.utime(tmp_path / "staging" / "old.csv", (past, past))
    assert list(store.keys("staging", older_than=3600)) == ["staging/old.csv"]
