"""BibTeX for a paper record."""

from __future__ import annotations

import re

from store.model import Paper
from store.text import fold

_SPECIAL = re.compile(r"([&%$#_{}])")


def _escape(text: str) -> str:
    text = text.replace("\\", r"\textbackslash{}")
    text = _SPECIAL.sub(r"\\\1", text)
    return text.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def cite_key(paper: Paper) -> str:
    first = paper["authors"][0].split()[-1] if paper.get("authors") else "anon"
    words = re.findall(r"[A-Za-z]+", paper.get("title") or paper.get("abstract") or "")
    word = next((w for w in words if len(w) > 3), "paper")
    year = paper.get("year") or "nd"
    return re.sub(r"[^a-z0-9]", "", fold(f"{first}{year}{word}")) or "paper"


def to_bibtex(paper: Paper) -> str:
    fields: list[tuple[str, str]] = [("title", paper["display_title"])]
    if paper.get("authors"):
        others = "" if paper.get("authors_complete") else " and others"
        fields.append(("author", " and ".join(paper["authors"]) + others))
    if paper.get("year"):
        fields.append(("year", str(paper["year"])))
    if paper.get("date") and not paper.get("date_inferred"):
        fields.append(("month", str(int(paper["date"][5:7]))))
    if paper.get("venue"):
        fields.append(("booktitle", paper["venue"]))
    if paper.get("arxiv_id"):
        fields += [("eprint", paper["arxiv_id"]), ("archiveprefix", "arXiv")]
    if paper.get("url"):
        fields.append(("url", paper["url"]))
    if paper.get("abstract"):
        fields.append(("abstract", paper["abstract"]))
    kind = "inproceedings" if paper.get("venue") else "misc"
    body = ",\n".join(f"  {name} = {{{_escape(value) if name != 'url' else value}}}" for name, value in fields)
    return f"@{kind}{{{cite_key(paper)},\n{body}\n}}\n"
