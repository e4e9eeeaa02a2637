"""arxiver author pages: abstracts without titles or owner, each closed by its arXiv id.

    Abstract paragraph
    Optional comment line(s)          ('Accepted to ICML 2022. Code at https://...')
    arXiv:2207.09067
    Created: 2022-07-19               ('Updated: ...' may follow, on this line or the next)
"""

from __future__ import annotations

import re

from store.formats.entry import Entry, ParsedPage
from store.formats.fields import find_code_url, parse_iso_date
from store.text import squash

NAME = "arxiver"

ID_LINE = re.compile(r"^arXiv:\s*(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b", re.IGNORECASE)
_CREATED = re.compile(r"^(?:Created|Submitted)\s*:\s*(?P<date>\S+)", re.IGNORECASE)
_UPDATED = re.compile(r"^Updated\s*:", re.IGNORECASE)
_DATE_LINE = re.compile(r"^(?:Created|Submitted|Updated)\s*:", re.IGNORECASE)
_VENUE = re.compile(
    r"\b(ICML|NeurIPS|NIPS|ICLR|CVPR|ECCV|ICCV|WACV|ACL|EMNLP|NAACL|COLING|EACL|AAAI|IJCAI|KDD|"
    r"WWW|SIGIR|WSDM|CIKM|AISTATS|UAI|COLT|TMLR|JMLR|TPAMI|Interspeech|ICASSP|MICCAI|CoRL|ICRA|IROS)"
    r"(?:[\s'-]*(\d{4}|\d{2}))?",
)
# Comments longer than this are more likely a further abstract paragraph.
_COMMENT_MAX = 400
_ABSTRACT_MIN = 200


def score(lines: list[str]) -> int:
    """Points for the id and date lines among stripped lines."""
    ids = sum(1 for line in lines if ID_LINE.match(line))
    created = sum(1 for line in lines if _CREATED.match(line))
    return 3 * min(ids, created) + ids


def parse(lines: list[str]) -> ParsedPage:
    page = ParsedPage(format=NAME)
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
            entry = _entry(match.group("id"), paragraphs)
            page.entries.append(entry)
            paragraphs = []
        elif _DATE_LINE.match(line) and entry is not None:
            created = _CREATED.match(line)
            if created and entry.date is None:
                entry.date = parse_iso_date(line)
                entry.year = int(entry.date[:4]) if entry.date else None
        elif not line:
            close_paragraph()
        else:
            entry = None
            current.append(line)
    close_paragraph()
    if paragraphs:
        page.warnings.append(
            f"text after the last arXiv id has no id of its own (page cut off?): {len(paragraphs)} paragraph(s) dropped"
        )
    for number, item in enumerate(page.entries, start=1):
        if item.abstract is None:
            page.warnings.append(f"entry {number} (arXiv:{item.arxiv_id}) has no abstract")
        if item.date is None:
            page.warnings.append(f"entry {number} (arXiv:{item.arxiv_id}) has no Created date")
    page.label = "arxiver page"
    return page


def _entry(arxiv_id: str, paragraphs: list[str]) -> Entry:
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
    comments = "\n".join(comment_parts) or None
    abstract = "\n\n".join(abstract_parts) or None
    venue = None
    if comments:
        match = _VENUE.search(comments)
        if match:
            venue = match.group(1) + (f" {match.group(2)}" if match.group(2) else "")
    return Entry(
        arxiv_id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        abstract=abstract,
        comments=comments,
        venue=venue,
        code_url=find_code_url(comments, abstract),
        has_code=find_code_url(comments, abstract) is not None,
    )
