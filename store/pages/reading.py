"""Reading saved pages from disk: decoding, limits, and the reasons a file is refused."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

# A saved researcher page is tens of kilobytes; this leaves room for huge profiles
# while keeping an accidental disk image or log file out of memory.
MAX_PAGE_BYTES = 20 * 1024 * 1024
# Lines longer than this are not page text (minified data, a binary run): dropped.
MAX_LINE_CHARS = 100_000
PAGE_SUFFIXES = {".txt", ".text", ".md", ""}


# What a path that is not a file or folder is, as the reason for refusing it says.
_KINDS = {stat.S_IFIFO: "a pipe", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


class PageError(Exception):
    """A file that cannot be read as a page; the message is the reason."""


def read_page(path: Path) -> tuple[list[str], list[str]]:
    """The page's lines, normalized (BOM, line endings, NULs), and warnings."""
    warnings: list[str] = []
    try:
        status = path.stat()
    except FileNotFoundError:
        raise PageError("no such file") from None
    except OSError as error:
        raise PageError(error.strerror or str(error)) from None
    if stat.S_ISDIR(status.st_mode):
        raise PageError("is a folder")
    if not stat.S_ISREG(status.st_mode):
        # A pipe would be read until its writer closes it, a device without end; neither
        # has a size to check, nor a name the page would keep.
        raise PageError(f"not a saved page but {_KINDS.get(stat.S_IFMT(status.st_mode), 'a special file')};"
                        " save the page to a file first")
    size = status.st_size
    if size == 0:
        raise PageError("empty file")
    if size > MAX_PAGE_BYTES:
        raise PageError(f"too large for a saved page ({size / 1e6:.0f} MB; the limit is {MAX_PAGE_BYTES / 1e6:.0f} MB)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PageError(error.strerror or str(error)) from None
    if _looks_binary(data):
        raise PageError("binary file, not a text page")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        warnings.append(f"not valid UTF-8 (first bad byte at offset {error.start}): {bad} undecodable byte(s) replaced")
    if "\x00" in text:
        text = text.replace("\x00", "")
        warnings.append("NUL bytes removed")
    # Each test before its pass over the text: most pages need none of them.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = _split_lines(text)
    if text.endswith("\n"):
        lines.append("")  # the page ends with its line: a save that stops mid-line has no break
    if max(map(len, lines), default=0) > MAX_LINE_CHARS:
        kept = [line for line in lines if len(line) <= MAX_LINE_CHARS]
        warnings.append(f"{len(lines) - len(kept)} line(s) over {MAX_LINE_CHARS:,} characters dropped")
        lines = kept
    if not any(map(str.strip, lines)):  # stops at the first line with text
        raise PageError("no text (only white space)")
    return lines, warnings


# The line boundaries str.splitlines knows besides '\n' ('\r' is made '\n' before).
_OTHER_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
_ASCII_BREAKS = _OTHER_BREAKS[:5]


def _split_lines(text: str) -> list[str]:
    """text.splitlines() (the text has no carriage returns), in two thirds of the time
    when the newline is its only line break, as on nearly every page: split finds one
    character with a machine-level search, where splitlines tests each against eight."""
    if any(brk in text for brk in (_ASCII_BREAKS if text.isascii() else _OTHER_BREAKS)):
        return text.splitlines()
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()  # after a final break splitlines has no empty line
    return lines


def _looks_binary(data: bytes) -> bool:
    """Binary when the start has many NULs or control bytes (text with a stray NUL is not)."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((b"\x89PNG", b"%PDF", b"PK\x03\x04", b"\x7fELF", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff")):
        return True
    controls = len(sample.translate(None, _TEXT_BYTES))  # the control bytes left, counted in C
    return controls / len(sample) > 0.1


# Every byte but the control characters text does not use (tab to CR and ESC are text).
_TEXT_BYTES = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32 and b != 27))


def expand_paths(paths: list[Path]) -> Iterator[tuple[Path, str | None]]:
    """Files to ingest from files and folders, with a reason for paths that are skipped.

    Folders are walked recursively without following symlinked folders (a link loop
    cannot trap the walk); in a folder only files that look like saved pages are taken.
    """
    for path in paths:
        try:
            os.lstat(path)
        except FileNotFoundError:
            yield path, "no such file or folder"
            continue
        except OSError as error:  # a name too long, a folder on the way not searchable
            yield path, error.strerror or str(error)
            continue
        if path.is_dir():
            unreadable: list[OSError] = []
            for root, dirs, files in os.walk(path, followlinks=False, onerror=unreadable.append):
                while unreadable:
                    error = unreadable.pop()
                    yield Path(os.fsdecode(error.filename or root)), f"folder not read: {error.strerror or error}"
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    file = Path(root) / name
                    if name.startswith(".") or file.suffix.lower() not in PAGE_SUFFIXES:
                        continue
                    if file.is_symlink() and not file.exists():
                        yield file, _dangling_reason(file)
                        continue
                    yield file, None
            for error in unreadable:  # the walk's last folder
                yield Path(os.fsdecode(error.filename or path)), f"folder not read: {error.strerror or error}"
        elif not path.exists():
            yield path, _dangling_reason(path)
        else:
            yield path, None


def _dangling_reason(link: Path) -> str:
    try:
        link.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop"
    return "broken symbolic link"
