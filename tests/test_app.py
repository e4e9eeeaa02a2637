"""Pilot tests: drive the app with keys and assert what the panes draw."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.ingest.pipeline import ingest
from tui.app import LitbrowseApp
from tui.widgets.line_list import LineList


def drawn(widget: LineList) -> list[str]:
    """The text each visible line of a list draws, as the terminal gets it."""
    height = widget.scrollable_content_region.height
    return ["".join(seg.text for seg in widget.render_line(y)).rstrip() for y in range(height)]


async def started(app: LitbrowseApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def press(app, pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def search(app, pilot, text: str) -> None:
    """Open the search screen and type text one key at a time, as a person would."""
    await press(app, pilot, "slash")
    await press(app, pilot, *text)


@pytest.fixture
def app(seeded_store: Path) -> LitbrowseApp:
    return LitbrowseApp(seeded_store, watch_store=False)


async def test_open_author_paper_and_follow_a_coauthor(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        authors = app.main_screen.query_one("#authors")
        assert drawn(authors)[:2] == ["★ Kyungwoo So… 46p h13 c794", "▤ Related to: Self-Sup… 19p"]
        await press(app, pilot, "j", "j", "enter")  # Seungyeon Kim: page owner of the research.google page
        papers = app.main_screen.query_one("#papers")
        assert app.focused is papers
        assert papers.border_title == "Papers of Seungyeon Kim (18)"
        await press(app, pilot, "g", "enter")  # the newest paper
        detail = app.main_screen.query_one("#detail")
        assert app.focused is detail
        lines = drawn(detail)
        assert lines[:6] == [
            "Supervision complexity and its role in",
            "knowledge distillation",
            "",
            "Authors    Hrayr Harutyunyan",
            "           Aditya Krishna Menon",
            "           Seungyeon Kim",
        ]
        await press(app, pilot, "n", "n", "enter")  # the second author link: Aditya Krishna Menon
        assert app.main_screen.query_one("#authors").current["display_name"] == "Aditya Krishna Menon"
        assert papers.border_title == "Papers of Aditya Krishna Menon (2)"
        assert app.focused is papers
        await press(app, pilot, "escape")  # back to the paper we came from
        assert detail.paper["title"] == "Supervision complexity and its role in knowledge distillation"
        assert papers.border_title == "Papers of Seungyeon Kim (18)"
        assert app.focused is detail


def test_the_benchmark_searches_for_as_many_results_as_the_app():
    from tests.bench.run import APP_RESULTS
    from tui.screens.search import RESULT_LIMIT

    assert APP_RESULTS == RESULT_LIMIT


async def test_search_with_a_typo_opens_the_hit_and_esc_returns(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await search(app, pilot, "lcoal low rank matrx")
        results = app.screen.query_one("#search-results")
        assert drawn(results)[0].startswith("2013  Local Low-Rank Matrix Approximation  Guy Lebanon, Yoram Singer")
        await press(app, pilot, "enter")
        detail = app.main_screen.query_one("#detail")
        assert detail.paper["title"] == "Local Low-Rank Matrix Approximation"
        # The lists follow: the paper's first named author is open, with the paper selected.
        assert app.main_screen.query_one("#authors").current["display_name"] == "Guy Lebanon"
        assert app.main_screen.query_one("#papers").current["title"] == "Local Low-Rank Matrix Approximation"
        await press(app, pilot, "slash", "x", "escape")
        assert app.screen is app.main_screen
        assert detail.paper["title"] == "Local Low-Rank Matrix Approximation"


async def test_a_search_that_finds_nothing_says_so_and_an_empty_query_asks_for_one(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await search(app, pilot, "zzqqxx")
        results = app.screen.query_one("#search-results")
        assert drawn(results)[0] == "No papers match 'zzqqxx'"
        assert str(app.screen.query_one("#search-status").render()).startswith("0 results in ")
        await press(app, pilot, *["backspace"] * 6)
        assert drawn(results)[0] == "Type to search titles, authors, venues, comments and abstracts"


async def test_a_list_cut_at_its_limit_says_it_holds_the_best_results(app, monkeypatch):
    import tui.screens.search

    monkeypatch.setattr(tui.screens.search, "RESULT_LIMIT", 3)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await search(app, pilot, "learning")
        assert app.screen.query_one("#search-results").count == 3
        assert str(app.screen.query_one("#search-status").render()).startswith("The best 3 results in ")
        await press(app, pilot, *["backspace"] * 8, *"pseudocorset")
        assert str(app.screen.query_one("#search-status").render()).startswith("1 result in ")


async def test_malformed_filter_is_explained(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await search(app, pilot, "year:20x")
        status = app.screen.query_one("#search-status")
        assert str(status.render()) == "year:20x: not a year; write year:2021, year:2019-2022 or year:>2020"


async def test_a_long_error_wraps_so_its_advice_shows_in_a_narrow_terminal(app):
    async with app.run_test(size=(80, 30)) as pilot:
        await started(app, pilot)
        await search(app, pilot, "year:2019-2020 year:2022-2023")
        status = app.screen.query_one("#search-status")
        assert str(status.render()) == ("year:2022-2023 and year:2019-2020 leave no year (filters combine);"
                                        " for either, write year:2019-2023")
        assert status.size.height == 2  # on one line, the advice was cut off at the pane's edge
        await press(app, pilot, *["backspace"] * 30)
        assert status.size.height == 1


async def test_copy_link_and_bibtex(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await search(app, pilot, "pseudocoreset")
        await press(app, pilot, "enter")
        await press(app, pilot, "y")
        assert app.clipboard == "https://arxiv.org/abs/2210.06205"
        await press(app, pilot, "Y")
        # The page gives no title: the entry has none, and a comment says so.
        assert app.clipboard.startswith("% arXiv:2210.06205 — A Bayesian pseudocoreset is a small synthetic datas: "
                                        "the page gives no title\n@misc{anon2022untitled")
        assert "title =" not in app.clipboard


async def test_help_and_quit(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await press(app, pilot, "question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await press(app, pilot, "escape", "q")
        assert not app.is_running


async def test_narrow_screen_shows_the_focused_pane_only(app):
    async with app.run_test(size=(60, 20)) as pilot:
        await started(app, pilot)
        screen = app.main_screen
        assert screen.has_class("-narrow")
        assert screen.query_one("#authors-pane").display and not screen.query_one("#detail").display
        await press(app, pilot, "enter", "enter")
        assert screen.query_one("#detail").display and not screen.query_one("#authors-pane").display
        # Tab and Shift+Tab go round the panes, the hidden ones included.
        shown = lambda: [p.id for p in screen.query(".pane") if p.display]  # noqa: E731
        await press(app, pilot, "tab")
        assert (shown(), app.focused.id) == (["authors-pane"], "authors")
        await press(app, pilot, "tab")
        assert (shown(), app.focused.id) == (["papers"], "papers")
        await press(app, pilot, "shift+tab", "shift+tab")
        assert (shown(), app.focused.id) == (["detail"], "detail")


OWNER = "Zed [link=https://evil.example]L[/link] [@click=app.quit]Q[/] [reverse]REV[/]"
HOSTILE = (
    f"{OWNER}\n\nh-index1\n2papers\n\n2 Papers\n\n"
    "LGMar 3, 2021\n[@click=app.quit]Evil[/] arr[i] [sic]\x1b]52;c;ZXZpbA==\x07\x1b[31mred\u202e\n\n"
    f"{OWNER}, Eve [link=https://x]Y[/link]\n\nAbstract with [bold]markup[/bold] and \x1b[2J.\n\n"
    f"CVJan 2, 2020\nA calm second paper\n\n{OWNER}\n\nPlain abstract.\n"
)


async def test_hostile_page_shows_literally_and_the_app_keeps_running(tmp_path):
    page = tmp_path / "hostile.txt"
    page.write_text(HOSTILE)
    store = tmp_path / "store.json"
    report = ingest(store, [page])
    assert not report.failed
    app = LitbrowseApp(store, watch_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        authors = drawn(app.main_screen.query_one("#authors"))
        assert authors[0] == "★ Zed [link=https://… 2p h1"
        await press(app, pilot, "enter", "g", "enter")
        # Every place the page's text reaches shows it as text: the panes' titles...
        screen = app.main_screen
        assert screen.query_one("#papers")._border_title.plain == f"Papers of {OWNER} (2)"
        assert screen.query_one("#papers")._border_title.spans == []
        assert screen.query_one("#detail")._border_title.plain.startswith("Paper · p:")
        detail = drawn(app.main_screen.query_one("#detail"))
        assert detail[:2] == ["[@click=app.quit]Evil[/] arr[i] [sic]\\x1b]", "52;c;ZXZpbA==\\x07\\x1b[31mred\\u202e"]
        assert "Abstract with [bold]markup[/bold] and \\x1b[2J." in " ".join(detail)
        # The clipboard gets no control character from the page (OSC 52 would pass it on).
        copied = []
        app.copy_to_clipboard = copied.append
        await press(app, pilot, "Y")
        assert len(copied) == 1 and copied[0].startswith("@misc{") and "[@click=app.quit]Evil[/]" in copied[0]
        assert not any(char in copied[0] for char in "\x1b\x07\x9b\u202e")
        await press(app, pilot, "enter", "y", "tab")
        # ...the search screen's rows...
        await search(app, pilot, "evil")
        await pilot.pause(0.3)
        rows = drawn(app.screen.query_one("#search-results"))
        assert rows[0].startswith("2021  [@click=app.quit]Evil[/] arr[i] [sic]")
        assert "  Zed [link=https://evil.example]L[" in rows[0]
        await press(app, pilot, "enter")
        assert app.is_running
        # ...and the command palette.
        await press(app, pilot, "ctrl+p", *"evil")
        await pilot.pause(0.5)
        from textual.command import CommandList

        prompts = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
        assert any(p.startswith("Paper: [@click=app.quit]Evil[/] arr[i] [sic]") for p in prompts)
        assert any(p.startswith(f"Author: {OWNER}") for p in prompts)
        await press(app, pilot, "escape")
        await pilot.pause()
        assert app.is_running
        assert app.main_screen.query_one("#detail").paper["title"].startswith("[@click=app.quit]Evil[/]")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_opening_a_search_hit_scrolls_the_lists_to_its_author_and_paper(app, size):
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        authors = app.main_screen.query_one("#authors")
        screen = app.main_screen
        position = {author["id"]: n for n, author in enumerate(authors.shown)}
        # The paper whose author (the one opening it shows) sits lowest in the list, and
        # which the author open now does not list.
        candidates = [
            (position[linked[0]["id"]], paper["id"])
            for paper in screen.data.papers
            if paper["id"] not in authors.current["papers"] and paper.get("title")
            and (linked := [a for a in screen.catalog.authors_of(paper) if a["name"] in paper["authors"]])
        ]
        lowest, paper_id = max(candidates)
        assert lowest > 40
        paper, last = screen.papers_by_id[paper_id], authors.shown[lowest]
        await search(app, pilot, paper["title"])
        await press(app, pilot, "enter")
        assert authors.current["id"] == last["id"]
        top, height = round(authors.scroll_offset.y), authors.scrollable_content_region.height
        assert height > 0 and top <= authors.cursor < top + height
        assert any(last["display_name"] in line for line in drawn(authors))
        papers = app.main_screen.query_one("#papers")
        assert papers.current["id"] == paper["id"]
        assert any(paper["title"][:12] in line for line in drawn(papers))


async def test_a_large_store_shows_its_authors_first_then_their_papers(seeded_store, monkeypatch):
    import asyncio
    import threading

    import tui.app

    release = threading.Event()
    real_attach = tui.app.attach_papers

    def slow_attach(path, data):
        assert release.wait(timeout=10), "the test never let the papers load"
        real_attach(path, data)

    monkeypatch.setattr(tui.app, "AUTHORS_FIRST_BYTES", 0)
    monkeypatch.setattr(tui.app, "attach_papers", slow_attach)
    app = LitbrowseApp(seeded_store, watch_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        authors, papers = app.main_screen.query_one("#authors"), app.main_screen.query_one("#papers")
        while not authors.count:
            await asyncio.sleep(0.01)
        await pilot.pause()
        assert drawn(papers)[0] == "Loading papers…"
        assert papers.border_title == "Papers of Kyungwoo Song (46)"
        await pilot.press("down")  # the list answers keys while the papers load
        await pilot.pause()
        assert authors.current["display_name"].startswith("Related to: Self-Supervised")
        assert not release.is_set() and app.search_index is None
        release.set()
        await started(app, pilot)
        assert papers.count == 19 and drawn(papers)[0].startswith(" 2026-02-05  SAIL: Self-Amplified")
        assert app.search_index is not None


async def test_a_store_read_before_the_screen_is_mounted_is_in_the_first_frame(seeded_store, monkeypatch):
    """A small store is read by the time the screen is mounted: it is shown then, and the
    worker only indexes it (no frame without the papers, no second frame to draw)."""
    real_read_ahead = LitbrowseApp._read_ahead
    read_by_the_worker = []

    def read_ahead_done(self):
        future = real_read_ahead(self)
        future.result()
        return future

    monkeypatch.setattr(LitbrowseApp, "_read_ahead", read_ahead_done)
    monkeypatch.setattr(LitbrowseApp, "_read_and_show", lambda self, worker: read_by_the_worker.append(worker))
    app = LitbrowseApp(seeded_store, watch_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        papers = app.main_screen.query_one("#papers")
        assert app.main_screen.query_one("#authors").count == 98 and papers.count == 46
        await started(app, pilot)
        assert read_by_the_worker == [] and app.search_index is not None
        assert drawn(papers)[0].startswith(" 2026-05-21? Geometry-Adaptive Explain")


async def test_the_app_notices_an_ingest_from_another_process_and_reloads_on_r(tmp_path):
    from tests.conftest import ARXIVER, SCHOLARFEED_SMALL

    store = tmp_path / "store.json"
    ingest(store, [SCHOLARFEED_SMALL])
    app = LitbrowseApp(store, watch_store=False)  # the test calls the poll itself
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        assert app.main_screen.query_one("#authors").count == 5
        ingest(store, [ARXIVER])  # as another shell's `litbrowse ingest` would
        app.check_store()
        app.check_store()  # said once, not at every poll
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert said == ["The store changed on disk (an ingest?): press r to reload"]
        await press(app, pilot, "r")
        assert app.main_screen.query_one("#authors").count == 6  # + the arxiver page's entry
        assert str(app.main_screen.query_one("#status").render()).startswith("12 papers, 6 authors")


async def test_a_list_of_100000_rows_draws_only_the_rows_on_screen():
    from textual.app import App

    from tui.widgets.paper_list import PaperList

    papers = [{"id": f"p:{n:06}", "display_title": f"Paper number {n}", "date": f"{2000 + n % 25}-01-01",
               "year": 2000 + n % 25, "category": "LG"} for n in range(100_000)]

    class OneList(App):
        def compose(self):
            yield PaperList(id="papers")

    app = OneList()
    async with app.run_test(size=(80, 24)) as pilot:
        papers_list = app.query_one(PaperList)
        papers_list.focus()
        papers_list.set_papers(papers)
        rows_drawn = []
        real_row = papers_list.row
        papers_list.row = lambda index, width: rows_drawn.append(index) or real_row(index, width)
        await pilot.press("G")
        await pilot.pause()
        assert papers_list.cursor == 99_999
        last = papers_list.papers[-1]  # newest first: the oldest paper ends the list
        assert drawn(papers_list)[-1].startswith(f" 2000-01-01  {last['display_title']} ")
        # Only what is on screen is drawn: a screenful of rows, not 100,000.
        assert 0 < len(set(rows_drawn)) <= 2 * 24


async def test_the_app_reads_an_abstract_from_disk_when_its_paper_is_shown(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        detail, data = app.main_screen.query_one("#detail"), app.main_screen.catalog.data
        texts = lambda: ["".join(text for text, _ in line.pieces) for line in detail.lines]  # noqa: E731
        assert "Abstract" in texts()
        # Only the paper shown holds its abstract; the rest stay on disk.
        assert [p["id"] for p in data.papers if "abstract" in p] == [detail.paper["id"]]
        await search(app, pilot, "pseudocoreset")
        await press(app, pilot, "enter")
        assert detail.paper["id"] == "arxiv:2210.06205"
        assert "Abstract" in texts() and any(line.startswith("A Bayesian pseudocoreset") for line in texts())
        assert len([p for p in data.papers if "abstract" in p]) == 2


async def test_until_the_abstracts_are_open_the_pane_says_they_are_being_read(app, monkeypatch):
    import threading

    import tui.app

    released = threading.Event()
    real_open = tui.app.open_details

    def open_when_released(path, data):
        released.wait(timeout=10)
        real_open(path, data)

    monkeypatch.setattr(tui.app, "open_details", open_when_released)
    async with app.run_test(size=(120, 40)) as pilot:
        detail = app.main_screen.query_one("#detail")
        texts = lambda: ["".join(text for text, _ in line.pieces) for line in detail.lines]  # noqa: E731
        for _ in range(200):  # the lists and the first paper are shown before the abstracts are opened
            await pilot.pause(0.02)
            if detail.paper is not None:
                break
        abstract = texts()[texts().index("Abstract"):]
        assert abstract[:2] == ["Abstract", "(reading the store's abstracts…)"]
        released.set()
        await started(app, pilot)
        abstract = texts()[texts().index("Abstract"):]
        assert "(reading the store's abstracts…)" not in texts()
        shown = app.main_screen.catalog.data.fill(detail.paper)["abstract"]
        assert abstract[1] and abstract[1] in " ".join(shown.split())
        # Once they are open, a paper that has none shows no abstract at all.
        data = app.main_screen.catalog.data
        without = next(p for p in data.papers
                       if not any(data.fill(p).get(k) for k in ("abstract", "summary", "comments")))
        app.main_screen.show_detail(without)
        await pilot.pause()
        assert detail.paper["id"] == without["id"] and "Abstract" not in texts()


async def test_the_first_paper_shows_its_abstract_before_the_titles_are_indexed(app, monkeypatch):
    import threading

    import store.search.ranking

    released = threading.Event()

    class IndexHeldBack(store.search.ranking.SearchIndex):
        def __init__(self, *args, **kwargs):
            released.wait(timeout=10)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(store.search.ranking, "SearchIndex", IndexHeldBack)
    async with app.run_test(size=(120, 40)) as pilot:
        detail = app.main_screen.query_one("#detail")
        texts = lambda: ["".join(text for text, _ in line.pieces) for line in detail.lines]  # noqa: E731
        for _ in range(200):
            await pilot.pause(0.02)
            if detail.paper is not None and "Abstract" in texts() and not detail.abstract_pending:
                break
        assert app.search_index is None and not released.is_set()  # the titles are not indexed yet
        abstract = texts()[texts().index("Abstract"):]
        assert abstract[1] != "(reading the store's abstracts…)"
        assert abstract[1] in " ".join(detail.paper["abstract"].split())
        released.set()
        await started(app, pilot)
        assert app.search_index is not None


async def test_quitting_while_the_abstracts_are_indexed_stops_the_indexing(app, monkeypatch):
    import time

    from store.disk.details import Details

    real_abstracts = Details.abstracts
    streamed = []

    def slow_abstracts(self):  # 94 abstracts at 50 ms each: the indexing takes 5 s
        for pair in real_abstracts(self):
            streamed.append(pair[0])
            time.sleep(0.05)
            yield pair

    monkeypatch.setattr(Details, "abstracts", slow_abstracts)
    async with app.run_test(size=(120, 40)) as pilot:
        while len(streamed) < 3:
            await pilot.pause(0.05)
        loading = next(w for w in app.workers if w.group == "load")
    # The app has quit, its workers cancelled: the indexing stops at the next abstract.
    stopped_at = len(streamed)
    time.sleep(0.5)
    assert len(streamed) <= stopped_at + 1 < 20
    assert loading.is_cancelled and app.search_index is not None and not app.search_index.has_abstracts


async def test_a_damaged_details_file_is_reported_and_the_app_keeps_running(tmp_path):
    from store.disk.persistence import load
    from tests.conftest import ARXIVER

    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    details_file = tmp_path / load(store).details_file
    details_file.write_bytes(details_file.read_bytes()[:-200])  # cut off in the last paper
    app = LitbrowseApp(store, watch_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        said = [str(n.message) for n in app._notifications]
        assert said == [f"{details_file}: details file damaged (cut off): the abstracts after it are not "
                        "searched; ingest your pages again"]
        assert app.main_screen.query_one("#papers").count == 10


async def test_a_query_typed_before_the_index_is_ready_is_answered_when_it_is(seeded_store, monkeypatch):
    import asyncio
    import threading

    import store.search.ranking

    release = threading.Event()
    real_index = store.search.ranking.SearchIndex

    def slow_index(*args, **kwargs):
        assert release.wait(timeout=10), "the test never let the index build"
        return real_index(*args, **kwargs)

    monkeypatch.setattr(store.search.ranking, "SearchIndex", slow_index)
    app = LitbrowseApp(seeded_store, watch_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.main_screen.query_one("#papers").count:
            await asyncio.sleep(0.01)
        await pilot.press("slash", *"pseudocorset")
        await pilot.pause()
        status = app.screen.query_one("#search-status")
        assert str(status.render()) == "The search index is still loading…"
        release.set()
        await started(app, pilot)
        assert str(status.render()).startswith("1 result in ")
        assert drawn(app.screen.query_one("#search-results"))[0].startswith("2022  arXiv:2210.06205 — A Bayesian")


async def test_a_reload_during_indexing_keeps_the_new_index(seeded_store, monkeypatch):
    import asyncio
    import threading

    from store.search.ranking import SearchIndex

    release, calls = threading.Event(), []
    real_add = SearchIndex.add_abstracts

    def add_abstracts(index, abstracts=None, cancelled=None):
        calls.append(index)
        if len(calls) == 1:  # the first load's index waits until the second load is done
            assert release.wait(timeout=10), "the test never let the first load finish"
        real_add(index, abstracts, cancelled)

    async def until(condition) -> None:
        for _ in range(1000):
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("waited 10 s")

    monkeypatch.setattr(SearchIndex, "add_abstracts", add_abstracts)
    app = LitbrowseApp(seeded_store, watch_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: len(calls) >= 1)
        await pilot.press("r")
        await until(lambda: len(calls) == 2 and calls[1].has_abstracts)
        await pilot.pause()
        assert app.search_index is calls[1]
        release.set()
        await started(app, pilot)
        # The first load, cancelled by the reload, stopped at its next abstract: nothing of it was kept.
        assert app.search_index is calls[1] and not calls[0].has_abstracts


async def test_esc_from_a_paper_opened_by_search_returns_to_its_results_and_up_recalls_queries(
        seeded_store, tmp_path):
    import shutil

    for file in seeded_store.parent.iterdir():
        if file.name.startswith("store.json") and not file.name.endswith((".lock", ".history")):
            shutil.copy(file, tmp_path / file.name)
    app = LitbrowseApp(tmp_path / "store.json", watch_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await search(app, pilot, "pseudocoreset")
        await pilot.pause(0.3)
        await press(app, pilot, "enter")
        assert type(app.screen).__name__ == "MainScreen"
        assert app.main_screen.query_one("#detail").paper["id"] == "arxiv:2210.06205"
        await press(app, pilot, "escape")
        await pilot.pause(0.3)
        # Back at the results, the query kept.
        assert type(app.screen).__name__ == "SearchScreen" and app.screen.query_text == "pseudocoreset"
        assert "Bayesian pseudocoreset" in " ".join(drawn(app.screen.query_one("#search-results")))
        await press(app, pilot, "escape")
        assert type(app.screen).__name__ == "MainScreen"
        # A second search; Up in its input recalls the first.
        await press(app, pilot, "slash", "ctrl+u", *"kernel")
        await pilot.pause(0.3)
        await press(app, pilot, "enter", "slash")
        assert app.screen.query_text == "kernel"
        await press(app, pilot, "up")
        assert app.screen.query_text == "pseudocoreset"
        await press(app, pilot, "escape")
    assert (tmp_path / "store.json.history").read_text() == "pseudocoreset\nkernel\n"


async def test_space_marks_papers_x_exports_them_and_y_copies_their_bibtex(seeded_store, tmp_path, monkeypatch):
    from pybtex.database import parse_string

    monkeypatch.chdir(tmp_path)
    app = LitbrowseApp(seeded_store, watch_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await press(app, pilot, "enter")  # the first author's papers
        papers = app.main_screen.query_one("#papers")
        first, second = papers.papers[0]["id"], papers.papers[1]["id"]
        await press(app, pilot, "space", "space")
        assert app.marked == {first, second}
        assert drawn(papers)[0][0] == "◆" and drawn(papers)[2][0] == " "
        assert str(app.main_screen.query_one("#status").render()).endswith("· 2 marked (x export, Y BibTeX)")
        copied = []
        app.copy_to_clipboard = copied.append
        await press(app, pilot, "Y")
        assert len(parse_string(copied[0], "bibtex").entries) == 2
        await press(app, pilot, "x")
        assert type(app.screen).__name__ == "ExportScreen"
        assert app.screen.query_one("#export-path").value == str(tmp_path / "litbrowse-marked.bib")
        await press(app, pilot, "enter")
        await pilot.pause()
        written = parse_string((tmp_path / "litbrowse-marked.bib").read_text(), "bibtex").entries
        assert len(written) == 2
        # Unmarked, x exports the papers listed, here as CSL-JSON.
        await press(app, pilot, "g", "space", "space")
        assert app.marked == set()
        await press(app, pilot, "x", "ctrl+u", *str(tmp_path / "all.json"), "enter")
        await pilot.pause()
        assert len(json.loads((tmp_path / "all.json").read_text())) == len(papers.papers)
