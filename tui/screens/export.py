"""The export screen: where to write the marked papers (or the list shown), as BibTeX or CSL-JSON."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static


class ExportScreen(ModalScreen[Path | None]):
    """Returns the path typed (a file ending in .json gets CSL-JSON), or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, count: int, what: str, default: Path) -> None:
        super().__init__()
        self.count, self.what, self.default = count, what, default

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(Content(f"Export {self.count} {self.what} to (.bib: BibTeX, .json: CSL-JSON):"))
            yield Input(value=str(self.default), id="export-path")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(Path(text).expanduser() if text else None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
