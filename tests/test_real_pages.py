"""Every real page in ../shared/real-pages/ against the facts a careful reader records.

The pages are excerpts of real pages of the four sites (most stop after 2,000
characters, mid-entry); tests/real_pages.json holds, for each, what the page shows:
its site, its owner and their metrics, and each paper's title, authors (the owner
among them), date, venue, id and the start of its abstract and summary. A date
written '*-05-10' is one the page gives without a year (the year is inferred).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from store.pages import UnknownFormat, parse_lines
from store.pages.entry import Entry, ParsedPage
from store.pages.reading import read_page

ROOT = Path(os.environ.get("LITBROWSE_REAL_PAGES") or Path(__file__).resolve().parents[2] / "shared" / "real-pages")
FACTS: dict[str, dict] = json.loads((Path(__file__).parent / "real_pages.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(
    not ROOT.is_dir(), reason=f"the real pages are not here ({ROOT}; set LITBROWSE_REAL_PAGES to their folder)")

# Text of each kind's pages that is the site's (navigation, menus, counts, headings,
# image text, link labels): never in a title, an author, a venue, a bio or an abstract.
NEVER = {
    "scholarfeed_author": ["h-index", "Novelty", "AI Score", " Papers", "Code\n"],
    "scholarfeed_paper": ["arXiv:", "citations", "h-index", "Originality", "AI Analysis", "Foundations",
                          "Your Notes", "Code Implementations", "ranked by how specifically"],
    "arxiver_author": ["arXiv:", "Created:", "Updated:", "doi:"],
    "fugumt_paper": ["- URL:", "- Date:", "- Score:", "- License:", "- Abstract:"],
    "google_people": ["Jump to Content", "Authored Publications", "Google Publications", "Other Publications",
                      "Sort By", "Title, desc", "Year, desc", "Preview abstract", "View det",
                      "Learn more about how we do research", "We maintain a portfolio", "Google Research"],
    "google_pubs": ["Our teams aspire", "people standing in front of a screen", "1 - 15 of",
                    "Sort By", "Title, desc", "Recent Publications", "No Results Found", "Preview abstract",
                    "View details", "The Internet and the World Wide Web"],
}

# Menu items and headings that are never a whole field (they may be words of one).
NEVER_A_FIELD = {"Publications", "Title", "Year", "Title, descending", "Year, descending", "Research Areas",
                 "Personal page", "Code", "Foundations", "AI Analysis"}


def _page(name: str) -> ParsedPage:
    lines, _ = read_page(ROOT / name)
    return parse_lines(lines)


def test_every_real_page_has_its_facts_recorded():
    assert sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("*/*.txt")) == sorted(FACTS)


@pytest.mark.parametrize("name", sorted(FACTS), ids=lambda name: name.split("/")[-1][:60])
def test_real_page(name):
    facts = FACTS[name]
    if "error" in facts:
        with pytest.raises(UnknownFormat):
            _page(name)
        return
    page = _page(name)
    assert (page.format, page.owner) == (facts["format"], facts["owner"])
    profile = {key: (value[:40] if isinstance(value, str) else value)
               for key, value in vars(page.profile or Entry()).items() if value is not None} if page.profile else {}
    assert profile == facts.get("profile", {})
    assert [_facts_of(entry) for entry in page.entries] == facts["papers"]
    for entry in page.entries:
        if page.owner and entry.owned:
            assert page.owner in entry.authors
        for text in _texts(entry, page):
            assert text not in NEVER_A_FIELD
            for never in NEVER[name.split("/")[0]]:
                assert never not in text, (never, text[:80])


def _facts_of(entry: Entry) -> dict:
    """The entry as the facts record it (see real_pages.json)."""
    facts = {"title": entry.title, "authors": entry.authors}
    for key in ("date", "year", "venue", "arxiv_id", "category", "code_url"):
        if getattr(entry, key) is not None:
            facts[key] = getattr(entry, key)
    if entry.date_inferred:
        assert entry.year == int(entry.date[:4])
        facts["date"] = "*" + entry.date[4:]
        del facts["year"]
    if entry.affiliations:
        facts["affiliations"] = entry.affiliations
    facts["abstract"] = entry.abstract[:40] if entry.abstract else None
    if entry.abstract and entry.abstract.endswith(" …"):
        facts["cut"] = True
    if entry.summary:
        facts["summary"] = entry.summary[:40]
    if entry.comments:
        facts["comments"] = entry.comments
    if entry.has_code:
        facts["has_code"] = True
    return facts


def _texts(entry: Entry, page: ParsedPage) -> list[str]:
    texts = [entry.title or "", *entry.authors, entry.venue or "", entry.abstract or "", entry.summary or ""]
    if page.profile and page.profile.bio:
        texts.append(page.profile.bio)
    return texts
