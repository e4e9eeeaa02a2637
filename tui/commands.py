"""Command-palette providers: one for authors, one for papers."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content


class AuthorCommands(Provider):
    """Jump to an author."""

    async def search(self, query: str) -> Hits:
        screen = self.app.main_screen  # type: ignore[attr-defined]
        matcher = self.matcher(query)
        count = 0
        for author in screen.data.authors:
            name = author["display_name"]
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, Content(f"Author: {name}"), partial(self.app.open_author, author["id"]),
                          text=f"Author: {name}", help=f"{len(author['papers'])} papers")
                count += 1
                if count >= 200:
                    break


class PaperCommands(Provider):
    """Jump to a paper (ranked by litbrowse's own search)."""

    async def search(self, query: str) -> Hits:
        index = self.app.search_index  # type: ignore[attr-defined]
        if index is None or len(query.strip()) < 2:
            return
        try:
            results = index.search(query, limit=30)
        except ValueError:
            return
        top = results[0].score if results else 1
        for result in results:
            title = result.paper["display_title"]
            yield Hit(max(0.01, min(1.0, result.score / top)), Content(f"Paper: {title}"),
                      partial(self.app.open_paper, result.paper["id"]), text=f"Paper: {title}")


class AppCommands(Provider):
    """The app's own commands."""

    COMMANDS = [
        ("Search papers", "search", "fuzzy search (/)"),
        ("Copy link", "copy_link", "copy the paper's link (y)"),
        ("Copy BibTeX", "copy_bibtex", "copy the paper's BibTeX (Y)"),
        ("Open link", "open_link", "open the paper's link (o)"),
        ("Reload store", "reload", "read the store again (r)"),
        ("Help", "help", "every key (?)"),
        ("Quit", "quit", "leave litbrowse (q)"),
    ]

    async def discover(self) -> Hits:
        for name, action, help_text in self.COMMANDS:
            yield DiscoveryHit(Content(name), partial(self.app.run_action, action), text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self.COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action), text=name,
                          help=help_text)
