"""research.google people pages.

    Jump to Content
    Name
    Name
    (an optional bio)
    Authored Publications / Google Publications / Other Publications
    Sort By  • Title  • Title, descending  • Year  • Year, descending
    then per publication (each part may be missing):
        Title
        Co-author             (one a line; the page owner is an author but not listed)
        Venue line with the year        ('Journal ... vol. 17 (2016), pp. 1-24', '(2021)')
        Preview abstract ... View details

A venue line closes a publication's header, so a publication without an abstract
is still told apart from the next one's title.
"""

from __future__ import annotations

import re

from store.formats.entry import Entry, ParsedPage, Profile
from store.formats.fields import find_code_url, find_year
from store.text import squash

NAME = "research.google"

_PREVIEW = re.compile(r"^Preview abstract\s*:?\s*", re.IGNORECASE)
_VIEW_DETAILS = re.compile(r"\s*View details\s*$", re.IGNORECASE)
_MENU = {"jump to content", "authored publications", "google publications", "other publications",
         "sort by", "title", "title, descending", "year", "year, descending", "publications"}
_BULLET = re.compile(r"^[•·*\-]\s*")
_YEAR_ONLY = re.compile(r"^[\s(),.]*(?:\d{4})?[\s(),.]*(?:\(to appear\))?[\s(),.]*$", re.IGNORECASE)
_VENUE_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")


def score(lines: list[str]) -> int:
    """Points for the abstract previews and the menu among stripped lines."""
    previews = sum(1 for line in lines if _PREVIEW.match(line))
    menu = sum(1 for line in lines[:60] if line.lower() in ("sort by", "authored publications"))
    return 3 * previews + 4 * menu


def _is_menu(line: str) -> bool:
    return _BULLET.sub("", line).strip().lower() in _MENU


def parse(lines: list[str]) -> ParsedPage:
    page = ParsedPage(format=NAME)
    stripped = [line.strip() for line in lines]
    body_start = _body_start(stripped)
    _parse_header(stripped[:body_start], page)

    header: list[str] = []  # title, co-authors, venue of the publication being read
    waiting: Entry | None = None  # a publication whose venue line closed it; its abstract may follow
    for line in stripped[body_start:]:
        if not line or _is_menu(line):
            continue
        if _PREVIEW.match(line):
            abstract, cut = _abstract(line)
            if cut:
                page.warnings.append("an abstract has no 'View details' end (page cut off?)")
            if header:
                waiting = _entry(header, has_venue=False)
                page.entries.append(waiting)
                header = []
            if waiting is None:
                waiting = Entry(authors_complete=False)
                page.entries.append(waiting)
            waiting.abstract = abstract
            waiting.code_url = find_code_url(abstract)
            waiting.has_code = waiting.code_url is not None
            waiting = None
            continue
        header.append(line)
        waiting = None
        if len(header) >= 2 and _VENUE_YEAR.search(line):
            waiting = _entry(header, has_venue=True)
            page.entries.append(waiting)
            header = []
    if header:
        page.entries.append(_entry(header, has_venue=False))
        page.warnings.append(f"the last publication ({header[0][:40]}) has no venue or abstract (page cut off?)")
    if page.owner is None:
        page.warnings.append("no author name at the top of the page")
    return page


def _body_start(lines: list[str]) -> int:
    """The index after the sort menu, or after the name when the menu is missing."""
    last_menu = -1
    for index, line in enumerate(lines[:80]):
        if _is_menu(line):
            last_menu = index
        elif _PREVIEW.match(line):
            break
    if last_menu >= 0:
        return last_menu + 1
    first = next((i for i, line in enumerate(lines) if line and not _is_menu(line)), len(lines))
    return first + 1


def _parse_header(lines: list[str], page: ParsedPage) -> None:
    texts = [line for line in lines if line and not _is_menu(line)]
    if not texts:
        return
    page.owner = squash(texts[0])
    rest = [line for line in texts[1:] if line != texts[0]]
    if rest:
        page.profile = Profile(bio="\n".join(rest))


def _abstract(line: str) -> tuple[str | None, bool]:
    text = _PREVIEW.sub("", line)
    ended = _VIEW_DETAILS.search(text) is not None
    text = squash(_VIEW_DETAILS.sub("", text))
    return text or None, not ended


def _entry(header: list[str], has_venue: bool) -> Entry:
    entry = Entry(title=squash(header[0]), authors_complete=False)
    people = header[1:-1] if has_venue else header[1:]
    entry.authors = [squash(name) for name in people]
    if has_venue:
        venue_line = squash(header[-1])
        entry.year = find_year(venue_line)
        entry.venue = None if _YEAR_ONLY.match(venue_line) else venue_line
    return entry
