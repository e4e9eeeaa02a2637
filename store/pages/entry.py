"""What a parser hands to the merger: one page, its owner and its entries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)  # slots: a page has thousands of entries, each made and read once
class Entry:
    """One paper as one page shows it; every field may be missing."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    authors_complete: bool = True
    date: str | None = None  # YYYY-MM-DD
    year: int | None = None
    date_inferred: bool = False
    arxiv_id: str | None = None
    url: str | None = None
    code_url: str | None = None
    venue: str | None = None
    category: str | None = None
    affiliations: list[str] = field(default_factory=list)
    abstract: str | None = None
    summary: str | None = None
    score: float | None = None
    comments: str | None = None
    has_code: bool = False  # the page flags a code release, with or without a link
    related: list[Entry] = field(default_factory=list)
    # True for an entry that the page lists beside its owner's work (a related
    # paper): the page owner is not linked to it.
    owned: bool = True


@dataclass
class Profile:
    """Header metrics of an author page."""

    h_index: int | None = None
    citations: int | None = None
    paper_count: int | None = None
    novelty: float | None = None
    ai_score: float | None = None
    category: str | None = None
    affiliation: str | None = None
    bio: str | None = None
    areas: list[str] | None = None  # research areas the page lists

    def is_empty(self) -> bool:
        return all(value is None for value in vars(self).values())


@dataclass
class ParsedPage:
    format: str
    owner: str | None = None
    profile: Profile | None = None
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # A label for a page without a named owner (what the author list shows).
    label: str | None = None
