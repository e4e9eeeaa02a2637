"""Who wrote what: a page owner is an author of every paper the page shows as theirs."""

from __future__ import annotations

from store.pages.entry import ParsedPage
from store.pages.names import person_matcher


def add_owner(page: ParsedPage) -> None:
    """The owner among the authors of each of their entries: kept where the page lists
    them (in its spelling), added after the listed names where it does not. A list the
    owner had to be added to is not the whole list: its order and its other names are
    the page's guess."""
    owner = page.owner
    if not owner:
        return
    is_owner = person_matcher(owner)
    for entry in page.entries:
        if not entry.owned or any(map(is_owner, entry.authors)):
            continue
        entry.authors.append(owner)
        entry.authors_complete = False
