"""scholarfeed author profiles.

A page is the author's name, an optional bio or affiliation, any of the header
metrics ('h-index20', '46papers', '794citations', 'Novelty53%', 'AI Score59') and a
primary category code, a 'N Papers' heading, then one entry per paper:

    46.8CVLGMar 26, 2023Code    an optional score, category codes glued to the date;
                                the year and 'Code' are optional
    Title                       may wrap, or be glued to the author line
    A, B, C et al. · aff, aff   authors, maybe cut with 'et al.', maybe affiliations
    Abstract paragraph(s)

Blank lines between the parts are optional. A saved excerpt may start anywhere:
at the 'N Papers' heading or inside an entry (no owner then), and may stop
anywhere (its last entry keeps what is certain).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from store.pages.entry import Entry, ParsedPage, Profile
from store.pages.fields import (
    MONTH_PATTERN,
    MONTHS,
    ends_cut,
    find_code_url,
    iso_date,
    mark_cut,
    split_categories,
)
from store.pages.names import looks_like_name, split_author_line, split_glued_title
from store.text import squash

NAME = "scholarfeed"

DATE_LINE = re.compile(
    r"^\s*(?P<score>\d{1,3}\.\d)?(?P<cats>[A-Za-z][A-Za-z.\-]*?)\s*(?P<month>" + MONTH_PATTERN
    + r")\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?\s*(?P<code>Code)?\s*$"
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
# A subject code is two capitals ('LG', or 'cs.LG'); 'KAIST' is an affiliation.
_CATEGORY = re.compile(r"^(?:[a-z\-]+\.)?[A-Z]{2}$")


# A date line is short ('46.8CVLGMar 26, 2023Code'); longer lines (titles, abstracts)
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
    fragment = _parse_header(lines[:header_end], page)
    if fragment:
        entry = _entry(None, fragment, None, cut=False)
        if entry is not None and entry.authors:
            page.entries.append(entry)
            page.warnings.append(f"the page starts inside an entry: '{entry.title[:40]}' kept without its date")
        else:
            page.warnings.append("the page starts inside an entry: its text before the first date is dropped")

    cut = ends_cut(lines)
    today = date.today()
    # scholarfeed shows the year of every date but this year's: a year-less date is in
    # the year after the latest the page shows, or, with none shown, this year.
    shown = [int(year) for _, m in dated if (year := m.group("year"))]
    latest = max(shown) + 1 if shown else None
    for n, (start, match) in enumerate(dated):
        last = n + 1 == len(dated)
        end = len(lines) if last else dated[n + 1][0]
        entry = _entry(match, _blocks(lines[start + 1 : end]), (today, latest), cut=cut and last)
        number = n + 1
        if entry is None:
            reason = "the page is cut off in its title" if cut and last else "it has no title"
            page.warnings.append(f"entry {number} is skipped: {reason}")
            continue
        if cut and last:
            page.warnings.append(f"entry {number} ({entry.title[:40]}) is cut off: kept what the page shows")
        elif not entry.authors or entry.abstract is None:
            missing = "authors" if not entry.authors else "abstract"
            page.warnings.append(f"entry {number} ({entry.title[:40]}) has no {missing}")
        page.entries.append(entry)
    return page


# The site's controls that a save of a whole page keeps between or after the entries.
_CONTROLS = re.compile(r"^(?:Load more(?: papers)?|Show more|Show less|Next|Previous|\d{1,3}|Back to top)$",
                       re.IGNORECASE)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Paragraphs: runs of non-blank lines, less the site's controls."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        line = line.strip()
        if line and len(line) < 20 and _CONTROLS.match(line):
            continue
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


def _parse_header(lines: list[str], page: ParsedPage) -> list[list[str]]:
    """The owner and profile from the lines before the first entry; the text of an
    entry the excerpt starts inside (as paragraphs), when it starts inside one."""
    profile = Profile()
    text_lines: list[str] = []
    stripped = [line.strip() for line in lines]
    first = next((line for line in stripped if line), None)
    if first is not None and not _is_header_line(first) and not _names_owner(first, stripped):
        return _blocks(stripped)  # no name first: the excerpt begins inside an entry
    for line in stripped:
        if not line or _HEADING.match(line):
            continue
        metric = _ANY_METRIC.match(line)
        if metric:
            # The one metric group that matched, numbered in _METRICS' order.
            at = next(i for i, group in enumerate(metric.groups()) if group is not None)
            key, raw = list(_METRICS)[at], metric.groups()[at]
            value = _metric(key, raw)
            if value is None:
                page.warnings.append(f"{key.replace('_', ' ')} '{raw[:20]}' is not a number "
                                     "litbrowse can keep: left out")
            else:
                setattr(profile, key, value)
        elif page.owner is None and not text_lines and line == first:
            page.owner = squash(line)
        elif _CATEGORY.match(line) and profile.category is None:
            profile.category = line
        elif page.owner is not None:
            text_lines.append(line)
    if text_lines:
        first_text = text_lines[0]
        if len(text_lines) == 1 and len(first_text) <= 80 and not first_text.endswith("."):
            profile.affiliation = first_text
        else:
            profile.bio = "\n".join(text_lines)
    page.profile = None if profile.is_empty() else profile
    return []


def _is_header_line(line: str) -> bool:
    return bool(_ANY_METRIC.match(line) or _HEADING.match(line) or _CATEGORY.match(line))


def _names_owner(first: str, header: list[str]) -> bool:
    """Whether the header's first line is its owner's name: it reads as a name, or it is
    a short line above the page's metrics (a name the site spells oddly)."""
    return looks_like_name(first) or (len(first) <= 100 and any(map(_is_header_line, header)))


def _year_for(month: int, day: int, today: date, after_shown: int | None) -> int:
    """The year of a date shown without one: the year after the page's latest, at most
    this year, and never a date still to come (a page saved last year)."""
    this_year = today.year - 1 if (month, day) > (today.month, today.day) else today.year
    return min(after_shown, this_year) if after_shown else this_year


# A page's papers share a few thousand dates: each is worked out once.
@lru_cache(maxsize=1 << 14)
def _date_fields(month: str, day: str, year: str | None, today: date,
                 after_shown: int | None) -> tuple[int, str | None, bool]:
    """(year, ISO date, whether the year was inferred) of a date line's parts."""
    month_number = MONTHS[month.rstrip(".").lower()[:3]]
    number = int(year) if year else _year_for(month_number, int(day), today, after_shown)
    return number, iso_date(number, month_number, int(day)), not year


# A title wraps over a few lines at most; the author line comes before this many.
_TITLE_MAX_LINES = 4


def _entry(match: re.Match[str] | None, blocks: list[list[str]], when: tuple[date, int | None] | None,
           cut: bool) -> Entry | None:
    """One paper from its date line's match and the paragraphs after it; `cut` when the
    page stops inside them."""
    lines = [line for block in blocks for line in block]
    if not lines:
        return None
    entry = Entry()
    if match is not None and when is not None:
        # DATE_LINE's groups in their order (by number: half the cost of by name).
        score, cats, month, day, year, code = match.groups()
        entry.category = split_categories(cats)
        entry.score = float(score) if score else None
        entry.has_code = bool(code)
        entry.year, entry.date, entry.date_inferred = _date_fields(month, day, year, *when)

    title, authors, abstract_at = _title_and_authors(lines, blocks)
    if cut and authors is None:
        if abstract_at >= len(lines):
            return None  # the page stops in the title: nothing about the paper is certain
        if abstract_at == len(lines) - 1:
            lines = lines[:abstract_at]  # one cut line after the title: its author line, unreadable
    elif cut and abstract_at >= len(lines):
        # The page stops in the author line: its last name may be cut short.
        names, _, _ = authors
        authors = (names[:-1], False, [])
    entry.title = squash(title) or None
    if entry.title is None:
        return None
    if authors:
        entry.authors, entry.authors_complete, entry.affiliations = authors
    if abstract_at < len(lines):
        abstract = "\n\n".join(" ".join(block) for block in _from_line(blocks, abstract_at))
        entry.abstract = mark_cut(abstract) if cut else abstract
    entry.code_url = find_code_url(entry.abstract)
    entry.has_code = entry.has_code or entry.code_url is not None
    return entry


Authors = tuple[list[str], bool, list[str]]


def _title_and_authors(lines: list[str], blocks: list[list[str]]) -> tuple[str, Authors | None, int]:
    """The title, the author line's parts, and the index of the abstract's first line.

    The author line is the first of the next few lines that reads as a list of people
    (names and commas, 'et al.' or affiliations), or a line whose end holds one glued
    to the title; failing both, the first line that reads as one name ('Lin Wu'), which
    a wrapped title's second line can too ('Wraps Onto a Second Line'). With none, the
    first paragraph is the title (the first line, when the page has no blank lines).
    """
    single: tuple[str, Authors, int] | None = None
    for index in range(1, min(len(lines), _TITLE_MAX_LINES + 1)):
        found = split_author_line(lines[index])
        if found is not None:
            if _a_list(found):
                return " ".join(lines[:index]), found, index + 1
            single = single or (" ".join(lines[:index]), found, index + 1)
    # A glued title comes before any line that reads as a name (an abstract never holds one).
    for index in range(min(len(lines), _TITLE_MAX_LINES, single[2] - 1 if single else len(lines))):
        glued = split_glued_title(lines[index])
        if glued is not None and (found := split_author_line(glued[1])) is not None:
            return " ".join([*lines[:index], glued[0]]), found, index + 1
    if single is not None:
        return single
    title_lines = len(blocks[0]) if len(blocks) > 1 else 1
    return " ".join(lines[:title_lines]), None, title_lines


def _a_list(found: Authors) -> bool:
    """Whether an author line shows it is one: several names, 'et al.', or affiliations."""
    names, complete, affiliations = found
    return len(names) > 1 or not complete or bool(affiliations)


def _from_line(blocks: list[list[str]], start: int) -> list[list[str]]:
    """The paragraphs from the `start`th line on (counted over all paragraphs' lines)."""
    rest: list[list[str]] = []
    seen = 0
    for block in blocks:
        if seen + len(block) > start:
            rest.append(block[max(0, start - seen):])
        seen += len(block)
    return rest
