from tests.conftest import PAPER_PAGE, parse_seed


def test_header_fields():
    page = parse_seed(PAPER_PAGE)
    assert page.format == "paper-page"
    (main,) = page.entries
    assert main.title == "Self-Supervised Dataset Distillation for Transfer Learning"
    assert main.arxiv_id == "2310.06511"
    assert main.url == "http://arxiv.org/abs/2310.06511v3"
    assert main.date == "2024-04-12"
    assert main.authors == ["Dong Bok Lee", "Seanie Lee", "Joonho Ko", "Kenji Kawaguchi", "Juho Lee", "Sung Ju Hwang"]
    assert main.authors_complete is True
    assert main.score == 77.4714995131992
    assert main.summary.count("\n") == 2
    assert main.summary.startswith("We propose a novel problem of distilling")
    assert main.abstract.startswith("Dataset distillation methods have achieved remarkable success")


def test_related_papers_dates_scores_and_wrapped_title():
    related = parse_seed(PAPER_PAGE).entries[0].related
    assert len(related) == 18
    first = related[0]
    assert first.title == (
        "SAIL: Self-Amplified Iterative Learning for Diffusion Model Alignment with Minimal Human Feedback"
    )
    assert (first.score, first.date) == (19.637094881784634, "2026-02-05")
    assert first.summary.startswith("We propose textbfSAIL")
    wrapped = next(r for r in related if r.title.startswith("Conservative Objective"))
    assert wrapped.title == "Conservative Objective Models for Effective Offline Model-Based Optimization"
    assert (wrapped.score, wrapped.date) == (78.19085445065845, "2021-07-14")
    last = related[-1]
    assert (last.title, last.date) == ("Neural Model-based Optimization with Right-Censored Observations", "2020-09-29")
    assert all(r.owned is False for r in related)
    assert "This list is automatically generated" not in (last.summary or "")
