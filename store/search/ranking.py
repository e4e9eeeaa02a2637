"""Typo-tolerant ranked search over titles, authors, venues, comments and abstracts.

Each field has its word index (store/word_index.py); a query word matches in a
field exactly, as a prefix, or with typos, each as a bitset of papers.

Ranking is by tiers: all words found exactly in the title; as a prefix in the
title; in title or authors; with typos; anywhere (venue, comments, abstract); then
with one word missing. Only the papers shown are scored finely (rapidfuzz against
the matched field), so a keystroke costs milliseconds at 100,000 papers; of a tier
larger than that, those whose titles are closest to the query (or, of thousands,
start with it or hold it) go first, else the newest. Which words of a result
matched, and how close together, is store/word_matches.py's.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Any, TypeVar

from rapidfuzz import fuzz, process

from store.model import Paper, newest_first
from store.search.query import Query, QueryError, parse_query
from store.search.word_index import FieldIndex, bits, fold_fast, words_and_compounds, words_of
from store.search.word_matches import TermMatch, WordHits, closeness, match_spans
from store.text import find_arxiv_id, fold, name_key

_T = TypeVar("_T")

__all__ = ["SearchIndex", "SearchResult", "QueryError"]

FIELDS = ("title", "authors", "meta", "abstract")


def edits_allowed(term: str) -> int:
    """How many typos a query word may hold: none in short words, where one edit is another word."""
    if len(term) <= 3:
        return 0
    return 1 if len(term) == 4 else 2


def field_text(paper: Paper, name: str, abstract: str | None = None) -> str:
    """The text of one searched field; the abstract is passed in when it is not in the paper."""
    if name == "title":
        return paper.get("title") or ""
    if name == "authors":
        return ", ".join(paper.get("authors") or ())
    if name == "meta":
        return " · ".join(v for v in (paper.get("venue"), paper.get("category"), paper.get("comments")) if v)
    return abstract or paper.get("abstract") or paper.get("summary") or ""


def swapped(term: str) -> list[str]:
    """A short word with two neighbouring letters swapped ('lwo' -> 'low'): the one typo a
    three-letter word is allowed, because it keeps the word's letters (a changed letter
    would make it another word)."""
    if len(term) != 3 or term.isdigit():
        return []
    return [term[:i] + term[i + 1] + term[i] + term[i + 2:] for i in range(2) if term[i] != term[i + 1]]


@dataclass
class SearchResult:
    paper: Paper
    score: float
    field: str | None  # the field that matched best: title, authors, meta or abstract
    terms: list[str] = field(default_factory=list, repr=False)
    matches: list[dict[str, TermMatch]] = field(default_factory=list, repr=False)
    abstract: str | None = field(default=None, repr=False)  # read for this result when it matched
    tier: int = field(default=0, repr=False)  # which of SearchIndex._tiers found it

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
            text = field_text(self.paper, name, self.abstract)
            spans = match_spans(text, self.terms, [m.get(name) for m in self.matches])
            if spans:
                spans_by_field[name] = spans
        return spans_by_field

    @property
    def spans(self) -> list[tuple[int, int]]:
        """The spans in the best field's text."""
        return self.spans_by_field.get(self.field, []) if self.field else []

    @property
    def field_name(self) -> str | None:
        """The matched field as people call it: title, authors, venue/comments, abstract, arxiv_id."""
        return "venue/comments" if self.field == "meta" else self.field

    def as_json(self) -> dict:
        return {
            "id": self.paper["id"],
            "display_title": self.paper["display_title"],
            "score": round(self.score, 2),
            "field": self.field_name,
            "spans": [list(span) for span in self.spans],
        }


class SearchIndex:
    """The index the app and `litbrowse search` share; build once per store load."""

    def __init__(
        self, papers: list[Paper], with_abstracts: bool = True,
        abstract_of: Callable[[Paper], str | None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        """with_abstracts: index the papers' abstracts now (they are in memory); else
        add_abstracts does it later. abstract_of reads the abstract of a paper that
        does not hold it (StoreData.abstract_of), for the few results shown.
        cancelled: asked as the papers' words are indexed; when it says so, the building
        stops with IndexCancelled (the app's loading thread, when the app quits)."""
        # Newest first: within a tier, lower index means newer, which breaks ties.
        self._start(newest_first(papers), abstract_of)
        self._years: dict[int, list[int]] = defaultdict(list)
        self._categories: dict[str, list[int]] = defaultdict(list)
        # Each spelling of a name once, with its papers: a name recurs on hundreds of
        # papers, and its words are looked up once rather than on each of them.
        by_spelling: dict[str, array] = defaultdict(lambda: array("i"))
        for index, paper in enumerate(self.papers):
            if paper.get("year"):
                self._years[paper["year"]].append(index)
            if paper.get("category"):
                self._categories[paper["category"].upper()].append(index)
            for name in paper.get("authors") or ():
                by_spelling[name].append(index)
        self._by_arxiv_id = {fold(p["arxiv_id"]): i for i, p in enumerate(self.papers) if p.get("arxiv_id")}
        self._author_names: dict[str, list[int]] = defaultdict(list)
        for name, ids in by_spelling.items():
            self._author_names[fold(name)].extend(ids)
        # Each title's folded words, kept as one string for _pool, while the index reads them.
        self._titles: list[str] = []
        self.fields: dict[str, FieldIndex] = {
            "title": FieldIndex(_checked(self._title_words(), cancelled), self.size),
            "authors": FieldIndex(((ids, name) for name, ids in by_spelling.items()), self.size, compounds=True),
            "meta": FieldIndex(_checked(((i, field_text(p, "meta")) for i, p in enumerate(self.papers)), cancelled),
                               self.size, compounds=True),
        }
        # The papers in the order of their titles, to find those a query starts (_pool).
        self._title_order = array("i", sorted(range(self.size), key=self._titles.__getitem__))
        if with_abstracts:
            self.add_abstracts()

    def _start(self, ordered: list[Paper], abstract_of: Callable[[Paper], str | None] | None) -> None:
        self.papers = ordered
        self.size = len(ordered)
        self.all = (1 << self.size) - 1
        self._abstract_of = abstract_of or (lambda paper: paper.get("abstract"))
        self._abstracts_read: dict[int, tuple[str | None, str]] = {}  # _abstract_words

    def stored(self) -> dict[str, Any]:
        """The index as plain data, less the postings (postings()), for
        store/search/kept_index.py to keep (marshal)."""
        return {
            "ids": [paper["id"] for paper in self.papers],
            "years": dict(self._years), "categories": dict(self._categories),
            "arxiv_ids": self._by_arxiv_id, "author_names": dict(self._author_names),
            "titles": self._titles, "title_order": self._title_order.tobytes(),
            "fields": {name: index.stored() for name, index in self.fields.items()},
        }

    def postings(self) -> Iterator[array]:
        """Each field's postings, field by field in stored()'s order, each in its words' order."""
        for index in self.fields.values():
            for word in index.vocab:
                yield index.postings[word]

    @classmethod
    def restored(cls, papers: list[Paper], stored: Any, postings: Iterator[bytes],
                 abstract_of: Callable[[Paper], str | None] | None = None) -> SearchIndex:
        """The index of these papers that stored() and postings() gave (with its abstracts
        when they were in it); ValueError when it is not an index of exactly these papers. (The
        positions it holds are not checked one by one: kept_index reads only what it
        wrote, for these papers.)"""
        index = cls.__new__(cls)
        try:
            by_id = {paper["id"]: paper for paper in papers}
            ids = stored["ids"]
            if not len(ids) == len(set(ids)) == len(by_id) == len(papers):
                raise ValueError("an index of other papers")
            index._start([by_id[paper_id] for paper_id in ids], abstract_of)
            index._title_order = array("i")
            index._title_order.frombytes(stored["title_order"])
            index._titles = stored["titles"]
            index._years, index._categories = stored["years"], stored["categories"]
            index._author_names, index._by_arxiv_id = stored["author_names"], stored["arxiv_ids"]
            if len(index._titles) != index.size or len(index._title_order) != index.size:
                raise ValueError("an index of another number of papers")
            index.fields = {name: FieldIndex.restored(value, postings, index.size)
                            for name, value in stored["fields"].items()}
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a stored search index: {error!r}") from None
        if set(index.fields) not in (set(FIELDS), set(FIELDS) - {"abstract"}):
            raise ValueError("not every field is in the stored index")
        return index

    def _title_words(self) -> Iterator[tuple[int, list[str]]]:
        """Each paper's index and title words with its compounds, for the title index; the
        words are kept joined in _titles on the way (the titles are split once)."""
        for index, paper in enumerate(self.papers):
            words, joined = words_and_compounds(field_text(paper, "title"))
            self._titles.append(" ".join(words))
            yield index, words + joined

    @property
    def has_abstracts(self) -> bool:
        return "abstract" in self.fields

    def add_abstracts(self, abstracts: Iterable[tuple[str, str]] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> None:
        """Index abstracts too (the slow part: the app runs it in the background).

        abstracts: (paper id, abstract) pairs streamed from the details file
        (Details.abstracts); by default the papers' own. A paper without an
        abstract is searched by its summary. cancelled: as for the constructor; the
        index is then left without any of the abstracts.
        """
        if self.has_abstracts:
            return
        if abstracts is None:
            texts = ((i, field_text(p, "abstract")) for i, p in enumerate(self.papers))
        else:
            texts = self._streamed(abstracts)
        # A new dict, not a new key: the app builds this in a worker thread while
        # searches iterate over the fields, and a dict may not grow under an iteration.
        self.fields = {**self.fields, "abstract": FieldIndex(_checked(texts, cancelled), self.size)}

    def _streamed(self, abstracts: Iterable[tuple[str, str]]) -> Iterator[tuple[int, str]]:
        """(index, text) of the streamed abstracts, then the summaries of papers without one."""
        position = {paper["id"]: i for i, paper in enumerate(self.papers)}
        has_abstract = bytearray(self.size)
        for paper_id, text in abstracts:
            if paper_id in position:
                has_abstract[position[paper_id]] = 1
                yield position[paper_id], text
        for i, paper in enumerate(self.papers):
            if paper.get("summary") and not has_abstract[i]:
                yield i, paper["summary"]

    # -- query evaluation -------------------------------------------------

    def search(self, text: str, limit: int = 50) -> list[SearchResult]:
        """Ranked results; raises QueryError for a malformed filter.

        An arXiv id in the query (2210.06205, arXiv:2210.06205v2, an arxiv.org link)
        puts that paper first, and its words are not searched for.
        """
        asked_id, text = _without_arxiv_id(text)
        query = parse_query(text)
        allowed = self._filter_mask(query)
        lead = []
        by_id = self._by_arxiv_id.get(asked_id) if asked_id else None
        if by_id is not None and allowed >> by_id & 1:
            lead = [SearchResult(self.papers[by_id], _ID_SCORE, "arxiv_id")]
            allowed &= ~(1 << by_id)
        if not query.terms and (asked_id or query.empty):
            return lead[:limit]  # the id, within the filters, or nothing: not every paper the filters let through
        return (lead + self._ranked(query, allowed, limit))[:limit]

    def _ranked(self, query: Query, allowed: int, limit: int) -> list[SearchResult]:
        if not query.terms:
            return [SearchResult(self.papers[i], 0.0, None) for i in bits(allowed, limit)]
        scoring = _Scoring(query, self._matches(query))
        seen = 0
        results: list[SearchResult] = []
        for tier_rank, tier in enumerate(self._tiers(scoring.matches)):
            tier &= allowed & ~seen
            if not tier:
                continue
            seen |= tier
            # Scored finely: as many as the places left, 30 at least (of a large tier, more
            # than are shown let the closest come first); not the whole list's worth again
            # for its last places (abstract matches, each read from disk: 40 µs).
            ids = self._pool(tier, scoring.text, max(limit - len(results), 30), tier_rank)
            if query.phrases:
                ids = [i for i in ids if self._has_phrases(i, query.phrases)]
            scored = [self._result(i, scoring, tier_rank) for i in ids]
            scored.sort(key=lambda r: -r.score)
            results.extend(scored)
            if len(results) >= limit:
                break
        return results[:limit]

    def _pool(self, tier: int, text: str, pool: int, tier_rank: int) -> list[int]:
        """The papers of a tier to score finely.

        Taken by date alone, the paper whose title is closest to what was typed could be
        left out of a large tier (common words at 100,000 papers, or a typo's near words)
        by newer papers that hold the words apart. Of a tier that matched titles only,
        the titles closest to the query are taken, when there are few enough to compare
        (partial_ratio, as the fine score; ties by date); else those whose title starts
        with the query, or holds it as a phrase (only a title that holds every word, tiers 0
        and 1, can); then the newest.
        """
        size = tier.bit_count()
        if size <= pool:
            return bits(tier)
        if tier_rank not in _TITLE_TIERS:
            return bits(tier, pool)
        if size <= _COMPARED_MAX:
            return self._closest_titles(tier, text, pool)
        if tier_rank > 1:
            return bits(tier, pool)
        chosen = bits(self._titles_starting(text) & tier, pool)
        if not chosen and " " in text and size <= _HOLDING_MAX:
            chosen = self._titles_holding(text, tier, pool)
        if len(chosen) < pool:
            chosen += bits(tier & ~self.fields["title"].to_mask(chosen), pool - len(chosen))
        return chosen

    def _closest_titles(self, among: int, text: str, limit: int) -> list[int]:
        """The papers of `among` whose titles are closest to text, at most limit of them."""
        indices = bits(among)
        closest = process.extract(text, [self._titles[i] for i in indices], scorer=fuzz.partial_ratio,
                                  processor=None, limit=limit)
        return [indices[at] for _, _, at in closest]

    def _abstract_words(self, index: int) -> tuple[str | None, str]:
        """The paper's abstract (read from disk when the paper does not hold it) and the
        words of its abstract or summary, folded and joined. The last _ABSTRACTS_KEPT are
        kept: a query typed a key at a time scores the same abstracts at each key, and
        reading one costs 30 to 70 µs at 100,000 papers."""
        kept = self._abstracts_read.get(index)
        if kept is None:
            paper = self.papers[index]
            abstract = self._abstract_of(paper)
            kept = abstract, " ".join(words_of(field_text(paper, "abstract", abstract)))
            if len(self._abstracts_read) >= _ABSTRACTS_KEPT:
                del self._abstracts_read[next(iter(self._abstracts_read))]  # the first read
            self._abstracts_read[index] = kept
        return kept

    def _titles_starting(self, text: str) -> int:
        """The papers whose title (folded words) starts with text: a range of the sorted titles.
        None (0) for a text so short that thousands do: the newest of them are as good."""
        title_of = self._titles.__getitem__
        lo = bisect_left(self._title_order, text, key=title_of)
        hi = bisect_left(self._title_order, text + "\U0010ffff", lo, key=title_of)
        if hi - lo > _STARTING_MAX:
            return 0
        return self.fields["title"].to_mask(self._title_order[lo:hi])

    def _titles_holding(self, text: str, among: int, limit: int) -> list[int]:
        """The newest papers of `among` whose title holds text, at most limit of them:
        found with str.find in their titles joined, a test per title costs twice as much."""
        indices = bits(among)
        titles = [self._titles[i] for i in indices]
        joined = "\n".join(titles)
        begins = list(accumulate((len(title) + 1 for title in titles), initial=0))
        found: list[int] = []
        at = joined.find(text)
        while at != -1 and len(found) < limit:
            position = bisect_right(begins, at) - 1
            found.append(indices[position])
            at = joined.find(text, begins[position + 1])
        return found

    def settled_without_abstracts(self, text: str, results: list[SearchResult], limit: int) -> bool:
        """Whether these results of the query `text`, from an index without abstracts, are
        what the full index would give: the query has no words to look for (an arXiv id,
        filters), or the list is full and all from the tiers that look at titles and names only.

        `litbrowse search` then answers without reading 200 MB of abstracts.
        """
        if not parse_query(_without_arxiv_id(text)[1]).terms:
            return True
        return len(results) >= limit and all(result.tier < _FIRST_TIER_WITH_ABSTRACTS for result in results)

    def _matches(self, query: Query) -> list[dict[str, TermMatch]]:
        """What each query word matches, field by field.

        Two neighbouring words also match as one: 'concept vector' finds ConceptVector,
        'pre trained' Pretrained. What the joined word matches counts for both words.
        (The other way, 'fewshot' for Few-Shot, is in the index: FieldIndex's compounds.)
        """
        terms = query.terms
        last = len(terms) - 1
        matches = [self._match(term, i == last and query.open_last) for i, term in enumerate(terms)]
        for i in range(last):
            term = terms[i] + terms[i + 1]
            # Typos only where each word allows them on its own ('concept vectr' is
            # ConceptVector; 'lxw rank' is not Lowrank).
            typos = min(edits_allowed(terms[i]), edits_allowed(terms[i + 1]), edits_allowed(term))
            joined = {name: match.joined(term) for name, match in
                      self._match(term, i + 1 == last and query.open_last, pair_edits=typos).items()}
            for side in (i, i + 1):
                matches[side] = {name: match | joined[name] for name, match in matches[side].items()}
        return matches

    def _match(self, term: str, open_word: bool, pair_edits: int | None = None) -> dict[str, TermMatch]:
        """What the term matches in each field, each field on its own (so what a title
        matches does not depend on whether the abstracts are indexed yet).

        Two query words joined (pair_edits given) match with the typos both words allow.
        """
        pair = pair_edits is not None
        edits = edits_allowed(term) if pair_edits is None else pair_edits
        per_field: dict[str, TermMatch] = {}
        for name, index in self.fields.items():
            # One or two letters match only titles and names: in abstracts they match everything.
            if name in ("meta", "abstract") and len(term) < 3:
                per_field[name] = TermMatch()
                continue
            match = self._match_field(index, term, edits, open_word, same_start=True, typos=bool(edits) or not pair)
            if not match.any and edits and not pair:
                # Nothing in the field begins like the term: the typo may be in its first
                # letter. Whole words only: the starts of every word would cost a frame.
                match = self._match_field(index, term, edits, False, same_start=False)
            per_field[name] = match
        return per_field

    @staticmethod
    def _match_field(index: FieldIndex, term: str, edits: int, open_word: bool, same_start: bool,
                     typos: bool = True) -> TermMatch:
        exact = index.words_mask((term,), (term, "="))
        prefixed = index.prefixed(term)
        strong = index.words_mask(prefixed, (term, "^")) if prefixed else 0
        if not typos:
            near: frozenset[str] = frozenset()
        elif edits:
            near = frozenset(index.near(term, edits, open_word, same_start))
        else:
            near = frozenset(word for word in swapped(term) if word in index.postings)
        weak = index.words_mask(near, (term, "~", str(open_word), str(same_start))) if near else 0
        return TermMatch(exact=exact, strong=strong | exact, weak=weak, near_words=near)

    def _tiers(self, matches: list[dict[str, TermMatch]]) -> Iterator[int]:
        def every(pick) -> int:
            mask = self.all
            for match in matches:
                mask &= pick(match)
            return mask

        def missing_at_most(pick) -> list[int]:
            """[j]: the papers all but at most j of the words match, for j up to the most
            a query may miss (built a word at a time: a paper missing at most j words
            after this one matched it, or missed at most j - 1 before it)."""
            most = min(len(matches) // 2, _MOST_MISSED)
            reached = [self.all] * (most + 1)
            for match in matches:
                mask = pick(match)
                for j in range(most, 0, -1):
                    reached[j] = (reached[j] & mask) | reached[j - 1]
                reached[0] &= mask
            return reached

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
        # Then fewer of the words, down to half of them: typing sloppily ('Leaning rfom
        # agwgregated daa wth') still finds the closest papers, rather than none.
        if len(matches) < 2:
            return
        by_title_or_name = missing_at_most(lambda m: title(m).any | people(m).any)
        by_any_field = missing_at_most(lambda m: anywhere(m, "any"))
        for missed in range(1, len(by_title_or_name)):
            yield by_title_or_name[missed]
            yield by_any_field[missed]

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
                if venue in fold_fast(" ".join(v for v in (p.get("venue"), p.get("comments")) if v))
            )
        return mask

    def _has_phrases(self, index: int, phrases: list[str]) -> bool:
        paper = self.papers[index]
        # The title's words are kept joined; the abstract's as scoring keeps them, read once.
        text = " ".join([self._titles[index], *(" ".join(words_of(field_text(paper, f))) for f in FIELDS[1:3])])
        if all(phrase in text for phrase in phrases):
            return True  # found without reading the abstract
        text += " " + self._abstract_words(index)[1]
        return all(phrase in text for phrase in phrases)

    def _result(self, index: int, scoring: _Scoring, tier: int) -> SearchResult:
        paper = self.papers[index]
        # The best field: the first (title, authors, meta, abstract) where a query word
        # matched; in a tier of titles alone, the title.
        if tier in _TITLE_TIERS:
            best: str | None = "title"
        else:
            best = next((name for name, mask in scoring.field_masks if mask >> index & 1), None)
        text = scoring.text
        fine = 0.0
        abstract = None
        if best:
            # The field's folded words, joined: a title's are kept; an abstract's, of the last read.
            if best == "title":
                words = self._titles[index]
            elif best == "abstract":
                abstract, words = self._abstract_words(index)
            else:
                words = " ".join(words_of(field_text(paper, best)))
            fine = fuzz.partial_ratio(text, words)
            if words.startswith(text):
                fine += _STARTS_WEIGHT
            # Of two texts that both hold the words, the one the query covers more of is closer,
            # and the one that holds them side by side, in any order: partial_ratio follows the
            # order typed, so words recalled in another order rank by this.
            fine += _COVERAGE_WEIGHT * min(1.0, len(text) / max(1, len(words)))
            if scoring.hits.several_words and words.count(" ") < _CLOSENESS_MAX_WORDS:
                fine += _CLOSENESS_WEIGHT * closeness(scoring.hits.of(words.split(), best))
        # Within a tier the closer text wins, then the newer paper. A tier's scores lie above
        # the next one's, as the results are listed (the command palette orders by score).
        score = (_TIER_COUNT - tier) * _TIER_STEP + fine - index / (self.size + 1)
        return SearchResult(paper, score, best, scoring.query.terms, scoring.matches, abstract, tier)


class _Scoring:
    """What scoring a search's candidates needs, worked out once a search."""

    def __init__(self, query: Query, matches: list[dict[str, TermMatch]]) -> None:
        self.query = query
        self.matches = matches
        self.text = " ".join(query.terms)
        self.hits = WordHits(query.terms, matches)
        # Per field, in FIELDS order, the papers where any query word matched.
        self.field_masks = [(name, _or(match[name].any for match in matches))
                            for name in FIELDS if name in matches[0]]


# The most query words a result may miss (and never more than half of them).
_MOST_MISSED = 5
# How many tiers _tiers yields at most: seven with every word, two for each number missed.
_TIER_COUNT = 7 + 2 * _MOST_MISSED
# The tiers that match titles alone (every word exactly, as a prefix, or with typos).
_TITLE_TIERS = (0, 1, 3)
# The largest such tier whose titles _pool compares with the query (a few milliseconds).
_COMPARED_MAX = 1000
# Titles starting with the query beyond which _pool takes the newest papers.
_STARTING_MAX = 5000
# Texts longer than this (abstracts) are not scanned for how close their words lie.
_CLOSENESS_MAX_WORDS = 64
# The abstracts a search index keeps of those it read to score them (about 3 KB each).
_ABSTRACTS_KEPT = 2000

# The largest tier in which _pool looks for titles holding the query (a few milliseconds).
_HOLDING_MAX = 4000
# The fine score's parts: partial_ratio (at most 100), and these at most for a text that
# starts with the query, that the query covers whole, that holds its words side by side.
_STARTS_WEIGHT = 50
_COVERAGE_WEIGHT = 20
_CLOSENESS_WEIGHT = 60
# A tier's share of the score: more than the most a fine score adds (and the date's tie-break, under 1).
_TIER_STEP = 100 + _STARTS_WEIGHT + _COVERAGE_WEIGHT + _CLOSENESS_WEIGHT + 1
# Above any tier's score: the paper whose arXiv id was asked for.
_ID_SCORE = float((_TIER_COUNT + 1) * _TIER_STEP)

# _tiers yields five tiers that look at titles and author names only, then the ones
# that look at every field.
_FIRST_TIER_WITH_ABSTRACTS = 5


class IndexCancelled(Exception):
    """Building the index was stopped: its `cancelled` check said so."""


def _checked(items: Iterable[_T], cancelled: Callable[[], bool] | None) -> Iterator[_T]:
    """The items, asking `cancelled` before each: raises IndexCancelled when it says so.
    (A thread cannot be stopped from outside: it has to ask. Asking costs a few tenths
    of a microsecond; indexing a title or an abstract, tens.)"""
    if cancelled is None:
        yield from items
        return
    for item in items:
        if cancelled():
            raise IndexCancelled
        yield item


def _without_arxiv_id(text: str) -> tuple[str | None, str]:
    """The arXiv id the query holds (folded), and the query without the word that holds it."""
    if not any(character.isdigit() for character in text):
        return None, text
    for token in text.split():
        found = find_arxiv_id(token)
        if found:
            return fold(found), text.replace(token, " ", 1)
    return None, text


def _or(masks: Iterable[int]) -> int:
    result = 0
    for mask in masks:
        result |= mask
    return result


def _split_categories(code: str) -> set[str]:
    """'LG' -> {LG}; 'cs.LG' -> {CS.LG, LG}."""
    return {code, code.rsplit(".", 1)[-1]}
