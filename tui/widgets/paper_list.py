"""The papers of the selected author: date, title, venue or category; sortable."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from textual.binding import Binding, BindingType

from store.model import newest_first
from store.text import fold
from tui.widgets.line_list import LineList, Row, fit

Paper = dict[str, Any]
SORTS = ("date", "title")


def short_date(paper: Paper) -> str:
    if paper.get("date"):
        return paper["date"] + ("?" if paper.get("date_inferred") else " ")
    return f"{paper['year']}       " if paper.get("year") else "    -      "


class PaperList(LineList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "cycle_sort", "Sort"),
        Binding("enter", "select", "Details"),
        Binding("space", "toggle_mark", "Mark"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.papers: list[Paper] = []
        self.sort = "date"
        self.empty_text = "No author selected"

    def set_papers(self, papers: list[Paper], keep: str | None = None, empty_text: str = "No papers") -> None:
        self.papers = self._sorted(papers)
        self.empty_text = empty_text
        position = next((i for i, p in enumerate(self.papers) if p["id"] == keep), 0)
        self.reset(len(self.papers), position)

    def _sorted(self, papers: list[Paper]) -> list[Paper]:
        if self.sort == "title":
            return sorted(papers, key=lambda p: fold(p["display_title"]))
        return newest_first(papers)

    def select_id(self, paper_id: str) -> bool:
        for index, paper in enumerate(self.papers):
            if paper["id"] == paper_id:
                self.cursor = index
                return True
        return False

    @property
    def current(self) -> Paper | None:
        return self.papers[self.cursor] if self.papers else None

    def row(self, index: int, width: int) -> Row:
        paper = self.papers[index]
        room = width - 13  # what the mark and the date column leave
        # The title is what people read: the category or venue gets a quarter at most.
        tag = paper.get("category") or paper.get("venue") or ""
        tag = fit(tag, min(cell_len(tag), room // 4)) if tag and room >= 24 else ""
        title_width = max(4, room - (cell_len(tag) + 1 if tag else 0))
        title = fit(paper["display_title"], title_width)
        title += " " * (title_width - cell_len(title))
        marked = paper["id"] in getattr(self.app, "marked", ())
        return [("◆" if marked else " ", "accent"), (short_date(paper) + " ", "dim"), (title, ""),
                (" " + tag if tag else "", "accent")]

    def action_toggle_mark(self) -> None:
        """Mark the paper under the cursor (or unmark it), and go on to the next."""
        if self.current is None:
            return
        self.app.toggle_mark(self.current["id"])  # type: ignore[attr-defined]
        self.refresh_line(self.cursor)
        self.action_cursor_down()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        keep = self.current["id"] if self.current else None
        self.set_papers(self.papers, keep)
        self.notify(f"Papers sorted by {self.sort}", timeout=2)
