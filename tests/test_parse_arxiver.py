from store.pages import parse_text
from tests.conftest import ARXIVER, parse_seed


def test_entries_ids_dates_and_no_owner():
    page = parse_seed(ARXIVER)
    assert page.format == "arxiver"
    assert page.owner is None
    assert [e.arxiv_id for e in page.entries][:3] == ["2210.06205", "2210.03858", "2209.01765"]
    assert len(page.entries) == 10
    first = page.entries[0]
    assert (first.title, first.date, first.year, first.comments) == (None, "2022-10-12", 2022, None)
    assert first.url == "https://arxiv.org/abs/2210.06205"
    assert first.abstract.startswith("A Bayesian pseudocoreset is a small synthetic dataset")
    assert page.warnings == []


def test_comment_lines_venues_and_code_links():
    entries = {e.arxiv_id: e for e in parse_seed(ARXIVER).entries}
    assert entries["2210.03858"].comments == "Findings of EMNLP 2022"
    assert entries["2210.03858"].venue == "EMNLP 2022"
    ggdr = entries["2207.13320"]
    assert ggdr.comments == "Accepted to ECCV 2022. Our code is available at https://github.com/naver-ai/GGDR"
    assert ggdr.code_url == "https://github.com/naver-ai/GGDR"
    assert entries["2205.14959"].code_url == "https://github.com/snu-mllab/Efficient-Dataset-Condensation"
    assert entries["2203.15355"].code_url == "https://github.com/clovaai/puridiver"
    assert entries["2204.13509"].venue == "NAACL 2022"
    assert entries["2206.08549"].comments is None


def test_created_and_updated_on_one_line_and_cut_off_page():
    abstract = "We study things at length. " * 10
    text = (
        f"{abstract}\n\nICML 2021\n\narXiv:2101.00001\nCreated: 2021-01-01 Updated: 2021-06-01\n\n"
        f"{abstract}\n\narXiv:2102.00002v2\nCreated: 2021-02-02\nUpdated: 2021-03-03\n\n"
        "A third abstract that was cut off in the mid"
    )
    page = parse_text(text)
    assert [(e.arxiv_id, e.date, e.comments) for e in page.entries] == [
        ("2101.00001", "2021-01-01", "ICML 2021"),
        ("2102.00002", "2021-02-02", None),
    ]
    assert page.warnings == [
        "text after the last arXiv id has no id of its own (page cut off?): 1 paragraph(s) dropped"
    ]


def test_the_layouts_of_real_arxiver_pages():
    text = (
        "We study the first thing at length, with results.\n"
        "arXiv:2301.00001\nCreated: 2023-01-02 Updated: 2023-02-03\n"
        "We study the second thing, and its reviewers liked it.\n"
        "Accepted to ACM UIST'23\n"
        "arXiv:2302.00002 - doi: 10.1145/3586183.3606759We study the third thing, glued to the id above.\n"
        "12 pages, 3 figures\n"
        "arXiv:2303.00003v2What follows is the fourth abstract, glued to its id.\n"
        "arXiv:2304.00004\nCreated: 2023-04-05\nUpdated: 2023-04-09\n"
    )
    page = parse_text(text)
    first, second, third, fourth = page.entries
    # Created and Updated on one line: the date is the first version's.
    assert (first.arxiv_id, first.date, first.abstract) == (
        "2301.00001", "2023-01-02", "We study the first thing at length, with results.")
    # A comment line between the abstract and the id; no Created line: the id gives the year.
    assert (second.abstract, second.comments, second.venue) == (
        "We study the second thing, and its reviewers liked it.",
        "Accepted to ACM UIST'23\ndoi:10.1145/3586183.3606759", "UIST 2023")
    assert (second.date, second.year) == (None, 2023)
    # The text glued after an id is the next entry's abstract.
    assert (third.arxiv_id, third.abstract, third.comments) == (
        "2303.00003", "We study the third thing, glued to the id above.", "12 pages, 3 figures")
    assert (fourth.arxiv_id, fourth.abstract, fourth.date) == (
        "2304.00004", "What follows is the fourth abstract, glued to its id.", "2023-04-05")
    assert page.warnings == []
