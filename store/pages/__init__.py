"""Page formats: detect a saved page's site from its content and parse it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from store.pages.attribution import add_owner
from store.pages.entry import Entry, ParsedPage, Profile
from store.pages.sites import (
    arxiver,
    google_listing,
    google_person,
    paper_page,
    scholarfeed_author,
    scholarfeed_paper,
)

__all__ = ["Entry", "ParsedPage", "Profile", "FORMATS", "detect", "parse_lines", "parse_text", "UnknownFormat"]


@dataclass(frozen=True)
class Format:
    name: str
    # How strongly a page's first lines, stripped (detect strips them once for every
    # format), show the format's markers.
    score: Callable[[list[str]], int]
    parse: Callable[[list[str]], ParsedPage]


FORMATS = [
    Format(paper_page.NAME, paper_page.score, paper_page.parse),
    Format(google_person.NAME, google_person.score, google_person.parse),
    Format(google_listing.NAME, google_listing.score, google_listing.parse),
    Format(arxiver.NAME, arxiver.score, arxiver.parse),
    Format(scholarfeed_author.NAME, scholarfeed_author.score, scholarfeed_author.parse),
    Format(scholarfeed_paper.NAME, scholarfeed_paper.score, scholarfeed_paper.parse),
]


class UnknownFormat(ValueError):
    """The text is not a page of any supported site."""


# Every format's markers repeat with each entry, so the page's beginning tells its
# site: 400 lines hold dozens of entries of any of them (the sample pages need 20
# to 331), and scoring a page of thousands of lines whole would cost a tenth of
# parsing it.
DETECT_LINES = 400


def detect(lines: list[str]) -> Format | None:
    """The format whose structural markers the text shows most, or None."""
    best, best_score = None, 0
    sample = [line.strip() for line in lines[:DETECT_LINES]]
    for fmt in FORMATS:
        points = fmt.score(sample)
        if points > best_score:
            best, best_score = fmt, points
    return best


def parse_text(text: str) -> ParsedPage:
    lines = text.splitlines()
    if text.endswith(("\n", "\r")):
        lines.append("")  # as read_page gives it: the text ends with a whole line
    return parse_lines(lines)


def parse_lines(lines: list[str]) -> ParsedPage:
    fmt = detect(lines)
    if fmt is None:
        raise UnknownFormat(
            "not a page of a known format (scholarfeed, arxiver, paper page with related papers, research.google)"
        )
    page = fmt.parse(lines)
    add_owner(page)
    return page
