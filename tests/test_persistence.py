import json
import os
import re

import orjson
import pytest

from store.disk.persistence import (
    SCHEMA_VERSION,
    StoreError,
    attach_detail_keys,
    attach_details,
    attach_papers,
    load,
    open_details,
    write_lock,
)
from store.disk.storage import atomic_write
from store.ingest.pipeline import ingest
from store.records import stored_form
from tests.conftest import ARXIVER, PAPER_PAGE, SCHOLARFEED_SMALL, SEEDS
from tui.cli import main


def test_store_is_a_small_tinydb_main_file_naming_its_papers_and_details_files(tmp_path):
    from tinydb import TinyDB

    from store.disk.storage import OrjsonStorage

    store = tmp_path / "store.json"
    ingest(store, [ARXIVER, SCHOLARFEED_SMALL])
    main = TinyDB(store, storage=OrjsonStorage)
    [meta] = main.table("_meta").all()
    assert meta["schema"] == SCHEMA_VERSION == 3
    assert sorted(json.loads(store.read_text())) == ["_meta", "authors", "pages"]
    assert len(main.table("authors")) == 6 and len(main.table("pages")) == 2
    stored = TinyDB(tmp_path / meta["papers"], storage=OrjsonStorage).table("papers").all()
    assert len(stored) == 12
    assert not any("abstract" in paper or "_keys" in paper for paper in stored)
    # A display title that repeats the title is not stored twice, and comes back on load.
    assert sum("display_title" in paper for paper in stored) == 10  # the untitled arxiver papers
    assert [p["display_title"] for p in load(store).papers] == [p.get("display_title", p["title"]) for p in stored]
    assert sum(p["display_title"] == p["title"] for p in load(store).papers) == 2
    details = TinyDB(tmp_path / meta["details"], storage=OrjsonStorage).table("details").all()
    assert len(details) == 12 and all(doc["abstract"] and doc["keys"] for doc in details)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["store.json", "store.json.lock", meta["papers"], meta["details"]])


def test_authors_come_first_then_papers_then_details(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    full = load(store)
    light = load(store, with_papers=False, with_details=False)
    assert (light.papers, len(light.authors), light.papers_loaded) == ([], len(full.authors), False)
    attach_papers(store, light)
    assert [p["id"] for p in light.papers] == [p["id"] for p in full.papers]
    assert [p.get("abstract") for p in light.papers] == [None] * 10
    attach_details(store, light)
    assert light.papers == full.papers


def test_a_lost_papers_file_stops_every_command_and_changes_nothing(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    papers_file = tmp_path / load(store).papers_file
    papers_file.unlink()
    before = store.read_bytes()
    for action in (lambda: load(store), lambda: ingest(store, [SCHOLARFEED_SMALL])):
        with pytest.raises(StoreError) as error:
            action()
        assert str(error.value).startswith(f"{papers_file}: the store's papers file is missing")
    assert store.read_bytes() == before


@pytest.mark.parametrize("content, reason", [
    (b'{"papers": ', "not valid JSON"),
    (b'{"authors": {}}', "no 'papers' table"),
    (b'{"papers": {"1": 7}}', "no 'papers' table"),
])
def test_a_damaged_papers_file_is_refused_with_its_reason(tmp_path, content, reason):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    papers_file = tmp_path / load(store).papers_file
    papers_file.write_bytes(content)
    with pytest.raises(StoreError) as error:
        load(store)
    assert str(error.value).startswith(f"{papers_file}: the store's papers file is damaged ({reason}): ")
    assert papers_file.read_bytes() == content


@pytest.mark.parametrize("content", [b"\x00garbage", b'{"details": {"1": {"id": "x"}}}', b"[]"])
def test_a_damaged_details_file_costs_only_the_abstracts(tmp_path, content):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    details_file = tmp_path / load(store).details_file
    details_file.write_bytes(content)
    data = load(store)
    assert data.warnings == [
        f"{details_file}: details file damaged: abstracts are not shown; ingest your pages again"
    ]
    assert len(data.papers) == 10 and [p.get("abstract") for p in data.papers] == [None] * 10


def test_abstracts_load_on_demand_and_a_lost_details_file_costs_only_the_abstracts(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    full = load(store)
    light = load(store, with_details=False)
    assert [p.get("abstract") for p in light.papers] == [None] * 10
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


@pytest.mark.parametrize("version", [0, 1, 2])
def test_old_schema_is_migrated_after_a_backup(tmp_path, version):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    current = load(store)
    # Schemas 0 to 2 kept the papers in the main file; 0 and 1 with their abstracts and
    # merge keys, 2 with those in the details file; 0 had no _meta table.
    details = ("abstract", "_keys", "_related_keys")
    raw = {
        "papers": {
            str(n): {k: v for k, v in p.items() if version < 2 or k not in details}
            for n, p in enumerate(current.papers, start=1)
        },
        "authors": {str(n): a for n, a in enumerate(current.authors, start=1)},
        "pages": {str(n): p for n, p in enumerate(current.pages.values(), start=1)},
    }
    if version == 1:
        raw["_meta"] = {"1": {"schema": 1}}
    elif version == 2:
        raw["_meta"] = {"1": {"schema": 2, "details": current.details_file}}
    store.write_text(json.dumps(raw))
    before = sorted(tmp_path.iterdir())
    assert load(store).papers == current.papers
    assert sorted(tmp_path.iterdir()) == before  # a read writes nothing, not even the backup
    # A folder where the backup would go is left alone: the copy takes the next name.
    (tmp_path / f"store.json.v{version}.bak").mkdir()
    ingest(store, [SCHOLARFEED_SMALL])
    assert json.loads((tmp_path / f"store.json.v{version}.bak.2").read_text()) == raw
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


def test_part_files_hold_one_document_per_line(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER, SCHOLARFEED_SMALL])
    data = load(store)
    for name, table in ((data.papers_file, "papers"), (data.details_file, "details")):
        lines = (tmp_path / name).read_bytes().split(b"\n")
        assert lines[0] == b'{"%s":{' % table.encode() and lines[-2:] == [b"}}", b""]
        assert [line.split(b":", 1)[0] for line in lines[1:-2]] == [b'"%d"' % n for n in range(1, 13)]
        assert len(json.loads((tmp_path / name).read_text())[table]) == 12


@pytest.fixture
def two_pages(tmp_path):
    """A store of the arxiver page and the small scholarfeed page, and its data read whole."""
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER, SCHOLARFEED_SMALL])
    return store, load(store)


def test_the_app_reads_abstracts_from_the_open_details_file_one_at_a_time(tmp_path, two_pages):
    store, full = two_pages
    light = load(store, with_details=False)
    open_details(store, light)
    assert light.details_loaded and light.warnings == []
    paper, other = light.papers[3], light.papers[7]
    # Read without being kept, for search; read and kept, for the detail pane.
    assert light.abstract_of(paper) == full.papers[3]["abstract"] and "abstract" not in paper
    assert light.fill(paper)["abstract"] == full.papers[3]["abstract"]
    assert sorted(light.details.abstracts()) == sorted((p["id"], p["abstract"]) for p in full.papers)
    # Another ingest may delete the file; the open file stays readable until the app reloads.
    (tmp_path / full.details_file).unlink()
    assert light.fill(other)["abstract"] == full.papers[7]["abstract"]


def _arxiver_store_with_a_cut_details_line(tmp_path):
    """A store of the arxiver page, read whole; then its details file with the third paper's line cut short."""
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    full = load(store)
    details_file = tmp_path / full.details_file
    lines = details_file.read_bytes().split(b"\n")
    lines[3] = lines[3][:40]
    details_file.write_bytes(b"\n".join(lines))
    return store, full, details_file


def test_a_damaged_line_of_the_details_file_costs_that_papers_abstract(tmp_path):
    store, full, details_file = _arxiver_store_with_a_cut_details_line(tmp_path)
    lines = details_file.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b'{"id":', b'{"id" ', 1)  # the fourth paper's, not JSON from its start
    details_file.write_bytes(b"\n".join(lines))
    light = load(store, with_details=False)
    open_details(store, light)
    assert [light.abstract_of(p) for p in light.papers] == [
        None if n in (2, 3) else p["abstract"] for n, p in enumerate(full.papers)]
    assert [paper_id for paper_id, _ in light.details.abstracts()] == [full.papers[0]["id"], full.papers[1]["id"]]
    assert light.details.damage == (f"{details_file}: details file damaged (not valid JSON): the abstracts after "
                                    "it are not searched; ingest your pages again")


def test_a_cut_off_papers_file_is_refused(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    papers_file = tmp_path / load(store).papers_file
    papers_file.write_bytes(papers_file.read_bytes()[:-30])
    with pytest.raises(StoreError) as error:
        load(store)
    assert str(error.value).startswith(f"{papers_file}: the store's papers file is damaged (")


def test_part_files_written_on_one_line_are_still_read(tmp_path):
    """Schema 3 stores before the line layout wrote each part as one line of JSON."""
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    full = load(store)
    for name in (full.papers_file, full.details_file):
        part = tmp_path / name
        part.write_bytes(json.dumps(json.loads(part.read_text())).encode())
        assert part.read_bytes().count(b"\n") == 0
    assert load(store).papers == full.papers
    light = load(store, with_details=False)
    open_details(store, light)
    assert [light.abstract_of(p) for p in light.papers] == [p["abstract"] for p in full.papers]
    # An ingest into such a store reads its details whole, and writes them a line each.
    ingest(store, [SCHOLARFEED_SMALL])
    again = load(store)
    (abstract,) = [p["abstract"] for p in full.papers if p["arxiv_id"] == "2210.06205"]
    assert [p["abstract"] for p in again.papers if p["arxiv_id"] == "2210.06205"] == [abstract] and abstract
    assert (tmp_path / again.details_file).read_bytes().count(b"\n") == len(again.papers) + 2


def test_the_parsing_spools_each_papers_line_as_stored_form_makes_it(tmp_path):
    import copy

    from store.disk.spans import SpanReader, Spool
    from store.ingest.parsing import _spool_documents
    from store.merging.join import page_records
    from store.records import WORKING_FIELDS, details_doc
    from tests.conftest import RESEARCH_GOOGLE, SCHOLARFEED, parse_seed

    spool, seen = Spool(tmp_path), []
    with SpanReader() as reader:
        for page in (SCHOLARFEED_SMALL, ARXIVER, PAPER_PAGE, RESEARCH_GOOGLE, SCHOLARFEED):
            records = page_records(parse_seed(page), page.name)
            full = copy.deepcopy(records)
            kept = _spool_documents(records, spool)
            assert len(kept) == len(full)
            for record, paper in zip(kept, full, strict=True):
                spans = {"_details_at": record["_details_at"]}
                assert reader.read(record["_details_at"]) == orjson.dumps(details_doc(paper))
                if paper["_related_keys"]:  # kept whole but its abstract: merging resolves its line
                    assert record == {name: paper[name] for name in paper if name != "abstract"} | spans
                    seen.append("related")
                else:
                    # Byte for byte the line a save makes of the paper, and only what merging reads kept.
                    line = reader.read(record["_stored_at"])
                    assert line == orjson.dumps(stored_form(paper))
                    assert record == {name: paper[name] for name in WORKING_FIELDS} | spans | {
                        "_stored_at": record["_stored_at"]}
                    seen.append("own display title" if b'"display_title"' in line else "line")
    # Each kind came by: lines with and without a display title of their own (the
    # untitled papers), and papers listing related ones.
    assert set(seen) == {"related", "own display title", "line"}


def test_an_ingest_reads_the_stored_merge_keys_and_leaves_the_abstracts_on_disk(two_pages):
    store, full = two_pages
    light = load(store, with_details=False, with_papers=False)
    attach_papers(store, light, with_spans=True)
    attach_detail_keys(store, light)
    reader = light.spans
    try:
        assert light.warnings == [] and not any("abstract" in paper for paper in light.papers)
        assert [(p["_keys"], p["_related_keys"]) for p in light.papers] == [
            (p["_keys"], p["_related_keys"]) for p in full.papers]
        # Each span is the paper's whole document in its part file: what a save copies.
        assert [json.loads(reader.read(p["_details_at"])) for p in light.papers] == [
            {"id": p["id"], "abstract": p["abstract"], "keys": p["_keys"], "related": p["_related_keys"]}
            for p in full.papers]
        assert [reader.read(p["_stored_at"]) for p in light.papers] == [
            orjson.dumps(stored_form(p)) for p in full.papers]
        assert {p["_stored_at"][0] for p in light.papers} == {str(store.with_name(full.papers_file))}
        assert [light.abstract_of(p) for p in light.papers] == [p["abstract"] for p in full.papers]
    finally:
        reader.close()


def test_ingesting_again_repairs_a_damaged_part_file_of_the_same_content(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    full = load(store)
    details_file = tmp_path / full.details_file
    details_file.write_bytes(details_file.read_bytes()[:-100])
    assert load(store).warnings  # the abstracts are lost...
    ingest(store, [ARXIVER])
    again = load(store)
    assert again.details_file == full.details_file and again.warnings == []  # ...and back
    assert again.papers == full.papers


def test_detail_keys_counts_each_line_of_another_shape_as_damaged_and_keeps_the_rest(tmp_path):
    from store.disk import parts
    from store.disk.persistence import detail_keys

    good = {"id": "p:1", "abstract": "a", "keys": ["title:one"], "related": []}
    other = {"id": "p:2", "abstract": "b", "keys": ["title:two"], "related": ["title:one"]}
    shapes = [dict(good, id=7), dict(good, keys="title:one"), dict(good, related=None), {"id": "p:3"}]
    side = tmp_path / "store.json.details"
    side.write_bytes(b"".join(piece for batch in parts.lines("details", [good, *shapes, other]) for piece in batch))
    keys = detail_keys(side)
    assert keys.damaged == 4
    assert {paper_id: found[:2] for paper_id, found in keys.found.items()} == {
        "p:1": (["title:one"], []), "p:2": (["title:two"], ["title:one"])}
    data = side.read_bytes()
    offset, length = keys.found["p:2"][2]
    assert orjson.loads(data[offset:offset + length]) == other


def test_an_ingest_into_a_store_with_a_damaged_details_line_keeps_every_other_abstract(
        tmp_path, capsys):
    store, full, details_file = _arxiver_store_with_a_cut_details_line(tmp_path)
    lines = details_file.read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b'"keys":[', b'"keys":"?","was":[', 1)  # the fifth paper's: JSON of another shape
    details_file.write_bytes(b"\n".join(lines))
    assert main(["--store", str(store), "ingest", str(SCHOLARFEED_SMALL)]) == 0
    assert capsys.readouterr().err == (
        f"litbrowse: warning: {details_file}: 2 damaged line(s) in the details file: those papers' abstracts "
        "are lost; ingest their pages again\n")
    after = {paper["id"]: paper["abstract"] for paper in load(store).papers}
    assert len(after) == 12
    assert [after[p["id"]] for p in full.papers] == [
        None if n in (2, 4) else p["abstract"] for n, p in enumerate(full.papers)]


def test_an_ingest_into_a_store_whose_details_file_is_lost_says_so_and_keeps_the_papers(
        tmp_path, capsys):
    store = tmp_path / "store.json"
    ingest(store, [PAPER_PAGE, ARXIVER])
    full = load(store)
    (tmp_path / full.details_file).unlink()
    assert main(["--store", str(store), "ingest", str(SCHOLARFEED_SMALL)]) == 0
    assert capsys.readouterr().err == (
        f"litbrowse: warning: {tmp_path / full.details_file}: details file missing: abstracts are not shown; "
        "ingest your pages again\n")
    after = {paper["id"]: paper for paper in load(store).papers}
    assert set(after) >= {paper["id"] for paper in full.papers}
    # The related papers of the paper page's paper stay, found again by their ids.
    assert after["arxiv:2310.06511"]["related"] == next(
        p for p in full.papers if p["id"] == "arxiv:2310.06511")["related"]


@pytest.mark.parametrize("damage", ["lost", "truncated"])
def test_ingesting_again_after_the_details_file_was_damaged_keeps_ids_unique(tmp_path, damage):
    store = tmp_path / "store.json"
    ingest(store, [SEEDS])
    details = tmp_path / load(store).details_file
    if damage == "lost":
        details.unlink()
    else:
        details.write_bytes(details.read_bytes()[: details.stat().st_size // 3])
    ingest(store, [SEEDS])  # as the warning advises
    papers_file = (tmp_path / load(store).papers_file).read_bytes()
    ids = re.findall(rb'^"\d+":\{"id":"([^"]+)"', papers_file, re.MULTILINE)  # a line a paper
    assert len(ids) == len(set(ids)) == 94
    papers = load(store).papers
    assert len(papers) == 94 and sum(p["abstract"] is not None for p in papers) == 73


@pytest.mark.parametrize("name", ["../../etc/passwd", 7, ["a"], "sub/dir", "", None, "other.json.papers.x"])
def test_a_part_name_that_is_not_a_file_beside_the_store_is_refused(tmp_path, capsys, name):
    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    raw = json.loads(store.read_text())
    papers_file = raw["_meta"]["1"]["papers"]
    if name is None:
        del raw["_meta"]["1"]["papers"]
    else:
        raw["_meta"]["1"]["papers"] = name
    store.write_text(json.dumps(raw))
    shown = repr(name) if isinstance(name, str) else "missing" if name is None else type(name).__name__
    reason = (f"litbrowse: {store}: the '_meta' table names no papers file beside the store ({shown}): move the "
              "file aside (or restore its .bak copy) and ingest your pages again\n")
    assert main(["--store", str(store), "papers"]) == 1
    assert capsys.readouterr().err == reason
    assert main(["--store", str(store), "ingest", str(SCHOLARFEED_SMALL)]) == 1
    assert capsys.readouterr().err == reason
    assert (tmp_path / papers_file).exists()  # the papers are never deleted


def test_a_read_of_an_old_store_in_a_folder_it_cannot_write_works(tmp_path, capsys, monkeypatch):
    store = tmp_path / "ro" / "store.json"
    ingest(store, [ARXIVER])
    current = load(store)
    raw = {"papers": {str(n): p for n, p in enumerate(current.papers, start=1)},
           "authors": {str(n): a for n, a in enumerate(current.authors, start=1)}}
    for part in store.parent.iterdir():
        part.unlink()
    store.write_text(json.dumps(raw))

    def read_only(*args, **kwargs):  # as on a read-only filesystem, even for root
        raise PermissionError(30, "Read-only file system")

    monkeypatch.setattr("shutil.copy2", read_only)
    monkeypatch.setattr("store.disk.storage.atomic_write", read_only)
    assert main(["--store", str(store), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["papers"] == len(current.papers)
