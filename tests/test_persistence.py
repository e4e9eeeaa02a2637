import json
import os

import pytest

from store.ingest import ingest
from store.persistence import SCHEMA_VERSION, StoreError, atomic_write, load, write_lock
from tests.conftest import ARXIVER, SCHOLARFEED_SMALL


def test_store_is_a_tinydb_file_with_a_schema_version(tmp_path):
    from tinydb import TinyDB

    from store.persistence import OrjsonStorage

    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    db = TinyDB(store, storage=OrjsonStorage)
    assert len(db.table("papers")) == 10
    assert db.table("_meta").all() == [{"schema": SCHEMA_VERSION}]
    assert sorted(json.loads(store.read_text())) == ["_meta", "authors", "pages", "papers"]


def test_failed_atomic_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "store.json"
    target.write_bytes(b"old")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        atomic_write(target, b"new content")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["store.json"]


def test_old_schema_is_migrated_after_a_backup(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    raw = json.loads(store.read_text())
    del raw["_meta"]
    store.write_text(json.dumps(raw))
    data = load(store)
    assert len(data.papers) == 10
    assert json.loads((tmp_path / "store.json.v0.bak").read_text()) == raw
    ingest(store, [SCHOLARFEED_SMALL])
    assert json.loads(store.read_text())["_meta"] == {"1": {"schema": SCHEMA_VERSION}}


@pytest.mark.parametrize("content, reason", [
    ("[1, 2]", "not a litbrowse store (the JSON is not an object)"),
    ('{"people": {}}', "not a litbrowse store (tables: people)"),
    ('{"_meta": {"1": {"schema": 1}}, "papers": [1]}', "table 'papers' is not a TinyDB table"),
])
def test_wrong_shapes_are_refused(tmp_path, content, reason):
    store = tmp_path / "store.json"
    store.write_text(content)
    with pytest.raises(StoreError) as error:
        load(store)
    assert str(error.value).startswith(f"{store}: {reason}")
    assert store.read_text() == content


def test_lock_timeout_message(tmp_path):
    store = tmp_path / "store.json"
    with write_lock(store), pytest.raises(StoreError) as error, write_lock(store, timeout=0.2):
        pass
    assert "another litbrowse process has held the store's lock" in str(error.value)
