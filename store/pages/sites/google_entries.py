"""The publication entries that research.google person pages and listings share.

Each part of an entry may be missing:

    Title
    Co-author                       one a line
    Venue line                      ('Journal ... vol. 17 (2016), pp. 1-24', 'ACM(2024)', '(2023)', '2026')
    Preview abstract ... View details     the abstract on this line or the next ones

The lines may be indented (bulleted layout) or not. An entry without a title is an
abstract alone ('Preview abstract ...' right after the previous entry).
"""

from __future__ import annotations

import re

from store.pages.entry import Entry
from store.pages.fields import clean_venue, find_code_url, find_year, mark_cut
from store.pages.names import looks_like_name
from store.text import squash

PREVIEW = re.compile(r"^Preview abstract\b\s*:?\s*", re.IGNORECASE)
# 'View details' closes an abstract; a cut-off page may keep only its beginning ('View det').
_VIEW_DETAILS = re.compile(r"\s*\bView\s*(?:d(?:e(?:t(?:a(?:i(?:ls?)?)?)?)?)?)?\s*$", re.IGNORECASE)
_VIEW_DETAILS_WHOLE = re.compile(r"\s*View details\s*$", re.IGNORECASE)
# Navigation, menus and link labels of the site's pages: never an entry's text.
FURNITURE = {
    "jump to content", "authored publications", "google publications", "other publications",
    "sort by", "title", "title, desc", "title, descending", "title, asc", "title, ascending", "year",
    "year, desc", "year, descending", "year, asc", "year, ascending", "publications", "recent publications",
    "no results found", "view details", "personal page", "learn more", "learn more about how we do research",
    "google research", "research areas", "filter", "filters", "load more", "show more", "see all",
    "back to top", "share", "copy link", "bibtex", "cite", "google scholar", "view publication",
    "next", "previous", "next page", "previous page", "first", "last", "page", "…", "...",
    "follow us", "about google", "google products", "privacy", "terms", "privacy & terms", "help",
    "send feedback", "careers", "blog", "more", "menu", "search", "close",
}
_BULLET = re.compile(r"^[•·*\-–]\s*")
COUNT_LINE = re.compile(r"^\d[\d,]*\s*[-–]\s*\d[\d,]*\s+of\s+\d[\d,]*\s+publications?$", re.IGNORECASE)
# Words that make a line a venue, not a title, when no year says so.
_VENUE_WORD = re.compile(
    r"\b(?:Proceedings|Proc\.|Conference|Journal|Transactions|Workshop|Symposium|Letters|Review|Magazine|"
    r"ACM|IEEE|USENIX|arXiv|Press|University|Universi\w*|vol\.|pp\.|Extended Abstracts?|Advances in)\b",
)


def strip_bullet(line: str) -> str:
    return _BULLET.sub("", line)


# Page numbers of a listing's pager (a year has four digits: it is a venue line).
_PAGE_NUMBER = re.compile(r"^\d{1,3}$")


def is_furniture(line: str) -> bool:
    """A menu item, heading, link label, pager or count line of the site."""
    bare = _BULLET.sub("", line).strip().lower()
    return bare in FURNITURE or COUNT_LINE.match(bare) is not None or _PAGE_NUMBER.match(bare) is not None


def read_entries(lines: list[str], cut: bool, warnings: list[str]) -> list[Entry]:
    """The entries of the lines after a page's header; `cut` when the page stops mid-text."""
    entries: list[Entry] = []
    texts = [squash(line) for line in lines if line.strip() and not is_furniture(line)]
    header: list[str] = []  # lines since the last abstract: entries' titles, authors, venues
    at = 0
    while at < len(texts):
        line = texts[at]
        if not PREVIEW.match(line):
            header.append(line)
            at += 1
            continue
        # The abstract: on this line after 'Preview abstract', or alone on the next one.
        text = PREVIEW.sub("", line)
        at += 1
        if not text and at < len(texts):
            text, at = texts[at], at + 1
        ended = _VIEW_DETAILS_WHOLE.search(text) is not None
        if not ended and at < len(texts) and _VIEW_DETAILS.fullmatch(texts[at]):
            ended, at = True, at + 1  # 'View details' on a line of its own
        last_text = at >= len(texts)
        abstract = squash(_VIEW_DETAILS.sub("", text)) if (not ended and last_text) else squash(
            _VIEW_DETAILS_WHOLE.sub("", text))
        with_abstract = _header_entries(header, False, warnings) or [Entry(authors_complete=False)]
        owner = with_abstract[-1]
        if abstract:
            cut_here = cut and last_text and not ended
            owner.abstract = mark_cut(abstract) if cut_here else abstract
            if cut_here:
                warnings.append("the last abstract is cut off: it is marked as cut")
            owner.code_url = find_code_url(abstract)
            owner.has_code = owner.code_url is not None
        entries.extend(with_abstract)
        header = []
    if header:
        trailing = _header_entries(header, cut, warnings)
        # A publication shows its authors or venue: a bare line after the last one is the
        # page's footer (links, 'Follow us'), not a paper, unless the page stops there.
        while trailing and not cut and not (trailing[-1].authors or trailing[-1].venue or trailing[-1].year):
            dropped = trailing.pop()
            warnings.append(f"'{(dropped.title or '')[:40]}' after the last publication is not one: left out")
        entries.extend(trailing)
    return entries


def _header_entries(lines: list[str], cut: bool, warnings: list[str]) -> list[Entry]:
    """The entries of the lines between two abstracts: a title, its co-authors, its
    venue, then maybe more entries that have no abstract. `cut` when the page stops
    after these lines (its last line may be cut short)."""
    entries: list[Entry] = []
    at = 0
    while at < len(lines):
        last_line = at == len(lines) - 1
        if cut and last_line:
            warnings.append(f"the page is cut off in '{lines[at][:40]}': dropped")
            break
        entry = Entry(title=lines[at], authors_complete=False)
        entries.append(entry)
        at += 1
        while at < len(lines) and looks_like_name(lines[at]) and not _looks_like_venue(lines[at]):
            if cut and at == len(lines) - 1:
                warnings.append(f"the page is cut off in the authors of '{entry.title[:40]}': the last name dropped")
                at += 1
                break
            entry.authors.append(lines[at])
            at += 1
        if at >= len(lines):
            break
        line = lines[at]
        following = lines[at + 1] if at + 1 < len(lines) else None
        # A line after the authors is the venue, unless authors follow it (the next title).
        if _looks_like_venue(line) or following is None or not looks_like_name(following):
            if cut and at == len(lines) - 1:
                warnings.append(f"the venue of '{entry.title[:40]}' is cut off: left out")
            else:
                entry.year = find_year(line)
                entry.venue = clean_venue(line)
            at += 1
    return entries


def _looks_like_venue(line: str) -> bool:
    return find_year(line) is not None or _VENUE_WORD.search(line) is not None or line.startswith("(")
