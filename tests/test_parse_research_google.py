from store.formats import parse_text
from tests.conftest import RESEARCH_GOOGLE, parse_seed


def test_owner_and_titled_entries():
    page = parse_seed(RESEARCH_GOOGLE)
    assert page.format == "research.google"
    assert page.owner == "Seungyeon Kim"
    assert len(page.entries) == 18
    first = page.entries[0]
    assert first.title == "Supervision complexity and its role in knowledge distillation"
    # The owner is an author but not listed: added after the co-authors.
    assert first.authors == ["Hrayr Harutyunyan", "Aditya Krishna Menon", "Seungyeon Kim"]
    assert first.authors_complete is False
    assert (first.venue, first.year, first.date) == ("International Conference on Learning Representations", 2023, None)


def test_untitled_entries_keep_their_abstract():
    entries = parse_seed(RESEARCH_GOOGLE).entries
    untitled = [e for e in entries if e.title is None]
    assert len(untitled) == 5
    assert untitled[0].abstract.startswith("Large deep learning models have achieved state-of-the-art")
    assert not untitled[0].abstract.endswith("View details")
    assert untitled[0].authors == ["Seungyeon Kim"] and untitled[0].venue is None


def test_venue_forms_and_entries_without_abstract():
    entries = {e.title: e for e in parse_seed(RESEARCH_GOOGLE).entries if e.title}
    robustness = entries["Evaluations and Methods for Explanation through Robustness Analysis"]
    assert (robustness.venue, robustness.year) == (None, 2021)
    assert len(robustness.authors) == 6
    llorma = entries["LLORMA: Local Low-Rank Matrix Approximation"]
    assert llorma.venue == "Journal of Machine Learning Research (JMLR), vol. 17"
    assert llorma.year == 2016
    icml = entries["A statistical perspective on distillation"]
    assert icml.year == 2021
    sparse = entries["Local Context Sparse Coding"]
    assert sparse.abstract is None and sparse.authors == ["Guy Lebanon", "Haesun Park", "Seungyeon Kim"]
    last = entries["Automatic Feature Induction for Stagewise Collaborative Filtering"]
    assert (last.authors, last.year) == (["Mingxuan Sun", "Guy Lebanon", "Seungyeon Kim"], 2012)


def test_bio_and_a_last_publication_without_venue_or_abstract():
    text = (
        "Jump to Content\nGrace Hopper\n\nGrace Hopper\nCompilers and more.\n"
        "Authored Publications\nSort By\n  • Title\n  • Year\n"
        "    A Compiler Paper\n    Howard Aiken\n    Journal of Compilers (1952)\n"
        "    Preview abstract Compilers translate. View details\n"
        "    Unfinished Paper\n    Someone Else\n"
    )
    page = parse_text(text)
    assert page.owner == "Grace Hopper"
    assert page.profile.bio == "Compilers and more."
    assert [(e.title, e.authors, e.year, e.abstract) for e in page.entries] == [
        ("A Compiler Paper", ["Howard Aiken", "Grace Hopper"], 1952, "Compilers translate."),
        ("Unfinished Paper", ["Someone Else", "Grace Hopper"], None, None),
    ]
    assert page.warnings == []
    # Saved without its end, the page may have lost part of its last name: it is dropped.
    cut = parse_text(text.rstrip("\n")[: -len(" Else")])
    assert [(e.title, e.authors) for e in cut.entries][-1] == ("Unfinished Paper", ["Grace Hopper"])
    assert cut.warnings == ["the page is cut off in the authors of 'Unfinished Paper': the last name dropped"]
