"""Single-paper pages with related papers.

    Title
    - URL: http://arxiv.org/abs/2310.06511v3
    - Date: Fri, 12 Apr 2024 01:53:33 GMT
    - Title: ...
    - Authors: A, B, C,
    - Abstract summary: ...            (values may run over several lines)
    - Score: 77.47
    - License: ...
    - Abstract: ...
    Related papers
    - First related title [19.63]
    summary lines
    arXiv Detail & Related papers (2026-02-05T06:58:38Z) - Second related title [43.50]
    ...
    arXiv Detail & Related papers (2020-09-29T07:32:30Z)

A related item's date stands on the 'arXiv Detail' line that closes it (and starts
the next item); a title may wrap onto the next line before its '[score]'.
"""

from __future__ import annotations

import re

from store.pages.entry import Entry, ParsedPage
from store.pages.fields import ends_cut, find_code_url, mark_cut, parse_iso_date, parse_rfc_date
from store.text import find_arxiv_id, squash

NAME = "paper-page"

HEADER = re.compile(
    r"^-\s+(?P<key>URL|Date|Title|Authors|Abstract summary|Score|License|Abstract)\s*:\s?(?P<value>.*)$"
)
_RELATED_START = re.compile(r"^Related papers\s*:?\s*$", re.IGNORECASE)
_DETAIL = re.compile(r"^arXiv Detail & Related papers\s*\((?P<date>[^)]*)\)\s*(?:-\s*(?P<rest>.*))?$")
_SCORED_TITLE = re.compile(r"^(?P<title>.*?)\s*\[(?P<score>-?\d+(?:\.\d+)?)\]\s*$")
_TITLE_MAX_LINES = 3
_FOOTER = re.compile(r"^This (?:list|site) ", re.IGNORECASE)


def score(lines: list[str]) -> int:
    """Points for the header fields and the related papers' heading among stripped lines."""
    headers = {m.group("key") for line in lines[:200] if (m := HEADER.match(line))}
    related = any(_RELATED_START.match(line) for line in lines)
    return 3 * len(headers) + (3 if related else 0) if len(headers) >= 2 else 0


def parse(lines: list[str]) -> ParsedPage:
    page = ParsedPage(format=NAME)
    fields: dict[str, list[str]] = {}
    first_line: str | None = None
    key: str | None = None
    related_from = _related_start(lines)
    for raw in lines[:related_from]:
        line = raw.strip()
        if _RELATED_START.match(line):
            break
        match = HEADER.match(line)
        if match:
            key = match.group("key")
            fields.setdefault(key, []).append(match.group("value").strip())
        elif key is not None and line:
            fields[key].append(line)
        elif line and first_line is None:
            first_line = line

    def value(name: str, sep: str = " ") -> str | None:
        parts = [p for p in fields.get(name, []) if p]
        return sep.join(parts) if parts else None

    main = Entry()
    main.title = squash(value("Title") or first_line or "") or None
    main.url = value("URL")
    main.arxiv_id = find_arxiv_id(main.url or "")
    raw_date = value("Date")
    main.date = parse_rfc_date(raw_date) if raw_date else None
    main.year = int(main.date[:4]) if main.date else None
    authors = value("Authors")
    if authors:
        names = [squash(n) for n in authors.split(",") if n.strip()]
        main.authors = [n for n in names if n.lower() not in ("et al.", "et al")]
        main.authors_complete = not authors.rstrip(", ").lower().endswith("et al.")
    summary = value("Abstract summary", "\n")
    main.summary = summary.replace("<n>", "\n") if summary else None
    main.abstract = value("Abstract")
    if main.abstract and related_from is None and ends_cut(lines) and _last_field(lines) == "Abstract":
        main.abstract = mark_cut(main.abstract)
        page.warnings.append("the page is cut off in the abstract: it is marked as cut")
    main.score = _number(value("Score"))
    main.code_url = find_code_url(main.abstract)
    main.has_code = main.code_url is not None
    if main.title is None and main.arxiv_id is None:
        page.warnings.append("no title and no arXiv link in the header")
    if related_from is not None:
        main.related = _related(lines[related_from:], page.warnings)
    page.entries.append(main)
    page.label = f"Related to: {main.title}" if main.title else "paper page"
    return page


def _related_start(lines: list[str]) -> int | None:
    """Where the related papers begin: after their heading, or, when the heading is
    missing (a page saved in part), at the first item before the first 'arXiv Detail' line."""
    detail_at = None
    for index, raw in enumerate(lines):
        line = raw.strip()
        if _RELATED_START.match(line):
            return index + 1
        if _DETAIL.match(line):
            detail_at = index
            break
    if detail_at is None:
        return None
    for index in range(detail_at - 1, max(-1, detail_at - 30), -1):
        line = lines[index].strip()
        if HEADER.match(line):
            break
        if line.startswith("- "):
            return index
    return detail_at


def _last_field(lines: list[str]) -> str | None:
    """The header field the page's last lines belong to."""
    for raw in reversed(lines):
        match = HEADER.match(raw.strip())
        if match:
            return match.group("key")
    return None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _related(lines: list[str], warnings: list[str]) -> list[Entry]:
    items: list[Entry] = []
    current: Entry | None = None
    title_parts: list[str] = []  # a title still waiting for its '[score]'
    summary: list[str] = []

    def close(date_text: str | None) -> None:
        nonlocal current
        if current is not None:
            current.summary = "\n".join(summary) or None
            if date_text:
                current.date = parse_iso_date(date_text) or parse_rfc_date(date_text)
                current.year = int(current.date[:4]) if current.date else None
            items.append(current)
        current = None
        summary.clear()

    def start(text: str) -> None:
        nonlocal current
        title_parts.append(text)
        match = _SCORED_TITLE.match(" ".join(title_parts))
        if match:
            current = Entry(title=squash(match.group("title")), score=_number(match.group("score")), owned=False)
            title_parts.clear()
        elif len(title_parts) >= _TITLE_MAX_LINES:
            # No score after several lines: the first line was the title, the rest its summary.
            current = Entry(title=squash(title_parts[0]), owned=False)
            summary.extend(title_parts[1:])
            title_parts.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        detail = _DETAIL.match(line)
        if detail:
            close(detail.group("date"))
            if detail.group("rest"):
                start(detail.group("rest").strip())
        elif title_parts:
            start(line)
        elif current is None and line.startswith("- "):
            start(line[2:].strip())
        elif current is not None:
            summary.append(line.replace("<n>", "\n"))
        elif _FOOTER.match(line):
            continue
    if current is not None:
        warnings.append(f"related paper '{current.title[:40]}' has no date line (page cut off?)")
        close(None)
    if title_parts:
        warnings.append("a related paper's title has no score: dropped (page cut off?)")
    for item in items:
        item.code_url = find_code_url(item.summary)
    return items
