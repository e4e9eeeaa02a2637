"""The store file: a TinyDB database behind an orjson storage with atomic writes.

Layout: tables 'papers', 'authors', 'pages' (one document per ingested page: its
format, owner and profile) and '_meta' (the schema version). A save replaces every
table in one write: a temporary file in the same folder, fsync, rename over the old
file, so a crash leaves the old store or the new one, never a mix. A lock file
beside the store serializes writers across processes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage

from store.model import Author, Paper

SCHEMA_VERSION = 1
TABLES = ("papers", "authors", "pages")
LOCK_TIMEOUT = 30.0


class StoreError(Exception):
    """The store cannot be used; the message names the file and how to recover."""


class OrjsonStorage(Storage):
    """TinyDB storage: orjson to parse (with the collector paused) and atomic writes."""

    def __init__(self, path: str | os.PathLike[str], create_dirs: bool = True) -> None:
        self.path = Path(path)
        if create_dirs:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not data.strip():
            return None
        # Loading builds millions of small objects; pausing the cyclic collector
        # halves the load time of a large store.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return orjson.loads(data)
        finally:
            if enabled:
                gc.enable()

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write(self.path, orjson.dumps(data))

    def close(self) -> None:
        pass


def atomic_write(path: Path, payload: bytes) -> None:
    """Write payload to path so that readers see the old file or the new one, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, temp)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@dataclass
class StoreData:
    papers: list[Paper] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)


def _as_list(raw: dict[str, Any], table: str, path: Path) -> list[dict[str, Any]]:
    docs = raw.get(table, {})
    if not isinstance(docs, dict) or not all(isinstance(d, dict) for d in docs.values()):
        raise StoreError(f"{path}: table '{table}' is not a TinyDB table: {_RECOVER}")
    return [docs[k] for k in sorted(docs, key=lambda k: int(k) if k.isdigit() else 0)]


_RECOVER = "move the file aside (or restore its .bak copy) and ingest your pages again"


def load(path: Path) -> StoreData:
    """Read the whole store; a missing file is an empty store."""
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a store file")
    try:
        db = TinyDB(path, storage=OrjsonStorage, create_dirs=False)
        raw = db.storage.read()
    except orjson.JSONDecodeError as error:
        raise StoreError(f"{path}: not valid JSON ({error}): {_RECOVER}") from None
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not a text file: {_RECOVER}") from None
    except OSError as error:
        raise StoreError(f"{path}: cannot read ({error.strerror})") from None
    if raw is None:
        return StoreData()
    if not isinstance(raw, dict):
        raise StoreError(f"{path}: not a litbrowse store (the JSON is not an object): {_RECOVER}")
    raw = _migrate(path, raw)
    data = StoreData(papers=_as_list(raw, "papers", path), authors=_as_list(raw, "authors", path))
    for page in _as_list(raw, "pages", path):
        if "source" not in page:
            raise StoreError(f"{path}: a page record has no source: {_RECOVER}")
        data.pages[page["source"]] = page
    for paper in data.papers:
        if not isinstance(paper.get("id"), str):
            raise StoreError(f"{path}: a paper record has no id: {_RECOVER}")
    return data


def schema_of(raw: dict[str, Any]) -> int:
    meta = raw.get("_meta", {})
    if not isinstance(meta, dict) or not meta:
        return 0
    doc = next(iter(meta.values()))
    version = doc.get("schema") if isinstance(doc, dict) else None
    return version if isinstance(version, int) else -1


def _migrate(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    version = schema_of(raw)
    if version == SCHEMA_VERSION:
        return raw
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: made by a newer litbrowse (store schema {version}, this one reads {SCHEMA_VERSION}): "
            "upgrade litbrowse, or use another --store"
        )
    if version < 0:
        raise StoreError(f"{path}: the '_meta' table is damaged: {_RECOVER}")
    unknown = set(raw) - set(TABLES) - {"_meta"}
    if unknown or not set(raw) & set(TABLES):
        raise StoreError(f"{path}: not a litbrowse store (tables: {', '.join(sorted(raw)) or 'none'}): {_RECOVER}")
    # Schema 0 (before versioning) had the same tables; it only lacks _meta.
    backup = path.with_name(path.name + f".v{version}.bak")
    shutil.copy2(path, backup)
    raw["_meta"] = {"1": {"schema": SCHEMA_VERSION}}
    return raw


def save(path: Path, data: StoreData) -> None:
    """Replace the whole store in one atomic write."""
    raw: dict[str, dict[str, Any]] = {
        "_meta": {"1": {"schema": SCHEMA_VERSION}},
        "papers": {str(i): p for i, p in enumerate(data.papers, start=1)},
        "authors": {str(i): a for i, a in enumerate(data.authors, start=1)},
        "pages": {str(i): data.pages[s] for i, s in enumerate(sorted(data.pages), start=1)},
    }
    db = TinyDB(path, storage=OrjsonStorage)
    db.storage.write(raw)


@contextlib.contextmanager
def write_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the store's lock file; one writer at a time across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{path}: another litbrowse process has held the store's lock for {timeout:.0f} s; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
