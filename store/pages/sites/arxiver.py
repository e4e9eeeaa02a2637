"""arxiver author pages: abstracts without titles or owner, each closed by its arXiv id.

    Abstract paragraph
    Optional comment line(s)          ('ACM UIST'23', '37 pages, 18 figures', 'Accepted to ...')
    arXiv:2207.09067 - doi: 10.1145/...       (the doi is optional)
    Created: 2022-07-19               ('Updated: ...' may follow, on this line or the next;
                                       both may be missing)

A save may lose the line break after the id: the next abstract then starts on the
id's line ('arXiv:2210.05852What is the relationship ...').
"""

from __future__ import annotations

import re

from store.pages.entry import Entry, ParsedPage
from store.pages.fields import find_code_url, parse_iso_date
from store.text import squash

NAME = "arxiver"

ID_LINE = re.compile(
    r"^arXiv:\s*(?P<id>(?P<yymm>\d{4})\.(?P<number>\d{4,5})|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?P<rest>.*)$",
    re.IGNORECASE,
)
_VERSION = re.compile(r"^v\d+")
# A DOI's suffix runs up to the glued text that follows it: a capitalized word.
_DOI = re.compile(r"^\s*-?\s*doi:\s*(?P<doi>10\.\d{4,9}/\S+?)(?=[A-Z][a-z]+[\s,.;:]|\s|$)", re.IGNORECASE)
_CREATED = re.compile(r"^(?:Created|Submitted)\s*:\s*(?P<date>\S+)", re.IGNORECASE)
_DATE_LINE = re.compile(r"^(?:Created|Submitted|Updated)\s*:", re.IGNORECASE)
_VENUE = re.compile(
    r"\b(ICML|NeurIPS|NIPS|ICLR|CVPR|ECCV|ICCV|WACV|ACL|EMNLP|NAACL|COLING|EACL|AAAI|IJCAI|KDD|"
    r"WWW|SIGIR|WSDM|CIKM|AISTATS|UAI|COLT|TMLR|JMLR|TPAMI|Interspeech|ICASSP|MICCAI|CoRL|ICRA|IROS|"
    r"UIST|CHI|CSCW|IUI|DIS|UbiComp|IMWUT|FAccT|ICWSM|JCDL|TACL|CoNLL|LREC|SIGMOD|VLDB|ICSE|FSE|"
    r"OSDI|SOSP|NSDI|SIGGRAPH|PNAS|Nature|Science)"
    r"(?:\s*'(?P<short>\d{2})\b|[\s-]*(?P<year>(?:19|20)\d{2})\b)?",
)
# Comments longer than this are more likely a further abstract paragraph.
_COMMENT_MAX = 400
_ABSTRACT_MIN = 200


def score(lines: list[str]) -> int:
    """Points for the id and date lines among stripped lines."""
    ids = sum(1 for line in lines if ID_LINE.match(line) and "citation" not in line)
    created = sum(1 for line in lines if _CREATED.match(line))
    return 3 * min(ids, created) + ids


def parse(lines: list[str]) -> ParsedPage:
    page = ParsedPage(format=NAME, label="arxiver page")
    paragraphs: list[str] = []
    current: list[str] = []
    entry: Entry | None = None  # the entry whose date lines we are reading

    def close_paragraph() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for raw in lines:
        line = raw.strip()
        match = ID_LINE.match(line)
        if match:
            close_paragraph()
            entry, glued = _entry(match, paragraphs)
            page.entries.append(entry)
            paragraphs = []
            if glued:
                current.append(glued)
        elif _DATE_LINE.match(line) and entry is not None:
            if _CREATED.match(line) and entry.date is None:
                entry.date = parse_iso_date(line)
                entry.year = int(entry.date[:4]) if entry.date else entry.year
        elif not line:
            close_paragraph()
        else:
            # Each line is a paragraph: a comment line after an abstract is not part of it.
            entry = None
            close_paragraph()
            current.append(line)
    close_paragraph()
    if paragraphs:
        page.warnings.append(
            f"text after the last arXiv id has no id of its own (page cut off?): {len(paragraphs)} paragraph(s) dropped"
        )
    for number, item in enumerate(page.entries, start=1):
        if item.abstract is None:
            page.warnings.append(f"entry {number} (arXiv:{item.arxiv_id}) has no abstract")
    return page


def _entry(match: re.Match[str], paragraphs: list[str]) -> tuple[Entry, str]:
    """The entry an id line closes, from the paragraphs before it, and the text glued
    after the id (the next entry's first words)."""
    arxiv_id, rest = match.group("id"), match.group("rest")
    if match.group("yymm"):
        digits = 4 if match.group("yymm") < "1501" else 5
        number = match.group("number")
        arxiv_id = f"{match.group('yymm')}.{number[:digits]}"
        rest = number[digits:] + rest
    rest = _VERSION.sub("", rest)
    doi = None
    found = _DOI.match(rest)
    if found:
        doi, rest = found.group("doi").rstrip(".,;"), rest[found.end():]
    abstract_parts: list[str] = []
    comment_parts: list[str] = []
    # Short lines before the first long paragraph are page furniture (a heading, a
    # menu) that a save kept above the first entry, not part of the abstract.
    first_long = next((i for i, p in enumerate(paragraphs) if len(p) > _ABSTRACT_MIN), 0)
    for paragraph in paragraphs[first_long:]:
        if not abstract_parts or (not comment_parts and len(paragraph) > _COMMENT_MAX):
            abstract_parts.append(squash(paragraph))
        else:
            comment_parts.append(squash(paragraph))
    if doi:
        comment_parts.append(f"doi:{doi}")
    comments = "\n".join(comment_parts) or None
    abstract = "\n\n".join(abstract_parts) or None
    entry = Entry(arxiv_id=arxiv_id, url=f"https://arxiv.org/abs/{arxiv_id}", abstract=abstract, comments=comments,
                  authors_complete=False)  # the page names no authors
    if match.group("yymm"):
        yy = int(match.group("yymm")[:2])
        entry.year = (1900 if yy >= 91 else 2000) + yy  # the first version's year, until a date says more
    if comments:
        venue = _VENUE.search(comments)
        if venue:
            year = venue.group("year") or (f"20{venue.group('short')}" if venue.group("short") else None)
            entry.venue = venue.group(1) + (f" {year}" if year else "")
    entry.code_url = find_code_url(comments, abstract)
    entry.has_code = entry.code_url is not None
    return entry, squash(rest)
