"""Author lines: 'A, B, C et al. · affiliation, affiliation' and telling names from titles."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from store.text import fold, name_key

# The marker that cuts a list short, with the comma and spaces before it, matched
# backwards on the reversed end of the line: one attempt, where the forward pattern
# (',?\s*(?:et\s+al\.?|and\s+others|…|\.\.\.)\s*$') is tried at each of the last
# positions in turn, three times slower. The markers are short: the last 24
# characters hold any of them.
_ET_AL_REVERSED = re.compile(r"(?:\.?la\s+te|srehto\s+dna|…|\.\.\.)\s*,?", re.IGNORECASE)
_MARKER_SPAN = 24
_MARKER_ENDINGS = ("al", "al.", "others", "…", "...")
_AND_OR_COMMA = re.compile(r",|\s+and\s+|\s*&\s*")
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "dos", "das",
              "le", "la", "bin", "ibn", "al", "el", "y", "ter", "zu", "mac", "st"}
# A word of a name; a nickname may stand in quotes or brackets ("Anthony 'Xiang' Chen").
_NAME_WORD = re.compile(r"""^['"‘“(]?[^\W\d_][\w'’.\-]*['"’”)]?$""", re.UNICODE)


# The same names recur on every page of an author and across pages: remember verdicts.
@lru_cache(maxsize=1 << 16)
def looks_like_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 6 or len(text) > 60:
        return False
    if not all(_NAME_WORD.match(word) for word in words):
        return False
    if any(word.endswith(".") and len(word) > 4 for word in words):
        return False  # a sentence's last word, not an initial ('J.') or 'Jr.'
    # One inner part may be lower case ('Seung jae Shin'); particles too ('van der Maaten');
    # the surname is capitalized.
    lower = [w for w in words if w[0].islower() and w.lower() not in _PARTICLES]
    return len(lower) <= 1 and words[-1][0].isupper() and lower[:1] != words[:1]


def split_author_line(line: str) -> tuple[list[str], bool, list[str]] | None:
    """(authors, complete, affiliations) when the line reads as an author list, else None."""
    names_part, _, affiliation_part = line.partition(" · ")
    names_part = names_part.strip()
    complete = True
    # Cheap tests before the patterns: most author lines have no marker and no 'and'.
    if names_part.lower().endswith(_MARKER_ENDINGS):
        marker = _ET_AL_REVERSED.match(names_part[-_MARKER_SPAN:][::-1])
        if marker:
            names_part, complete = names_part[: len(names_part) - marker.end()], False
    pieces = _AND_OR_COMMA.split(names_part) if ("and" in names_part or "&" in names_part) else names_part.split(",")
    names = list(filter(None, map(str.strip, pieces)))
    if not names or not all(map(looks_like_name, names)):
        return None
    if len(names) == 1 and complete and not affiliation_part and " " not in names[0]:
        return None  # a single word is more likely a title fragment than a person
    affiliations = [a for a in map(str.strip, affiliation_part.split(",")) if a] if affiliation_part else []
    return names, complete, affiliations


def split_glued_title(line: str) -> tuple[str, str] | None:
    """'Some TitleFirst Author, Second Author' -> ('Some Title', 'First Author, Second Author').

    Saved pages sometimes lose the newline between a title and its author line. The
    author list then starts inside one word: the title's last word glued to the first
    author's first name, with a lower-to-upper case change and no space between them.
    That word is the last glued word before the first comma; within it the leftmost
    change is taken, so a first name with inner capitals ('HeeSun') stays whole.
    """
    stop = len(line)
    for marker in (",", " et al", " · "):
        at = line.find(marker)
        if at != -1:
            stop = min(stop, at)
    words = list(re.finditer(r"\S+", line[:stop]))
    for word in reversed(words):
        for glue in _GLUE.finditer(word.group()):
            split = word.start() + glue.start()
            title, authors = line[:split].rstrip(), line[split:].strip()
            if title and split_author_line(authors) is not None:
                return title, authors
    return None


# A glued word's title part ends in a small letter, a digit or punctuation, or in an
# acronym ('Generative AIDaEun Choi'); the first name begins with a capital and a small letter.
_GLUE = re.compile(r"(?<=[a-zA-Z0-9)\]?!.:'\"])(?=[A-Z][a-z])")


def person_matcher(name: str) -> Callable[[str], bool]:
    """Whether another spelling names the same person: equal but for case, accents and
    dots, or one surname with first names that agree ('Fernanda Viegas', 'Fernanda B.
    Viégas', 'F. Viegas'). The name's parts are worked out once, for many others."""
    key = name_key(name)
    words = fold(name).replace(".", " ").split()
    surname, first = (words[-1], words[0]) if len(words) >= 2 else (None, None)

    def matches(other: str) -> bool:
        if name_key(other) == key:
            return True
        if surname is None or not fold(other).endswith(surname):
            return False
        other_words = fold(other).replace(".", " ").split()
        if len(other_words) < 2 or other_words[-1] != surname:
            return False
        other_first = other_words[0]
        if len(first) == 1 or len(other_first) == 1:
            return first[0] == other_first[0]
        return first == other_first

    return matches
