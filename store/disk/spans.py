"""Documents known by where their JSON lies in a file, to be copied as they are.

An ingest rewrites both part files, but most documents in them are already
serialized somewhere: the stored papers in the old part files, the new ones in the
spool the parsing processes wrote. A document is then carried as its span (file,
offset, length) instead of a dict: the save copies its bytes, the ingest's memory
holds no abstracts, and no document is serialized twice.
"""

from __future__ import annotations

import contextlib
import marshal
import mmap
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from store.disk.parts import PartDamaged, Span

# A document's file, the offset its JSON starts at, and the JSON's length.


class SpanReader:
    """Reads spans from any number of files, each mapped into memory once opened.

    A span is a slice of the map, made without a system call: a save copies 100,000
    documents, the spool's in the order of the paper ids rather than the file's. The
    pages read are the system's file cache, shared, not this process's memory. (A
    mapped file deleted by a save stays readable until the map is closed.)
    """

    def __init__(self) -> None:
        self._maps: dict[str, memoryview] = {}

    def read(self, span: Span) -> bytes:
        return bytes(self.view(span))

    def view(self, span: Span) -> memoryview:
        """The span's bytes where they lie in the map, not copied (a save copies them
        from there into the batch it writes). Raises PartDamaged when the file is gone
        or shorter."""
        path, offset, length = span
        end = offset + length
        mapped = self._maps.get(path)
        if mapped is None or end > len(mapped):
            mapped = self._map(path)  # first read, or the file grew (a spool) since
            if end > len(mapped):
                raise PartDamaged(f"{path}: cut off")
        return mapped[offset:end]

    def _map(self, path: str) -> memoryview:
        old = self._maps.pop(path, None)
        if old is not None:
            _unmap(old)
        try:
            with open(path, "rb") as handle:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except FileNotFoundError:
            raise PartDamaged(f"{path}: missing") from None
        except ValueError:  # an empty file cannot be mapped
            raise PartDamaged(f"{path}: cut off") from None
        self._maps[path] = view = memoryview(mapped)
        return view

    def close(self) -> None:
        for view in self._maps.values():
            _unmap(view)
        self._maps.clear()

    def __enter__(self) -> SpanReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _unmap(view: memoryview) -> None:
    """Unmap the file now, unless views of it are still held: then when the last goes."""
    mapped = view.obj
    view.release()
    with contextlib.suppress(BufferError):
        mapped.close()


_SPOOL_BUFFER = 1 << 20


class Spool:
    """An append-only file of JSON documents, one per line, each known by its span.

    One per process: the parsing processes each write the documents of the pages
    they parse to their own spool file, named by process id, in a folder shared by
    the ingest.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = str(folder / f"docs.{os.getpid()}")
        # A large buffer: a page's documents reach the file in a few writes, not hundreds.
        self._handle = open(self.path, "ab", buffering=_SPOOL_BUFFER)  # noqa: SIM115 (open while the process spools)
        self._offset = self._handle.tell()

    def add(self, doc: dict[str, Any]) -> Span:
        """Serialize the document onto the spool; where its JSON lies."""
        line = orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE)  # no copy to add the newline
        self._handle.write(line)
        span = (self.path, self._offset, len(line) - 1)
        self._offset += len(line)
        return span

    def flush(self) -> None:
        """Make what was added readable by other processes."""
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def hand_over(folder: Path, value: Any) -> str:
    """A new file in the folder (a spool folder) holding the plain data `value`, for
    another process of the ingest to take_over: the name.

    Data of megabytes (a page's records, the spans of 100,000 documents) goes in one
    write and one read. Through the pool's pipe it went 64 KB at a time, pickled by a
    thread taking turns with the sender's work. marshal reads it back in two thirds of
    pickle's time (the same interpreter wrote it).
    """
    descriptor, name = tempfile.mkstemp(dir=folder, prefix="handed.")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(marshal.dumps(value))
    return name


def take_over(name: str) -> Any:
    """What another process handed over (hand_over); the file is removed."""
    with open(name, "rb") as handle:
        value = marshal.loads(handle.read())
    os.unlink(name)
    return value


_spools: dict[tuple[int, str], Spool] = {}


def process_spool(folder: Path) -> Spool:
    """This process's spool in the folder, opened at its first use."""
    key = (os.getpid(), str(folder))
    spool = _spools.get(key)
    if spool is None:
        spool = _spools[key] = Spool(folder)
    return spool


def close_process_spool(folder: Path) -> None:
    spool = _spools.pop((os.getpid(), str(folder)), None)
    if spool is not None:
        spool.close()
