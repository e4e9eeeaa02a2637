"""The stored records: papers and authors as plain dicts (the JSON contract).

Paper keys: id, title, display_title, authors, authors_complete, date, year,
date_inferred, arxiv_id, url, code_url, has_code, venue, category, affiliations,
abstract, summary, score, comments, related, sources.
Author keys: id, name, display_name, aliases, papers, profile, kind ("person" or
"page"), owner (true for the owner of a saved page).

Keys starting with '_' are the merger's bookkeeping and are not part of the contract.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from store.text import first_sentence, name_key, title_key

Paper = dict[str, Any]
Author = dict[str, Any]

PAPER_FIELDS = (
    "id", "title", "display_title", "authors", "authors_complete", "date", "year", "date_inferred",
    "arxiv_id", "url", "code_url", "has_code", "venue", "category", "affiliations", "abstract",
    "summary", "score", "comments", "related", "sources",
)
AUTHOR_FIELDS = ("id", "name", "display_name", "aliases", "papers", "profile", "kind", "owner")


def _digest(text: str, length: int = 12) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def keys_for(arxiv_id: str | None, title: str | None, abstract: str | None) -> list[str]:
    keys = []
    if arxiv_id:
        keys.append(f"arxiv:{arxiv_id.lower()}")
    normalized = title_key(title) if title else ""
    if normalized:
        keys.append(f"title:{normalized}")
    if not keys and abstract:
        # An untitled paper without an id is only ever the same as itself.
        keys.append(f"abstract:{_digest(title_key(abstract), 20)}")
    return keys


def paper_id(keys: list[str]) -> str:
    """Deterministic id: the arXiv id when known, else a digest of the smallest key."""
    arxiv = [key for key in keys if key.startswith("arxiv:")]
    if arxiv:
        return min(arxiv)
    return "p:" + _digest(min(keys))


def author_id(name: str) -> str:
    return "a:" + name_key(name)


def page_author_id(source: str) -> str:
    return "page:" + source


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    """Papers by date, newest first ('YYYY-MM-DD'; a year alone sorts before that year's
    dated papers; undated last); papers of the same date by id, descending."""
    # Two sorts on plain strings beat one on tuples; the second keeps the first's order
    # among papers of the same date (a reversed sort is stable too).
    by_id = sorted(papers, key=itemgetter("id"), reverse=True)
    return sorted(by_id, key=lambda p: p.get("date") or f"{p.get('year') or 0:04}", reverse=True)


def display_title(paper: Paper) -> str:
    """Never empty: the title, or the arXiv id and the abstract's first sentence."""
    if paper.get("title"):
        return paper["title"]
    parts = []
    if paper.get("arxiv_id"):
        parts.append(f"arXiv:{paper['arxiv_id']}")
    text = paper.get("abstract") or paper.get("summary") or paper.get("comments")
    if text:
        parts.append(first_sentence(text))
    return " — ".join(parts) or f"Untitled paper ({paper['id']})"
