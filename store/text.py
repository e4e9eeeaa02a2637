"""Normalization shared by parsers, merging and search."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NAME_GLUE = re.compile(r"[\s\-‐-―.]+")
_ARXIV_ID = re.compile(
    r"(?<![\w.])(?:arXiv:\s*)?(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?![\w])",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Lower-case, accent-free text for comparisons."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def ascii_words(text: str, word_bytes: bytes) -> list[str]:
    """The words of ASCII text, lower-cased, through a table from ascii_word_table: four
    times faster than a pattern (bytes.translate is a table lookup in C)."""
    return text.encode("ascii").translate(word_bytes).decode("ascii").split()


def ascii_word_table(also: str = "") -> bytes:
    """A translate table: letters lower-cased, digits and the `also` characters kept,
    every other byte a space."""
    return bytes(ord(chr(b).lower()) if b < 128 and (chr(b).isalnum() or chr(b) in also) else ord(" ")
                 for b in range(256))


def title_key(title: str) -> str:
    """Two titles are the same paper when these keys are equal (case, punctuation, spaces)."""
    if title.isascii():
        return " ".join(ascii_words(title, _TITLE_WORD_BYTES))  # the pattern's key, three times faster
    return _NON_WORD.sub(" ", fold(title)).strip()


_TITLE_WORD_BYTES = ascii_word_table()  # '_' separates words, as in _NON_WORD


# Authors recur on most papers of a store; their keys are asked for again and again.
@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Names that differ only in case, spaces, dots or hyphens are one person."""
    return _NAME_GLUE.sub("", fold(name))


def squash(text: str) -> str:
    """Collapse runs of white space into single spaces."""
    return " ".join(text.split())


def first_sentence(text: str, limit: int = 90) -> str:
    text = squash(text)
    match = re.search(r"[.!?](\s|$)", text)
    sentence = text[: match.start() + 1] if match else text
    if len(sentence) > limit:
        cut = sentence.rfind(" ", 0, limit)
        sentence = sentence[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"
    return sentence


def find_arxiv_id(text: str) -> str | None:
    match = _ARXIV_ID.search(text)
    return match.group(1) if match else None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to write to a terminal: control, escape and bidi characters made visible.

    Page text is kept as it is in the store; only what the command line prints is
    passed through here, so an ESC or an OSC sequence never reaches the terminal raw.
    """
    if text.isprintable():  # every character _CONTROL matches is unprintable: nothing to replace
        return text
    return _CONTROL.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_UNSEEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> str:
    """The text on one line, without control, zero-width or direction characters: what
    goes to a clipboard or into a file another program reads."""
    return " ".join(_UNSEEN.sub(" ", text).split())


def surname_key(name: str) -> tuple[str, str]:
    """A name's sort key by surname, then first names ('Ada Lovelace' -> ('lovelace', 'ada'));
    particles stay with the first names ('van der Maaten' sorts under M)."""
    words = fold(name).split()
    return (words[-1], " ".join(words[:-1])) if words else ("", "")
