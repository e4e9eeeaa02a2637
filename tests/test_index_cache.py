"""The search index kept beside the store (store/search/kept_index.py): read back, it answers
exactly as the index built; it is kept by whoever built it whole, read instead of built,
and never read when it is damaged or indexes other part files."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

import store.search.kept_index as index_cache
from store.disk.persistence import load, open_details
from store.ingest.pipeline import ingest
from store.search.kept_index import cache_name, load_index, save_index
from store.search.ranking import SearchIndex
from tests.conftest import SCHOLARFEED_SMALL, SEEDS
from tui.cli import main

pytestmark = pytest.mark.kept_index

QUERIES = [
    "grahp perciever", "kernal spectral mixture", "lowrank local aproximation", "author:lebanon",
    "year:2019-2022 distillation", "cat:LG robust", '"dataset distillation"', "2210.06205",
    "pseudocorset", "fewshot", "concept vectr", "ko", "binary-coding quantization",
]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kept") / "store.json"
    ingest(path, [SEEDS])
    return path


@pytest.fixture
def store(sample_store: Path, tmp_path: Path) -> Path:
    """A copy of the sample store, without a kept index."""
    for file in sample_store.parent.iterdir():
        if ".index." not in file.name:
            shutil.copy2(file, tmp_path / file.name)
    return tmp_path / sample_store.name


def opened(store: Path):
    data = load(store, with_details=False)
    open_details(store, data)
    return data


def built(store: Path) -> SearchIndex:
    data = opened(store)
    index = SearchIndex(data.papers, with_abstracts=False, abstract_of=data.abstract_of)
    index.add_abstracts(data.details.abstracts())
    return index


def answers(index: SearchIndex) -> list[list[tuple]]:
    return [[(r.paper["id"], round(r.score, 6), r.field, r.spans) for r in index.search(query, limit=20)]
            for query in QUERIES]


def kept_files(store: Path) -> list[str]:
    return sorted(file.name for file in store.parent.iterdir() if ".index." in file.name)


def test_a_kept_index_answers_exactly_as_the_one_built(store):
    index = built(store)
    save_index(store, opened(store), index)
    assert kept_files(store) == [cache_name(store, *_parts(store))]
    kept = load_index(store, opened(store))
    assert kept is not None and kept.has_abstracts
    assert [p["id"] for p in kept.papers] == [p["id"] for p in index.papers]
    assert answers(kept) == answers(index)
    assert all(answers(index))  # every query finds something: the comparison says something


def _parts(store: Path) -> tuple[str | None, str | None]:
    data = load(store, with_papers=False, with_details=False)
    return data.papers_file, data.details_file


def test_the_kept_index_is_read_instead_of_built(store, monkeypatch, capsys):
    save_index(store, opened(store), built(store))
    expected = answers(load_index(store, opened(store)))

    def never(*args, **kwargs):
        raise AssertionError("the index was built again")

    monkeypatch.setattr(SearchIndex, "__init__", never)
    assert answers(load_index(store, opened(store))) == expected
    assert main(["--store", str(store), "search", "grahp perciever", "--limit", "1"]) == 0
    assert "Graph Perceiver IO" in capsys.readouterr().out


def test_a_search_keeps_the_index_it_built_and_keeps_it_again_once_it_read_the_abstracts(store, capsys):
    assert main(["--store", str(store), "search", "graph perceiver", "--limit", "1"]) == 0
    assert "Graph Perceiver IO" in capsys.readouterr().out
    kept = load_index(store, opened(store))  # answered from the titles: kept without the abstracts
    assert kept is not None and not kept.has_abstracts
    assert main(["--store", str(store), "search", "distillation", "--limit", "90"]) == 0
    first = capsys.readouterr().out
    assert kept_files(store) == [cache_name(store, *_parts(store))]
    kept = load_index(store, opened(store))
    assert kept is not None and kept.has_abstracts
    assert main(["--store", str(store), "search", "distillation", "--limit", "90"]) == 0
    assert capsys.readouterr().out == first


def test_a_search_that_needs_the_abstracts_keeps_its_index_once_with_them(store, monkeypatch, capsys):
    kept = []
    real_save = index_cache.save_index
    monkeypatch.setattr(index_cache, "save_index", lambda *args: kept.append(args[2].has_abstracts) or real_save(*args))
    assert main(["--store", str(store), "search", "distillation", "--limit", "90"]) == 0
    assert kept == [True]  # not the titles' index first, then again with the abstracts


@pytest.mark.parametrize("damage", ["a byte changed", "cut short", "empty", "another file"])
def test_a_damaged_kept_index_is_not_read_and_the_search_still_answers(store, damage, capsys):
    assert main(["--store", str(store), "search", "distillation", "--limit", "90"]) == 0
    expected = capsys.readouterr().out
    (kept,) = kept_files(store)
    path = store.with_name(kept)
    raw = bytearray(path.read_bytes())
    if damage == "a byte changed":
        raw[len(raw) // 2] ^= 0x01
    elif damage == "cut short":
        raw = raw[: len(raw) * 2 // 3]
    elif damage == "empty":
        raw = bytearray()
    else:
        raw = bytearray(SCHOLARFEED_SMALL.read_bytes())
    path.write_bytes(bytes(raw))
    assert load_index(store, opened(store)) is None
    assert main(["--store", str(store), "search", "distillation", "--limit", "90"]) == 0
    assert capsys.readouterr().out == expected
    assert load_index(store, opened(store)) is not None  # built again, and kept in its place


def test_an_ingest_that_changes_the_papers_removes_the_kept_index_and_one_that_does_not_keeps_it(store):
    save_index(store, opened(store), built(store))
    kept = kept_files(store)
    ingest(store, [SCHOLARFEED_SMALL])  # pages already in the store: nothing changes
    assert kept_files(store) == kept and load_index(store, opened(store)) is not None
    page = store.parent / "more.txt"
    page.write_text(SCHOLARFEED_SMALL.read_text().replace("Self-Supervised Dataset Distillation",
                                                         "Unsupervised Dataset Condensation"))
    ingest(store, [page])
    assert kept_files(store) == []
    assert load_index(store, opened(store)) is None


def test_an_index_that_cannot_be_written_is_left_unwritten(store, monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(index_cache.tempfile, "mkstemp", refused)
    save_index(store, opened(store), built(store))
    assert kept_files(store) == []
    assert [f for f in store.parent.iterdir() if f.name.endswith(".tmp")] == []


def test_other_search_code_or_other_part_files_name_another_index(store, monkeypatch):
    papers, details = _parts(store)
    name = cache_name(store, papers, details)
    assert name is not None and name.startswith("store.json.index.")
    assert cache_name(store, papers, details + "x") != name
    monkeypatch.setattr(index_cache, "INDEX_FORMAT", index_cache.INDEX_FORMAT + 1)
    index_cache._code_digest.cache_clear()
    try:
        assert cache_name(store, papers, details) != name
    finally:
        monkeypatch.undo()
        index_cache._code_digest.cache_clear()
    assert cache_name(store, papers, details) == name


async def indexed(app) -> None:
    while not (app.search_index and app.search_index.has_abstracts):
        await asyncio.sleep(0.01)
    while any(worker.group == "load" and not worker.is_finished for worker in app.workers):
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("kept_before", ["nothing", "the titles' index"])
async def test_the_app_keeps_the_index_it_built_and_reads_it_the_next_time(store, monkeypatch, kept_before):
    from tui.app import LitbrowseApp

    if kept_before != "nothing":  # as a title search keeps it: the app adds the abstracts
        data = opened(store)
        save_index(store, data, SearchIndex(data.papers, with_abstracts=False))
        assert not load_index(store, opened(store)).has_abstracts
    # When the abstracts start to be indexed, the titles' index is kept already: an app
    # closed before they are in has it next time.
    kept_when_abstracts_started = []
    real_add_abstracts = SearchIndex.add_abstracts

    def add_abstracts(index, abstracts=None, cancelled=None):
        kept = load_index(store, opened(store))
        kept_when_abstracts_started.append(kept is not None and not kept.has_abstracts)
        return real_add_abstracts(index, abstracts, cancelled)

    monkeypatch.setattr(SearchIndex, "add_abstracts", add_abstracts)
    app = LitbrowseApp(store, watch_store=False)
    async with app.run_test(size=(120, 40)):
        await asyncio.wait_for(indexed(app), timeout=30)
    assert kept_when_abstracts_started == [True]
    assert kept_files(store) == [cache_name(store, *_parts(store))]
    assert load_index(store, opened(store)).has_abstracts
    monkeypatch.undo()

    def never(*args, **kwargs):
        raise AssertionError("the index was built again")

    monkeypatch.setattr(SearchIndex, "__init__", never)
    app = LitbrowseApp(store, watch_store=False)
    async with app.run_test(size=(120, 40)):
        await asyncio.wait_for(indexed(app), timeout=30)
        assert [r.paper["display_title"] for r in app.search_index.search("grahp perciever", limit=1)] == [
            "Graph Perceiver IO: A General Architecture for Graph Structured Data"]
