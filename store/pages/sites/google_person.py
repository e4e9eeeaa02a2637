"""research.google person pages.

    Jump to Content
    Name
    Name                                    (given twice, or once)
    Bio paragraph(s)                        (optional)
    Research Areas / area / area            (optional)
    Authored Publications / Google Publications / Other Publications
    Sort By  • Title  • Title, descending  • Year  • Year, descending   (bulleted or not)
    the publications (store/pages/sites/google_entries.py); the owner is an author of
    each, listed or not

An older layout holds only the bio: 'Google Research', the name, the bio, then the
site's 'Learn more about how we do research' text.
"""

from __future__ import annotations

from store.pages.entry import ParsedPage, Profile
from store.pages.fields import ends_cut
from store.pages.names import looks_like_name
from store.pages.sites import google_entries
from store.text import squash

NAME = "research.google"

# Headings that begin the publications: the owner's header ends before them.
_PUBLICATIONS = {"authored publications", "google publications", "other publications", "sort by"}
# The site's text after an older page's bio, which is no one's.
_SITE_TEXT = {"learn more about how we do research"}
_MARKERS = _PUBLICATIONS | _SITE_TEXT | {"jump to content", "google research"}


def score(lines: list[str]) -> int:
    """Points for the abstract previews and the person page's headings."""
    previews = sum(1 for line in lines if google_entries.PREVIEW.match(line))
    markers = sum(1 for line in lines[:80] if line.lower() in _MARKERS)
    return 3 * previews + 4 * markers if markers else 0


def parse(lines: list[str]) -> ParsedPage:
    page = ParsedPage(format=NAME)
    stripped = [line.strip() for line in lines]
    body_start = _body_start(stripped)
    _parse_header(stripped[:body_start], page)
    cut = ends_cut(lines)
    page.entries = google_entries.read_entries(stripped[body_start:], cut, page.warnings)
    if page.owner is None:
        page.warnings.append("no name at the top of the page")
    return page


def _body_start(lines: list[str]) -> int:
    """The index after the publications' headings and sort menu; the page's end when
    it has none (an older page with a bio alone)."""
    last = None
    for index, line in enumerate(lines):
        if google_entries.PREVIEW.match(line):
            break
        if line.lower() in _PUBLICATIONS:
            last = index
        elif last is not None and line and not google_entries.is_furniture(line):
            break
        elif last is not None and line:
            last = index
    if last is not None:
        return last + 1
    if any(google_entries.PREVIEW.match(line) for line in lines):
        # Publications without their headings: they begin after the name, if the page has one.
        first = next((i for i, line in enumerate(lines) if line and not google_entries.is_furniture(line)), 0)
        return first + 1 if looks_like_name(lines[first]) else first
    return len(lines)


def _parse_header(lines: list[str], page: ParsedPage) -> None:
    texts: list[str] = []
    for line in lines:
        if line.lower() in _SITE_TEXT:
            break
        if line and not google_entries.is_furniture(line):
            texts.append(squash(line))
    if not texts or not looks_like_name(texts[0]):
        return
    page.owner = texts[0]
    bio: list[str] = []
    areas: list[str] = []
    in_areas = False
    for line in lines:
        bare = line.lower()
        if bare in _SITE_TEXT or bare in _PUBLICATIONS:
            break
        if bare == "research areas":
            in_areas = True
        elif line and not google_entries.is_furniture(line) and squash(line) != page.owner:
            (areas if in_areas else bio).append(google_entries.strip_bullet(squash(line)))
    if bio or areas:
        page.profile = Profile(bio="\n".join(bio) or None, areas=areas or None)
