import json
import os

import pytest

from store.ingest import ingest
from store.persistence import SCHEMA_VERSION, StoreError, attach_details, load, write_lock
from store.storage import atomic_write
from tests.conftest import ARXIVER, SCHOLARFEED_SMALL


def test_store_is_a_tinydb_file_with_a_schema_version_and_a_details_file(tmp_path):
    from tinydb import TinyDB

    from store.storage import OrjsonStorage

    store = tmp_path / "store.json"
    ingest(store, [ARXIVER, SCHOLARFEED_SMALL])
    db = TinyDB(store, storage=OrjsonStorage)
    assert len(db.table("papers")) == 12
    [meta] = db.table("_meta").all()
    assert meta["schema"] == SCHEMA_VERSION == 2
    assert sorted(json.loads(store.read_text())) == ["_meta", "authors", "pages", "papers"]
    stored = db.table("papers").all()
    assert not any("abstract" in paper for paper in stored)
    # A display title that repeats the title is not stored twice, and comes back on load.
    assert sum("display_title" in paper for paper in stored) == 10  # the untitled arxiver papers
    assert [p["display_title"] for p in load(store).papers] == [p.get("display_title", p["title"]) for p in stored]
    assert sum(p["display_title"] == p["title"] for p in load(store).papers) == 2
    side = TinyDB(tmp_path / meta["details"], storage=OrjsonStorage).table("details").all()
    assert len(side) == 12 and all(doc["abstract"] and doc["keys"] for doc in side)
    assert not any("_keys" in paper for paper in stored)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["store.json", "store.json.lock", meta["details"]])


def test_abstracts_load_on_demand_and_a_lost_details_file_costs_only_the_abstracts(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    full = load(store)
    light = load(store, with_details=False)
    assert [p["abstract"] for p in light.papers] == [None] * 10
    attach_details(store, light)
    assert light.papers == full.papers and light.details_loaded
    (tmp_path / full.details_file).unlink()
    damaged = load(store)
    assert damaged.warnings == [
        f"{tmp_path / full.details_file}: details file missing: abstracts are not shown; ingest your pages again"
    ]
    assert [p["title"] for p in damaged.papers] == [p["title"] for p in full.papers]
    ingest(store, [ARXIVER])
    assert load(store).papers == full.papers


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


@pytest.mark.parametrize("version", [0, 1])
def test_old_schema_is_migrated_after_a_backup(tmp_path, version):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    current = load(store)
    # Schemas 0 and 1 kept abstracts and merge keys inside the papers; 0 had no _meta table.
    raw = json.loads(store.read_text())
    by_id = {p["id"]: p for p in current.papers}
    for paper in raw["papers"].values():
        for name in ("abstract", "_keys", "_related_keys", "display_title"):
            paper[name] = by_id[paper["id"]][name]
    if version:
        raw["_meta"] = {"1": {"schema": 1}}
    else:
        del raw["_meta"]
    store.write_text(json.dumps(raw))
    assert load(store).papers == current.papers
    assert json.loads((tmp_path / f"store.json.v{version}.bak").read_text()) == raw
    ingest(store, [SCHOLARFEED_SMALL])
    assert json.loads(store.read_text())["_meta"]["1"]["schema"] == SCHEMA_VERSION
    migrated = {p["id"]: p for p in load(store).papers}
    assert all(migrated[paper["id"]] == paper for paper in current.papers if paper["id"] in migrated)
    assert len(migrated) > len(current.papers)


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
