"""An inverted index of one text field: words, postings as bitsets, typo expansion.

Each word maps to the papers holding it (an array of indices). A query word
expands to the vocabulary words it may mean: itself, words it is a prefix of, and
words within one or two edits (rapidfuzz's OSA distance, so a swapped pair of
letters is one edit). Sets of papers are Python ints used as bitsets: AND and OR
of 100,000 bits are a few microseconds in C.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from store.text import ascii_word_table, ascii_words, fold

WORD = re.compile(r"\w+", re.UNICODE)
# Words joined by hyphens ('Self-Supervised', 'Beta-LSTM'), which people also type
# solid ('selfsupervised', 'fewshot'). The folded text keeps the hyphen characters.
_HYPHENS = "-\u2010\u2011"
COMPOUND = re.compile(rf"\w++(?:[{_HYPHENS}]\w++)+", re.UNICODE)
# Words held by at least this share of papers get a bitset at build time.
_DENSE_SHARE = 64
_MASK_CACHE = 4096


def fold_fast(text: str) -> str:
    return text.lower() if text.isascii() else fold(text)


# In ASCII text str.split() of the table's output yields exactly what \w+ finds in
# the folded text ('_' is a word character).
_WORD_BYTES = ascii_word_table(also="_")
_COMPOUND_BYTES = ascii_word_table(also="_-")


def words_of(text: str) -> list[str]:
    """The folded words of a text, in order."""
    if text.isascii():
        return ascii_words(text, _WORD_BYTES)
    return WORD.findall(fold(text))


def words_and_compounds(text: str) -> tuple[list[str], list[str]]:
    """words_of the text, and its hyphenated words written solid: 'Few-Shot Multi-LLM-Based'
    -> (few, shot, multi, llm, based), (fewshot, multillm, multillmbased, llmbased)."""
    joined: list[str] = []
    if not text.isascii():
        if any(hyphen in text for hyphen in _HYPHENS):
            for run in COMPOUND.findall(fold(text)):
                _join(WORD.findall(run), joined)
        return words_of(text), joined
    if "-" not in text:  # most texts
        return ascii_words(text, _WORD_BYTES), joined
    # As words_of, with the hyphens kept; then each hyphenated token found with str.find:
    # a pattern, or a loop over the words, costs twice as much.
    kept = text.encode("ascii").translate(_COMPOUND_BYTES).decode("ascii")
    words = kept.replace("-", " ").split()
    at = kept.find("-")
    while at != -1:
        start, end = kept.rfind(" ", 0, at) + 1, kept.find(" ", at)
        end = len(kept) if end == -1 else end
        parts = kept[start:end].split("-")
        if len(parts) != 2:
            _join(parts, joined)
        elif parts[0] and parts[1]:  # most hyphenated words have two parts
            joined.append(parts[0] + parts[1])
        at = kept.find("-", end)
    return words, joined


def _join(parts: list[str], joined: list[str]) -> None:
    """Each two and three neighbouring parts written solid; an empty part ('a--b') breaks the run."""
    run: list[str] = []
    for part in [*parts, ""]:
        if part:
            run.append(part)
            continue
        for i in range(len(run) - 1):
            joined.append(run[i] + run[i + 1])
            if i + 2 < len(run):
                joined.append(run[i] + run[i + 1] + run[i + 2])
        run = []


class _Recent(OrderedDict):
    """The most recently used results, at most _MASK_CACHE of them: what the next keystroke asks again."""

    def get_or_make(self, key: tuple, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > _MASK_CACHE:
            self.popitem(last=False)
        return value


def bits(mask: int, limit: int | None = None) -> list[int]:
    """Indices of the set bits, lowest first (at most limit of them).

    Found with str.find in the mask's binary numeral: bit tricks on a 100,000-bit int
    cost microseconds each, 16 ms for 2,000 bits.
    """
    numeral = bin(mask)[:1:-1]  # lowest bit first
    found: list[int] = []
    at = numeral.find("1")
    while at != -1 and (limit is None or len(found) < limit):
        found.append(at)
        at = numeral.find("1", at + 1)
    return found


class FieldIndex:
    """Vocabulary and postings of one field."""

    def __init__(self, texts: Iterable[tuple[int | array, str | list[str]]], size: int,
                 compounds: bool = False) -> None:
        """texts: (paper index, text) pairs, in any order, or (indices, text) for a text
        many papers share (an author's name); a text may come as its words already.
        size: how many papers there are. compounds: index hyphenated words written solid
        too (words_and_compounds), for the short fields; in abstracts they would cost a
        pass over 200 MB for little."""
        # Arrays from the start: a list of ints would cost 36 bytes a posting, not 4.
        postings: dict[str, array] = defaultdict(lambda: array("i"))
        for index, text in texts:
            if not text:
                continue
            if isinstance(text, list):
                words = set(text)
            elif compounds:
                words = set().union(*words_and_compounds(text))
            else:
                words = set(words_of(text))
            if isinstance(index, int):
                for word in words:
                    postings[word].append(index)
            else:
                for word in words:
                    postings[word].extend(index)
        self._set_up(dict(postings), size)

    def _set_up(self, postings: dict[str, array], size: int, dense: dict[str, int] | None = None) -> None:
        """What searching needs besides the postings, worked out from them (the bitsets of
        common words given as `dense` when they were stored, store/search/kept_index.py)."""
        self.size = size
        self._nbytes = size // 8 + 1
        self.postings = postings
        self.vocab = sorted(postings)  # in one pass when they come sorted, as stored
        # Candidates for typo matching, by (first letter, length) and by ("", length);
        # numbers are left out: a mistyped number is another number.
        self._fuzzy_words: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in self.vocab:
            if not word.isdigit():
                self._fuzzy_words[word[0], len(word)].append(word)
                self._fuzzy_words["", len(word)].append(word)
        self._prefixes: dict[tuple[int, str], dict[str, list[str]]] = {}
        self._near = _Recent()
        self._masks = _Recent()
        if dense is None:
            common = max(2, size // _DENSE_SHARE)
            dense = {w: self.to_mask(ids) for w, ids in self.postings.items() if len(ids) >= common}
        self._dense = dense

    def stored(self) -> tuple[list[str], dict[str, int]]:
        """The index as plain data (store/search/kept_index.py keeps it), less the postings: the
        words in order and the common words' bitsets. The postings are self.postings'
        arrays in that order."""
        return self.vocab, self._dense

    @classmethod
    def restored(cls, stored: Any, postings: Iterator[bytes], size: int) -> FieldIndex:
        """The index of `size` papers that stored() gave, its postings taken from
        `postings` in its words' order; ValueError when the data is not shaped as one.
        (Its content is not checked: kept_index reads only what it wrote.)"""
        try:
            words, dense = stored
            by_word: dict[str, array] = {}
            for word in words:
                ids = by_word[word] = array("i")
                ids.frombytes(next(postings))
            if not (isinstance(dense, dict) and all(type(word) is str for word in by_word)):
                raise ValueError("not a stored field index")
        except (TypeError, AttributeError, StopIteration) as error:
            raise ValueError(f"not a stored field index: {error!r}") from None
        index = cls.__new__(cls)
        index._set_up(by_word, size, dense)
        return index

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
        """The papers holding any of the words; remembered under cache_key when one is given."""
        if cache_key is not None:
            return self._masks.get_or_make(cache_key, lambda: self.words_mask(words))
        mask = 0
        sparse: list[array] = []
        for word in words:
            if word in self._dense:
                mask |= self._dense[word]
            elif word in self.postings:
                sparse.append(self.postings[word])
        if sparse:
            mask |= self.to_mask(i for ids in sparse for i in ids)
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
        return self._near.get_or_make(
            (term, edits, prefix, same_start),
            lambda: self._find_near(term, edits, prefix, term[0] if same_start else ""),
        )

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
