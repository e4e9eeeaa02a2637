"""The paper detail pane: every field, wrapped to the pane's width, with selectable links.

Authors, related papers and links are rows with an action: Enter on an author opens
them, on a related paper opens it, on a link opens it in a browser.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.geometry import Size

from tui.messages import OpenUrl, ShowAuthor, ShowPaper
from tui.widgets.line_list import LineList, Row, clean

Paper = dict[str, Any]


@dataclass
class DetailLine:
    pieces: Row
    action: tuple[str, str] | None = None  # ("author", id) | ("paper", id) | ("url", url)


class PaperDetail(LineList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open"),
        Binding("n", "next_link", "Next link"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.paper: Paper | None = None
        self.lines: list[DetailLine] = []
        self.papers_by_id: dict[str, Paper] = {}
        self.linked_authors: list[dict[str, Any]] = []
        self.empty_text = "No paper selected"
        # The store's abstracts are not open yet (the app opens them once the papers are
        # listed): the pane says so where the abstract goes, rather than show a paper
        # that seems to have none.
        self.abstract_pending = False
        self._width = 0

    def show(self, paper: Paper | None, linked_authors: list[dict[str, Any]], papers_by_id: dict[str, Paper]) -> None:
        self.paper, self.linked_authors, self.papers_by_id = paper, linked_authors, papers_by_id
        self._layout()
        self.reset(len(self.lines), 0)

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._width:
            self.relayout()
        super().on_resize()

    def relayout(self) -> None:
        """Lay the paper out again (a new width, or its abstract arrived), keeping the cursor."""
        if self.paper is None:
            return
        cursor = self.cursor
        self._layout()
        self.count = len(self.lines)
        self.virtual_size = Size(0, self.count)
        self.cursor = min(cursor, self.count - 1)
        self.refresh()

    def _layout(self) -> None:
        self._width = width = max(20, self.scrollable_content_region.width or 60)
        paper, lines = self.paper, []
        self.lines = lines
        if paper is None:
            return

        def text(body: str, role: str = "", indent: str = "") -> None:
            # Escape before wrapping, so an escaped control character is never cut off.
            for chunk in textwrap.wrap(clean(body), width=width - len(indent)) or [""]:
                lines.append(DetailLine([(indent + chunk, role)]))

        def field(label: str, value: Any, action: tuple[str, str] | None = None, role: str = "") -> None:
            if value in (None, "", []):
                return
            body = clean(str(value))
            chunks = textwrap.wrap(body, width=max(10, width - 11)) or [""]
            for n, chunk in enumerate(chunks):
                head = f"{label:<10} " if n == 0 else " " * 11
                lines.append(DetailLine([(head, "dim"), (chunk, "link" if action else role)], action))

        text(paper["display_title"], "heading")
        if not paper.get("title"):
            text("(the page gives no title)", "dim")
        lines.append(DetailLine([("", "")]))
        by_key = {}
        for author in self.linked_authors:
            for alias in author["aliases"]:
                by_key[alias] = author
        for n, name in enumerate(paper["authors"]):
            author = by_key.get(name)
            field("Authors" if n == 0 else "", name, ("author", author["id"]) if author else None)
        listed = set(paper["authors"])
        # Owners a store made before owners were stored among the authors still link here.
        owners = [a for a in self.linked_authors if a["kind"] != "page" and not listed & set(a["aliases"])]
        for author in owners:
            label = "Authors" if not paper["authors"] and author is owners[0] else ""
            field(label, author["display_name"] + " (page owner)", ("author", author["id"]))
        if not paper["authors"] and not owners:
            field("Authors", "(the page names none)", role="dim")
        elif not paper["authors_complete"]:
            field("", "et al. (the page cut the list)", role="dim")
        # Unnamed pages are where the paper was saved from, not its authors.
        for n, page in enumerate(a for a in self.linked_authors if a["kind"] == "page"):
            field("On page" if n == 0 else "", page["display_name"], ("author", page["id"]))
        date = paper.get("date") or (str(paper["year"]) if paper.get("year") else None)
        if date and paper.get("date_inferred"):
            date += "  (year inferred: the page gave none)"
        field("Date", date)
        field("Venue", paper.get("venue"))
        field("Category", paper.get("category"))
        field("Affil.", ", ".join(paper.get("affiliations") or ()))
        if paper.get("arxiv_id"):
            link = f"https://arxiv.org/abs/{paper['arxiv_id']}"
            field("arXiv", link, ("url", link))
        if paper.get("url") and not (paper.get("arxiv_id") and paper["arxiv_id"] in paper["url"]):
            field("URL", paper["url"], ("url", paper["url"]))
        if paper.get("code_url"):
            field("Code", paper["code_url"], ("url", paper["code_url"]))
        elif paper.get("has_code"):
            field("Code", "the page flags a code release")
        if paper.get("score") is not None:
            field("Score", f"{paper['score']:.2f}")
        sections = [(label, paper.get(key), "") for label, key in
                    (("Comments", "comments"), ("Summary", "summary"), ("Abstract", "abstract"))]
        if self.abstract_pending and not paper.get("abstract"):
            sections[-1] = ("Abstract", "(reading the store's abstracts…)", "dim")
        for label, body, role in sections:
            if body:
                lines.append(DetailLine([("", "")]))
                lines.append(DetailLine([(label, "heading")]))
                for paragraph in body.split("\n"):
                    text(paragraph, role)
        related = [self.papers_by_id[i] for i in paper.get("related") or () if i in self.papers_by_id]
        if related:
            lines.append(DetailLine([("", "")]))
            lines.append(DetailLine([(f"Related papers ({len(related)})", "heading")]))
            for other in related:
                title = other["display_title"]
                if len(title) > width - 13:
                    title = title[: width - 14] + "…"
                lines.append(DetailLine([(f"{(other.get('date') or '')[:10]:<11} ", "dim"), (title, "link")],
                                        ("paper", other["id"])))
        lines.append(DetailLine([("", "")]))
        field("Pages", ", ".join(paper["sources"]), role="dim")
        field("Id", paper["id"], role="dim")

    def row(self, index: int, width: int) -> Row:
        return self.lines[index].pieces if index < len(self.lines) else []

    def action_select(self) -> None:
        if not self.lines:
            return
        action = self.lines[self.cursor].action
        if action is None:
            return
        kind, value = action
        if kind == "author":
            self.post_message(ShowAuthor(value))
        elif kind == "paper":
            self.post_message(ShowPaper(value))
        else:
            self.post_message(OpenUrl(value))

    def action_next_link(self) -> None:
        for index in range(self.cursor + 1, len(self.lines)):
            if self.lines[index].action:
                self.cursor = index
                return
