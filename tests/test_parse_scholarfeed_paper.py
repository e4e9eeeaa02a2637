"""scholarfeed single-paper pages, in the layouts real saves show (written for these tests)."""

from store.pages import parse_text

WITH_HEADER = (
    "CVLGMar 3, 2024\n\nLearning to See Twice\n\nAI2CMU\n\n"
    "arXiv:2403.01234v312 citationsh-index: 40NeurIPS 2024\nOriginality Incremental advance\nAI Analysis\n\n"
    "This matters to people who see things, though it builds on earlier work.\n\n"
    "The paper tackles seeing by looking twice, and finds it helps.\n\n"
    "We study vision. Looking twice helps.\n\nA second paragraph of the abstract.\n\n"
    "Code Implementations2 repos\nhttps://github.com/see/twice\nFoundations\n\n"
    "The foundational work for this paper's niche.\n\nYour Notes\n"
)


def test_a_paper_page_with_its_header_and_sections():
    page = parse_text(WITH_HEADER)
    assert (page.format, page.owner, len(page.entries)) == ("scholarfeed-paper", None, 1)
    paper = page.entries[0]
    assert (paper.title, paper.date, paper.category) == ("Learning to See Twice", "2024-03-03", "CV LG")
    assert (paper.arxiv_id, paper.venue, paper.affiliations) == ("2403.01234", "NeurIPS 2024", ["AI2", "CMU"])
    assert paper.summary == ("This matters to people who see things, though it builds on earlier work.\n\n"
                             "The paper tackles seeing by looking twice, and finds it helps.")
    assert paper.abstract == "We study vision. Looking twice helps.\n\nA second paragraph of the abstract."
    assert (paper.has_code, paper.code_url) == (True, "https://github.com/see/twice")
    assert (paper.authors, paper.authors_complete) == ([], False)  # the page names no authors
    assert page.label == "scholarfeed paper: Learning to See Twice"
    assert page.warnings == []


def test_a_paper_page_that_starts_at_its_title_without_blank_lines():
    text = ("Learning to See Twice\nThis addresses seeing, though it is incremental.\n"
            "The authors tackled seeing by looking twice.\nWe study vision. Looking twice helps.\n")
    paper = parse_text(text).entries[0]
    assert (paper.title, paper.arxiv_id, paper.date) == ("Learning to See Twice", None, None)
    assert paper.summary == ("This addresses seeing, though it is incremental.\n\n"
                             "The authors tackled seeing by looking twice.")
    assert paper.abstract == "We study vision. Looking twice helps."


def test_the_id_line_keeps_only_what_its_digits_make_certain():
    def id_and_venue(line: str) -> tuple:
        paper = parse_text(f"CLMay 1, 2020\nA Paper\n{line}\nAI Analysis\nThis helps.\nThe paper does.\nAn abstract.\n"
                           ).entries[0]
        return paper.arxiv_id, paper.venue, paper.affiliations

    # 'v28 citations': version 2 and 8 citations, or version 28? The id alone is certain.
    assert id_and_venue("arXiv:2508.10795v28 citationsh-index: 47") == ("2508.10795", None, [])
    # Affiliations on the id's line, a score glued to the id, the venue after the h-index.
    assert id_and_venue("AI2UW arXiv:2409.14634100.043 citationsh-index: 94ACL 2024 AI Analysis") == (
        "2409.14634", "ACL 2024", ["AI2", "UW"])
    # Ids before 2015 have four digits after the month.
    assert id_and_venue("arXiv:1412.6980v9123 citations") == ("1412.6980", None, [])


def test_a_cut_off_paper_page_marks_its_abstract():
    page = parse_text("A Paper\nThis helps people.\nThe paper does a thing.\nWe study the thing and fin")
    assert page.entries[0].abstract == "We study the thing and fin …"
    assert page.warnings == ["the page is cut off: its abstract is marked as cut"]
