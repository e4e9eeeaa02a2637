"""scholarfeed author profiles.

A page is the author's name, an optional bio or affiliation, header metrics
('h-index20', '46papers', '794citations', 'Novelty53%', 'AI Score59') and a primary
category code, a 'N Papers' heading, then one entry per paper:

    CVMar 26, 2023Code          category codes glued to the date; year and 'Code' optional
    Title                       (may wrap; may be glued to the author line)
    A, B, C et al. · aff, aff   authors, maybe cut with 'et al.', maybe affiliations
    Abstract paragraph(s)
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from store.formats.authors import split_author_line, split_glued_title
from store.formats.entry import Entry, ParsedPage, Profile
from store.formats.fields import MONTH_PATTERN, MONTHS, find_code_url, iso_date
from store.text import squash

NAME = "scholarfeed"

DATE_LINE = re.compile(
    r"^\s*(?P<cats>[A-Za-z][A-Za-z.\-]*?)\s*(?P<month>" + MONTH_PATTERN + r")\s+(?P<day>\d{1,2})"
    r"(?:,\s*(?P<year>\d{4}))?\s*(?P<code>Code)?\s*$"
)
_METRICS = {
    "h_index": re.compile(r"^h-?index\s*:?\s*(\d+)$", re.IGNORECASE),
    # A count may be abbreviated ('1.2kcitations', '3.4M citations').
    "paper_count": re.compile(r"^([\d,.]+\s*[km]?)\s*papers?$", re.IGNORECASE),
    "citations": re.compile(r"^([\d,.]+\s*[km]?)\s*citations?$", re.IGNORECASE),
    "novelty": re.compile(r"^novelty\s*:?\s*([\d.]+)\s*%?$", re.IGNORECASE),
    "ai_score": re.compile(r"^ai\s*score\s*:?\s*([\d.]+)$", re.IGNORECASE),
}
# A line is one metric or none (each names its own): one pattern tries them all at once.
_ANY_METRIC = re.compile("|".join(rx.pattern for rx in _METRICS.values()), re.IGNORECASE)
_HEADING = re.compile(r"^\d[\d,]*\s+Papers?$")
_CATEGORY = re.compile(r"^[A-Z]{2,5}(?:\.[A-Z]{2})?$")


# A date line is short ('CVLGMar 26, 2023Code'); longer lines (titles, abstracts)
# and empty ones (half of a page's) are not tried against the pattern at all.
_DATE_LINE_MAX = 80


def _dated_lines(lines: list[str]) -> list[tuple[int, re.Match[str]]]:
    """Each date line's index and match."""
    match = DATE_LINE.match
    return [(i, found) for i, line in enumerate(lines)
            if line and len(line) <= _DATE_LINE_MAX and (found := match(line))]


def score(lines: list[str]) -> int:
    """Points for the date lines and the header metrics among stripped lines."""
    dates = len(_dated_lines(lines))
    metrics = sum(1 for line in lines[:40] if _ANY_METRIC.match(line))
    return 3 * dates + 2 * metrics


def parse(lines: list[str]) -> ParsedPage:
    page = ParsedPage(format=NAME)
    dated = _dated_lines(lines)
    header_end = dated[0][0] if dated else len(lines)
    _parse_header(lines[:header_end], page)

    raw_entries = []
    for n, (start, match) in enumerate(dated):
        end = dated[n + 1][0] if n + 1 < len(dated) else len(lines)
        raw_entries.append((match, _blocks(lines[start + 1 : end])))
    explicit_years = [int(year) for m, _ in raw_entries if (year := m.group("year"))]
    # scholarfeed leaves out the year of this year's papers; the page shows every
    # earlier year, so the missing one is the year after the latest it shows.
    this_year = date.today().year
    inferred_year = min(max(explicit_years) + 1, this_year) if explicit_years else this_year

    for number, (match, blocks) in enumerate(raw_entries, start=1):
        entry = _entry(match, blocks, inferred_year)
        if entry is None:
            page.warnings.append(f"entry {number} has no title: skipped")
            continue
        if not entry.authors or entry.abstract is None:
            missing = "authors" if not entry.authors else "abstract"
            page.warnings.append(f"entry {number} ({entry.title[:40]}) has no {missing}: page cut off?")
        page.entries.append(entry)
    if page.owner is None:
        page.warnings.append("no author name at the top of the page")
    return page


def _blocks(lines: list[str]) -> list[list[str]]:
    """Paragraphs: runs of non-blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        line = line.strip()
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


# A metric larger than this is no real count (and would not fit the store's JSON
# codec, which takes integers of at most 64 bits): the page is damaged or a joke.
_METRIC_LIMIT = 10**15
_SCORES = ("novelty", "ai_score")  # percentages, which may have decimals; the rest are counts
_SCALES = {"k": 1_000, "m": 1_000_000}  # an abbreviated count's suffix


def _metric(key: str, text: str) -> int | float | None:
    """A header metric's value ('1,234' -> 1234, '1.2k' -> 1200, '53' -> 53.0 for a
    score), or None when the digits make no number ('1.2.3') or one too large to be
    a count."""
    digits = text.replace(",", "")
    scale = _SCALES.get(digits[-1:].lower(), 1)
    if scale > 1:
        digits = digits[:-1].rstrip()
    try:
        value: int | float = float(digits) if key in _SCORES or scale > 1 else int(digits)
    except ValueError:
        return None
    if not value * scale < _METRIC_LIMIT:  # digits only: never negative, never NaN (an overflow is inf)
        return None
    return round(value * scale) if scale > 1 else value


def _parse_header(lines: list[str], page: ParsedPage) -> None:
    profile = Profile()
    text_lines: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or _HEADING.match(line):
            continue
        for key, rx in _METRICS.items():
            match = rx.match(line)
            if match:
                value = _metric(key, match.group(1))
                if value is None:
                    page.warnings.append(f"{key.replace('_', ' ')} '{match.group(1)[:20]}' is not a number "
                                         "litbrowse can keep: left out")
                else:
                    setattr(profile, key, value)
                break
        else:
            if page.owner is None:
                page.owner = squash(line)
            elif _CATEGORY.match(line) and profile.category is None:
                profile.category = line
            else:
                text_lines.append(line)
    if text_lines:
        first = text_lines[0]
        if len(text_lines) == 1 and len(first) <= 80 and not first.endswith("."):
            profile.affiliation = first
        else:
            profile.bio = "\n".join(text_lines)
    page.profile = None if profile.is_empty() else profile


# A page's papers share a few thousand dates: each is worked out once.
@lru_cache(maxsize=1 << 14)
def _date_fields(month: str, day: str, year: str | None, inferred_year: int) -> tuple[int, str | None, bool]:
    """(year, ISO date, whether the year was inferred) of a date line's parts."""
    number = int(year) if year else inferred_year
    return number, iso_date(number, MONTHS[month.rstrip(".").lower()[:3]], int(day)), not year


def _entry(match: re.Match[str], blocks: list[list[str]], inferred_year: int) -> Entry | None:
    if not blocks:
        return None
    # DATE_LINE's groups in their order (by number: half the cost of by name).
    cats, month, day, year, code = match.groups()
    entry = Entry(category=cats)
    entry.year, entry.date, entry.date_inferred = _date_fields(month, day, year, inferred_year)

    title_lines = blocks[0]
    rest = blocks[1:]
    # The author line may sit in the title's paragraph (no blank line between them).
    split = split_author_line(title_lines[-1]) if len(title_lines) > 1 else None
    if split:
        title_lines = title_lines[:-1]
    elif rest and len(rest[0]) == 1:
        split = split_author_line(rest[0][0])
        if split:
            rest = rest[1:]
    title = squash(" ".join(title_lines))
    if not split:
        glued = split_glued_title(title)
        if glued:
            title, split = glued[0], split_author_line(glued[1])
    entry.title = title or None
    if split:
        entry.authors, entry.authors_complete, entry.affiliations = split
    if rest:
        # Most abstracts are one line: no joining.
        one_line = len(rest) == 1 and len(rest[0]) == 1
        entry.abstract = rest[0][0] if one_line else "\n\n".join(" ".join(block) for block in rest)
    entry.code_url = find_code_url(entry.abstract)
    entry.has_code = bool(code) or entry.code_url is not None
    return entry
