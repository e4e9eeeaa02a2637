import os
import random
import shutil
import tempfile
from collections import defaultdict
from functools import cache
from itertools import pairwise
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.disk.persistence import load
from store.ingest.pipeline import ingest
from store.merging.join import entry_record
from store.model import PAPER_FIELDS
from store.pages.entry import Entry
from tests.conftest import ARXIVER, PAPER_PAGE, RESEARCH_GOOGLE, SCHOLARFEED, SCHOLARFEED_SMALL, SEEDS

ALL = [SCHOLARFEED_SMALL, ARXIVER, PAPER_PAGE, RESEARCH_GOOGLE, SCHOLARFEED]


def papers_by_title(data):
    return {p["title"]: p for p in data.papers if p["title"]}


def test_a_page_entry_becomes_a_record_with_every_field_it_gives_in_the_stored_order():
    related = Entry(title="A Related Paper", arxiv_id="2101.00002", owned=False)
    full = Entry(title="Sparse  Kernels", authors=["Ada Lovelace", "Alan Turing"], authors_complete=False,
                 date="2021-03-04", year=2021, date_inferred=True, arxiv_id="2103.01234",
                 url="https://arxiv.org/abs/2103.01234", code_url="https://github.com/a/b", venue="ICML 2021",
                 category="LG", affiliations=["MIT"], abstract="We study kernels.", summary="Kernels, sparsely.",
                 score=7.5, comments="12 pages", has_code=True, related=[related])
    record = entry_record(full, "page.txt", ["title:sparse kernels", "arxiv:2103.01234"], {})
    assert list(record) == [*PAPER_FIELDS, "_owned_on", "_keys", "_related_keys"]
    assert record == {
        "id": "arxiv:2103.01234", "title": "Sparse  Kernels", "display_title": "Sparse  Kernels",
        "authors": ["Ada Lovelace", "Alan Turing"], "authors_complete": False, "date": "2021-03-04",
        "year": 2021, "date_inferred": True, "arxiv_id": "2103.01234", "url": "https://arxiv.org/abs/2103.01234",
        "code_url": "https://github.com/a/b", "has_code": True, "venue": "ICML 2021", "category": "LG",
        "affiliations": ["MIT"], "abstract": "We study kernels.", "summary": "Kernels, sparsely.", "score": 7.5,
        "comments": "12 pages", "related": [], "sources": ["page.txt"], "_owned_on": ["page.txt"],
        "_keys": ["arxiv:2103.01234", "title:sparse kernels"], "_related_keys": ["arxiv:2101.00002"]}
    # A page that gives little: the rest is None (empty text too), the year alone is kept.
    bare = entry_record(Entry(title="Untold", year=2019, venue="", owned=False), "p.txt", ["title:untold"], {})
    assert bare == {
        "id": bare["id"], "title": "Untold", "display_title": "Untold", "authors": [], "authors_complete": True,
        "date": None, "year": 2019, "date_inferred": False, "arxiv_id": None, "url": None, "code_url": None,
        "has_code": False, "venue": None, "category": None, "affiliations": [], "abstract": None,
        "summary": None, "score": None, "comments": None, "related": [], "sources": ["p.txt"], "_owned_on": [],
        "_keys": ["title:untold"], "_related_keys": []}
    assert bare["id"].startswith("p:") and len(bare["id"]) == 14


def test_same_arxiv_paper_on_two_pages_is_one_record(seeded_store):
    data = load(seeded_store)
    paper = papers_by_title(data)["Self-Supervised Dataset Distillation for Transfer Learning"]
    assert paper["id"] == "arxiv:2310.06511"
    assert paper["sources"] == ["000_c0060800e6c2eeb8.txt", "002_a33d55ea117c81c2.txt"]
    # The complete author list of the paper page beats the scholarfeed 'et al.' list.
    assert paper["authors"][-1] == "Sung Ju Hwang" and len(paper["authors"]) == 6
    assert paper["authors_complete"] is True
    assert (paper["date"], paper["category"], paper["score"]) == ("2023-10-10", "LG", 77.4714995131992)
    assert len(paper["related"]) == 18
    assert len(data.papers) == 94


def test_similar_titles_stay_apart(seeded_store):
    titles = papers_by_title(load(seeded_store))
    assert titles["LLORMA: Local Low-Rank Matrix Approximation"]["id"] != \
        titles["Local Low-Rank Matrix Approximation"]["id"]


def test_name_spellings_are_one_person_with_aliases(seeded_store):
    authors = {a["id"]: a for a in load(seeded_store).authors}
    shin = authors["a:seungjaeshin"]
    assert shin["aliases"] == ["Seung jae Shin", "Seungjae Shin"]
    assert authors["a:yoonyeongkim"]["aliases"] == ["Yoon-Yeong Kim", "YoonYeong Kim"]


def test_owner_linked_to_every_paper_and_untitled_display_title(seeded_store):
    data = load(seeded_store)
    authors = {a["id"]: a for a in data.authors}
    kim = authors["a:seungyeonkim"]
    assert kim["owner"] is True and len(kim["papers"]) == 18
    song = authors["a:kyungwoosong"]
    assert len(song["papers"]) == 46 and song["profile"]["h_index"] == 13
    assert song["profile"]["source"] == "004_87569abedee599f0.txt"
    untitled = [p for p in data.papers if p["title"] is None and p["arxiv_id"] is None]
    assert len(untitled) == 5
    assert all(p["display_title"] and p["id"] in kim["papers"] for p in untitled)
    arxiver = next(p for p in data.papers if p["arxiv_id"] == "2210.06205")
    assert arxiver["display_title"] == (
        "arXiv:2210.06205 — A Bayesian pseudocoreset is a small synthetic dataset for which the posterior over…"
    )


def test_every_paper_reachable_and_unnamed_pages_have_entries(seeded_store):
    data = load(seeded_store)
    reachable = {pid for a in data.authors for pid in a["papers"]}
    assert reachable == {p["id"] for p in data.papers}
    pages = {a["id"]: a for a in data.authors if a["kind"] == "page"}
    assert set(pages) == {"page:001_f1ad0fc9ee248bb1.txt", "page:002_a33d55ea117c81c2.txt"}
    assert len(pages["page:001_f1ad0fc9ee248bb1.txt"]["papers"]) == 10
    assert pages["page:001_f1ad0fc9ee248bb1.txt"]["name"] is None


def test_reingest_changes_nothing(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [SEEDS])
    before = store.read_bytes()
    files = {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in tmp_path.glob("store.json*")}
    report = ingest(store, [SEEDS])
    assert report.papers_before == report.papers_after == 94
    assert store.read_bytes() == before
    # Not a byte rewritten: an app watching the store is not told it changed.
    assert {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in tmp_path.glob("store.json*")} == files


def test_order_independence(tmp_path):
    forward, backward = tmp_path / "a.json", tmp_path / "b.json"
    for path in ALL:
        ingest(forward, [path])
    shuffled = ALL[:]
    random.Random(7).shuffle(shuffled)
    ingest(backward, [shuffled[0], shuffled[1]])
    ingest(backward, shuffled[2:])
    one, other = load(forward), load(backward)
    assert (one.papers, one.authors, one.pages) == (other.papers, other.authors, other.pages)
    assert one.details_file.split(".")[-1] == other.details_file.split(".")[-1]
    assert one.papers_file.split(".")[-1] == other.papers_file.split(".")[-1]


def test_title_only_record_gains_arxiv_id_later(tmp_path):
    """A paper first seen without an id is renamed when its id arrives, and links follow."""
    store = tmp_path / "store.json"
    ingest(store, [SCHOLARFEED_SMALL])
    assert any(p["id"].startswith("p:") for p in load(store).papers)
    ingest(store, [PAPER_PAGE])
    data = load(store)
    ids = {p["id"] for p in data.papers}
    joonho = next(a for a in data.authors if a["id"] == "a:joonhoko")
    assert "arxiv:2310.06511" in joonho["papers"]
    assert set(joonho["papers"]) <= ids


def test_a_stored_paper_whose_related_paper_is_renamed_lists_the_new_id(tmp_path):
    """An ingest copies the stored line of a paper it leaves alone, unless the line is
    out of date: here a related paper gains an arXiv id (and so a new id) from a page
    on which it is the main paper, and the paper listing it must say so."""
    main_title = "Self-Supervised Dataset Distillation for Transfer Learning"
    related_title = "SAIL: Self-Amplified Iterative Learning for Diffusion Model Alignment with Minimal Human Feedback"
    sail_page = tmp_path / "sail.txt"
    sail_page.write_text(PAPER_PAGE.read_text().replace(main_title, related_title).replace("2310.06511", "2502.00001")
                         .replace("12 Apr 2024", "5 Feb 2026"))  # the year the related papers list gives it
    store = tmp_path / "store.json"
    ingest(store, [PAPER_PAGE])
    before = {p["id"]: p for p in load(store).papers}
    (old_sail_id,) = [i for i, p in before.items() if p["title"] == related_title]
    assert old_sail_id.startswith("p:") and old_sail_id in before["arxiv:2310.06511"]["related"]

    ingest(store, [sail_page])
    after = {p["id"]: p for p in load(store).papers}
    listed = after["arxiv:2310.06511"]["related"]
    assert "arxiv:2502.00001" in listed and old_sail_id not in listed and set(listed) <= set(after)
    # The same store as both pages ingested at once, to the byte.
    once = tmp_path / "once" / "store.json"
    ingest(once, [PAPER_PAGE, sail_page])
    assert store.read_bytes() == once.read_bytes()


def test_copy_of_a_page_under_another_name_adds_a_source_not_papers(tmp_path):
    store = tmp_path / "store.json"
    copy = tmp_path / "copy.txt"
    shutil.copy(SCHOLARFEED_SMALL, copy)
    ingest(store, [SCHOLARFEED_SMALL, copy])
    data = load(store)
    assert len(data.papers) == 2
    assert all(p["sources"] == ["000_c0060800e6c2eeb8.txt", "copy.txt"] for p in data.papers)


def test_catalog_finds_exactly_the_author_entries_that_list_each_paper(seeded_store):
    from store.catalog import build_catalog

    data = load(seeded_store)
    catalog = build_catalog(data)
    listing: dict[str, set[str]] = {}
    for author in data.authors:
        for paper_id in author["papers"]:
            listing.setdefault(paper_id, set()).add(author["id"])
    assert len(listing) == len(data.papers) == 94
    for paper in data.papers:
        assert {a["id"] for a in catalog.authors_of(paper)} == listing[paper["id"]], paper["id"]


def _scholarfeed_page(path, owner, title, abstract):
    entry = f"LGMar 3, 2021\n{title}\n\n{owner}, Ada Lovelace\n\n{abstract}\n"
    path.write_text(f"{owner}\n\nh-index3\n\n1 Papers\n\n{entry}")


def test_a_stored_papers_abstract_left_on_disk_still_counts_when_a_new_page_joins_it(tmp_path):
    """An ingest keeps the stored abstracts on disk; a paper it joins reads its own back."""
    long = "We scale kernel ridge regression to a billion points with random features and preconditioning."
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    _scholarfeed_page(first, "Grace Hopper", "Kernel Ridge Regression at Scale", long)
    _scholarfeed_page(second, "Alan Turing", "Kernel ridge regression at scale", "Kernel ridge regression, scaled.")
    one_by_one, together = tmp_path / "a.json", tmp_path / "b.json"
    ingest(one_by_one, [first])
    ingest(one_by_one, [second])
    ingest(together, [first, second])
    (paper,) = load(one_by_one).papers
    assert (paper["abstract"], paper["sources"]) == (long, ["first.txt", "second.txt"])
    assert load(together).papers == [paper]


def test_a_paper_whose_details_line_is_damaged_keeps_its_related_papers_through_an_ingest(tmp_path):
    store = tmp_path / "store.json"
    ingest(store, [PAPER_PAGE])
    before = {p["id"]: p for p in load(store).papers}
    assert len(before["arxiv:2310.06511"]["related"]) == 18
    details_file = tmp_path / load(store).details_file
    lines = details_file.read_bytes().split(b"\n")
    (damaged,) = [n for n, line in enumerate(lines) if b'{"id":"arxiv:2310.06511"' in line]
    lines[damaged] = lines[damaged][:60]
    details_file.write_bytes(b"\n".join(lines))
    report = ingest(store, [ARXIVER])  # a page without that paper
    assert len(report.warnings) == 1
    after = {p["id"]: p for p in load(store).papers}
    assert after["arxiv:2310.06511"]["related"] == before["arxiv:2310.06511"]["related"]
    assert after["arxiv:2310.06511"]["abstract"] is None  # what the damaged line held is lost


@cache
def _all_at_once() -> bytes:
    """The main file of a store that ingested every sample page in one go (it names its parts by content)."""
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store.json"
        ingest(store, ALL)
        return store.read_bytes()


# Each example runs up to five ingests; HYPOTHESIS_EXAMPLES raises it for a deeper run.
@settings(max_examples=max(20, int(os.environ.get("HYPOTHESIS_EXAMPLES", "0")) // 10), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(order=st.permutations(ALL), cuts=st.sets(st.integers(1, len(ALL) - 1)))
def test_any_order_and_grouping_of_ingests_makes_the_same_store_to_the_byte(tmp_path_factory, order, cuts):
    """Later ingests copy the stored details and join papers whose abstracts stay on disk;
    the store must still be the one a single ingest of every page makes."""
    store = tmp_path_factory.mktemp("store") / "store.json"
    bounds = [0, *sorted(cuts), len(order)]
    for start, end in pairwise(bounds):
        ingest(store, order[start:end])
    assert store.read_bytes() == _all_at_once()


def test_pages_parsed_on_every_core_make_the_same_store_and_reports(tmp_path, monkeypatch):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    pages = [*ALL, bad]
    serial, parallel = tmp_path / "serial.json", tmp_path / "parallel.json"
    serial_report = ingest(serial, pages, parallel=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    parallel_report = ingest(parallel, pages, parallel=True)
    assert parallel_report.files == serial_report.files and parallel_report.files[-1].error == (
        "binary file, not a text page")
    assert [(f.path, f.papers) for f in parallel_report.files[:2]] == [(str(ALL[0]), 2), (str(ARXIVER), 10)]
    assert parallel.read_bytes().replace(b"parallel.json", b"serial.json") == serial.read_bytes()
    # The spool folder beside the store is gone.
    assert [path.name for path in tmp_path.iterdir() if ".spool-" in path.name] == []


def _profile_page(owner: str, *entries: tuple[str, str, str]) -> str:
    """A scholarfeed profile of (date line, title, author line) entries."""
    body = "".join(f"{date}\n{title}\n\n{authors}\n\nAn abstract of {title} by {authors}.\n\n"
                   for date, title, authors in entries)
    return f"{owner}\nh-index1\n\n{body}"


def test_one_title_is_one_paper_only_when_its_authors_and_years_agree(tmp_path):
    (tmp_path / "a.txt").write_text(_profile_page(
        "Ana Lima", ("CLMar 1, 2020", "Deep Reading", "Ana Lima, Lin Wu"),
        ("CLMar 1, 2021", "Introduction", "Ana Lima")))
    (tmp_path / "b.txt").write_text(_profile_page(
        "Lin Wu", ("CLMay 1, 2021", "Deep Reading", "L. Wu, Ana Lima"),  # the same paper, a year on
        ("CLMar 1, 2021", "Introduction", "Lin Wu")))  # another paper of the same title by another person
    (tmp_path / "c.txt").write_text(_profile_page(
        "Otto Berg", ("CLMar 1, 2024", "Deep Reading", "Otto Berg, Ana Lima")))  # three years later: another
    store = tmp_path / "store.json"
    ingest(store, sorted(tmp_path.glob("*.txt")))
    papers = load(store).papers
    by_title = defaultdict(list)
    for paper in papers:
        by_title[paper["title"]].append(paper)
    assert sorted((p["year"], p["authors"]) for p in by_title["Deep Reading"]) == [
        (2020, ["Ana Lima", "Lin Wu"]), (2024, ["Otto Berg", "Ana Lima"])]
    assert sorted(p["authors"] for p in by_title["Introduction"]) == [["Ana Lima"], ["Lin Wu"]]
    assert len({p["id"] for p in papers}) == len(papers) == 4
    # The same store whatever order the pages come in.
    again = tmp_path / "again" / "store.json"
    for page in sorted(tmp_path.glob("*.txt"), reverse=True):
        ingest(again, [page])
    assert sorted((p["id"], p["title"], p["authors"]) for p in load(again).papers) == sorted(
        (p["id"], p["title"], p["authors"]) for p in papers)


def test_a_title_without_authors_joins_the_paper_of_that_title(tmp_path):
    (tmp_path / "a.txt").write_text(_profile_page("Ana Lima", ("CLMar 1, 2020", "Deep Reading", "Ana Lima, Lin Wu")))
    (tmp_path / "b.txt").write_text("Deep Reading\nThis helps readers.\nThe paper reads deeply.\nWe read deeply.\n")
    store = tmp_path / "store.json"
    ingest(store, sorted(tmp_path.glob("*.txt")))
    [paper] = load(store).papers
    assert (paper["authors"], paper["summary"], paper["sources"]) == (
        ["Ana Lima", "Lin Wu"], "This helps readers.\n\nThe paper reads deeply.", ["a.txt", "b.txt"])


def test_pages_of_one_file_name_in_two_folders_are_two_sources(tmp_path):
    for folder, owner in (("a", "Ana Lima"), ("b", "Lin Wu")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.txt").write_text(_profile_page(
            owner, ("CLMar 1, 2020", f"A Paper by {owner}", owner)))
    store = tmp_path / "store.json"
    ingest(store, [tmp_path / "a" / "page.txt"])
    ingest(store, [tmp_path / "b" / "page.txt"])
    data = load(store)
    assert sorted(data.pages) == ["b/page.txt", "page.txt"]
    owners = {a["name"]: (a["owner"], a["profile"] is not None, len(a["papers"])) for a in data.authors}
    assert owners == {"Ana Lima": (True, True, 1), "Lin Wu": (True, True, 1)}
    # The same page again is the same source: nothing new.
    ingest(store, [tmp_path / "a" / "page.txt", tmp_path / "b" / "page.txt"])
    assert sorted(load(store).pages) == ["b/page.txt", "page.txt"]
    assert len(load(store).papers) == 2
