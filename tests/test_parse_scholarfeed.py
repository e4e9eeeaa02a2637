from store.formats import parse_text
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
    # The page shows years up to 2025; a date without a year is this year's: 2026.
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
