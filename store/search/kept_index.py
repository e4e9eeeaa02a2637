"""The search index kept beside the store, so that opening a large store does not
build it again: at 100,000 papers building it takes about 12 s (titles 3 s, then the
abstracts 9 s), reading it back under a second.

The file, `store.json.index.<key>`, is a cache. Its name is taken from the part files
it indexes (each named by its content), this litbrowse's search code and the Python
that wrote it: a change to any of them names another file, and this one is not read
again (the next save or index written removes it). Its bytes are checked against the
digest written before them before marshal reads them (marshal is not made for damaged
data); a file that fails the check, or does not index exactly the store's papers, is
built again. It is written by whoever built the index (the app, `litbrowse search`),
of the titles, names, venues and comments, and again once the abstracts are in it,
atomically but never synced: a lost or cut cache costs one build.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import marshal
import os
import sys
import tempfile
from array import array
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from store.disk.storage import remove_abandoned

if TYPE_CHECKING:  # the index itself is imported when one is read or written: saving needs only names
    from store.disk.persistence import StoreData
    from store.search.ranking import SearchIndex

# Changed by hand when the stored data's shape changes without its code changing.
INDEX_FORMAT = 1
_MAGIC = b"litbrowse search index\n"
# The modules whose code decides what the index holds, and this one (the file's layout).
_INDEXING_MODULES = ("search/ranking.py", "search/word_index.py", "text.py", "model.py", "search/kept_index.py")


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    digest = hashlib.sha1(f"{INDEX_FORMAT} {sys.implementation.cache_tag} {marshal.version}".encode())
    folder = Path(__file__).parent.parent  # store/
    for name in _INDEXING_MODULES:
        digest.update((folder / name).read_bytes())
    return digest.digest()


def cache_name(store_path: Path, papers_file: str | None, details_file: str | None) -> str | None:
    """The cache file's name for a store with these part files (None for a store without
    papers, or when the search code cannot be read to name it)."""
    if not papers_file:
        return None
    try:
        code = _code_digest()
    except OSError:
        return None
    key = hashlib.sha1(code + f"{papers_file} {details_file}".encode()).hexdigest()[:16]
    return f"{store_path.name}.index.{key}"


# The file: _MAGIC, the SHA-1 of the rest, then records, each its length (8 bytes,
# little-endian) and a marshal dump: the index less its titles and postings
# (SearchIndex.stored), the titles in lists of _TITLES_PER_RECORD, then the postings in
# lists of about _CHUNK_BYTES. Written and read a record at a time, so that neither
# holds a second copy of the index (tens of megabytes).
_DIGEST_SIZE = hashlib.sha1().digest_size
_TITLES_PER_RECORD = 10_000
_CHUNK_BYTES = 4 * 1024 * 1024


def load_index(store_path: Path, data: StoreData) -> SearchIndex | None:
    """The store's search index as it was kept (has_abstracts says whether with the
    abstracts); None when there is none to read (not kept yet, kept for other files,
    damaged)."""
    from store.search.ranking import SearchIndex

    name = cache_name(store_path, data.papers_file, data.details_file)
    if name is None:
        return None
    try:
        with open(store_path.with_name(name), "rb") as handle:
            if handle.read(len(_MAGIC)) != _MAGIC or handle.read(_DIGEST_SIZE) != _digest_of_rest(handle):
                return None
            handle.seek(len(_MAGIC) + _DIGEST_SIZE)
            stored = marshal.loads(_record(handle))
            stored["titles"] = titles = []
            while len(titles) < len(stored["ids"]):
                titles.extend(marshal.loads(_record(handle)))
            return SearchIndex.restored(data.papers, stored, _postings(handle), data.abstract_of)
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _digest_of_rest(handle: BinaryIO) -> bytes:
    digest = hashlib.sha1()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.digest()


def _record(handle: BinaryIO) -> bytes:
    size = int.from_bytes(handle.read(8), "little")
    record = handle.read(size)
    if len(record) != size:
        raise EOFError("cut off")
    return record


def _postings(handle: BinaryIO) -> Iterator[bytes]:
    while True:
        chunk = marshal.loads(_record(handle))
        if not isinstance(chunk, list):
            raise ValueError("not a list of postings")
        yield from chunk


def save_index(store_path: Path, data: StoreData, index: SearchIndex) -> None:
    """Keep the index for the next opening (its abstracts too, once they are in it: the
    same file is written again then); what cannot be written (a read-only folder, a
    full disk) is left unwritten."""
    name = cache_name(store_path, data.papers_file, data.details_file)
    if name is None:
        return
    temporary = None
    # A search killed while it wrote an index left its temporary file: no one holds it.
    remove_abandoned(store_path.parent, "." + glob.escape(store_path.name) + ".index.*.tmp")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=store_path.parent)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held until it is closed: while it is written
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + bytes(_DIGEST_SIZE))  # the digest, known at the end
            digest = hashlib.sha1()
            for record in _records(index):
                for piece in (len(record).to_bytes(8, "little"), record):
                    digest.update(piece)
                    handle.write(piece)
            handle.seek(len(_MAGIC))
            handle.write(digest.digest())
        os.replace(temporary, store_path.with_name(name))
        temporary = None
    except OSError:
        return
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    remove_stale_indexes(store_path, keep=name)


def _records(index: SearchIndex) -> Iterator[bytes]:
    """The index as marshal dumps: what stored() gives less the titles, the titles, then
    the postings, a chunk at a time (marshal's buffer grows to twice a record)."""
    stored = index.stored()
    titles = stored.pop("titles")
    yield marshal.dumps(stored)
    for start in range(0, len(titles), _TITLES_PER_RECORD):
        yield marshal.dumps(titles[start:start + _TITLES_PER_RECORD])
    chunk: list[array] = []
    size = 0
    for ids in index.postings():
        chunk.append(ids)  # marshal writes an array as the bytes it holds
        size += len(ids) * ids.itemsize
        if size >= _CHUNK_BYTES:
            yield marshal.dumps(chunk)
            chunk, size = [], 0
    yield marshal.dumps(chunk)


def remove_stale_indexes(store_path: Path, keep: str | None) -> None:
    """Remove the kept indexes of other part files (or other code) than `keep`'s."""
    for kept in store_path.parent.glob(glob.escape(store_path.name) + ".index.*"):
        if kept.name != keep:
            with contextlib.suppress(OSError):
                kept.unlink()
