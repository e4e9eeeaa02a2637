"""A loaded store with the lookups a browser needs: records by id, and a paper's author entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.model import Author, Paper, author_id, page_author_id
from store.persistence import StoreData
from store.text import name_key


@dataclass
class Catalog:
    data: StoreData = field(default_factory=StoreData)
    papers_by_id: dict[str, Paper] = field(default_factory=dict)
    authors_by_id: dict[str, Author] = field(default_factory=dict)
    _page_members: dict[str, set[str]] = field(default_factory=dict)

    def authors_of(self, paper: Paper) -> list[Author]:
        """The author entries that list the paper: its named authors, its pages' owners, unnamed pages.

        Worked out from the paper itself, the way the merger links them, rather than
        from a table of all 100,000 papers' links built at load time.
        """
        candidates = [author_id(name) for name in paper["authors"] if name_key(name)]
        for source in paper["sources"]:
            owner = self.data.pages.get(source, {}).get("owner")
            if owner and source in paper.get("_owned_on", ()):
                candidates.append(author_id(owner))
            elif not owner:
                candidates.append(page_author_id(source))
        candidates.append(page_author_id(paper["sources"][0]))  # where an otherwise unreachable paper goes
        found: dict[str, Author] = {}
        for candidate in candidates:
            author = self.authors_by_id.get(candidate)
            if author is not None and candidate not in found and self._lists(author, paper["id"]):
                found[candidate] = author
        return list(found.values())

    def _lists(self, author: Author, paper_id: str) -> bool:
        if author["kind"] != "page":
            return True  # a person's entry is made from exactly these names and owners
        if author["id"] not in self._page_members:
            self._page_members[author["id"]] = set(author["papers"])
        return paper_id in self._page_members[author["id"]]


def build_catalog(data: StoreData) -> Catalog:
    return Catalog(
        data=data,
        papers_by_id={paper["id"]: paper for paper in data.papers},
        authors_by_id={author["id"]: author for author in data.authors},
    )
