"""Field extraction that several page formats share: dates, code links, venues."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH_PATTERN = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")

# A repository link: github/gitlab/bitbucket/huggingface, inside \url{...}, \href{...}{...}
# or plain text; trailing sentence punctuation and braces are not part of it.
_CODE_HOSTS = r"(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co|codeberg\.org|sourceforge\.net)"
# Every code host's name ends in one of these, followed by a path.
_HOST_HINT = re.compile(r"\.(?:com|co|org|net)/", re.IGNORECASE)
_CODE_URL = re.compile(r"(?:https?://)?(?:www\.)?" + _CODE_HOSTS + r"/[^\s{}<>\"'\\]+", re.IGNORECASE)


# A page's dates repeat (a few thousand days across every page of a store): remember them.
@lru_cache(maxsize=1 << 16)
def iso_date(year: int, month: int, day: int) -> str | None:
    if 1 <= day <= 28 and 1 <= month <= 12 and 1 <= year <= 9999:  # valid in every month: no date object
        return f"{year:04d}-{month:02d}-{day:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_iso_date(text: str) -> str | None:
    match = _ISO_DATE.search(text)
    if not match:
        return None
    return iso_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def parse_rfc_date(text: str) -> str | None:
    """'Fri, 12 Apr 2024 01:53:33 GMT' or '12 April 2024' -> 2024-04-12."""
    match = re.search(r"(\d{1,2})\s+(" + MONTH_PATTERN + r")\s+(\d{4})", text, re.IGNORECASE)
    if match:
        month = MONTHS.get(match.group(2).rstrip(".").lower()[:3])
        if month:
            return iso_date(int(match.group(3)), month, int(match.group(1)))
    match = re.search(r"(" + MONTH_PATTERN + r")\s+(\d{1,2}),?\s+(\d{4})", text, re.IGNORECASE)
    if match:
        month = MONTHS.get(match.group(1).rstrip(".").lower()[:3])
        if month:
            return iso_date(int(match.group(3)), month, int(match.group(2)))
    return parse_iso_date(text)


def find_year(text: str) -> int | None:
    """The last plausible publication year in a venue line ('... (2016), pp. 1-24' -> 2016)."""
    years = _YEAR.findall(text)
    return int(years[-1]) if years else None


def find_code_url(*texts: str | None) -> str | None:
    """The first repository link in the texts, unwrapped from LaTeX and trailing punctuation."""
    for text in texts:
        # Cheap tests first: the pattern's optional prefix makes a miss costly on long
        # text, and most texts hold no '/' at all (a tenth of the hint's cost to find out).
        if not text or "/" not in text or not _HOST_HINT.search(text):
            continue
        match = _CODE_URL.search(text)
        if match:
            url = match.group(0).rstrip(".,;:)]}")
            if url.endswith(".git"):
                url = url[: -len(".git")]
            if not url.lower().startswith("http"):
                url = "https://" + url
            return url
    return None


# Saved excerpts stop mid-sentence; a whole page ends its last line with one of these
# (a sentence, a closing bracket or quote, a date or count).
_WHOLE_ENDING = re.compile(r"[.!?)\]\"'”’»0-9]$")
# What a cut-off text gets at its end, so that a reader sees it is not all there.
CUT_MARK = " …"


def ends_cut(lines: list[str]) -> bool:
    """Whether the page's text stops mid-line: it ends without a line break (a final
    empty line, as read_page gives it) and its last line ends without the punctuation
    that closes a sentence, a venue or a date."""
    if not lines or not lines[-1]:
        return False
    for line in reversed(lines):
        line = line.strip()
        if line:
            return _WHOLE_ENDING.search(line) is None or line.count("(") > line.count(")")
    return False


def mark_cut(text: str) -> str:
    return text.rstrip() + CUT_MARK


_TO_APPEAR = re.compile(r"\s*\((?:to appear|in press|forthcoming)\)", re.IGNORECASE)
_PAREN_YEAR = re.compile(r"\s*\(\s*(?:19|20)\d\d\s*\)")
_PAGES = re.compile(r",?\s*(?:pp?\.|pages?)\s*[\d\-–, ]+\s*$", re.IGNORECASE)


def clean_venue(text: str) -> str | None:
    """A venue line without what is not the venue: a leading 'In', '(to appear)', the
    year in brackets, page numbers ('In Proc. X, ACM (2024), pp. 9 (to appear)' ->
    'Proc. X, ACM'); None when nothing is left ('(2023)', '2026')."""
    venue = _TO_APPEAR.sub("", text)
    venue = _PAREN_YEAR.sub("", venue)
    venue = _PAGES.sub("", venue)
    venue = re.sub(r"^In\s+", "", venue.strip())
    venue = venue.strip(" ,;:")
    if not venue or re.fullmatch(r"[\s(),.]*(?:(?:19|20)\d\d)?[\s(),.]*", venue):
        return None
    return venue


_GLUED_CODES = re.compile(r"(?:[A-Z]{2})+")


def split_categories(codes: str) -> str:
    """Category codes a page glues together, apart ('OCLG' -> 'OC LG'): subject
    codes are two capitals each; anything else stays as it is."""
    if len(codes) > 2 and _GLUED_CODES.fullmatch(codes):
        return " ".join(codes[i:i + 2] for i in range(0, len(codes), 2))
    return codes
