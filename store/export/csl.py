"""CSL-JSON for papers: what Zotero, Pandoc and citeproc read."""

from __future__ import annotations

import re
from typing import Any

from store.export.bibtex import cite_keys, entry_type, venue_of
from store.model import Paper
from store.text import plain

_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "le", "la"}
_DOI = re.compile(r"\bdoi:\s*(10\.\d{4,9}/\S+)", re.IGNORECASE)
_TYPES = {"article": "article-journal", "inproceedings": "paper-conference", "misc": "article"}


def name_parts(name: str) -> dict[str, str]:
    """'Ada B. Lovelace' -> family 'Lovelace', given 'Ada B.'; 'Laurens van der Maaten'
    -> family 'van der Maaten'."""
    words = plain(name).split()
    if len(words) < 2:
        return {"literal": plain(name)}
    at = len(words) - 1
    while at > 1 and words[at - 1].lower() in _PARTICLES:
        at -= 1
    return {"family": " ".join(words[at:]), "given": " ".join(words[:at])}


def csl_items(papers: list[Paper], keys: dict[str, str] | None = None) -> list[dict[str, Any]]:
    keys = keys or cite_keys(papers)
    return [csl_item(paper, keys.get(paper["id"])) for paper in papers]


def csl_item(paper: Paper, key: str | None = None) -> dict[str, Any]:
    kind, _ = entry_type(paper)
    item: dict[str, Any] = {"id": key or paper["id"], "type": _TYPES[kind]}
    if paper.get("title"):
        item["title"] = plain(paper["title"])
    if paper.get("authors"):
        item["author"] = [name_parts(name) for name in paper["authors"]]
    if paper.get("date") and not paper.get("date_inferred"):
        year, month, day = (int(part) for part in paper["date"].split("-"))
        item["issued"] = {"date-parts": [[year, month, day]]}
    elif paper.get("year"):
        item["issued"] = {"date-parts": [[int(paper["year"])]]}
    venue = venue_of(paper)
    if venue:
        item["container-title"] = plain(venue)
    if paper.get("arxiv_id"):
        item["number"] = f"arXiv:{paper['arxiv_id']}"
        item["publisher"] = "arXiv"
        item["URL"] = f"https://arxiv.org/abs/{paper['arxiv_id']}"
    elif paper.get("url"):
        item["URL"] = plain(paper["url"])
    doi = _DOI.search(paper.get("comments") or "")
    if doi:
        item["DOI"] = doi.group(1).rstrip(".,;")
    if paper.get("abstract"):
        item["abstract"] = plain(paper["abstract"])
    return item
