from store.pages import parse_text
from tests.conftest import SCHOLARFEED, SCHOLARFEED_SMALL, parse_seed


def by_title(page, start):
    return next(e for e in page.entries if e.title and e.title.startswith(start))


def test_header_metrics_and_owner():
    page = parse_seed(SCHOLARFEED)
    assert page.format == "scholarfeed"
    assert page.owner == "Kyungwoo Song"
    profile = page.profile
    assert (profile.h_index, profile.paper_count, profile.citations) == (13, 46, 794)
    assert (profile.novelty, profile.ai_score, profile.category) == (53.0, 59.0, "LG")
    assert len(page.entries) == 46
    assert page.warnings == []


def test_small_profile_lacks_metrics():
    page = parse_seed(SCHOLARFEED_SMALL)
    assert page.owner == "Joonho Ko"
    assert (page.profile.h_index, page.profile.paper_count, page.profile.citations) == (20, 2, None)
    assert [e.title for e in page.entries] == [
        "Self-Supervised Dataset Distillation for Transfer Learning",
        "Efficient Real-time Refinement of Language Model Text Generation",
    ]


def test_entry_with_code_flag_latex_url_and_et_al():
    entry = by_title(parse_seed(SCHOLARFEED), "BlackVIP")
    assert entry.title == "BlackVIP: Black-Box Visual Prompting for Robust Transfer Learning"
    # The page lists three and 'et al.'; its owner is added after them.
    assert entry.authors == ["Changdae Oh", "Hyeji Hwang", "Hee-young Lee", "Kyungwoo Song"]
    assert entry.authors_complete is False
    assert (entry.date, entry.year, entry.date_inferred, entry.category) == ("2023-03-26", 2023, False, "CV")
    assert entry.code_url == "https://github.com/changdaeoh/BlackVIP"
    assert entry.has_code is True
    assert entry.abstract.startswith("With the surge of large-scale pre-trained models")


def test_affiliations_after_the_author_list():
    entry = by_title(parse_seed(SCHOLARFEED), "Towards Calibrated Robust Fine-Tuning")
    assert entry.authors == ["Changdae Oh", "Hyesu Lim", "Mijoo Kim", "Kyungwoo Song"]
    assert entry.affiliations == ["cmu", "uw"]
    assert entry.authors_complete is False
    assert entry.has_code is False and entry.code_url is None


def test_year_less_dates_are_inferred_after_the_latest_shown_year():
    page = parse_seed(SCHOLARFEED)
    entry = by_title(page, "Geometry-Adaptive Explainer")
    # The page shows years up to 2025; a date without a year is in the year after: 2026.
    assert (entry.date, entry.year, entry.date_inferred) == ("2026-05-21", 2026, True)
    p3t = by_title(page, "P3T")
    assert (p3t.date, p3t.date_inferred, p3t.has_code) == ("2026-04-17", True, True)
    assert p3t.code_url == "https://github.com/gyjung975/P3T"


def test_href_link_and_lower_case_name_part():
    page = parse_seed(SCHOLARFEED)
    scer = by_title(page, "Spurious Correlation-Aware")
    assert scer.code_url == "https://github.com/MLAI-Yonsei/SCER"
    beta = by_title(page, "Bivariate Beta-LSTM")
    assert beta.authors == ["Kyungwoo Song", "JoonHo Jang", "Seung jae Shin"]


def test_complete_author_list_without_et_al():
    entry = by_title(parse_seed(SCHOLARFEED), "Causally Disentangled")
    assert entry.authors == ["Seunghwan An", "Kyungwoo Song", "Jong-June Jeon"]
    assert entry.authors_complete is True
    assert entry.category == "ML"


def test_bio_title_glued_to_authors_and_cut_off_entry():
    text = (
        "Ada Lovelace\n\nAnalytical engines and the poetry of numbers, studied at length.\n"
        "h-index7\n3papers\n\n3 Papers\n\n"
        "LGMar 3, 2021\nNotes on the Analytical EngineCharles Babbage, Ada Lovelace et al.\n\n"
        "An abstract about engines.\n\n"
        "CVJan 2, 2020Code\nSecond Paper Title\n\nAda Lovelace\n\nSecond abstract, see github.com/ada/engine.\n\n"
        "LGFeb 1, 2019\nThird paper cut off"
    )
    page = parse_text(text)
    assert page.owner == "Ada Lovelace"
    assert page.profile.bio == "Analytical engines and the poetry of numbers, studied at length."
    first, second = page.entries
    assert first.title == "Notes on the Analytical Engine"
    assert first.authors == ["Charles Babbage", "Ada Lovelace"] and first.authors_complete is False
    assert second.authors == ["Ada Lovelace"]
    assert second.code_url == "https://github.com/ada/engine"
    # The page stops in the third entry's title: nothing of it is certain.
    assert page.warnings == ["entry 3 is skipped: the page is cut off in its title"]


def test_abbreviated_counts_in_the_header():
    text = SCHOLARFEED.read_text().replace("46papers", "1.2kpapers", 1).replace("794citations", "3.4M citations", 1)
    profile = parse_text(text).profile
    assert (profile.paper_count, profile.citations, profile.h_index) == (1200, 3_400_000, 13)
    text = SCHOLARFEED.read_text().replace("794citations", "12,345 citations", 1)
    assert parse_text(text).profile.citations == 12345


# Pages in the layouts real saves show, written for these tests.
NO_BLANK_LINES = (
    "Grace Ada Hopper\nHC\nh-index9\n12papers\n\n12 Papers\n"
    "HCMay 10\nPaper Machines: Writing Programs for Machines that Read Them Back Using Generative AIDaEun Choi, "
    "Grace Ada Hopper, Lin Wu et al. · mit, cmu\n"
    "Programs are written for people to read. We study how machines read them back.\n"
    "CSLGOct 2, 2023Code\nA Title that Wraps Over\nTwo Lines of the Page\nHoward Aiken, Grace A. Hopper\n"
    "Wrapped titles are joined. The code is at https://github.com/gh/wrap.\n"
)


def test_entries_without_blank_lines_glued_and_wrapped_titles():
    page = parse_text(NO_BLANK_LINES)
    assert (page.owner, page.profile.h_index, page.profile.paper_count, page.profile.category) == (
        "Grace Ada Hopper", 9, 12, "HC")
    first, second = page.entries
    assert first.title == "Paper Machines: Writing Programs for Machines that Read Them Back Using Generative AI"
    # The owner is listed: kept where the page puts them, not added again.
    assert (first.authors, first.authors_complete, first.affiliations) == (
        ["DaEun Choi", "Grace Ada Hopper", "Lin Wu"], False, ["mit", "cmu"])
    assert first.abstract == "Programs are written for people to read. We study how machines read them back."
    assert (first.date_inferred, first.date[4:], first.category) == (True, "-05-10", "HC")
    assert second.title == "A Title that Wraps Over Two Lines of the Page"
    # 'Grace A. Hopper' is the owner spelled another way: the list stays whole.
    assert (second.authors, second.authors_complete) == (["Howard Aiken", "Grace A. Hopper"], True)
    assert (second.date, second.category, second.has_code, second.code_url) == (
        "2023-10-02", "CS LG", True, "https://github.com/gh/wrap")
    assert page.warnings == []


def test_a_score_glued_before_the_date_line_and_a_header_of_one_metric():
    text = ("Lin Wu\nh-index3\n\n71.5CVMar 4, 2022\nSeeing Things\n\nLin Wu, Ana Lima\n\nWe see things.\n\n"
            "LGFeb 1, 2021\nLearning Things\n\nAna Lima\n\nWe learn things.\n")
    page = parse_text(text)
    assert (page.owner, page.profile.h_index, page.profile.citations) == ("Lin Wu", 3, None)
    seeing, learning = page.entries
    assert (seeing.title, seeing.score, seeing.category, seeing.date) == ("Seeing Things", 71.5, "CV", "2022-03-04")
    assert seeing.abstract == "We see things."
    # Not listed on a paper of their own page: the owner is added after the listed names.
    assert (learning.authors, learning.authors_complete) == (["Ana Lima", "Lin Wu"], False)


def test_an_excerpt_that_starts_at_the_heading_or_inside_an_entry_has_no_owner():
    entries = ("CLJan 5, 2024\nOne Paper\n\nAna Lima, Lin Wu\n\nAn abstract.\n\n"
               "CLJan 4, 2024\nAnother Paper\n\nLin Wu\n\nAnother abstract.\n")
    at_heading = parse_text("17 Papers\n\n" + entries)
    assert (at_heading.owner, at_heading.profile, len(at_heading.entries), at_heading.warnings) == (None, None, 2, [])
    assert at_heading.entries[0].authors == ["Ana Lima", "Lin Wu"]
    inside = parse_text("the end of an abstract that the excerpt starts in.\n\n" + entries)
    assert (inside.owner, [e.title for e in inside.entries]) == (None, ["One Paper", "Another Paper"])
    assert inside.warnings == ["the page starts inside an entry: its text before the first date is dropped"]


def test_a_page_cut_off_keeps_what_is_certain_of_its_last_entry():
    whole = "Lin Wu\nh-index3\n\nCLJan 5, 2024\nOne Paper\n\nAna Lima, Lin Wu\n\nAn abstract that runs on"
    page = parse_text(whole)
    assert page.entries[0].abstract == "An abstract that runs on …"
    assert page.warnings == ["entry 1 (One Paper) is cut off: kept what the page shows"]
    in_authors = parse_text(whole[: whole.index("Lin Wu\n\nAn")] + "Li")
    # 'Li' may be the start of a longer name: it is dropped, and the list is not whole.
    assert (in_authors.entries[0].authors, in_authors.entries[0].authors_complete) == (["Ana Lima", "Lin Wu"], False)
    in_title = parse_text(whole[: whole.index("Paper")])
    assert in_title.entries == []
    assert in_title.warnings == ["entry 1 is skipped: the page is cut off in its title"]


def test_a_wrapped_title_line_that_reads_as_a_name_is_not_the_author_line():
    text = ("Lin Wu\nh-index3\n\nLGFeb 1, 2024\nA Second Paper Whose Title\nWraps Onto a Second Line\n"
            "Ana Lima, Lin Wu et al. · snu, kaist\nThe second abstract.\n"
            "LGJan 1, 2024\nA Paper of One Author\nLin Wu\nIts abstract.\n")
    wrapped, single = parse_text(text).entries
    assert (wrapped.title, wrapped.authors, wrapped.affiliations) == (
        "A Second Paper Whose Title Wraps Onto a Second Line", ["Ana Lima", "Lin Wu"], ["snu", "kaist"])
    assert (single.title, single.authors, single.abstract) == ("A Paper of One Author", ["Lin Wu"], "Its abstract.")


def test_an_affiliation_in_capitals_is_not_the_category():
    text = "Lin Wu\nKAIST\nHC\nh-index3\n\nCLMar 1, 2024\nA Paper\n\nLin Wu, Ana Lima\n\nAbstract.\n"
    profile = parse_text(text).profile
    assert (profile.category, profile.affiliation) == ("HC", "KAIST")


def test_the_sites_controls_between_and_after_entries_are_not_text():
    text = ("Lin Wu\nh-index3\n\nCLMar 1, 2024\nA Paper\n\nLin Wu, Ana Lima\n\nAn abstract.\n\nShow more\n\n"
            "CLMar 1, 2023\nAnother Paper\n\nLin Wu\n\nAnother abstract.\n\nLoad more papers\n")
    assert [e.abstract for e in parse_text(text).entries] == ["An abstract.", "Another abstract."]
