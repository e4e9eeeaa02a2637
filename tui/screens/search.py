"""The fuzzy-search screen: results update as you type; Enter opens, Esc goes back."""

from __future__ import annotations

from time import perf_counter
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from store.search.query import query_note
from store.search.ranking import QueryError, SearchIndex, SearchResult
from tui.widgets.line_list import LineList, Row

RESULT_LIMIT = 200


def highlighted(text: str, spans: list[tuple[int, int]], width: int) -> Row:
    """Row pieces with the matched spans marked, cut to width."""
    pieces: Row = []
    at = 0
    for start, end in sorted(spans):
        if start >= width:
            break
        if start > at:
            pieces.append((text[at:start], ""))
        pieces.append((text[max(start, at):end], "match"))
        at = max(at, end)
    pieces.append((text[at:], ""))
    return pieces


class ResultList(LineList):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "Open")]

    PROMPT = "Type to search titles, authors, venues, comments and abstracts"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.results: list[SearchResult] = []
        self.empty_text = self.PROMPT

    def set_results(self, results: list[SearchResult], query: str) -> None:
        self.results = results
        self.empty_text = f"No papers match '{query.strip()}'" if query.strip() else self.PROMPT
        self.reset(len(results), 0)

    def row(self, index: int, width: int) -> Row:
        result = self.results[index]
        paper = result.paper
        year = f"{paper.get('year') or '':<5} "
        title = paper.get("title") or paper["display_title"]
        spans = result.spans_by_field.get("title", []) if paper.get("title") else []
        pieces: Row = [(year, "dim"), *highlighted(title, spans, width)]
        if result.field and result.field != "title":
            pieces.append((f"  · {result.field_name}", "dim"))
        authors = ", ".join(paper.get("authors") or ())
        if authors:
            pieces.append(("  " + authors, "dim"))
        return pieces


class SearchScreen(ModalScreen[str | None]):
    """Returns the chosen paper's id, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Back"),
        Binding("down", "to_results", "Results", show=False),
        Binding("up", "earlier_query", "Earlier query"),
    ]

    def __init__(self, index: SearchIndex | None, query: str = "", history: list[str] | None = None) -> None:
        super().__init__()
        self.index = index
        self.initial = query
        self.history = list(history or [])
        self._recalled = len(self.history)  # the query Up shows next is the one before this

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(value=self.initial, placeholder="search: words, author:NAME year:2020-2022 cat:LG venue:ICML",
                        id="search-input")
            yield Static("", id="search-status")
            yield ResultList(id="search-results")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.initial:
            self.run_search(self.initial)

    def use_index(self, index: SearchIndex) -> None:
        """The index arrived (or grew) while the screen was open: answer what was typed."""
        self.index = index
        self.run_search(self.query_one(Input).value)

    @on(Input.Changed, "#search-input")
    def changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#search-input")
    def submitted(self) -> None:
        results = self.query_one(ResultList)
        if results.results:
            self.dismiss(results.results[results.cursor].paper["id"])

    @on(LineList.Selected, "#search-results")
    def chosen(self, event: LineList.Selected) -> None:
        self.dismiss(self.query_one(ResultList).results[event.index].paper["id"])

    @work(exclusive=True, group="search")
    async def run_search(self, text: str) -> None:
        """One search per keystroke; a newer keystroke cancels an older one still queued."""
        status = self.query_one("#search-status", Static)
        if self.index is None:
            status.update(Content("The search index is still loading…"))
            return
        started = perf_counter()
        try:
            results = self.index.search(text, limit=RESULT_LIMIT)
        except QueryError as error:
            status.update(Content.from_markup("[b $error]$message", message=str(error)))
            return
        elapsed = (perf_counter() - started) * 1000
        self.query_one(ResultList).set_results(results, text)
        if text.strip():
            more = "" if self.index.has_abstracts else " (abstracts still indexing)"
            if len(results) == RESULT_LIMIT:  # where the list stops: more may match
                found = f"The best {RESULT_LIMIT} results"
            else:
                found = f"{len(results)} result{'' if len(results) == 1 else 's'}"
            note = query_note(text) if len(text) > 200 else None  # only a long query can be cut
            status.update(Content(f"{found} in {elapsed:.0f} ms{more}" + (f" — {note}" if note else "")))
        else:
            status.update(Content(""))

    def action_to_results(self) -> None:
        self.query_one(ResultList).focus()

    @property
    def query_text(self) -> str:
        return self.query_one(Input).value

    def action_earlier_query(self) -> None:
        """Up in the input: the query searched before the one shown (Up in the results moves the cursor)."""
        if not isinstance(self.focused, Input):
            self.query_one(ResultList).action_cursor_up()
            return
        while self._recalled > 0:
            self._recalled -= 1
            if self.history[self._recalled] != self.query_text:
                field = self.query_one(Input)
                field.value = self.history[self._recalled]
                field.cursor_position = len(field.value)
                return
        self.notify("No earlier query", timeout=2)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
