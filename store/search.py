"""Typo-tolerant ranked search over titles, authors, venues, comments and abstracts.

The index keeps, per field, a vocabulary and each word's postings (the papers
holding it). A query word expands to the vocabulary words it may mean: itself,
words it is a prefix of, and words within one or two edits (rapidfuzz's OSA
distance, so a swapped pair of letters is one edit). Sets of papers are Python
ints used as bitsets: AND and OR of 100,000 bits are a few microseconds in C.

Ranking is by tiers: all words found exactly in the title; as a prefix in the
title; in title or authors; with typos; anywhere (venue, comments, abstract); then
with one word missing. Only the papers shown are scored finely (rapidfuzz against
the matched field), so a keystroke costs milliseconds at 100,000 papers.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from store.collector import collector_paused
from store.model import Paper
from store.query import Query, QueryError, parse_query
from store.text import fold, name_key

__all__ = ["SearchIndex", "SearchResult", "QueryError"]

FIELDS = ("title", "authors", "meta", "abstract")
_WORD = re.compile(r"\w+", re.UNICODE)
# Words held by at least this share of papers get a bitset at build time.
_DENSE_SHARE = 64
_MASK_CACHE = 4096


def _fold_fast(text: str) -> str:
    return text.lower() if text.isascii() else fold(text)


# ASCII text, as bytes: letters lower-cased, digits and '_' kept, every other byte a
# space; str.split() then yields exactly what \w+ finds in the folded text, four
# times faster (bytes.translate is a table lookup in C).
_ASCII_WORDS = bytes(
    ord(chr(b).lower()) if b < 128 and (chr(b).isalnum() or b == ord("_")) else ord(" ") for b in range(256)
)


def words_of(text: str) -> list[str]:
    """The folded words of a text, in order."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()
    return _WORD.findall(fold(text))


def edits_allowed(term: str) -> int:
    """How many typos a query word may hold: none in short words, where one edit is another word."""
    if len(term) <= 3:
        return 0
    return 1 if len(term) == 4 else 2


def field_text(paper: Paper, name: str) -> str:
    if name == "title":
        return paper.get("title") or ""
    if name == "authors":
        return ", ".join(paper.get("authors") or ())
    if name == "meta":
        return " · ".join(v for v in (paper.get("venue"), paper.get("category"), paper.get("comments")) if v)
    return paper.get("abstract") or paper.get("summary") or ""


def bits(mask: int, limit: int | None = None) -> Iterator[int]:
    """Indices of the set bits, lowest first."""
    count = 0
    while mask and (limit is None or count < limit):
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
        count += 1


class FieldIndex:
    """Vocabulary and postings of one field."""

    def __init__(self, texts: Iterable[str], size: int) -> None:
        self.size = size
        self._nbytes = size // 8 + 1
        postings: dict[str, list[int]] = defaultdict(list)
        with collector_paused():
            for index, text in enumerate(texts):
                if text:
                    for word in set(words_of(text)):
                        postings[word].append(index)
            self.postings: dict[str, array] = {w: array("i", ids) for w, ids in postings.items()}
        del postings
        self.vocab = sorted(self.postings)
        # Candidates for typo matching, by (first letter, length) and by ("", length);
        # numbers are left out: a mistyped number is another number.
        self._fuzzy_words: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in self.vocab:
            if not word.isdigit():
                self._fuzzy_words[word[0], len(word)].append(word)
                self._fuzzy_words["", len(word)].append(word)
        self._prefixes: dict[tuple[int, str], dict[str, list[str]]] = {}
        self._near: dict[tuple[str, int, bool, bool], list[str]] = {}
        self._masks: OrderedDict[tuple[str, ...], int] = OrderedDict()
        dense = max(2, size // _DENSE_SHARE)
        self._dense = {w: self.to_mask(ids) for w, ids in self.postings.items() if len(ids) >= dense}

    def to_mask(self, ids: Iterable[int]) -> int:
        """The bitset of a set of paper indices."""
        if isinstance(ids, array) and len(ids) * 16 > self.size:
            # Many ids: one byte per paper as a binary numeral, read by int() in C,
            # is twice as fast as setting bits one by one.
            digits = bytearray(b"0") * self.size
            for i in ids:
                digits[i] = 49  # "1"
            digits.reverse()
            return int(digits, 2) if digits else 0
        buffer = bytearray(self._nbytes)
        for i in ids:
            buffer[i >> 3] |= 1 << (i & 7)
        return int.from_bytes(buffer, "little")

    def words_mask(self, words: Iterable[str], cache_key: tuple[str, ...] | None = None) -> int:
        if cache_key is not None and cache_key in self._masks:
            self._masks.move_to_end(cache_key)
            return self._masks[cache_key]
        mask = 0
        sparse: list[array] = []
        for word in words:
            if word in self._dense:
                mask |= self._dense[word]
            elif word in self.postings:
                sparse.append(self.postings[word])
        if sparse:
            mask |= self.to_mask(i for ids in sparse for i in ids)
        if cache_key is not None:
            self._masks[cache_key] = mask
            if len(self._masks) > _MASK_CACHE:
                self._masks.popitem(last=False)
        return mask

    def prefixed(self, term: str) -> list[str]:
        start = bisect_left(self.vocab, term)
        end = bisect_left(self.vocab, term + "\U0010ffff", start)
        return self.vocab[start:end]

    def near(self, term: str, edits: int, prefix: bool, same_start: bool = True) -> list[str]:
        """Words within `edits` of term (or whose start is, for a word still being typed).

        With same_start, only words that begin with the term's first letter: typos
        are rarely in the first letter, and this looks at a twentieth of the words.
        The caller looks at every word when that finds nothing.
        """
        if edits == 0:
            return []
        key = (term, edits, prefix, same_start)
        if key not in self._near:
            self._near[key] = self._find_near(term, edits, prefix, term[0] if same_start else "")
            if len(self._near) > _MASK_CACHE:
                self._near.pop(next(iter(self._near)))
        return self._near[key]

    def _find_near(self, term: str, edits: int, prefix: bool, start: str) -> list[str]:
        found: set[str] = set()
        for length in range(len(term) - edits, len(term) + edits + 1):
            candidates = self._fuzzy_words.get((start, length), ())
            for word, _, _ in process.extract(term, candidates, scorer=OSA.distance, score_cutoff=edits, limit=None):
                found.add(word)
        if prefix:
            for length in (len(term) - 1, len(term), len(term) + 1):
                words_by_start = self._prefix_map(length, start)
                for head, _, _ in process.extract(
                    term, list(words_by_start), scorer=OSA.distance, score_cutoff=edits, limit=None
                ):
                    found.update(words_by_start[head])
        found.discard(term)
        return sorted(found)

    def _prefix_map(self, length: int, start: str) -> dict[str, list[str]]:
        """The words longer than `length` that begin with `start`, by their first `length` letters."""
        key = (length, start)
        if key not in self._prefixes:
            heads: dict[str, list[str]] = defaultdict(list)
            for word in self.prefixed(start) if start else self.vocab:
                if len(word) > length and not word.isdigit():
                    heads[word[:length]].append(word)
            self._prefixes[key] = dict(heads)
        return self._prefixes[key]


@dataclass
class TermMatch:
    """What one query word matches in one field."""

    exact: int = 0
    strong: int = 0  # exact or as a prefix
    weak: int = 0  # with typos
    near_words: frozenset[str] = frozenset()

    @property
    def any(self) -> int:
        return self.strong | self.weak


@dataclass
class SearchResult:
    paper: Paper
    score: float
    field: str | None  # the field that matched best: title, authors, meta or abstract
    terms: list[str] = field(default_factory=list, repr=False)
    matches: list[dict[str, TermMatch]] = field(default_factory=list, repr=False)

    @cached_property
    def spans_by_field(self) -> dict[str, list[tuple[int, int]]]:
        """Character spans of the matched words, per field that matched.

        Worked out when asked for (a row on screen, a JSON result), not for every
        candidate ranked: scanning texts for spans is most of a search's cost.
        """
        spans_by_field: dict[str, list[tuple[int, int]]] = {}
        for name in FIELDS:
            if name == "abstract" and spans_by_field:
                break  # abstracts are long: only scanned when nothing shorter matched
            spans = match_spans(field_text(self.paper, name), self.terms, [m.get(name) for m in self.matches])
            if spans:
                spans_by_field[name] = spans
        return spans_by_field

    @property
    def spans(self) -> list[tuple[int, int]]:
        """The spans in the best field's text."""
        return self.spans_by_field.get(self.field, []) if self.field else []

    def as_json(self) -> dict:
        return {
            "id": self.paper["id"],
            "display_title": self.paper["display_title"],
            "score": round(self.score, 2),
            "field": {"meta": "venue/comments"}.get(self.field, self.field) if self.field else None,
            "spans": [list(span) for span in self.spans],
        }


class SearchIndex:
    """The index the app and `litbrowse search` share; build once per store load."""

    def __init__(self, papers: list[Paper], with_abstracts: bool = True) -> None:
        # Newest first: within a tier, lower index means newer, which breaks ties.
        self.papers = sorted(papers, key=lambda p: (p.get("date") or f"{p.get('year') or 0:04}", p["id"]), reverse=True)
        self.size = len(self.papers)
        self.all = (1 << self.size) - 1
        self.fields: dict[str, FieldIndex] = {}
        for name in ("title", "authors", "meta"):
            self.fields[name] = FieldIndex((field_text(p, name) for p in self.papers), self.size)
        self._years: dict[int, list[int]] = defaultdict(list)
        self._categories: dict[str, list[int]] = defaultdict(list)
        for index, paper in enumerate(self.papers):
            if paper.get("year"):
                self._years[paper["year"]].append(index)
            if paper.get("category"):
                self._categories[paper["category"].upper()].append(index)
        self._author_names: dict[str, list[int]] = defaultdict(list)
        for index, paper in enumerate(self.papers):
            for name in paper.get("authors") or ():
                self._author_names[fold(name)].append(index)
        if with_abstracts:
            self.add_abstracts()

    @property
    def has_abstracts(self) -> bool:
        return "abstract" in self.fields

    def add_abstracts(self) -> None:
        """Index abstracts too (the slow part: the app runs it in the background)."""
        if not self.has_abstracts:
            self.fields["abstract"] = FieldIndex((field_text(p, "abstract") for p in self.papers), self.size)

    # -- query evaluation -------------------------------------------------

    def search(self, text: str, limit: int = 50) -> list[SearchResult]:
        """Ranked results; raises QueryError for a malformed filter."""
        query = parse_query(text)
        if query.empty:
            return []
        allowed = self._filter_mask(query)
        if not query.terms:
            return [SearchResult(self.papers[i], 0.0, None) for i in bits(allowed, limit)]
        matches = [self._match(term, last and query.open_last)
                   for last, term in ((i == len(query.terms) - 1, t) for i, t in enumerate(query.terms))]
        seen = 0
        results: list[SearchResult] = []
        pool = max(limit, 30)
        for tier_rank, tier in enumerate(self._tiers(matches)):
            tier &= allowed & ~seen
            if not tier:
                continue
            seen |= tier
            ids = list(bits(tier, pool))
            if query.phrases:
                ids = [i for i in ids if self._has_phrases(self.papers[i], query.phrases)]
            scored = [self._result(i, query, matches, tier_rank) for i in ids]
            scored.sort(key=lambda r: -r.score)
            results.extend(scored)
            if len(results) >= limit:
                break
        return results[:limit]

    def _match(self, term: str, open_word: bool) -> dict[str, TermMatch]:
        per_field = self._match_fields(term, open_word, same_start=True)
        if not any(match.any for match in per_field.values()):
            # Nothing begins like the term: the typo may be in its first letter. Whole
            # words only: matching the starts of every word would cost a frame.
            per_field = self._match_fields(term, False, same_start=False)
        return per_field

    def _match_fields(self, term: str, open_word: bool, same_start: bool) -> dict[str, TermMatch]:
        per_field: dict[str, TermMatch] = {}
        edits = edits_allowed(term)
        for name, index in self.fields.items():
            # One or two letters match only titles and names: in abstracts they match everything.
            if name in ("meta", "abstract") and len(term) < 3:
                per_field[name] = TermMatch()
                continue
            exact = index.words_mask((term,), (term, "="))
            prefixed = index.prefixed(term)
            strong = index.words_mask(prefixed, (term, "^")) if prefixed else 0
            near = frozenset(index.near(term, edits, open_word, same_start)) if edits else frozenset()
            weak = index.words_mask(near, (term, "~", str(open_word), str(same_start))) if near else 0
            per_field[name] = TermMatch(exact=exact, strong=strong | exact, weak=weak, near_words=near)
        return per_field

    def _tiers(self, matches: list[dict[str, TermMatch]]) -> Iterator[int]:
        def every(pick) -> int:
            mask = self.all
            for match in matches:
                mask &= pick(match)
            return mask

        def all_but_one(pick) -> int:
            if len(matches) < 2:
                return 0
            masks = [pick(m) for m in matches]
            result = 0
            for skip in range(len(masks)):
                mask = self.all
                for index, m in enumerate(masks):
                    if index != skip:
                        mask &= m
                result |= mask
            return result

        title = lambda m: m["title"]  # noqa: E731
        people = lambda m: m["authors"]  # noqa: E731
        anywhere = lambda m, kind: _or(getattr(f, kind) for f in m.values())  # noqa: E731
        yield every(lambda m: title(m).exact)
        yield every(lambda m: title(m).strong)
        yield every(lambda m: title(m).strong | people(m).strong)
        yield every(lambda m: title(m).any)
        yield every(lambda m: title(m).any | people(m).any)
        yield every(lambda m: anywhere(m, "strong"))
        yield every(lambda m: anywhere(m, "any"))
        yield all_but_one(lambda m: title(m).any | people(m).any)
        yield all_but_one(lambda m: anywhere(m, "any"))

    def _filter_mask(self, query: Query) -> int:
        mask = self.all
        titles = self.fields["title"]
        if query.years:
            low, high = query.years
            mask &= titles.to_mask(i for year, ids in self._years.items() if low <= year <= high for i in ids)
        for category in query.categories:
            mask &= titles.to_mask(
                i for code, ids in self._categories.items() if category in _split_categories(code) for i in ids
            )
        for wanted in query.authors:
            key = name_key(wanted)
            mask &= titles.to_mask(
                i for name, ids in self._author_names.items()
                if wanted in name or key in name_key(name) for i in ids
            )
        for venue in query.venues:
            mask &= titles.to_mask(
                i for i, p in enumerate(self.papers)
                if venue in _fold_fast(" ".join(v for v in (p.get("venue"), p.get("comments")) if v))
            )
        return mask

    @staticmethod
    def _has_phrases(paper: Paper, phrases: list[str]) -> bool:
        text = " ".join(" ".join(words_of(field_text(paper, f))) for f in FIELDS)
        return all(phrase in text for phrase in phrases)

    def _result(self, index: int, query: Query, matches: list[dict[str, TermMatch]], tier: int) -> SearchResult:
        paper = self.papers[index]
        bit = 1 << index
        # The best field: the first (title, authors, meta, abstract) where a query word matched.
        best = next(
            (name for name in FIELDS if any(m[name].any & bit for m in matches if name in m)), None
        )
        text = " ".join(query.terms)
        fine = 0.0
        if best:
            words = " ".join(words_of(field_text(paper, best)))
            fine = fuzz.partial_ratio(text, words)
            if words.startswith(text):
                fine += 50
            # Of two texts that both hold the words, the one the query covers more of is closer.
            fine += 20 * min(1.0, len(text) / max(1, len(words)))
        # Tiers dominate; within a tier the closer text wins, then the newer paper.
        score = (10 - tier) * 100 + fine - index / (self.size + 1)
        return SearchResult(paper, score, best, query.terms, matches)


def _or(masks: Iterable[int]) -> int:
    result = 0
    for mask in masks:
        result |= mask
    return result


def _split_categories(code: str) -> set[str]:
    """'LG' -> {LG}; 'cs.LG' -> {CS.LG, LG}."""
    return {code, code.rsplit(".", 1)[-1]}


def match_spans(text: str, terms: list[str], matches: list[TermMatch | None]) -> list[tuple[int, int]]:
    """Character spans in text of the words the query words matched (prefixes: the typed part)."""
    if not text:
        return []
    spans: list[tuple[int, int]] = []
    for word in _WORD.finditer(text):
        folded = _fold_fast(word.group())
        for term, match in zip(terms, matches, strict=True):
            if match is None:
                continue
            if folded.startswith(term) and len(folded) == len(word.group()):
                spans.append((word.start(), word.start() + len(term)))
                break
            if folded == term or folded in match.near_words or folded.startswith(term):
                spans.append((word.start(), word.end()))
                break
    return spans
