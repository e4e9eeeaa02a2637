"""The author list: page owners first with their metrics, then co-authors, filterable."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from store.text import fold, surname_key
from tui.widgets.line_list import LineList, Row

Author = dict[str, Any]
SORTS = ("papers", "name", "surname")


def _metrics(author: Author) -> str:
    profile = author.get("profile") or {}
    parts = [f"{len(author['papers'])}p"]
    if profile.get("h_index") is not None:
        parts.append(f"h{profile['h_index']}")
    if profile.get("citations") is not None:
        parts.append(f"c{profile['citations']}")
    return " ".join(parts)


class AuthorList(LineList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "cycle_sort", "Sort"),
        Binding("enter", "select", "Papers"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.authors: list[Author] = []
        self.shown: list[Author] = []
        self.sort = "papers"
        self.filter_text = ""
        self.empty_text = "Loading…"

    def set_authors(self, authors: list[Author], keep: str | None = None) -> None:
        self.authors = authors
        self._folded = {a["id"]: fold(" ".join([a["display_name"], *a["aliases"]])) for a in authors}
        self.refilter(keep)

    def refilter(self, keep: str | None = None) -> None:
        words = fold(self.filter_text).split()
        shown = [a for a in self.authors if all(w in self._folded[a["id"]] for w in words)]
        if self.sort == "name":
            shown.sort(key=lambda a: fold(a["display_name"]))
        elif self.sort == "surname":
            # Pages have no surname: they come after the people, by their label.
            shown.sort(key=lambda a: (a["kind"] == "page", surname_key(a["display_name"]) if a["name"] else
                                      (fold(a["display_name"]), "")))
        else:
            # Page owners and page entries first (they carry the metrics), then by paper count.
            shown.sort(key=lambda a: (not a["owner"], -len(a["papers"]), fold(a["display_name"])))
        self.shown = shown
        self.empty_text = f"No author matches '{self.filter_text}'" if self.authors else "The store is empty"
        position = next((i for i, a in enumerate(shown) if a["id"] == keep), 0)
        self.reset(len(shown), position)

    def select_id(self, author_id: str) -> bool:
        """Put the cursor on an author, clearing the filter if it hides them."""
        for index, author in enumerate(self.shown):
            if author["id"] == author_id:
                self.cursor = index
                return True
        if self.filter_text:
            self.filter_text = ""
            self.refilter(author_id)
            return any(a["id"] == author_id for a in self.shown)
        return False

    @property
    def current(self) -> Author | None:
        return self.shown[self.cursor] if self.shown else None

    def row(self, index: int, width: int) -> Row:
        author = self.shown[index]
        metrics = _metrics(author)
        name_width = max(4, width - len(metrics) - 3)
        if author["kind"] == "page":
            mark, role = "▤ ", "accent"
        elif author["owner"]:
            mark, role = "★ ", "accent"
        else:
            mark, role = "  ", ""
        name = author["display_name"]
        if len(name) > name_width:
            name = name[: name_width - 1] + "…"
        return [(mark, "mark"), (name.ljust(name_width), role), (" " + metrics, "dim")]

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.refilter(self.current["id"] if self.current else None)
        self.notify(f"Authors sorted by {self.sort}", timeout=2)
