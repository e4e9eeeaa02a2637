"""scholarfeed single-paper pages.

    CLLGNov 12, 2022                     category codes glued to the date (optional)
    Title
    AI2CMU                               affiliations, glued together (optional)
    arXiv:2211.06651v2249 citationsh-index: 81ACL
                                         the id, with the citations, the h-index and a
                                         venue glued on (optional)
    Originality Incremental advance      (optional)
    AI Analysis                          (optional)
    Significance summary                 two AI summaries: 'This ...', 'The paper ...'
    Approach summary
    Abstract paragraph(s)
    Code Implementations1 repo           then the page's sections: never the abstract
    Foundations
    Your Notes

Blank lines between the parts are optional; a page may start at its title.
"""

from __future__ import annotations

import re
from datetime import date

from store.pages.entry import Entry, ParsedPage
from store.pages.fields import ends_cut, find_code_url, mark_cut, split_categories
from store.pages.sites.scholarfeed_author import DATE_LINE, _date_fields
from store.text import squash

NAME = "scholarfeed-paper"

# An old id has four digits after the month (0704 to 1412), a new one five: the digits
# glued on after them are the version and the citations, which cannot be told apart.
_ID_LINE = re.compile(r"^arXiv:\s*(?P<yymm>\d{4})\.(?P<rest>\d+)(?P<after>.*)$", re.IGNORECASE)
_H_INDEX = re.compile(r"h-index:?\s*\d+", re.IGNORECASE)
_CITATIONS = re.compile(r"^[v\d.]*\s*citations?", re.IGNORECASE)
_ORIGINALITY = re.compile(r"^Originality\b", re.IGNORECASE)
_AI_ANALYSIS = re.compile(r"^AI Analysis$", re.IGNORECASE)
_CODE_SECTION = re.compile(r"^Code Implementations?\s*(?P<repos>\d+)?", re.IGNORECASE)
# Headings of the sections after the abstract: where the paper's own text ends.
_SECTION = re.compile(
    r"^(?:Foundations|Your Notes|Code Implementations?.*|Related Papers|Similar Papers|Cited By|"
    r"Citations|References|Comments|Discussion)$",
    re.IGNORECASE,
)
# The two AI summaries open with these words (significance, then approach and result).
_SIGNIFICANCE = re.compile(r"^This (?:work|paper|study|research|addresses|provides|offers|\w+s\b)")
_APPROACH = re.compile(r"^The (?:paper|authors|study|researchers|work|article)\b")
_TITLE_MAX = 300


def score(lines: list[str]) -> int:
    """Points for the id line with its citations, the AI analysis and the sections; a
    page without them shows a title and the two summaries' openings."""
    points = 0
    for line in lines[:60]:
        lowered = line.lower()
        if "arxiv:" in lowered and ("citation" in lowered or "h-index" in lowered):
            points += 6
        elif _AI_ANALYSIS.match(line) or _ORIGINALITY.match(line) or _SECTION.match(line):
            points += 3
    texts = [line for line in lines[:12] if line]
    start = 1 if texts and DATE_LINE.match(texts[0]) else 0
    if len(texts) >= start + 3 and len(texts[start]) <= _TITLE_MAX and _SIGNIFICANCE.match(texts[start + 1]) \
            and _APPROACH.match(texts[start + 2]):
        points += 4
    return points


def parse(lines: list[str]) -> ParsedPage:
    page = ParsedPage(format=NAME)
    texts = [squash(line) for line in lines if line.strip()]
    entry = Entry(authors_complete=False)  # the page names no authors
    at = 0
    if texts and (match := DATE_LINE.match(texts[0])):
        _score, cats, month, day, year, _code = match.groups()
        entry.category = split_categories(cats)
        entry.year, entry.date, entry.date_inferred = _date_fields(month, day, year, date.today(), None)
        at = 1
    if at < len(texts):
        entry.title = texts[at]
        at += 1
    body: list[str] = []
    analysis = False
    in_sections = False
    for line in texts[at:]:
        inside = line.find("arXiv:")
        if inside > 0 and not body and entry.arxiv_id is None and _looks_like_affiliations(line[:inside]):
            entry.affiliations = _split_affiliations(line[:inside])  # 'AI2UW arXiv:2409.14634...'
            line = line[inside:]
        id_line = _ID_LINE.match(line)
        if in_sections:
            if (code := find_code_url(line)) and entry.code_url is None:
                entry.code_url = code
            continue
        if id_line and not body:
            entry.arxiv_id, entry.venue = _id_and_venue(id_line)
            if entry.arxiv_id:
                entry.url = f"https://arxiv.org/abs/{entry.arxiv_id}"
        elif _ORIGINALITY.match(line):
            continue
        elif _AI_ANALYSIS.match(line):
            analysis = True
        elif _SECTION.match(line):
            in_sections = True
            code = _CODE_SECTION.match(line)
            if code and (code.group("repos") or "0") != "0":
                entry.has_code = True
        elif not body and entry.arxiv_id is None and _looks_like_affiliations(line):
            entry.affiliations = _split_affiliations(line)
        else:
            body.append(line)
    cut = ends_cut(lines) and not in_sections
    _summaries_and_abstract(entry, body, analysis, cut)
    entry.code_url = entry.code_url or find_code_url(entry.abstract)
    entry.has_code = entry.has_code or entry.code_url is not None
    if entry.title is None:
        page.warnings.append("no title at the top of the page")
        return page
    if cut:
        page.warnings.append("the page is cut off: " + ("its abstract is marked as cut" if entry.abstract
                                                           else "no abstract kept"))
    page.entries.append(entry)
    page.label = f"scholarfeed paper: {entry.title}"
    return page


def _id_and_venue(match: re.Match[str]) -> tuple[str | None, str | None]:
    """The id that the digits make certain, and the venue glued after the h-index or
    the citations ('arXiv:2211.06651v2249 citationsh-index: 81ACL 2023')."""
    yymm, rest, after = match.group("yymm"), match.group("rest"), match.group("after")
    digits = 4 if yymm < "1501" else 5
    if len(rest) < digits:
        return None, None
    arxiv_id = f"{yymm}.{rest[:digits]}"
    tail = rest[digits:] + after
    h_index = _H_INDEX.search(tail)
    if h_index:
        tail = tail[h_index.end():]
    else:
        citations = _CITATIONS.match(tail)
        tail = tail[citations.end():] if citations else ""
    tail = re.sub(r"\s*AI Analysis\s*$", "", tail, flags=re.IGNORECASE)
    venue = squash(tail).strip(" ·,;:-") or None
    return arxiv_id, venue


def _looks_like_affiliations(line: str) -> bool:
    """Affiliation names glued together ('AI2CMU', 'Google DeepMindStanford'): short, no
    sentence in them."""
    return len(line) <= 120 and not re.search(r"[.!?]$", line) and len(line.split()) <= 8


def _split_affiliations(line: str) -> list[str]:
    """'AI2CMU' -> ['AI2', 'CMU']; 'GoogleStanford' -> ['Google', 'Stanford']: names
    are glued where a digit or small letter meets a capital."""
    parts = re.split(r"(?<=[0-9a-z])(?=[A-Z])|\s*[,·]\s*", line)
    return [part.strip() for part in parts if part.strip()]


def _summaries_and_abstract(entry: Entry, body: list[str], analysis: bool, cut: bool) -> None:
    """The paragraphs after the header: the two AI summaries (where the page has its AI
    analysis, or opens with them), then the abstract."""
    summaries = 0
    if len(body) >= 3 or analysis or (body and _SIGNIFICANCE.match(body[0]) and len(body) > 1
                                      and _APPROACH.match(body[1])):
        summaries = min(2, len(body))
    elif len(body) == 2:
        summaries = 1
    if summaries:
        entry.summary = "\n\n".join(body[:summaries])
    abstract = body[summaries:]
    if abstract:
        text = "\n\n".join(abstract)
        entry.abstract = mark_cut(text) if cut else text
    elif cut and entry.summary:
        entry.summary = mark_cut(entry.summary)
