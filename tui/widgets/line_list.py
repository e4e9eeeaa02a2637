"""A keyboard-driven list that draws each visible line itself (Textual's line API).

The stock OptionList, ListView and DataTable build a widget or a renderable for every
row and take seconds at 100,000 rows; this list only ever renders the rows on screen,
so filling it is instant and moving the cursor repaints two lines.

Rows are lists of (text, role) pieces. Page text is untrusted: every piece is passed
through printable() and written as a plain Segment, never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store.text import printable

Piece = tuple[str, str]  # (text, role): role is "", "dim", "match", "heading", "link", "accent", "mark"
Row = list[Piece]


def clean(text: str) -> str:
    """One line of page text, safe to draw: no newlines, tabs or control characters."""
    return printable(" ".join(text.split()) if ("\n" in text or "\t" in text) else text)


class LineList(ScrollView, can_focus=True):
    """A virtual list of rows with a cursor; subclasses say what each row shows."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-list--cursor", "line-list--dim", "line-list--match", "line-list--heading",
        "line-list--link", "line-list--accent", "line-list--mark",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("g,home", "first", "First", show=False),
        Binding("G,end", "last", "Last", show=False),
        Binding("ctrl+d,pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+u,pageup", "page_up", "Page up", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, line_list: LineList, index: int) -> None:
            self.line_list = line_list
            self.index = index
            super().__init__()

        @property
        def control(self) -> LineList:
            return self.line_list

    class Selected(Highlighted):
        pass

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.count = 0
        self.empty_text = ""
        self._drawing: tuple[Style, int, int] | None = None  # while render_lines runs

    # -- what subclasses provide -----------------------------------------

    def row(self, index: int, width: int) -> Row:
        raise NotImplementedError

    # -- content -----------------------------------------------------------

    def reset(self, count: int, cursor: int = 0) -> None:
        """New rows: the count and where the cursor starts."""
        self.count = count
        self.virtual_size = Size(0, count)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.set_cursor(min(max(cursor, 0), max(count - 1, 0)))
        self.refresh()

    def set_cursor(self, index: int) -> None:
        self.cursor = index

    def validate_cursor(self, index: int) -> int:
        return min(max(index, 0), max(self.count - 1, 0))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self._scroll_to_cursor()
        if self.count:
            self.post_message(self.Highlighted(self, new))

    def _scroll_to_cursor(self) -> None:
        top, height = round(self.scroll_offset.y), self.scrollable_content_region.height
        if height <= 0:
            return
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(0, self.count)
        self._scroll_to_cursor()
        self.refresh()

    # -- drawing -----------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line needs is worked out once for the lines drawn together: the
        # widget's style walks all its ancestors (80 µs) and its region and offset take
        # 50 µs more, together longer than drawing a line.
        self._drawing = self.rich_style, self.scrollable_content_region.width, round(self.scroll_offset.y)
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    def render_line(self, y: int) -> Strip:
        base, width, top = self._drawing or (
            self.rich_style, self.scrollable_content_region.width, round(self.scroll_offset.y))
        index = top + y
        if self.count == 0:
            text = clean(self.empty_text) if y == 0 else ""
            return Strip([Segment(text, base + self.get_component_rich_style("line-list--dim"))]).adjust_cell_length(
                width, base
            )
        if index >= self.count:
            return Strip.blank(width, base)
        selected = index == self.cursor
        line_style = base + self.get_component_rich_style("line-list--cursor") if selected and self.has_focus else base
        if selected and not self.has_focus:
            line_style = base + Style(reverse=False, underline=False, bold=True)
        segments = []
        for text, role in self.row(index, width):
            style = line_style
            if role:
                style = line_style + self.get_component_rich_style(f"line-list--{role}", partial=True)
            segments.append(Segment(clean(text), style))
        return Strip(segments).crop(0, width).adjust_cell_length(width, line_style)

    def on_focus(self) -> None:
        self.refresh_line(self.cursor)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor)

    # -- keys and mouse ------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.count - 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height // 2)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height // 2)

    def action_select(self) -> None:
        if self.count:
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event) -> None:  # type: ignore[no-untyped-def]
        index = round(self.scroll_offset.y) + event.y
        if 0 <= index < self.count:
            if index == self.cursor:
                self.post_message(self.Selected(self, index))
            self.cursor = index


def fit(text: str, width: int) -> str:
    """Text cut to width cells with an ellipsis."""
    if text.isascii() and text.isprintable():  # a cell a character: no need to measure each
        return text if len(text) <= width else text[:max(width - 1, 0)] + "…"
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > width - 1:
            break
        out.append(char)
    return "".join(out) + "…"
