from store.pages import parse_text
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


PLAIN_LAYOUT = (
    "Jump to Content\nAna Lima\n"
    "Ana studies how people read papers.\n"
    "Research Areas\nHuman-Computer Interaction and Visualization\nMachine Intelligence\n"
    "Authored Publications\nGoogle Publications\nOther Publications\nSort By\n"
    "Title\nTitle, desc\nYear\nYear, desc\n"
    "Reading Papers Together\nLin Wu\nHoward Aiken\nACM(2024)\nPreview abstract\n"
    "We read papers together and find it helps.\nView details\n"
    "Preview abstract\nAn untitled entry's abstract.\nView details\n"
    "A Paper Without an Abstract\nLin Wu\n(2023)\n"
    "A Paper Without a Year\nHoward Aiken\nJournal of Reading\n"
    "A Paper Without a Venue\nLin Wu\n"
    "Reading with Machines at Scale\nHoward Aiken\nIn Proc. Reading Workshop, ACM (2021), pp. 1-9 (to appear)\n"
)


def test_the_plain_layout_with_areas_menus_and_venue_forms():
    page = parse_text(PLAIN_LAYOUT)
    assert (page.format, page.owner) == ("research.google", "Ana Lima")
    assert page.profile.bio == "Ana studies how people read papers."
    assert page.profile.areas == ["Human-Computer Interaction and Visualization", "Machine Intelligence"]
    rows = [(e.title, e.authors, e.venue, e.year, e.abstract) for e in page.entries]
    assert rows == [
        ("Reading Papers Together", ["Lin Wu", "Howard Aiken", "Ana Lima"], "ACM", 2024,
         "We read papers together and find it helps."),
        (None, ["Ana Lima"], None, None, "An untitled entry's abstract."),
        ("A Paper Without an Abstract", ["Lin Wu", "Ana Lima"], None, 2023, None),
        ("A Paper Without a Year", ["Howard Aiken", "Ana Lima"], "Journal of Reading", None, None),
        ("A Paper Without a Venue", ["Lin Wu", "Ana Lima"], None, None, None),
        ("Reading with Machines at Scale", ["Howard Aiken", "Ana Lima"], "Proc. Reading Workshop, ACM", 2021, None),
    ]
    assert page.warnings == []


def test_an_older_page_with_a_bio_alone_is_a_person_without_papers():
    page = parse_text("Google Research\n\nLin Wu\n\n\nLin Wu studies reading.\n\n"
                      "Learn more about how we do research\n\nWe maintain a portfolio of research projects.\n")
    assert (page.format, page.owner, page.entries) == ("research.google", "Lin Wu", [])
    assert page.profile.bio == "Lin Wu studies reading."


LISTING = (
    "Publications\n\nOur teams share research.\n\npeople standing in front of a screen\n\n"
    "Our teams share research.\n\nSort By\n  • Title\n  • Title, descending\n  • Year\n  • Year, descending\n"
    "1 - 15 of 11321 publications\n"
    "    Preview abstract An untitled paper's abstract. View details\n"
    "    Reading Machines\n    Lin Wu\n    Ana Lima\n    Science Advances (2026)\n"
    "    Preview abstract Machines read. View details\n"
    "Previous\n1\n2\n3\nNext\n"
)


def test_a_publication_listing_has_no_owner_and_no_furniture():
    page = parse_text(LISTING)
    assert (page.format, page.owner, page.label) == ("research.google-listing", None, "research.google publications")
    assert [(e.title, e.authors, e.venue, e.year, e.abstract) for e in page.entries] == [
        (None, [], None, None, "An untitled paper's abstract."),
        ("Reading Machines", ["Lin Wu", "Ana Lima"], "Science Advances", 2026, "Machines read."),
    ]
    area = parse_text("Privacy and Security\n\nWe keep people safe online.\n\nRecent Publications\n\n"
                      "Preview abstract Safety online. View details\n")
    assert (area.label, [e.abstract for e in area.entries]) == (
        "research.google: Privacy and Security", ["Safety online."])
    empty = parse_text("Publications\n\nSort By\n1 - 0 of 0 publications\nNo Results Found\n")
    assert (empty.entries, empty.warnings) == ([], ["the listing says 'No Results Found'"])


def test_the_page_footer_after_the_last_publication_is_not_one():
    page = parse_text("Publications\n\nSort By\n1 - 15 of 20 publications\n    Reading Machines\n    Lin Wu\n"
                      "    Science (2026)\n    Preview abstract Machines read. View details\n"
                      "Follow us\nAbout Google\nSome Footer Link\n")
    assert [(e.title, e.authors) for e in page.entries] == [("Reading Machines", ["Lin Wu"])]
    assert page.warnings == ["'Some Footer Link' after the last publication is not one: left out"]
