"""Search: typo tolerance, ranking, filters, phrases and spans, on the sample pages and on
small made-up stores where each rule can be seen alone."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.disk.persistence import load, open_details
from store.search.ranking import QueryError, SearchIndex, field_text
from store.search.word_matches import WordHits, closeness


@pytest.fixture(scope="module")
def index(seeded_store) -> SearchIndex:
    return SearchIndex(load(seeded_store).papers)


def titles(index: SearchIndex, query: str, limit: int = 10) -> list[str]:
    return [result.paper["display_title"] for result in index.search(query, limit=limit)]


def test_building_stops_when_its_check_says_so_and_the_abstracts_are_then_all_left_out(seeded_store):
    from store.search.ranking import IndexCancelled

    data = load(seeded_store, with_details=False)
    asked: list[str] = []
    with pytest.raises(IndexCancelled):
        SearchIndex(data.papers, with_abstracts=False, cancelled=lambda: asked.append("titles") or True)
    assert asked == ["titles"]  # at the first title: nothing more was indexed
    index = SearchIndex(data.papers, with_abstracts=False, cancelled=lambda: asked.append("fields") or False)
    assert asked.count("fields") == 2 * len(data.papers)  # before each paper's title and venue
    open_details(seeded_store, data)
    with pytest.raises(IndexCancelled):
        index.add_abstracts(data.details.abstracts(), cancelled=lambda: True)
    assert set(index.fields) == {"title", "authors", "meta"} and not index.has_abstracts
    index.add_abstracts(data.details.abstracts(), cancelled=lambda: False)
    assert titles(index, "pseudocoresets posterior")[0].startswith("arXiv:2210.06205")


GRAPH_PERCEIVER = "Graph Perceiver IO: A General Architecture for Graph Structured Data"


@pytest.mark.parametrize("query, first", [
    ("grahp perciever", GRAPH_PERCEIVER),  # swapped letters in both words
    ("perceivver", GRAPH_PERCEIVER),  # a letter too many
    ("perciever graph", GRAPH_PERCEIVER),  # the words in another order
    ("graph perceiver transformer", GRAPH_PERCEIVER),  # a word the title does not have
    ("supervison complexty", "Supervision complexity and its role in knowledge distillation"),  # letters missing
    ("lowrank local aproximation", "Local Low-Rank Matrix Approximation"),
    ("Leaning rfom agwgregated daa wth", "Learning from aggregated data with a maximum entropy model"),  # sloppy
    ("kernal spectral mixture", "Approximate Inference for Spectral Mixture Kernel"),
    ("xernel attention", "Implicit Kernel Attention"),  # the first letter wrong
    ("local colaborative", "Local Collaborative Ranking"),
])
def test_a_mistyped_half_remembered_title_still_comes_first(index, query, first):
    assert titles(index, query)[0] == first


def test_a_three_letter_word_may_have_two_letters_swapped_but_none_changed(index):
    [result] = index.search("lcoal lwo rank", limit=1)
    assert result.spans == [(0, 5), (6, 9), (10, 14)]  # 'lwo' matched 'Low'
    assert index.search("lxw rank", limit=1)[0].spans == [(10, 14)]  # 'lxw' matched nothing


def test_exact_words_beat_prefixes_which_beat_abstracts(index):
    results = index.search("kernel", limit=5)
    assert [(r.field, r.paper["display_title"]) for r in results[:3]] == [
        ("title", "Implicit Kernel Attention"),
        ("title", "Approximate Inference for Spectral Mixture Kernel"),
        ("title", "Sequential Recommendation with Relation-Aware Kernelized Self-Attention"),
    ]
    assert [r.field for r in results[3:]] == ["abstract", "abstract"]


def test_one_or_two_letters_find_title_words_that_start_so(index):
    for query, count in (("gr", 4), ("l", 8)):
        found = titles(index, query, limit=8)
        assert len(found) == count
        assert all(any(w.lower().startswith(query) for w in t.replace("-", " ").split()) for t in found)
    assert titles(index, "gr")[0] == GRAPH_PERCEIVER  # two words start with 'gr'


@pytest.mark.parametrize("query, expected", [
    ("author:lebanon year:2013", {"Local Low-Rank Matrix Approximation",
                                  "Matrix Approximation under Local Low-Rank Assumption"}),
    ("local year:2014-2015", {"Local Context Sparse Coding", "Local Collaborative Ranking"}),
    ("cat:ML kernel", {"Approximate Inference for Spectral Mixture Kernel"}),
    ('"low-rank matrix"', {"Local Low-Rank Matrix Approximation", "LLORMA: Local Low-Rank Matrix Approximation"}),
    ("low rank author:samy", {"LLORMA: Local Low-Rank Matrix Approximation", "Local Collaborative Ranking"}),
])
def test_filters_and_phrases_narrow_the_results_exactly(index, query, expected):
    assert set(titles(index, query, limit=50)) == expected


def test_year_filters_combine_into_the_years_both_allow(index):
    assert set(titles(index, "author:lebanon year:>2012 year:<=2013", limit=50)) == {
        "Local Low-Rank Matrix Approximation", "Matrix Approximation under Local Low-Rank Assumption"}
    assert {r.paper["year"] for r in index.search("year:2014-2020 year:<2016", limit=50)} == {2014, 2015}


def test_year_and_venue_filters_alone_list_what_they_hold(index):
    newest = index.search("year:>2025", limit=50)
    assert len(newest) == 4 and {r.paper["year"] for r in newest} == {2026}
    icml = index.search("venue:icml", limit=50)
    assert len(icml) == 4 and all("ICML" in r.paper["venue"] for r in icml)


@pytest.mark.parametrize("query, message", [
    ("year:20x", "year:20x: not a year; write year:2021, year:2019-2022 or year:>2020"),
    ("year:2022-2019", "year:2022-2019: the range runs backwards (write year:2019-2022)"),
    ("kernel author:", "author: needs a value, e.g. author:lebanon"),
    ("year:2021 year:2022",
     "year:2022 and year:2021 leave no year (filters combine); for either, write year:2021-2022"),
    ("year:2013-2014 year:<2012",
     "year:<2012 and year:2013-2014 leave no year (filters combine); for either, write year:<=2014"),
    ("kernel year:>2020 year:<2019",  # one filter's years up to the other's would be every year
     "year:<2019 and year:>=2021 leave no year (filters combine); for either, leave both out"),
])
def test_a_malformed_filter_says_what_was_expected(index, query, message):
    with pytest.raises(QueryError) as error:
        index.search(query)
    assert str(error.value) == message


def test_spans_mark_the_matched_words_and_the_typed_part_of_a_prefix(index):
    [result] = index.search("lcoal low ra", limit=1)
    assert result.paper["display_title"] == "Local Low-Rank Matrix Approximation"
    assert result.spans == [(0, 5), (6, 9), (10, 12)]
    assert result.as_json()["spans"] == [[0, 5], [6, 9], [10, 12]]


FEW_SHOT = "Pre-trained Vision and Language Transformers Are Few-Shot Incremental Learners"


@pytest.mark.parametrize("query, first, marked", [
    ("fewshot", FEW_SHOT, ["Few-Shot"]),  # a hyphenated word typed solid
    ("fewsh", FEW_SHOT, ["Few-Sh"]),  # still being typed: the typed part is marked
    ("fewshto", FEW_SHOT, ["Few-Shot"]),  # and with a typo
    ("betalstm", "Bivariate Beta-LSTM", ["Beta-LSTM"]),
    ("lookahead data acquisition", "LADA: Look-Ahead Data Acquisition via Augmentation for Active Learning",
     ["Look-Ahead", "Data", "Acquisition"]),
    ("pretrained vision", FEW_SHOT, ["Pre-trained", "Vision"]),
    # Two words typed apart that the title writes as one
    ("concept vector", "ConceptVector: Text Visual Analytics via Interactive Lexicon Building using Word Embedding",
     ["ConceptVector"]),
    ("concept vectr", "ConceptVector: Text Visual Analytics via Interactive Lexicon Building using Word Embedding",
     ["ConceptVector"]),  # with a typo in a word long enough for one
    ("lwo rank", "Local Low-Rank Matrix Approximation", ["Low", "Rank"]),  # each part matched on its own
])
def test_words_written_solid_hyphenated_or_apart_find_each_other(index, query, first, marked):
    result = index.search(query, limit=1)[0]
    title = result.paper["display_title"]
    assert (title, result.field) == (first, "title")
    assert [title[start:end] for start, end in result.spans] == marked


@pytest.mark.parametrize("title", ["Graph kernel methods", "Fast graph kernel methods"])
def test_a_title_that_starts_with_or_holds_the_query_is_not_lost_among_newer_ones(title):
    """Eighty newer papers hold both words apart: more than a search scores finely."""
    newer = [paper(f"n{n}", f"Kernel view {n} of the graph", date=f"{2000 + n // 12}-{n % 12 + 1:02}-01")
             for n in range(80)]
    index = SearchIndex([*newer, paper("wanted", title, date="1990-01-01")])
    [first] = index.search("graph kernel", limit=1)
    assert (first.paper["id"], first.tier) == ("wanted", 0)
    assert [r.paper["id"] for r in index.search("graph kern", limit=3)][:1] == ["wanted"]  # while typing


def test_a_title_close_to_a_query_with_typos_is_not_lost_among_newer_ones():
    """Eighty newer papers hold the words apart, and the typos leave no title starting
    with what was typed: the pool is the titles closest to the query, not the newest."""
    newer = [paper(f"n{n}", f"Kernel view {n} of the graph methods", date=f"{2000 + n // 12}-{n % 12 + 1:02}-01")
             for n in range(80)]
    index = SearchIndex([*newer, paper("wanted", "Graph kernel methods", date="1990-01-01")])
    [first] = index.search("grpah kernl methds", limit=1)
    assert (first.paper["id"], first.tier) == ("wanted", 3)


def test_the_last_places_of_a_long_list_score_no_more_abstracts_than_they_need():
    """Forty titles hold the word; a hundred papers only in their abstracts, each read from
    disk to be scored: the ten places left take the 30 newest of them, not fifty."""
    papers = [paper(f"t{n}", f"Kernel view {n}") for n in range(40)]
    papers += [paper(f"a{n:03}", f"Other {n}", abstract="A kernel inside.", date=f"{1900 + n}-01-01")
               for n in range(100)]
    abstracts = {p["id"]: p.pop("abstract") for p in papers}
    read = []
    index = SearchIndex(papers, with_abstracts=False, abstract_of=lambda p: read.append(p["id"]) or abstracts[p["id"]])
    index.add_abstracts((pid, text) for pid, text in abstracts.items() if text)
    results = index.search("kernel", limit=50)
    assert [r.field for r in results] == ["title"] * 40 + ["abstract"] * 10
    assert sorted(read) == [f"a{n:03}" for n in range(70, 100)]  # the newest 30, then the best 10 shown
    assert [r.paper["id"] for r in results[40:]] == [f"a{n:03}" for n in range(99, 89, -1)]


def test_a_query_typed_a_key_at_a_time_reads_each_abstract_it_scores_once(monkeypatch):
    import store.search.ranking

    papers = [paper(f"a{n}", f"Other {n}", abstract=f"A kernel, number {n}.") for n in range(5)]
    abstracts = {p["id"]: p.pop("abstract") for p in papers}
    read = []
    index = SearchIndex(papers, with_abstracts=False, abstract_of=lambda p: read.append(p["id"]) or abstracts[p["id"]])
    index.add_abstracts(abstracts.items())
    for typed in ("kern", "kerne", "kernel"):
        results = sorted(index.search(typed), key=lambda r: r.paper["id"])
        assert [(r.field, r.abstract, r.spans) for r in results] == [
            ("abstract", f"A kernel, number {n}.", [(2, 2 + len(typed))]) for n in range(5)]
    assert sorted(read) == [f"a{n}" for n in range(5)]
    # A phrase the titles do not hold is looked for in the abstracts already read.
    assert sorted(r.paper["id"] for r in index.search('"kernel number 3"')) == ["a3"]
    assert sorted(r.paper["id"] for r in index.search('"a kernel" number')) == [f"a{n}" for n in range(5)]
    assert sorted(read) == [f"a{n}" for n in range(5)]
    monkeypatch.setattr(store.search.ranking, "_ABSTRACTS_KEPT", 3)
    index = SearchIndex(papers, with_abstracts=False, abstract_of=lambda p: abstracts[p["id"]])
    index.add_abstracts(abstracts.items())
    assert len(index.search("kernel")) == 5
    assert len(index._abstracts_read) == 3  # the first read made way


def test_scores_fall_from_tier_to_tier_as_the_results_are_listed():
    """The command palette orders by score: a close title of a lower tier must not score
    above a distant one of a higher tier."""
    papers = [paper("exact, apart", "Graph methods and other things seen in a kernel space of many words"),
              paper("prefix, close", "Graph kernels", date="2024-01-01")]
    results = SearchIndex(papers).search("graph kernel")
    assert [(r.paper["id"], r.tier) for r in results] == [("exact, apart", 0), ("prefix, close", 1)]
    assert results[0].score > results[1].score


def test_hyphenated_names_and_venues_match_typed_solid_too():
    index = SearchIndex([paper("named", "Graph methods", authors=("Jean-Pierre Dupont",)),
                         paper("venue", "Sparse coding", venue="Non-Convex Workshop")])
    [named] = index.search("jeanpierre")
    assert (named.paper["id"], named.field_name, named.spans) == ("named", "authors", [(0, 11)])
    [venue] = index.search("nonconvex")
    assert (venue.paper["id"], venue.field_name, venue.spans) == ("venue", "venue/comments", [(0, 10)])


def test_joined_words_match_without_typos_each_word_keeps_its_own():
    papers = [paper("solid", "Lowrank methods"), paper("other", "Rank aggregation", date="2024-01-01")]
    index = SearchIndex(papers)
    [solid, other] = index.search("low rank")
    assert (solid.paper["id"], solid.tier, other.tier) == ("solid", 0, 7)  # both words exact; one missing
    # 'lxw' + 'rank' is one letter from 'lowrank', but a three-letter word may not have a changed letter.
    assert [r.paper["id"] for r in index.search("lxw rank")] == ["other"]


def test_of_titles_holding_the_words_the_one_holding_them_side_by_side_comes_first():
    """In any order: a person remembers which words were in the title, less their order."""
    papers = [paper("apart", "Kernel methods for ridge and sparse regression", date="2024-01-01"),
              paper("side by side", "Regression with kernel ridge priors", date="2018-01-01")]
    index = SearchIndex(papers)
    # Without closeness the newer paper, which starts with the first word typed, came first.
    for query in ("kernel regression ridge", "rigde kernel regresion"):
        assert [r.paper["id"] for r in index.search(query)] == ["side by side", "apart"]


def test_words_recalled_in_another_order_find_the_title_that_holds_them_side_by_side():
    """The newer title holds the words apart in an order partial_ratio favours; the older
    one holds them side by side, and a title's closeness outweighs the order typed."""
    papers = [paper("side by side", "Kernel offline with uncertainty autoencoder calibration from representations "
                    "large detection from adaptation sparse matrix generative network", date="2018-01-01"),
              paper("apart", "Autoencoder offline the kernel clustering uncertainty with generative few-shot "
                    "large adversarial", date="2024-01-01")]
    results = SearchIndex(papers).search("kernel autoencoder uncertainty with offline")
    assert [r.paper["id"] for r in results] == ["side by side", "apart"]


@pytest.mark.parametrize("query, words, expected", [
    ("kernel ridge regression", ["kernel", "ridge", "regression"], 1.0),
    ("kernel ridge regression", ["regression", "with", "ridge", "kernel"], 3 / 4),
    ("kernel ridge regression", ["ridge", "methods", "for", "sparse", "data", "and", "kernel", "regression"], 3 / 8),
    ("kernel ridge regression", ["kernel", "methods"], 0.0),  # one query word found: nothing to be close to
    ("kernel ridge regression", ["ridge", "x", "kernel", "ridge", "regression"], 1.0),  # the closest run
    # A text word two query words match ('kernel' for kernel and kern) holds both.
    ("kernel ridge kern", ["kernel", "x", "ridge"], 1.0),
    ("kernel ridge kern", ["kernel", "ridge"], 1.0),  # never above side by side
])
def test_closeness_is_the_words_found_over_the_shortest_run_holding_them(query, words, expected):
    index = SearchIndex([paper("p", "Kernel ridge regression")])
    [result] = index.search(query)
    hits = WordHits(result.terms, result.matches)
    assert closeness(hits.of(words, "title")) == pytest.approx(expected)


def test_a_query_with_most_words_unmatched_finds_what_holds_half_of_them_and_no_less():
    papers = [paper("half", "Learning sparse kernels"), paper("third", "Sparse coding")]
    index = SearchIndex(papers)
    # Four words: 'learning' and 'kernels' match (typos), 'xq' and 'zzz' match nothing.
    assert [(r.paper["id"], r.tier) for r in index.search("lerning xq kernals zzz")] == [("half", 9)]
    assert index.search("lerning xq zzz qqq") == []  # a quarter of the words: too little


def paper(pid: str, title: str | None = None, authors: tuple[str, ...] = (), abstract: str | None = None,
          venue: str | None = None, date: str = "2020-01-01") -> dict:
    return {"id": pid, "title": title, "display_title": title or f"({pid})", "authors": list(authors),
            "abstract": abstract, "venue": venue, "date": date, "year": int(date[:4]), "category": None}


def test_a_title_match_beats_an_author_match_which_beats_venue_and_abstract_matches():
    papers = [
        paper("abstract", "Robust learning", abstract="We study the falcon as a model organism.", date="2024-01-01"),
        paper("venue", "Sparse coding", venue="Falcon Workshop", date="2023-01-01"),
        paper("author", "Graph methods", authors=("Anna Falcon",), date="2022-01-01"),
        paper("title", "Falcon: fast optimisation", date="2019-01-01"),
        paper("none", "Unrelated work", date="2025-01-01"),
    ]
    ranked = [r.paper["id"] for r in SearchIndex(papers).search("falcon")]
    assert ranked[:2] == ["title", "author"] and set(ranked[2:]) == {"venue", "abstract"}


def test_a_paper_without_a_title_is_found_by_its_abstract():
    papers = [paper("untitled", abstract="Zebrafish regenerate their fins."), paper("other", "Fin whales")]
    [result] = SearchIndex(papers).search("zebrafsh")
    assert (result.paper["id"], result.field, result.spans) == ("untitled", "abstract", [(0, 9)])


def test_abstracts_read_from_disk_rank_as_abstracts_held_in_memory(seeded_store, index):
    data = load(seeded_store, with_details=False)
    lazy = SearchIndex(data.papers, with_abstracts=False, abstract_of=data.abstract_of)
    open_details(seeded_store, data)
    lazy.add_abstracts(data.details.abstracts())
    for query in ("pseudocoreset", "kernel", "retriever reader", '"temporal dynamics"', "bayesian coreset"):
        expected = [(r.paper["id"], round(r.score, 6), r.field, r.spans) for r in index.search(query)]
        assert [(r.paper["id"], round(r.score, 6), r.field, r.spans) for r in lazy.search(query)] == expected
    assert not any("abstract" in p for p in data.papers)  # read for ranking, not kept


def test_results_from_titles_and_names_alone_are_settled_without_the_abstracts(seeded_store, index):
    data = load(seeded_store, with_details=False)
    titles_only = SearchIndex(data.papers, with_abstracts=False, abstract_of=data.abstract_of)
    settled = 0
    for query, limit in (("local low rank", 2), ("kernal", 3), ("song", 5), ("xernel attention", 1),
                         ("graph", 2), ("pseudocoreset", 1), ("kernel", 5), ("local", 20),
                         ("arXiv:2210.06205", 5), ("year:2013", 50)):
        partial = titles_only.search(query, limit=limit)
        if titles_only.settled_without_abstracts(query, partial, limit):
            settled += 1
            expected = [(r.paper["id"], round(r.score, 6), r.field, r.spans) for r in index.search(query, limit=limit)]
            assert [(r.paper["id"], round(r.score, 6), r.field, r.spans) for r in partial] == expected
    assert settled == 7  # not pseudocoreset (abstracts only), kernel (3 title hits), local (7)


@pytest.mark.parametrize("query, expected", [
    ("2210.06205", ["arxiv:2210.06205"]),
    ("arXiv:2210.06205v2", ["arxiv:2210.06205"]),
    ("https://arxiv.org/abs/2210.06205", ["arxiv:2210.06205"]),
    ("year:2022 2210.06205", ["arxiv:2210.06205"]),
    ("year:2020 2210.06205", []),  # outside the filter: nothing, not every paper of 2020
    ("0000.00000", []),  # not in the store; its digits are not searched for
    ("2210.06205 perceiver", ["arxiv:2210.06205", "p:5b135f0f610b"]),  # then the other words' results
])
def test_an_arxiv_id_in_the_query_finds_its_paper_first(index, query, expected):
    results = index.search(query, limit=2)
    assert [r.paper["id"] for r in results] == expected
    assert [r.as_json()["field"] for r in results[:1]] == ["arxiv_id"][:len(expected)]


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list('ab kel"\':-<>=.2019 yearcutho\\é\x00\u200f*')), max_size=40))
def test_any_query_gives_results_or_says_what_is_wrong(index, text):
    try:
        results = index.search(text, limit=5)
    except QueryError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert len(results) <= 5
    for result in results:
        matched = field_text(result.paper, result.field, result.abstract) if result.field else ""
        assert all(0 <= start < end <= len(matched) for start, end in result.spans)
