"""Readable tables for the command line. Every page-derived string goes through
printable(), so escape sequences from a page never reach the terminal raw."""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from store.text import printable


def _width() -> int:
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def _text(value: Any) -> str:
    return printable(" ".join(str(value).split())) if value is not None else "-"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(value: Any, width: int) -> str:
    return _cut(_text(value), width)


def table(headers: Sequence[str], rows: list[Sequence[Any]], flex: int = -1) -> None:
    """Columns sized to their content; the `flex` column takes what is left of the width."""
    # Each cell's text is made once (`papers` at 100,000 papers: 400,000 cells).
    cells = [[_text(value) for value in row] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    flex %= len(widths)
    fixed = sum(w for i, w in enumerate(widths) if i != flex) + 2 * (len(widths) - 1)
    widths[flex] = max(20, min(widths[flex], _width() - fixed))
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for start in range(0, len(cells), 1000):  # written a thousand lines at a time: one call, not a thousand
        sys.stdout.write("".join("  ".join(_cut(text, w).ljust(w) for text, w in zip(row, widths, strict=True))
                                 .rstrip() + "\n" for row in cells[start : start + 1000]))


def print_ingest(report: Any, store_path: Path) -> None:
    rows = []
    for f in report.files:
        notes = f"ERROR: {f.error}" if f.error else "; ".join(f.warnings) or "ok"
        rows.append((Path(f.path).name, f.format or "-", f.papers, f.authors, notes))
    table(("file", "format", "papers", "authors", "notes"), rows)
    print(f"store: {printable(str(store_path))}: {report.papers_after} papers "
          f"({report.papers_after - report.papers_before:+d}), {report.authors_after} author entries")


def print_authors(authors: list[dict[str, Any]]) -> None:
    rows = []
    for a in authors:
        profile = a.get("profile") or {}
        mark = "page" if a["kind"] == "page" else ("owner" if a["owner"] else "")
        metrics = (profile.get("h_index"), profile.get("citations"))
        rows.append((a["id"], a["display_name"], len(a["papers"]), *metrics, mark))
    table(("id", "name", "papers", "h-index", "citations", ""), rows, flex=1)


def print_papers(papers: list[dict[str, Any]]) -> None:
    rows = [(p["id"], _date(p), p["display_title"], p.get("venue") or p.get("category")) for p in papers]
    table(("id", "date", "title", "venue"), rows, flex=2)


def print_results(results: list[Any]) -> None:
    if not results:
        print("no papers match")  # rather than a table's header alone
        return
    rows = [(n, f"{r.score:.0f}", r.paper["id"], r.paper["display_title"], r.field_name or "-")
            for n, r in enumerate(results, start=1)]
    table(("#", "score", "id", "title", "matched"), rows, flex=3)


def _date(paper: dict[str, Any]) -> str:
    if paper.get("date"):
        return paper["date"] + ("?" if paper.get("date_inferred") else "")
    return str(paper["year"]) if paper.get("year") else "-"


def _block(label: str, text: str) -> None:
    print(f"{label}:")
    for paragraph in printable(text).split("\\x0a"):
        print(textwrap.fill(paragraph, width=min(_width(), 100), initial_indent="  ", subsequent_indent="  "))


def print_paper(paper: dict[str, Any], titles: dict[str, str]) -> None:
    print(printable(paper["display_title"]))
    print("=" * min(_width(), len(paper["display_title"])))
    lines = [
        ("id", paper["id"]),
        ("authors", ", ".join(paper["authors"]) + ("" if paper["authors_complete"] else ", et al.") or None),
        ("date", _date(paper) + (" (year inferred)" if paper.get("date_inferred") else "")),
        ("venue", paper.get("venue")), ("category", paper.get("category")),
        ("affiliations", ", ".join(paper.get("affiliations") or ()) or None),
        ("arXiv", paper.get("arxiv_id")), ("url", paper.get("url")), ("code", paper.get("code_url")),
        ("score", paper.get("score")), ("sources", ", ".join(paper["sources"])),
    ]
    for label, value in lines:
        if value not in (None, ""):
            print(f"{label + ':':14}{printable(str(value))}")
    for label in ("comments", "summary", "abstract"):
        if paper.get(label):
            _block(label, paper[label])
    if paper.get("related"):
        print("related:")
        for rid in paper["related"]:
            print(f"  {rid}  {_cell(titles.get(rid, '?'), _width() - len(rid) - 4)}")


def print_author(author: dict[str, Any]) -> None:
    print(printable(author["display_name"]))
    print(f"{'id:':14}{printable(author['id'])}")
    if author["aliases"]:
        print(f"{'aliases:':14}{printable(', '.join(author['aliases']))}")
    for key, value in (author.get("profile") or {}).items():
        if value is not None:
            print(f"{key + ':':14}{printable(str(value))}")
    print(f"{'papers:':14}{len(author['papers'])}")
    for pid in author["papers"]:
        print(f"  {printable(pid)}")


def print_stats(stats: dict[str, Any]) -> None:
    for key, value in stats.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        print(f"{key.replace('_', ' ') + ':':18}{printable(str(value))}")
