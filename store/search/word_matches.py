"""Which words of a text a query's words matched: the spans the app highlights, and
how close together the matched words lie (the search ranks by it).

A query word matches a word of the text that starts with it (the typed part is the
span), one of its near words (its typos found in the word index), or, written solid,
a hyphenated word ('fewshot' in Few-Shot: the whole word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from store.search.word_index import COMPOUND, WORD, fold_fast


@dataclass
class TermMatch:
    """What one query word matches in one field."""

    exact: int = 0
    strong: int = 0  # exact or as a prefix
    weak: int = 0  # with typos
    near_words: frozenset[str] = frozenset()
    # What two neighbouring query words matched as one ('concept vector' in ConceptVector):
    # the joined word, as a prefix, and the words it matches with typos. Their spans
    # cover the whole word.
    whole_prefixes: frozenset[str] = frozenset()

    @property
    def any(self) -> int:
        return self.strong | self.weak

    def __or__(self, other: TermMatch) -> TermMatch:
        return TermMatch(self.exact | other.exact, self.strong | other.strong, self.weak | other.weak,
                         self.near_words | other.near_words, self.whole_prefixes | other.whole_prefixes)

    def joined(self, term: str) -> TermMatch:
        """This match of two query words joined as `term`, as it counts for each of them:
        the words it matched are marked whole, the one typed or one with its typos."""
        if not self.any:
            return self
        return TermMatch(self.exact, self.strong, self.weak, self.near_words, frozenset((term, *self.near_words)))


def match_spans(text: str, terms: list[str], matches: list[TermMatch | None]) -> list[tuple[int, int]]:
    """Character spans in text of the words the query words matched (prefixes: the typed part)."""
    if not text:
        return []
    words = list(WORD.finditer(text))
    spans = [span for span in (_word_span(word, terms, matches) for word in words) if span]
    if COMPOUND.search(text):
        # A hyphenated word matched written solid ('fewshot' in Few-Shot) is marked whole,
        # unless each of its parts was matched on its own ('lwo rank' in Low-Rank).
        for start, end in _compound_spans(text, terms, matches):
            inside = [span for span in spans if start <= span[0] < end]
            if len(inside) < sum(1 for word in words if start <= word.start() < end):
                spans = [span for span in spans if span not in inside] + [(start, end)]
    return sorted(spans)


def _word_span(word: re.Match[str], terms: list[str], matches: list[TermMatch | None]) -> tuple[int, int] | None:
    folded = fold_fast(word.group())
    for term, match in zip(terms, matches, strict=True):
        if match is None or not _matches_word(folded, (term, *match.whole_prefixes), match.near_words):
            continue
        if folded.startswith(term) and len(folded) == len(word.group()) and not any(
                map(folded.startswith, match.whole_prefixes)):
            return word.start(), word.start() + len(term)  # the typed part of a longer word
        return word.span()
    return None


def _matches_word(folded: str, prefixes: tuple[str, ...], near_words: frozenset[str]) -> bool:
    """Whether a query word matched this (folded) word of the text: the word starts with
    the query word (or with a joined pair it is part of), or is one of its near words."""
    return folded.startswith(prefixes) or folded in near_words


class WordHits:
    """Which query words match each word of a text, field by field, each word worked out
    once a search: the candidates' titles share most of their words."""

    def __init__(self, terms: list[str], matches: list[dict[str, TermMatch]]) -> None:
        self._terms = terms
        self._matches = matches
        # Per field: the words worked out so far, and each distinct query word's bit with
        # what _matches_word tests (its prefixes and near words) there.
        self._fields: dict[str, tuple[dict[str, int], list[tuple[int, tuple[str, ...], frozenset[str]]]]] = {}
        self.several_words = len(set(terms)) > 1  # else no two words to be close

    def of(self, words: list[str], field_name: str) -> list[int]:
        """For each word of the field's text, the query words it matches, as bits (a word
        typed twice is one bit)."""
        known, tests = self._fields.get(field_name) or self._start(field_name)
        hits = list(map(known.get, words))  # at C speed: most words are known
        if None in hits:
            for at, word in enumerate(words):
                if hits[at] is None:
                    word_hits = 0
                    for bit, prefixes, near_words in tests:
                        if _matches_word(word, prefixes, near_words):
                            word_hits |= bit
                    hits[at] = known[word] = word_hits
        return hits

    def _start(self, field_name: str) -> tuple[dict[str, int], list[tuple[int, tuple[str, ...], frozenset[str]]]]:
        distinct = {term: m[field_name] for term, m in zip(self._terms, self._matches, strict=True)}
        tests = [(1 << bit, (term, *match.whole_prefixes), match.near_words)
                 for bit, (term, match) in enumerate(distinct.items())]
        started = self._fields[field_name] = ({}, tests)
        return started


def closeness(hits: list[int]) -> float:
    """How close together the query words lie in a text, given what each of its words
    matched (WordHits): the query words found, over the fewest consecutive words that
    hold all of them (1.0 at most: side by side, in any order; 0.0 for fewer than two found)."""
    every = 0
    for word_hits in hits:
        every |= word_hits
    wanted = every.bit_count()
    if wanted < 2:
        return 0.0
    found = [(at, word_hits) for at, word_hits in enumerate(hits) if word_hits]
    # The shortest run holding every query word found, from each word that matched one
    # (a title has a few: quadratic is quickest).
    shortest = len(hits)
    for first, (start, _) in enumerate(found):
        held = 0
        for at, word_hits in found[first:]:
            held |= word_hits
            if held == every:
                shortest = min(shortest, at - start + 1)
                break
        else:
            break  # no run from here on holds them all
    return min(1.0, wanted / shortest)  # above 1 where a word matched several query words


def _compound_spans(text: str, terms: list[str], matches: list[TermMatch | None]) -> list[tuple[int, int]]:
    """Spans of hyphenated words that a query word matched written solid ('fewshot' in
    Few-Shot): the whole, or the typed part when it runs past the first hyphen."""
    spans: list[tuple[int, int]] = []
    for run in COMPOUND.finditer(text):
        parts = [(run.start() + word.start(), run.start() + word.end(), fold_fast(word.group()))
                 for word in WORD.finditer(run.group())]
        for size in (3, 2):  # the longer first: it takes the words it covers
            for first in range(len(parts) - size + 1):
                window = parts[first:first + size]
                if any(start < window[-1][1] and window[0][0] < end for start, end in spans):
                    continue  # overlaps a longer match
                span = _compound_span(window, terms, matches)
                if span:
                    spans.append(span)
    return spans


def _compound_span(window: list[tuple[int, int, str]], terms: list[str],
                   matches: list[TermMatch | None]) -> tuple[int, int] | None:
    joined = "".join(folded for _, _, folded in window)
    whole = (window[0][0], window[-1][1])
    for term, match in zip(terms, matches, strict=True):
        if match is None:
            continue
        if any(map(joined.startswith, match.whole_prefixes)):
            return whole
        if joined.startswith(term) and len(window[0][2]) < len(term) < len(joined):
            # The typed part, letter by letter across the hyphens (folding kept the lengths).
            left = len(term)
            for start, end, folded in window:
                if len(folded) != end - start:
                    return whole
                if left <= len(folded):
                    return window[0][0], start + left
                left -= len(folded)
        if joined == term or joined in match.near_words:
            return whole
    return None
