"""Messages the panes post to say what happened; the main screen decides what follows."""

from __future__ import annotations

from textual.message import Message


class ShowAuthor(Message):
    """Open an author: their papers fill the paper list."""

    def __init__(self, author_id: str) -> None:
        self.author_id = author_id
        super().__init__()


class ShowPaper(Message):
    """Open a paper in the detail pane."""

    def __init__(self, paper_id: str, focus_detail: bool = True) -> None:
        self.paper_id = paper_id
        self.focus_detail = focus_detail
        super().__init__()


class OpenUrl(Message):
    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__()
