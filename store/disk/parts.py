"""Part files: TinyDB files of one table, written one document per line.

    {"details":{
    "1":{"id":"p:…","abstract":"…",…},
    "2":{…}
    }}

This is plain JSON, which TinyDB (and any JSON tool) reads as it is. The layout
lets litbrowse read a part without holding it whole: documents are parsed a line
at a time (a load's peak memory is the documents, not the documents and the file),
and one document can be read again later at its line's offset (an abstract, when
its paper is shown), so the app need not keep 100,000 abstracts in memory.

orjson writes a newline inside a string as the escape \\n, so a document is never
split across lines. A part written on one line (stores of schema 3 before this
layout) is still read, whole.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from store.disk.storage import Pieces

Doc = dict[str, Any]
# Where a document lies: its file's path, its offset and its length in bytes.
Span = tuple[str, int, int]


class PartMissing(Exception):
    """The part file is not there."""


class PartDamaged(Exception):
    """The part file cannot be read as a TinyDB file with its table; the message says why."""


# Documents in one write at a time: about a megabyte of details.
_BATCH = 500
# Bytes of document lines read at a time by PartFile (docs parses them as one block).
_BLOCK = 1 << 20
# Bytes read at a time by PartFile.find to reach the start of a line (a details line
# is two kilobytes on average), and at a line's start to read its id.
_PEEK = 4096
_ID_PEEK = 256
# The bisection steps PartFile.find remembers (about 150 bytes each).
_PROBES_KEPT = 1 << 13


def lines(table: str, docs: Iterable[Doc | Span],
          view: Callable[[Span], memoryview] | None = None) -> Iterator[Pieces]:
    """The part file's bytes, made as they are written: a TinyDB table, documents
    numbered from 1, one per line; a batch of documents at a time.

    A document may come as the span of its JSON in another file (a part, the spool),
    which `view` turns into a view of the mapped file: its bytes are copied once, into
    the batch written (storage._write). Made into bytes of their own first, they were
    copied once more, a fifth of the processor time a 200 MB part took.
    """
    yield [b'{"%s":{\n' % table.encode()]
    view = view or _no_reader
    dumps = orjson.dumps
    pieces: Pieces = []
    count = 0
    for doc in docs:
        count += 1
        pieces.append(b',\n"%d":' % count if count > 1 else b'"1":')
        pieces.append(view(doc) if type(doc) is tuple else dumps(doc))
        if len(pieces) == 2 * _BATCH:
            yield pieces
            pieces = []
    pieces.append(b"\n}}\n" if count else b"}}\n")
    yield pieces


def _no_reader(span: Span) -> memoryview:
    raise TypeError(f"a document given by its span {span} needs a reader (lines' view)")


class PartFile:
    """An open part file: its documents streamed in order, or one read again at its offset.

    The file stays open while the object lives: a later save may delete the file,
    and an open file's content stays readable until it is closed.
    """

    def __init__(self, path: Path, table: str) -> None:
        self.path, self.table = path, table
        try:
            self._handle: BinaryIO = open(path, "rb")  # noqa: SIM115 (kept open: see the class)
        except FileNotFoundError:
            raise PartMissing from None
        except IsADirectoryError:
            raise PartDamaged("is a folder") from None
        except OSError as error:
            raise PartDamaged(f"cannot read: {error.strerror}") from None
        self._header = b'{"%s":{\n' % table.encode()
        self._offsets: dict[str, int] | None = None  # every line's id (ids), once find needed them
        self._probes: dict[int, tuple[int, str | None]] = {}  # find's bisection steps (_probe)
        self._lines_end: int | None = None  # where the last line ends, once find needed it
        self.one_line = self._handle.readline(len(self._header)) != self._header

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> PartFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def docs(self) -> Iterator[Doc]:
        """Every document, in order.

        Raises PartDamaged on the first line that is not a document; the documents
        before it have been yielded by then.
        """
        if self.one_line:
            yield from self._whole()
            return
        offset = len(self._header)
        self._handle.seek(offset)
        while True:
            block = self._handle.read(_BLOCK)
            block += self._handle.readline()  # to the end of its last line
            docs = self._block_docs(block)
            if docs is None:
                break
            yield from docs
            offset += len(block)
            if not block.endswith(b",\n"):
                return  # the table's end
        # A block that is not plain document lines (the end of the table, damage): read
        # line by line from its start, which yields the same documents and says what is wrong.
        for doc, _ in self.docs_and_spans(start=offset):
            yield doc  # never None when strict

    def _block_docs(self, block: bytes) -> list[Doc] | None:
        """The documents of a block of whole lines, parsed as one JSON object (a third
        faster than a line at a time); None unless it is document lines only, each with
        its comma, or the table's last ones and its end with nothing after it."""
        if block.endswith(b",\n"):
            body = block[:-2]
        elif block.endswith(b"}\n}}\n") and not self._handle.read(1):
            body = block[:-4]
        else:
            return None
        if body.startswith(b"\n") or b"\n\n" in body:
            return None  # blank lines: the line path skips them
        try:
            table = orjson.loads(b"{" + body + b"}")
        except orjson.JSONDecodeError:
            return None
        docs = list(table.values())
        # Two lines with one key would be one document here: the line path keeps both.
        if len(docs) != body.count(b"\n") + 1 or not all(type(doc) is dict for doc in docs):
            return None
        return docs

    def docs_and_spans(self, salvage: bool = False, start: int | None = None,
                       ) -> Iterator[tuple[Doc | None, tuple[int, int]]]:
        """Every document with where its JSON lies in the file (offset, length), for
        a part written one document per line (check one_line).

        Strict, as docs(), unless salvage is asked for: then a damaged line (cut
        short, not JSON) yields None for its document and its whole line's span, the
        documents after it still come, and a file cut off after them is no error.
        start: the offset of a line to begin at, rather than the first.
        """
        ended = False
        for offset, line in self._lines(start):
            if not salvage and (ended or not line.endswith(b"\n")):
                raise PartDamaged("text after the table's end" if ended else "cut off")
            if line == b"}}\n":
                ended = True
                continue
            if line == b"\n":
                continue
            try:
                start, text = _document_text(line)
                yield _parse_document(text), (offset + start, len(text))
            except PartDamaged:
                if not salvage:
                    raise
                yield None, (offset, len(line))
        if not salvage and not ended:
            raise PartDamaged("cut off")

    def ids(self) -> dict[str, int]:
        """Each document's "id" and its line's offset, found without parsing the documents
        (a tenth of the time), for a part written one document per line."""
        found: dict[str, int] = {}
        if self.one_line:
            return found
        for offset, line in self._lines():
            doc_id = _line_id(line)
            if doc_id is not None:
                found[doc_id] = offset
            elif line not in (b"}}\n", b"\n"):
                with contextlib.suppress(PartDamaged):  # a damaged line costs its own document only
                    doc_id = _parse_line(line).get("id")
                    if isinstance(doc_id, str):
                        found[doc_id] = offset
        return found

    def find(self, doc_id: str) -> Doc | None:
        """The document whose "id" is doc_id, or None, for a part written one document
        per line (check one_line). Raises PartDamaged when its line is damaged.

        A save writes a part's documents in id order (merge_papers sorts them), so its
        line is looked for by bisection: about twenty reads of a few kilobytes, where
        reading every line's id (ids) takes 0.17 s in the papers file of a store of
        100,000 papers and 0.29 s in its details file. Where bisection does not find it
        (a file in another order, a damaged line on the way, an id it does not hold),
        every line's id is read, once: later misses look there.
        """
        offset = self._bisect(doc_id)
        if offset is None:
            if self._offsets is None:
                self._offsets = self.ids()
            offset = self._offsets.get(doc_id)
            if offset is None:
                return None
        doc = self.doc_at(offset)
        return doc if doc.get("id") == doc_id else None

    def _bisect(self, doc_id: str) -> int | None:
        """The offset of the line whose id is doc_id, found by bisection in a file whose
        lines are in id order; None when not found so. Each step reads the first line
        that starts at or after the middle of the lines left."""
        if self._lines_end is None:
            fd = self._handle.fileno()
            size = os.fstat(fd).st_size
            # The table's end ('}}') is not one of the lines.
            closed = size >= len(self._header) + 4 and os.pread(fd, 4, size - 4) == b"\n}}\n"
            self._lines_end = size - 3 if closed else size
        end = self._lines_end
        low, high = len(self._header), end  # the lines left start in [low, high)
        while low < high:
            middle = (low + high) // 2
            start, found = self._probe(middle, end)
            if start >= high:  # no line starts in [middle, high)
                if middle == low:
                    return None
                high = middle
                continue
            if found is None:
                return None  # a line bisection cannot read: the caller reads every line's id
            if found == doc_id:
                return start
            if found < doc_id:
                low = start + 1
            else:
                high = start
        return None

    def _probe(self, offset: int, end: int) -> tuple[int, str | None]:
        """The first line that starts at or after offset (before end, where the lines end):
        its offset and its id (None when it cannot be read plainly); (end, None) when none does.

        Remembered: every bisection of the file starts with the same steps, and a search
        looks up the abstracts of a hundred papers at once (the file never changes: a save
        writes a new one). At 100,000 papers a lookup then reads about four lines of
        the seventeen a bisection visits.
        """
        known = self._probes.get(offset)
        if known is None:
            start, head = self._line_from(offset, end)
            known = start, _line_id(head) if head else None
            if len(self._probes) < _PROBES_KEPT:
                self._probes[offset] = known
        return known

    def _line_from(self, offset: int, end: int) -> tuple[int, bytes]:
        """The first line that starts at or after offset (before end): its offset and its
        first bytes (at least enough for its id); (end, b"") when none does."""
        fd = self._handle.fileno()
        at = offset - 1  # a line starts at offset when the byte before it ends a line
        while at < end:
            chunk = os.pread(fd, _PEEK, at)
            newline = chunk.find(b"\n")
            if newline == -1:
                if not chunk:
                    break
                at += len(chunk)
                continue
            start = at + newline + 1
            if start >= end:
                break
            head = chunk[newline + 1 : newline + 1 + _ID_PEEK]
            if len(head) < _ID_PEEK:
                head = os.pread(fd, _ID_PEEK, start)
            return start, head
        return end, b""

    def _lines(self, start: int | None = None) -> Iterator[tuple[int, bytes]]:
        """Each line after the table's header (or from start), with the offset it starts
        at; read without moving the file's position (pread): find may need them in the
        app's main thread while a worker streams docs() from the same file."""
        fd = self._handle.fileno()
        offset = len(self._header) if start is None else start
        rest = b""
        while block := os.pread(fd, _BLOCK, offset + len(rest)):
            *lines, rest = (rest + block).split(b"\n")
            for line in lines:
                yield offset, line + b"\n"
                offset += len(line) + 1
        if rest:
            yield offset, rest  # a last line cut off

    def doc_at(self, offset: int) -> Doc:
        """The document whose line starts at offset (as ids() gave it)."""
        # pread: the app's worker may be streaming the same file meanwhile.
        chunks = []
        while True:
            chunk = os.pread(self._handle.fileno(), 1 << 16, offset)
            end = chunk.find(b"\n")
            if end != -1 or not chunk:
                chunks.append(chunk[: end + 1] if end != -1 else chunk)
                break
            chunks.append(chunk)
            offset += len(chunk)
        return _parse_line(b"".join(chunks))

    def _whole(self) -> list[Doc]:
        self._handle.seek(0)
        try:
            raw = orjson.loads(self._handle.read())
        except (orjson.JSONDecodeError, UnicodeDecodeError):
            raise PartDamaged("not valid JSON") from None
        except OSError as error:
            raise PartDamaged(f"cannot read: {error.strerror}") from None
        docs = raw.get(self.table) if isinstance(raw, dict) else None
        if not isinstance(docs, dict) or not all(isinstance(doc, dict) for doc in docs.values()):
            raise PartDamaged(f"no '{self.table}' table")
        return list(docs.values())


def _line_id(line: bytes) -> str | None:
    """The id of the document on a line, read from its first bytes ('"12":{"id":"p:…",'),
    or None when it is not there plainly (written with escapes, or a damaged line)."""
    start = line.find(b':{"id":"', 0, 24) + 8
    end = line.find(b'"', start)
    if start <= 8 or end == -1 or b"\\" in line[start:end]:
        return None
    try:
        return line[start:end].decode()
    except UnicodeDecodeError:
        return None


def _parse_line(line: bytes) -> Doc:
    """'"12":{…},\\n' -> the document."""
    return _parse_document(_document_text(line)[1])


def _document_text(line: bytes) -> tuple[int, bytes]:
    """'"12":{…},\\n' -> where '{…}' starts in the line, and '{…}'."""
    colon = line.find(b":")
    if colon < 3:
        raise PartDamaged("a line is not a document")
    return colon + 1, line[colon + 1 :].rstrip(b",\n")


def _parse_document(text: bytes) -> Doc:
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise PartDamaged("not valid JSON") from None
    if not isinstance(doc, dict):
        raise PartDamaged("a line is not a document")
    return doc


def read_all(path: Path, table: str) -> list[Doc]:
    """Every document of a part file, in order."""
    with PartFile(path, table) as part:
        return list(part.docs())
