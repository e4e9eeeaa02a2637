"""Property-based tests: any text through every parser, and mutated real pages."""

from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.pages import FORMATS, Entry, UnknownFormat, detect, parse_text
from store.pages.reading import read_page
from tests.conftest import SEEDS

PAGES = sorted(SEEDS.glob("*.txt"))
# Entries (related papers included) of each sample page, as the parser tests count them.
ENTRIES = {"000_c0060800e6c2eeb8.txt": 2, "001_f1ad0fc9ee248bb1.txt": 10, "002_a33d55ea117c81c2.txt": 19,
           "003_59ff9cfc8de75fdc.txt": 18, "004_87569abedee599f0.txt": 46}
PAGE_LINES = {page.name: read_page(page)[0] for page in PAGES}
ALL_LINES = sorted({line for lines in PAGE_LINES.values() for line in lines})

# Text shaped like pages: real lines of every site, mixed with anything at all.
page_like_lines = st.lists(
    st.one_of(st.sampled_from(ALL_LINES), st.text(max_size=120), st.sampled_from(["", " ", "et al.", "·"])),
    max_size=60,
)
# HYPOTHESIS_EXAMPLES=5000 for a deeper run on demand; the suite's default stays quick.
SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(st.text(max_size=2000))
def test_any_text_never_raises_from_a_parser_or_the_detector(text):
    lines = text.splitlines()
    detect(lines)
    for fmt in FORMATS:
        fmt.score(lines)
        fmt.parse(lines)
    with contextlib.suppress(UnknownFormat):
        parse_text(text)


@SETTINGS
@given(page_like_lines)
def test_page_like_text_never_raises_and_every_entry_has_something_to_show(lines):
    for fmt in FORMATS:
        page = fmt.parse(lines)
        for entry in _flat(page.entries):
            shown = entry.title or entry.abstract or entry.arxiv_id or entry.summary or entry.comments
            # A paper page's own entry may be blank when its header is gone, and says so;
            # it still carries the page's related papers.
            assert shown or "no title and no arXiv link in the header" in page.warnings


def _flat(entries: list[Entry]) -> list[Entry]:
    return [item for entry in entries for item in (entry, *entry.related)]


def _anchor(entry: Entry) -> str:
    return (entry.title or entry.abstract or "")[:30]


def _regions(lines: list[str], entries: list[Entry]) -> list[tuple[Entry, int, int]]:
    """Each entry with the span of lines it came from: its first line to the next entry's."""
    starts = []
    at = 0
    for entry in entries:
        anchor = _anchor(entry)
        found = next((i for i in range(at, len(lines)) if anchor and anchor in lines[i]), None)
        if found is None:
            continue
        starts.append((entry, found))
        at = found + 1
    return [
        (entry, start, starts[n + 1][1] if n + 1 < len(starts) else len(lines))
        for n, (entry, start) in enumerate(starts)
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name[:3])
@SETTINGS
@given(data=st.data())
def test_mutated_page_keeps_every_entry_the_mutation_did_not_touch(page, data):
    lines = PAGE_LINES[page.name]
    original = parse_text("\n".join(lines))
    regions = _regions(lines, _flat(original.entries))
    assert len(regions) == len(_flat(original.entries)) == ENTRIES[page.name]
    start = data.draw(st.integers(0, len(lines) - 1), label="start")
    end = data.draw(st.integers(start, min(len(lines), start + 12)), label="end")
    kind = data.draw(st.sampled_from(["delete", "replace", "insert", "cut off"]), label="kind")
    if kind == "cut off":
        end = len(lines)
        mutated = lines[:start] + [lines[start][: data.draw(st.integers(0, len(lines[start])))]]
    elif kind == "delete":
        mutated = lines[:start] + lines[end:]
    else:
        noise = data.draw(st.lists(st.text(max_size=80), min_size=1, max_size=4), label="noise")
        mutated = lines[:start] + noise + lines[end if kind == "replace" else start:]
    try:
        parsed = parse_text("\n".join(mutated))
    except UnknownFormat:
        # Only when the mutation took away what tells the site (most of the page).
        assert end - start > len(lines) // 3 or start < 40
        return
    # The owner is added to each entry's authors: a mutated owner line changes them all.
    owners = {original.owner, parsed.owner}
    kept = {(_anchor(e), _listed(e, owners)) for e in _flat(parsed.entries)}
    # Entries whose lines, with a few lines of margin, are all outside the mutation.
    for entry, first, last in regions:
        if (last + 1 < start - 2 or first - 3 > end) and parsed.format == original.format:
            assert (_anchor(entry), _listed(entry, owners)) in kept, (kind, start, end, entry.title)


def _listed(entry: Entry, owners: set[str | None]) -> tuple[str, ...]:
    """The entry's authors less the owners (the page's before and after the mutation)."""
    return tuple(name for name in entry.authors if name not in owners)


def test_regions_find_the_entries_of_every_sample_page():
    for page in PAGES:
        lines = PAGE_LINES[page.name]
        regions = _regions(lines, _flat(parse_text("\n".join(lines)).entries))
        assert len(regions) == ENTRIES[page.name], page.name
        # In page order, each from its own first line.
        assert [first for _, first, _ in regions] == sorted({first for _, first, _ in regions})


@SETTINGS
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_the_fast_ascii_paths_give_what_the_patterns_give(text):
    """Stored paper ids are digests of title keys: the fast path must never change one;
    and the index must see the words search queries are split into."""
    import re

    from store.search.word_index import words_of
    from store.text import title_key

    assert title_key(text) == re.sub(r"[\W_]+", " ", text.lower()).strip()
    assert words_of(text) == re.findall(r"\w+", text.lower())


@SETTINGS
@given(st.one_of(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80), st.text(max_size=80)),
       st.integers(1, 90))
def test_a_line_cut_to_width_keeps_the_longest_start_that_fits_beside_an_ellipsis(text, width):
    """The lists cut plain ASCII by counting characters and anything else by measuring
    cells: either way, a text that fits is kept whole, and one that does not keeps the
    longest start that fits in width - 1 cells, then an ellipsis."""
    from rich.cells import cell_len

    from tui.widgets.line_list import fit

    cut = fit(text, width)
    if cell_len(text) <= width:
        assert cut == text
    else:
        kept = cut[:-1]
        assert cut.endswith("…") and text.startswith(kept)
        assert cell_len(kept) <= width - 1 < cell_len(text[:len(kept) + 1])
    assert (fit("漢字漢字", 5), fit("漢字", 4), fit("abcd", 4)) == ("漢字…", "漢字", "abcd")
    assert fit("abc", 0) == "…"


@SETTINGS
@given(st.lists(st.sampled_from(["a", "Bc", "9", "_", "-", "--", " ", ",", "(", "\u2010", "é"]),
                max_size=20).map("".join))
def test_hyphenated_words_are_indexed_solid_as_the_pattern_finds_them(text):
    """The ASCII fast path and the pattern path of words_and_compounds agree with a plain
    reading of the rule: the words, then each two and three neighbouring parts of a run of
    words joined by single hyphens, written solid."""
    import re

    from store.search.word_index import words_and_compounds
    from store.text import fold

    folded = fold(text)
    expected: list[str] = []
    for run in re.findall(r"\w+(?:[-\u2010]\w+)+", folded):
        parts = re.findall(r"\w+", run)
        for i in range(len(parts) - 1):
            expected += ["".join(parts[i:i + 2])] + (["".join(parts[i:i + 3])] if i + 2 < len(parts) else [])
    assert words_and_compounds(text) == (re.findall(r"\w+", folded), expected)


@SETTINGS
@given(st.sets(st.integers(0, 3000)), st.one_of(st.none(), st.integers(0, 50)))
def test_bits_lists_the_set_bits_lowest_first(members, limit):
    from store.search.word_index import bits

    assert bits(sum(1 << i for i in members), limit) == sorted(members)[:limit]


_MARKER_PIECES = ["et", "ET", "al", "Al", ".", "..", ",", " ", "\t", "\u2003", "and", "others", "…", "A", "x"]


@SETTINGS
@given(st.lists(st.sampled_from(_MARKER_PIECES), max_size=16).map("".join))
def test_the_backwards_marker_pattern_cuts_what_a_forward_search_cuts(text):
    """'et al.' and its kin are found on the reversed end of an author line (one attempt,
    not one per position): the cut must be the one the plain forward search makes, with
    the comma and spaces before the marker."""
    import re

    from store.pages.names import _ET_AL_REVERSED, _MARKER_SPAN

    forward = re.compile(r",?\s*(?:et\s+al\.?|and\s+others|…|\.\.\.)\s*$", re.IGNORECASE)
    names = text.strip()
    found = forward.search(names, max(0, len(names) - _MARKER_SPAN))
    backward = _ET_AL_REVERSED.match(names[-_MARKER_SPAN:][::-1])
    assert (backward is None) == (found is None)
    if found:
        assert names[: len(names) - backward.end()] == names[: found.start()]


@SETTINGS
@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85",
                                         "\u2028", "\u2029", "é", "\t"]), max_size=30))
def test_a_page_is_cut_into_the_lines_splitlines_makes(text):
    """Pages are split at '\n' by the faster path whenever splitlines would find no other break."""
    from store.pages.reading import _split_lines

    assert _split_lines(text) == text.splitlines()
