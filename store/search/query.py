"""Search queries: free words, quoted phrases and field filters.

    kernel ridge author:lebanon year:2019-2022 cat:LG venue:ICML "low-rank"
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from store.text import fold

FILTER_KEYS = {"author": "author", "a": "author", "year": "year", "y": "year", "cat": "cat",
               "category": "cat", "venue": "venue"}
_WORD = re.compile(r"\w+", re.UNICODE)
_YEAR_RANGE = re.compile(r"^(\d{4})?\s*(?:-|\.\.)\s*(\d{4})?$")
_YEAR_CMP = re.compile(r"^(>=|<=|>|<|=)?(\d{4})$")


class QueryError(ValueError):
    """A malformed query; the message says what was expected."""


@dataclass
class Query:
    terms: list[str] = field(default_factory=list)  # folded words, in order
    phrases: list[str] = field(default_factory=list)  # folded exact phrases
    authors: list[str] = field(default_factory=list)
    years: tuple[int, int] | None = None
    categories: list[str] = field(default_factory=list)
    venues: list[str] = field(default_factory=list)
    # The last word is still being typed: it also matches as a prefix.
    open_last: bool = True
    # Words left out past MAX_TERMS.
    dropped: int = 0

    @property
    def has_filters(self) -> bool:
        return bool(self.authors or self.years or self.categories or self.venues or self.phrases)

    @property
    def empty(self) -> bool:
        return not self.terms and not self.has_filters


# More words than any title holds find nothing more, and each costs a pass over the index.
MAX_TERMS = 40
# A query is read no further than this (the longest titles are a few hundred characters).
MAX_QUERY_CHARS = 2_000


def parse_query(text: str) -> Query:
    """The query's words (each once, the first MAX_TERMS), phrases and filters."""
    cut = len(text) > MAX_QUERY_CHARS
    if cut:  # at the last space before the limit: no word is cut in two
        text = text[:MAX_QUERY_CHARS]
        text = text.rsplit(None, 1)[0] if " " in text.strip() else text
    query = Query(open_last=not cut and not text.endswith((" ", '"')))
    try:
        tokens = shlex.split(text, posix=True)
    except ValueError:
        # An unfinished quote while typing: read it as if closed.
        try:
            tokens = shlex.split(text + '"', posix=True)
        except ValueError:
            tokens = text.split()
    quoted = set(re.findall(r'"([^"]*)"?', text))
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key.lower() in FILTER_KEYS and token not in quoted:
            _add_filter(query, FILTER_KEYS[key.lower()], value.strip())
        elif token in quoted and " " in token.strip():
            query.phrases.append(" ".join(_WORD.findall(fold(token))))
            query.terms.extend(_WORD.findall(fold(token)))
        else:
            query.terms.extend(_WORD.findall(fold(token)))
    # A word said twice is looked for once (a pasted paragraph repeats many).
    terms = list(dict.fromkeys(query.terms))
    query.terms, query.dropped = terms[:MAX_TERMS], max(0, len(terms) - MAX_TERMS) + (1 if cut else 0)
    return query


def query_note(text: str) -> str | None:
    """What a user should know of how the query was read: the words left out."""
    query = parse_query(text)
    if not query.dropped:
        return None
    return f"the query is longer than any title: only its first {len(query.terms)} different words are searched"


def _add_filter(query: Query, key: str, value: str) -> None:
    if not value:
        raise QueryError(f"{key}: needs a value, e.g. {_EXAMPLES[key]}")
    if key == "author":
        query.authors.append(fold(value))
    elif key == "cat":
        query.categories.append(value.upper())
    elif key == "venue":
        query.venues.append(fold(value))
    else:
        years = _years(value)
        earlier = query.years
        if earlier:  # filters combine: each narrows what the ones before left
            low, high = years
            years = max(low, earlier[0]), min(high, earlier[1])
            if years[0] > years[1]:
                hull = min(low, earlier[0]), max(high, earlier[1])
                # The years from one filter's to the other's; for two open ones, every year.
                either = "leave both out" if hull == (_EARLIEST, _LATEST) else f"write {_as_filter(*hull)}"
                raise QueryError(f"year:{value} and {_as_filter(*earlier)} leave no year (filters combine);"
                                 f" for either, {either}")
        query.years = years


# The bounds of a year filter open at one end (year:>2020, year:-2019).
_EARLIEST, _LATEST = 0, 9999

_EXAMPLES = {"author": "author:lebanon", "year": "year:2021, year:2019-2022 or year:>2020",
             "cat": "cat:LG", "venue": "venue:ICML"}


def _as_filter(low: int, high: int) -> str:
    """The year filter for these years: 'year:2021', 'year:2019-2022', 'year:>=2020'."""
    if low == high:
        return f"year:{low}"
    if high == _LATEST:
        return f"year:>={low}"
    if low == _EARLIEST:
        return f"year:<={high}"
    return f"year:{low}-{high}"


def _years(value: str) -> tuple[int, int]:
    match = _YEAR_CMP.match(value)
    if match:
        op, year = match.group(1) or "=", int(match.group(2))
        return {"=": (year, year), ">": (year + 1, _LATEST), ">=": (year, _LATEST),
                "<": (_EARLIEST, year - 1), "<=": (_EARLIEST, year)}[op]
    match = _YEAR_RANGE.match(value)
    if match and (match.group(1) or match.group(2)):
        low, high = int(match.group(1) or _EARLIEST), int(match.group(2) or _LATEST)
        if low > high:
            raise QueryError(f"year:{value}: the range runs backwards (write year:{high}-{low})")
        return low, high
    raise QueryError(f"year:{value}: not a year; write {_EXAMPLES['year']}")
