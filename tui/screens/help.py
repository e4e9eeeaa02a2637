"""The help screen: every key, by where it applies (kept beside the bindings it describes)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("Anywhere", [
        ("/", "fuzzy search (typos allowed; author:, year:, cat:, venue: filters; \"phrases\"; an arXiv id)"),
        ("Tab / Shift+Tab", "next / previous pane"),
        ("Esc / Backspace", "back to where you were (from a paper a search opened: to its results)"),
        ("y", "copy the paper's link (OSC 52: works over SSH and in tmux with set-clipboard on)"),
        ("Y", "copy the BibTeX of the marked papers, or of the paper shown"),
        ("x", "export the marked papers, or the papers listed, to a file (.bib or .json)"),
        ("o", "open the paper's link in a browser, or show it to copy"),
        ("r", "reload the store (after an ingest from another shell)"),
        ("Ctrl+P", "command palette: jump to an author or a paper, run a command"),
        ("?", "this help"),
        ("q", "quit"),
    ]),
    ("Lists", [
        ("↑ ↓ / k j", "move"),
        ("g G / Home End", "first / last"),
        ("Ctrl+U Ctrl+D / PgUp PgDn", "half a page up / down"),
        ("Enter", "open the author, paper, link or related paper under the cursor"),
        ("s", "change the sort (authors: papers / name / surname; papers: date / title)"),
    ]),
    ("Authors", [("f", "filter authors by name (Enter or ↓ back to the list)")]),
    ("Papers", [("Space", "mark or unmark the paper (◆), then go to the next")]),
    ("Paper detail", [("n", "next link (author, related paper, URL)")]),
    ("Search", [("↓", "to the results"), ("↑", "an earlier query (the last 100 are kept beside the store)"),
                ("Enter", "open the highlighted result"), ("Esc", "back")]),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Content.from_markup("[b]litbrowse keys[/b]"), classes="help-title")
            for section, keys in KEYS:
                yield Static(Content.from_markup("\n[b]$section[/b]", section=section))
                for key, what in keys:
                    # Two columns, so a long description wraps under itself, not under the keys.
                    with Horizontal(classes="help-row"):
                        yield Static(Content.from_markup("[b $accent]$key[/]", key=key), classes="help-key")
                        yield Static(Content(what), classes="help-what")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
