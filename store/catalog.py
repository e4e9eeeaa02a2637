"""A loaded store with the lookups a browser needs: records by id, and a paper's author entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.disk.persistence import StoreData
from store.merging.join import owners_of, paper_links
from store.model import Author, Paper, author_id, page_author_id


@dataclass
class Catalog:
    data: StoreData = field(default_factory=StoreData)
    papers_by_id: dict[str, Paper] = field(default_factory=dict)
    authors_by_id: dict[str, Author] = field(default_factory=dict)
    owner_of: dict[str, str | None] = field(default_factory=dict)

    def authors_of(self, paper: Paper) -> list[Author]:
        """The author entries that list the paper: its named authors, its pages' owners, unnamed pages.

        Worked out from the paper itself by the merger's own rule (paper_links), rather
        than from a table of all 100,000 papers' links built at load time.
        """
        names, unnamed = paper_links(paper, self.owner_of)
        found: dict[str, Author] = {}
        for candidate in [author_id(name) for name in names] + [page_author_id(source) for source in unnamed]:
            author = self.authors_by_id.get(candidate)
            if author is not None:
                found.setdefault(candidate, author)
        return list(found.values())


def build_catalog(data: StoreData) -> Catalog:
    return Catalog(
        data=data,
        papers_by_id={paper["id"]: paper for paper in data.papers},
        authors_by_id={author["id"]: author for author in data.authors},
        owner_of=owners_of(data.pages),
    )
