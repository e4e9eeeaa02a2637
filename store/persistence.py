"""The store's layout on disk: a TinyDB database of papers, authors and pages, and its details file.

The main file (TinyDB, orjson storage) holds the tables 'papers', 'authors',
'pages' (one document per ingested page: its format, owner and profile) and
'_meta' (the schema version and the name of the details file). What the lists
and title search do not need lives in the details file, a second TinyDB file
beside the main one: the abstracts (two thirds of the bytes) and the merger's
identity keys. The app reads it after its first screen is up; `show`, `search`
and ingest read it at once.

A save writes the details file under a name taken from its content, then
replaces the main file atomically (temporary file, fsync, rename): a crash at any moment leaves
the old main file with its old details file, or the new one with the new.
The details file a save replaces is kept until the next save, so a reader that
read the main file just before can still read it.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB

from store.model import Author, Paper
from store.storage import OrjsonStorage, StoreError, atomic_write, write_lock

__all__ = ["SCHEMA_VERSION", "StoreData", "StoreError", "load", "attach_details", "save", "store_files", "write_lock"]

# 0: no _meta table; 1: abstracts and keys inside the papers; 2: those in the details file.
SCHEMA_VERSION = 2
TABLES = ("papers", "authors", "pages")
_RECOVER = "move the file aside (or restore its .bak copy) and ingest your pages again"


@dataclass
class StoreData:
    papers: list[Paper] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The details file the main file points to, and whether the papers hold their details yet.
    details_file: str | None = None
    details_loaded: bool = True
    # Problems that did not stop the load (a missing details file), one line each.
    warnings: list[str] = field(default_factory=list)


def load(path: Path, with_details: bool = True) -> StoreData:
    """Read the store; a missing file is an empty store.

    Without details every paper's 'abstract' is None and its merge keys are empty
    until attach_details runs.
    """
    raw = _read_main(path)
    if raw is None:
        return StoreData()
    raw = _migrate(path, raw)
    data = StoreData(papers=_as_list(raw, "papers", path), authors=_as_list(raw, "authors", path))
    for page in _as_list(raw, "pages", path):
        if "source" not in page:
            raise StoreError(f"{path}: a page record has no source: {_RECOVER}")
        data.pages[page["source"]] = page
    for paper in data.papers:
        if not isinstance(paper.get("id"), str):
            raise StoreError(f"{path}: a paper record has no id: {_RECOVER}")
        if "display_title" not in paper:
            paper["display_title"] = paper.get("title")
    data.details_file = _meta(raw).get("details")
    if data.details_file:
        data.details_loaded = False
        for paper in data.papers:
            paper["abstract"], paper["_keys"], paper["_related_keys"] = None, [], []
        if with_details:
            attach_details(path, data)
    return data


def attach_details(path: Path, data: StoreData) -> None:
    """Fill in the papers' abstracts and merge keys from the store's details file.

    A missing or damaged details file costs the abstracts, not the store: the
    papers stay, and a warning says how to get the abstracts back.
    """
    if data.details_loaded or not data.details_file:
        data.details_loaded = True
        return
    side = path.with_name(data.details_file)
    if not side.is_file():
        data.warnings.append(f"{side}: details file missing: abstracts are not shown; ingest your pages again")
        return
    try:
        raw = OrjsonStorage(side, create_dirs=False).read()
        docs = (raw or {}).get("details", {})
        details = {doc["id"]: doc for doc in docs.values()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        data.warnings.append(f"{side}: details file damaged: abstracts are not shown; ingest your pages again")
        return
    for paper in data.papers:
        doc = details.get(paper["id"])
        if doc is not None:
            paper["abstract"], paper["_keys"], paper["_related_keys"] = doc["abstract"], doc["keys"], doc["related"]
    data.details_loaded = True


def save(path: Path, data: StoreData) -> None:
    """Write the details file, then replace the main file in one atomic write.

    Call it holding write_lock: any temporary file found then is a dead writer's.
    """
    for temporary in path.parent.glob("." + glob.escape(path.name) + ".*.tmp"):
        with contextlib.suppress(OSError):
            temporary.unlink()
    details = {
        str(number): {
            "id": paper["id"], "abstract": paper["abstract"],
            "keys": paper["_keys"], "related": paper["_related_keys"],
        }
        for number, paper in enumerate(data.papers, start=1)
    }
    payload = orjson.dumps({"details": details})
    # Named by content: saving the same details again names the same file, which
    # is then not written again, and a save that changes nothing changes no byte.
    details_file = f"{path.name}.details.{hashlib.sha1(payload).hexdigest()[:16]}"
    side = path.with_name(details_file)
    if not (side.exists() and side.stat().st_size == len(payload)):
        atomic_write(side, payload)
    raw: dict[str, dict[str, Any]] = {
        "_meta": {"1": {"schema": SCHEMA_VERSION, "details": details_file}},
        "papers": {str(i): _stored_form(p) for i, p in enumerate(data.papers, start=1)},
        "authors": {str(i): a for i, a in enumerate(data.authors, start=1)},
        "pages": {str(i): data.pages[s] for i, s in enumerate(sorted(data.pages), start=1)},
    }
    TinyDB(path, storage=OrjsonStorage).storage.write(raw)
    _remove_details_files(path, keep={details_file, data.details_file})
    data.details_file = details_file


def store_files(path: Path, data: StoreData) -> list[Path]:
    """The files that make up the store as loaded: the main file and its details file."""
    files = [path, path.with_name(data.details_file)] if data.details_file else [path]
    return [file for file in files if file.exists()]


def _stored_form(paper: Paper) -> Paper:
    """The paper as the main file keeps it: no details, and no display title that repeats the title."""
    copy = dict(paper)  # a C-level copy: ten times faster than filtering the keys
    for name in ("abstract", "_keys", "_related_keys"):
        copy.pop(name, None)
    if copy.get("display_title") == copy.get("title"):
        del copy["display_title"]
    return copy


def _remove_details_files(path: Path, keep: set[str | None]) -> None:
    for side in path.parent.glob(glob.escape(path.name) + ".details.*"):
        if side.name not in keep:
            with contextlib.suppress(OSError):
                side.unlink()


def _read_main(path: Path) -> dict[str, Any] | None:
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a store file")
    try:
        raw = TinyDB(path, storage=OrjsonStorage, create_dirs=False).storage.read()
    except orjson.JSONDecodeError as error:
        raise StoreError(f"{path}: not valid JSON ({error}): {_RECOVER}") from None
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not a text file: {_RECOVER}") from None
    except OSError as error:
        raise StoreError(f"{path}: cannot read ({error.strerror})") from None
    if raw is not None and not isinstance(raw, dict):
        raise StoreError(f"{path}: not a litbrowse store (the JSON is not an object): {_RECOVER}")
    return raw


def _as_list(raw: dict[str, Any], table: str, path: Path) -> list[dict[str, Any]]:
    docs = raw.get(table, {})
    if not isinstance(docs, dict) or not all(isinstance(d, dict) for d in docs.values()):
        raise StoreError(f"{path}: table '{table}' is not a TinyDB table: {_RECOVER}")
    # In file order: saves write documents in the order they are to be read.
    return list(docs.values())


def _meta(raw: dict[str, Any]) -> dict[str, Any]:
    meta = raw.get("_meta", {})
    doc = next(iter(meta.values()), None) if isinstance(meta, dict) else None
    return doc if isinstance(doc, dict) else {}


def schema_of(raw: dict[str, Any]) -> int:
    meta = raw.get("_meta", {})
    if not isinstance(meta, dict) or not meta:
        return 0
    version = _meta(raw).get("schema")
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
    # Schemas 0 and 1 had the same tables with the details inside the papers, which
    # is what load returns; the next save writes the current layout. The old file is
    # kept first, in case this version is abandoned.
    backup = path.with_name(path.name + f".v{version}.bak")
    if not backup.exists():
        shutil.copy2(path, backup)
    raw["_meta"] = {"1": {"schema": SCHEMA_VERSION}}
    return raw
