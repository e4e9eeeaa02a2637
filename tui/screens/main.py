"""The main screen: authors, their papers and the paper detail, with a history to go back.

The screen owns the state (the loaded store, the open author and paper) and hands it
to the panes; the panes post messages saying what the user did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from store.catalog import Catalog
from store.disk.persistence import StoreData
from tui.messages import ShowAuthor, ShowPaper
from tui.widgets.author_list import AuthorList
from tui.widgets.line_list import LineList
from tui.widgets.paper_detail import PaperDetail
from tui.widgets.paper_list import PaperList

WIDE, NARROW = 120, 70  # columns: three panes at WIDE and up; one pane below NARROW


@dataclass(frozen=True)
class Place:
    """Where the user was: what to restore on Back."""

    author_id: str | None
    paper_id: str | None
    focus: str


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back"),
        Binding("f", "filter_authors", "Filter", show=False),
        Binding("tab", "next_pane", "Next pane", show=False),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.catalog = Catalog()
        self.history: list[Place] = []
        self.shown_author_id: str | None = None

    # The loaded store and its lookups, as the catalog holds them.
    @property
    def data(self) -> StoreData:
        return self.catalog.data

    @property
    def papers_by_id(self) -> dict[str, dict[str, Any]]:
        return self.catalog.papers_by_id

    @property
    def authors_by_id(self) -> dict[str, dict[str, Any]]:
        return self.catalog.authors_by_id

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                with Vertical(id="authors-pane", classes="pane"):
                    yield Input(placeholder="filter authors (f)", id="author-filter")
                    yield AuthorList(id="authors")
                yield PaperList(id="papers", classes="pane")
            yield PaperDetail(id="detail", classes="pane")
        yield Static("", id="status")
        # Mounted after the first frame: the footer's keys take a tenth of the start-up
        # (45 ms), and the panes are what the first frame is for.
        yield Lazy(Footer())

    def on_mount(self) -> None:
        self.query_one("#authors-pane").border_title = "Authors"
        self.query_one("#papers").border_title = "Papers"
        self.query_one("#detail").border_title = "Paper"
        self.query_one(AuthorList).focus()

    # -- data --------------------------------------------------------------

    def load(self, catalog: Catalog) -> None:
        """New store content; keeps the open author and paper when they still exist."""
        place = self.place()
        self.catalog = catalog
        data = catalog.data
        self.query_one(AuthorList).set_authors(data.authors, keep=place.author_id)
        # The papers pane anew: the same author may be open, with papers that just arrived.
        self.shown_author_id = None
        self.author_highlighted(None)
        if place.paper_id in self.papers_by_id:
            self.query_one(PaperList).select_id(place.paper_id)
        self.query_one("#authors-pane").border_title = f"Authors ({len(data.authors)})"

    # -- what the panes say -----------------------------------------------

    @on(LineList.Highlighted, "#authors")
    def author_highlighted(self, event: LineList.Highlighted | None) -> None:
        author = self.query_one(AuthorList).current
        author_id = author["id"] if author else None
        if event is not None and author_id == self.shown_author_id:
            return  # already shown (opened directly): keep the paper the user is on
        self.shown_author_id = author_id
        papers = [self.papers_by_id[i] for i in author["papers"] if i in self.papers_by_id] if author else []
        paper_list = self.query_one(PaperList)
        paper_list.set_papers(papers, empty_text="No papers" if self.data.papers_loaded else "Loading papers…")
        count = len(author["papers"]) if author else 0
        # A name is the page's text, never markup (a border title given a str parses it).
        paper_list.border_title = (Content(f"Papers of {author['display_name']} ({count})") if author
                                   else "Papers")
        if not papers:
            self.show_detail(None)

    @on(LineList.Selected, "#authors")
    def author_selected(self) -> None:
        self.query_one(PaperList).focus()

    @on(LineList.Highlighted, "#papers")
    def paper_highlighted(self) -> None:
        self.show_detail(self.query_one(PaperList).current)

    @on(LineList.Selected, "#papers")
    def paper_selected(self) -> None:
        self.query_one(PaperDetail).focus()

    @on(ShowAuthor)
    def show_author(self, message: ShowAuthor) -> None:
        self.remember()
        self.open_author(message.author_id)
        self.query_one(PaperList).focus()

    @on(ShowPaper)
    def show_paper(self, message: ShowPaper) -> None:
        self.remember()
        self.open_paper(message.paper_id)
        if message.focus_detail:
            self.query_one(PaperDetail).focus()

    # -- navigation ----------------------------------------------------------

    def open_author(self, author_id: str, paper_id: str | None = None) -> None:
        authors = self.query_one(AuthorList)
        authors.select_id(author_id)
        self.author_highlighted(None)
        if paper_id:
            self.query_one(PaperList).select_id(paper_id)

    def open_paper(self, paper_id: str) -> None:
        """Show a paper with its first linked author open in the lists."""
        paper = self.papers_by_id.get(paper_id)
        if paper is None:
            return
        current = self.query_one(AuthorList).current
        linked = self.catalog.authors_of(paper)
        if not (current and paper_id in current["papers"]) and linked:
            first = next((a for a in linked if a["name"] in paper["authors"]), linked[0])
            self.open_author(first["id"])
        self.query_one(PaperList).select_id(paper_id)
        self.show_detail(paper)

    def abstracts_arrived(self) -> None:
        """The store's details file is open, after the lists: show the current paper's abstract."""
        detail = self.query_one(PaperDetail)
        detail.abstract_pending = self._abstracts_pending()
        if detail.paper is not None:
            self.catalog.data.fill(detail.paper)
        detail.relayout()

    def _abstracts_pending(self) -> bool:
        """The store has abstracts, and its details file is not open yet."""
        data = self.catalog.data
        return bool(data.details_file) and not data.details_loaded

    def show_detail(self, paper: dict[str, Any] | None) -> None:
        detail = self.query_one(PaperDetail)
        detail.abstract_pending = self._abstracts_pending()
        linked = self.catalog.authors_of(paper) if paper else []
        detail.show(paper and self.catalog.data.fill(paper), linked, self.papers_by_id)
        detail.border_title = "Paper" if paper is None else Content(f"Paper · {paper['id']}")

    def place(self) -> Place:
        author = self.query_one(AuthorList).current
        paper = self.query_one(PaperDetail).paper
        focused = self.focused.id if self.focused and self.focused.id else "authors"
        return Place(author["id"] if author else None, paper["id"] if paper else None, focused)

    def remember(self) -> None:
        place = self.place()
        if not self.history or self.history[-1] != place:
            self.history.append(place)
            del self.history[:-200]

    def go_to(self, place: Place) -> None:
        if place.author_id:
            self.open_author(place.author_id, place.paper_id)
        if place.paper_id:
            self.show_detail(self.papers_by_id.get(place.paper_id))
        widget = self.query_one(f"#{place.focus}")
        if widget.focusable:
            widget.focus()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(AuthorList).focus()
            return
        shown = self.query_one(PaperDetail).paper
        if shown is not None and shown["id"] == getattr(self.app, "opened_from_search", None):
            self.app.opened_from_search = None  # type: ignore[attr-defined]
            self.app.action_search()  # type: ignore[attr-defined]  # back to the results it was opened from
            return
        if not self.history:
            self.notify("Nothing to go back to", timeout=2)
            return
        self.go_to(self.history.pop())

    def action_next_pane(self) -> None:
        self._step_panes(1)

    def action_previous_pane(self) -> None:
        self._step_panes(-1)

    def _step_panes(self, step: int) -> None:
        """Tab and Shift+Tab: the focus to the next or previous pane's list, in every layout.

        The app's focus_next would skip the panes a narrow screen hides (a widget not
        displayed is not in the focus chain), and stop at the author filter on the way.
        """
        panes = list(self.query(".pane"))
        focused = self.focused
        at = next((n for n, pane in enumerate(panes)
                   if focused is not None and (focused is pane or pane in focused.ancestors)), 0)
        pane = panes[(at + step) % len(panes)]
        (pane if isinstance(pane, LineList) else pane.query_one(LineList)).focus()  # the authors' list, not its filter

    # -- author filter -------------------------------------------------------

    def action_filter_authors(self) -> None:
        self.query_one("#author-filter", Input).focus()

    @on(Input.Changed, "#author-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        authors = self.query_one(AuthorList)
        authors.filter_text = event.value
        authors.refilter(authors.current["id"] if authors.current else None)

    @on(Input.Submitted, "#author-filter")
    def filter_done(self) -> None:
        self.query_one(AuthorList).focus()

    # -- layout --------------------------------------------------------------

    def on_resize(self) -> None:
        width = self.size.width
        self.set_class(width >= WIDE, "-wide")
        self.set_class(NARROW <= width < WIDE, "-medium")
        self.set_class(width < NARROW, "-narrow")
        self.show_focused_pane()

    def on_descendant_focus(self) -> None:
        self.show_focused_pane()

    def show_focused_pane(self) -> None:
        """On a narrow screen only the focused pane is shown, full size."""
        focused = self.focused
        for pane in self.query(".pane"):
            pane.set_class(focused is not None and (focused is pane or pane in focused.ancestors), "-focused")
        left = self.query_one("#left")
        left.set_class(focused is not None and left in focused.ancestors, "-has-focus")
