"""research.google publication listings and research-area pages: no owner.

    Publications                            or the research area's name
    Intro paragraph(s), image text          (the site's, never data)
    Sort By  • Title  • Title, descending ...
    1 - 15 of 11321 publications            (a listing's count line)
    Recent Publications                     (a research-area page's heading)
    the publications (store/pages/sites/google_entries.py): every listed author is an author
"""

from __future__ import annotations

import re

from store.pages.entry import ParsedPage
from store.pages.fields import ends_cut
from store.pages.sites import google_entries
from store.text import squash

NAME = "research.google-listing"

_COUNT = google_entries.COUNT_LINE
_RECENT = re.compile(r"^Recent Publications$", re.IGNORECASE)
_NO_RESULTS = re.compile(r"^No Results Found\.?$", re.IGNORECASE)


def score(lines: list[str]) -> int:
    """Points for the abstract previews and the listing's count line or heading."""
    previews = sum(1 for line in lines if google_entries.PREVIEW.match(line))
    markers = sum(1 for line in lines[:80] if _COUNT.match(line) or _RECENT.match(line) or _NO_RESULTS.match(line))
    return 3 * previews + 5 * markers if markers else 0


def parse(lines: list[str]) -> ParsedPage:
    stripped = [line.strip() for line in lines]
    start = next((i + 1 for i, line in enumerate(stripped) if _COUNT.match(line) or _RECENT.match(line)), 0)
    first = next((squash(line) for line in stripped[:start] if line), "")
    # A research-area page opens with the area's name; a listing with 'Publications'.
    heading = first if first and len(first) <= 80 and not google_entries.is_furniture(first) else None
    page = ParsedPage(format=NAME, label=f"research.google: {heading}" if heading else "research.google publications")
    if any(_NO_RESULTS.match(line) for line in stripped):
        page.warnings.append("the listing says 'No Results Found'")
    page.entries = google_entries.read_entries(stripped[start:], ends_cut(lines), page.warnings)
    for entry in page.entries:
        entry.owned = False  # a listing has no owner
    return page
