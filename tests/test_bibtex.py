"""BibTeX that a BibTeX parser (pybtex) reads back field for field, whatever the pages hold."""

from __future__ import annotations

import re

import pytest
from pybtex.database import parse_string

from store.disk.persistence import load
from store.export.bibtex import cite_keys, latex, to_bibtex, to_bibtex_file
from store.ingest.pipeline import ingest
from tests.conftest import SEEDS
from tests.test_real_pages import ROOT

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _papers(tmp_path, *folders):
    store = tmp_path / "store.json"
    ingest(store, list(folders))
    return load(store).papers


def _read_back(text: str):
    return parse_string(text, "bibtex").entries


def _unbraced(value: str) -> str:
    return value.replace("{", "").replace("}", "")


def test_every_sample_and_real_paper_reads_back(tmp_path):
    folders = [SEEDS] + ([ROOT] if ROOT.is_dir() else [])
    papers = _papers(tmp_path, *folders)
    keys = cite_keys(papers)
    assert len(set(keys.values())) == len(papers)  # a key for each paper, none twice
    entries = _read_back(to_bibtex_file(papers, keys))
    assert len(entries) == len(papers)
    for paper in papers:
        entry = entries[keys[paper["id"]]]
        if paper.get("title"):
            assert _unbraced(entry.fields["title"]) == _unbraced(latex(paper["title"]))
        else:
            assert "title" not in entry.fields  # no invented title
        # One person a name ('and others' one more): no name is split or joined with another.
        others = 0 if paper["authors_complete"] or not paper["authors"] else 1
        assert len(entry.persons.get("author", [])) == len(paper["authors"]) + others
        if paper.get("arxiv_id"):
            assert (entry.fields["eprint"], entry.fields["archiveprefix"]) == (paper["arxiv_id"], "arXiv")
        if paper.get("year"):
            assert entry.fields["year"] == str(paper["year"])
        assert "(to appear)" not in entry.fields.get("booktitle", "")


def test_types_months_and_venues():
    base = {"id": "p:1", "title": "T", "display_title": "T", "authors": ["Ada Lovelace"], "authors_complete": True,
            "year": 2024, "date": "2024-02-03", "date_inferred": False}
    journal = to_bibtex({**base, "venue": "Journal of Machine Learning Research (JMLR), vol. 17 (2016), pp. 1-24"})
    assert journal.startswith("@article{lovelace2024t,\n")
    fields = _read_back(journal)["lovelace2024t"].fields
    assert (fields["journal"], fields["month"]) == ("Journal of Machine Learning Research (JMLR), vol. 17", "February")
    conference = _read_back(to_bibtex({**base, "venue": "International Conference on Learning Representations "
                                                         "(2023) (to appear)"}))
    [entry] = conference.values()
    assert entry.type == "inproceedings"
    assert entry.fields["booktitle"] == "International Conference on Learning Representations"
    preprint = _read_back(to_bibtex({**base, "arxiv_id": "2401.00001", "category": "cs.LG"}))
    [entry] = preprint.values()
    assert (entry.type, entry.fields["eprint"], entry.fields["primaryclass"]) == ("misc", "2401.00001", "cs.LG")
    inferred = to_bibtex({**base, "date_inferred": True})
    assert "month" not in inferred


HOSTILE = [
    {"url": "https://x.example/a}, title={Injected Title}, note={x"},
    {"title": "A title ending in a backslash \\"},
    {"title": "Braces { never } closed } or { opened"},
    {"title": "Escape \x1b]52;c;ZXZpbA==\x07 and bell \x07 and C1 \x9b\x9d"},
    {"title": "\\input{/etc/passwd} \\def\\x{y} \\write18{rm -rf}"},
    {"title": "Costs $5 and 100% of #1 & co_op ~ ^"},
    {"authors": ["Smith and Jones", "Doe, Jane", "Eve } Evil"]},
    {"abstract": "An abstract with \\textit{Point Prompter} and $K$ kept, and \\{ a lone escaped brace"},
]


@pytest.mark.parametrize("change", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_never_breaks_an_entry(change):
    paper = {"id": "p:1", "title": "Plain", "display_title": "Plain", "authors": ["Ada Lovelace"],
             "authors_complete": True, "year": 2024, **change}
    text = to_bibtex(paper, "key")
    assert not CONTROL.search(text.replace("\n", ""))
    entries = _read_back(text)  # no DuplicateField, no unbalanced braces
    fields = entries["key"].fields
    assert set(fields) <= {"title", "author", "year", "url", "abstract"}
    assert "Injected" not in fields.get("title", "")
    if "url" in change:
        assert fields["url"].startswith("https://x.example/a%7D,%20title=%7BInjected")


def test_latex_the_pages_hold_is_kept():
    assert latex("\\textit{Point Prompter} with $K$ and \\&") == "\\textit{Point Prompter} with $K$ and \\&"
    assert latex("ends in \\") == "ends in \\textbackslash{}"
    assert latex("\\input{x}") == "\\textbackslash{}input{x}"


def test_keys_are_unique_and_stable():
    papers = [{"id": f"p:{n}", "title": "Deep Reading", "authors": ["Ada Lovelace"], "year": 2024} for n in (3, 1, 2)]
    assert cite_keys(papers) == {"p:1": "lovelace2024deepa", "p:2": "lovelace2024deepb", "p:3": "lovelace2024deepc"}
    assert cite_keys(reversed(papers)) == cite_keys(papers)
    assert cite_keys([{"id": "p:9", "title": None, "authors": [], "year": None}]) == {"p:9": "anonnduntitled"}
