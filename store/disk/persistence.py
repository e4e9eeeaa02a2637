"""The store's layout on disk: a small TinyDB main file and the two part files it names.

The main file (TinyDB, orjson storage) holds the tables 'authors', 'pages' (one
document per ingested page: its format, owner and profile) and '_meta' (the
schema version and the names of the part files). The parts are TinyDB files
beside it: the papers file (table 'papers') and the details file (table
'details': the abstracts, two thirds of all bytes, and the merger's identity
keys). The app reads them in that order, showing the authors first, then their
papers, then the abstracts; `search` and ingest read every paper, `show` only its own
and its related papers (papers_by_id).

A save (store/disk/saving.py) writes each part under a name taken from its content,
then replaces the main file atomically (temporary file, fsync, rename): a crash at
any moment leaves the old main file with its old parts, or the new one with the
new. The parts a save replaces are kept until the next save, so a reader that read
the main file just before can still read them.

Parts are written one document per line (store/disk/parts.py): a load parses them a
line at a time, and the app keeps the details file open and reads an abstract
when its paper is shown (store/disk/details.py) instead of holding them all.
"""

from __future__ import annotations

import contextlib
import filecmp
import shutil
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB

from store.disk import parts
from store.disk.details import Details
from store.disk.spans import SpanReader
from store.disk.storage import OrjsonStorage, StoreError, write_lock
from store.model import Author, Paper

__all__ = [
    "PARTS", "SCHEMA_VERSION", "StoreData", "StoreError", "load", "attach_papers", "attach_details",
    "attach_detail_keys", "detail_keys", "open_details", "papers_by_id", "store_files", "write_lock",
]

# 0: no _meta table; 1: everything in one file; 2: abstracts and keys in the details
# file; 3: papers in the papers file too.
SCHEMA_VERSION = 3
TABLES = ("papers", "authors", "pages")
PARTS = ("papers", "details")
_RECOVER = "move the file aside (or restore its .bak copy) and ingest your pages again"


@dataclass
class StoreData:
    papers: list[Paper] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The part files the main file names, and whether their content is in yet.
    papers_file: str | None = None
    details_file: str | None = None
    papers_loaded: bool = True
    details_loaded: bool = True
    # The schema of a store read in an older layout: the save keeps a copy of it first.
    migrated_from: int | None = None
    # Problems that did not stop the load (a missing details file), one line each.
    warnings: list[str] = field(default_factory=list)
    # The open details file, when the abstracts are read on demand (open_details).
    details: Details | None = None
    # Reads the documents of papers that carry spans (store/disk/spans.py), which an ingest
    # gives them; it maps no file until a span is read. A paper that keeps its
    # '_details_at' or '_stored_at' span has that document copied by the save.
    spans: SpanReader = field(default_factory=SpanReader)

    def fill(self, paper: Paper) -> Paper:
        """The paper with its abstract: read from the open details file the first time it is asked for."""
        if "abstract" not in paper and self.details is not None:
            paper["abstract"] = self.details.abstract(paper["id"])
        return paper

    def complete(self, paper: Paper) -> Paper:
        """The paper with every field, filled in place: an ingest's record of a new paper
        holds only the records.WORKING_FIELDS, the rest of its fields waiting in its line
        ('_stored_at'; a paper's line always holds its title); a paper read by an
        ingest holds no abstract ('_details_at')."""
        if "title" not in paper and "_stored_at" in paper:
            for name, value in orjson.loads(self.spans.read(paper["_stored_at"])).items():
                paper.setdefault(name, value)
            paper.setdefault("display_title", paper["title"])  # a line leaves out one that repeats the title
        if "abstract" not in paper:
            paper["abstract"] = self.abstract_of(paper)
        return paper

    def abstract_of(self, paper: Paper) -> str | None:
        """The paper's abstract, without keeping it in memory (search reads many, shows few)."""
        if "abstract" in paper:
            return paper["abstract"]
        if self.details is not None:
            return self.details.abstract(paper["id"])
        if "_details_at" in paper:
            abstract = orjson.loads(self.spans.read(paper["_details_at"])).get("abstract")
            return abstract if isinstance(abstract, str) else None
        return None


def load(path: Path, with_papers: bool = True, with_details: bool = True) -> StoreData:
    """Read the store; a missing file is an empty store.

    Without papers, `papers` stays empty until attach_papers runs. Without details
    the papers have no 'abstract' and no merge keys until attach_details reads them
    in (or open_details opens the file to read them one at a time).
    """
    raw = _read_main(path)
    if raw is None:
        return StoreData()
    version = schema_of(raw)
    raw = _migrate(path, raw)
    meta = _meta(raw)
    parts_named = version == SCHEMA_VERSION  # older layouts keep the papers in the main file
    data = StoreData(authors=_as_list(raw, "authors", path), papers_file=_part_name(meta, "papers", path, parts_named),
                     details_file=_part_name(meta, "details", path, parts_named),
                     migrated_from=None if version == SCHEMA_VERSION else version)
    data.details_loaded = not data.details_file  # open_details may open it before the papers are in
    for page in _as_list(raw, "pages", path):
        if "source" not in page:
            raise StoreError(f"{path}: a page record has no source: {_RECOVER}")
        data.pages[page["source"]] = page
    if data.papers_file:
        data.papers_loaded = False
        if with_papers:
            attach_papers(path, data)
    else:  # schemas 0 to 2 kept the papers in the main file
        _take_papers(path, data, _as_list(raw, "papers", path))
    if with_details and data.papers_loaded:
        attach_details(path, data)
    return data


def attach_papers(path: Path, data: StoreData, with_spans: bool = False) -> None:
    """Read the store's papers file. Unlike the details, the papers cannot be done without.

    with_spans (for an ingest) gives each paper where its line lies (`_stored_at`):
    a save copies the line of a paper the ingest left unchanged.
    """
    if data.papers_loaded:
        return
    part = path.with_name(data.papers_file or "")
    with _papers_file_errors(part):
        papers = _papers_with_spans(part) if with_spans else parts.read_all(part, "papers")
    _take_papers(path, data, papers)


@contextlib.contextmanager
def _papers_file_errors(part: Path) -> Iterator[None]:
    """A missing or damaged papers file as the StoreError that says what to do."""
    try:
        yield
    except parts.PartMissing:
        raise StoreError(f"{part}: the store's papers file is missing: restore it, or {_RECOVER}") from None
    except parts.PartDamaged as damaged:
        raise StoreError(f"{part}: the store's papers file is damaged ({damaged}): {_RECOVER}") from None


# Papers found one by one take 40 to 60 µs each (PartFile.find) where reading every
# paper takes 4 µs a paper (0.41 s at 100,000): 2,000 found one by one take about
# 0.1 s, and past that reading them all soon pays.
FIND_AT_MOST = 2000


def papers_by_id(path: Path, data: StoreData, ids: Collection[str]) -> dict[str, Paper]:
    """The papers with these ids that the store holds, by id: read one by one from the
    papers file (PartFile.find) when the papers are not in yet and there are few of
    them. What `show` needs of a store of 100,000 papers, a paper and the titles of its
    related papers, in milliseconds, and one author's papers for `papers --author`,
    where reading every paper takes half a second."""
    if not data.papers_loaded and len(ids) > FIND_AT_MOST:
        attach_papers(path, data)
    if data.papers_loaded or not data.papers_file:
        wanted = set(ids)
        return {paper["id"]: paper for paper in data.papers if paper["id"] in wanted}
    part = path.with_name(data.papers_file)
    found: dict[str, Paper] = {}
    with _papers_file_errors(part), parts.PartFile(part, "papers") as papers_file:
        if papers_file.one_line:  # written before a document had a line of its own: read whole
            papers_file.close()
            attach_papers(path, data)
            return papers_by_id(path, data, ids)
        for paper_id in ids:
            paper = papers_file.find(paper_id)
            if paper is not None:
                paper.setdefault("display_title", paper.get("title"))  # as _take_papers
                found[paper_id] = paper
    return found


def _papers_with_spans(part: Path) -> list[Paper]:
    with parts.PartFile(part, "papers") as papers_file:
        if papers_file.one_line:  # written before a document had a line of its own: no spans
            return list(papers_file.docs())
        name = str(part)
        papers = []
        for paper, (offset, length) in papers_file.docs_and_spans():
            paper["_stored_at"] = (name, offset, length)
            papers.append(paper)
        return papers


def _take_papers(path: Path, data: StoreData, papers: list[Paper]) -> None:
    # No keys are added for the details: a 21st key doubles a dict's table, which
    # at 100,000 papers is 60 MB. Readers ask for them with .get().
    for paper in papers:
        if not isinstance(paper.get("id"), str):
            raise StoreError(f"{path}: a paper record has no id: {_RECOVER}")
        if "display_title" not in paper:
            paper["display_title"] = paper.get("title")
    data.details_loaded = not data.details_file
    data.papers, data.papers_loaded = papers, True


def attach_details(path: Path, data: StoreData) -> None:
    """Fill in the papers' abstracts and merge keys from the store's details file.

    A missing or damaged details file costs the abstracts, not the store: the
    papers stay, and a warning says how to get the abstracts back.
    """
    _with_details_file(path, data, lambda side: _attach_whole(data, parts.read_all(side, "details")))


def _attach_whole(data: StoreData, docs: list[dict[str, Any]]) -> None:
    details = {doc["id"]: (doc["abstract"], doc["keys"], doc["related"]) for doc in docs}
    for paper in data.papers:
        found = details.get(paper["id"])
        if found is not None:
            paper["abstract"], paper["_keys"], paper["_related_keys"] = found


@dataclass
class DetailKeys:
    """What an ingest reads of a details file (detail_keys): by paper id, its merge keys,
    related keys and its document's span; how many lines were damaged; or, for a file
    written on one line, its documents whole."""

    found: dict[str, tuple[list[str], list[str], tuple[int, int]]] = field(default_factory=dict)
    damaged: int = 0
    whole: list[dict[str, Any]] | None = None


def detail_keys(side: Path) -> DetailKeys:
    """Read a details file for attach_detail_keys: in this process or another (it
    returns plain data). Raises PartMissing or PartDamaged as PartFile does."""
    with parts.PartFile(side, "details") as part:
        if part.one_line:  # written before a document had a line of its own: read whole
            return DetailKeys(whole=list(part.docs()))
        keys = DetailKeys()
        found = keys.found
        for doc, span in part.docs_and_spans(salvage=True):
            if doc is not None:
                # Each field asked for once, its type tested plainly (orjson makes no
                # subclasses): this loop runs once a paper of a large store at each ingest.
                paper_id, merge_keys, related = doc.get("id"), doc.get("keys"), doc.get("related")
                if type(paper_id) is str and type(merge_keys) is list and type(related) is list:
                    found[paper_id] = (merge_keys, related, span)
                    continue
            keys.damaged += 1  # a cut line, or JSON of another shape
        return keys


def attach_detail_keys(path: Path, data: StoreData, read: Callable[[Path], DetailKeys] = detail_keys) -> None:
    """What an ingest needs of the details file: each paper's merge keys, and where
    its document lies in the file (`_details_at`), not its abstract. Damaged lines
    are skipped (a warning counts them): they cost their own papers only. `read`
    may give what another process read meanwhile.

    The spans are read through data.spans: a save copies the documents of the papers
    the ingest left alone, and the merger reads the abstracts of those it joins
    (abstract_of). Adding a page to a store of 100,000 papers then holds no
    abstracts in memory and serializes none of them again. A lost or damaged file
    is a warning, as in attach_details.
    """

    def attach(side: Path) -> None:
        keys = read(side)
        if keys.whole is not None:
            _attach_whole(data, keys.whole)
            return
        if keys.damaged:
            # Each damaged line costs its own paper's abstract, not the others' (the
            # save writes every document it could read).
            data.warnings.append(f"{side}: {keys.damaged} damaged line(s) in the details file: those papers' "
                                 "abstracts are lost; ingest their pages again")
        name = str(side)
        for paper in data.papers:
            hit = keys.found.get(paper["id"])
            if hit is not None:
                paper["_keys"], paper["_related_keys"], (offset, length) = hit
                paper["_details_at"] = (name, offset, length)

    _with_details_file(path, data, attach)


def open_details(path: Path, data: StoreData) -> None:
    """Open the store's details file to read abstracts when asked for (StoreData.fill).

    What the app and the read-only commands use: the abstracts stay on disk. A
    missing or damaged file is a warning, as in attach_details.
    """

    def open_file(side: Path) -> None:
        data.details = Details(side)

    _with_details_file(path, data, open_file)


def _with_details_file(path: Path, data: StoreData, use: Callable[[Path], None]) -> None:
    """Use the details file once, if the store has one; a lost or damaged one becomes a warning."""
    if not data.details_loaded and data.details_file:
        side = path.with_name(data.details_file)
        try:
            use(side)
        except parts.PartMissing:
            data.warnings.append(f"{side}: details file missing: abstracts are not shown; ingest your pages again")
        except (parts.PartDamaged, KeyError):
            data.warnings.append(f"{side}: details file damaged: abstracts are not shown; ingest your pages again")
    data.details_loaded = True


def store_files(path: Path, data: StoreData) -> list[Path]:
    """The files that make up the store as loaded: the main file and its parts."""
    files = [path] + [path.with_name(name) for name in (data.papers_file, data.details_file) if name]
    return [file for file in files if file.exists()]


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


def _part_name(meta: dict[str, Any], part: str, path: Path, required: bool) -> str | None:
    """The name of the part file the main file gives, checked to be a file beside it:
    the name is the store's to write and remove, so a path elsewhere is refused."""
    name = meta.get(part)
    if name is None and not required:
        return None
    if not isinstance(name, str) or not name or name != Path(name).name or name in (".", "..") \
            or "\x00" in name or not name.startswith(path.name + "."):
        shown = repr(name) if isinstance(name, str) else "missing" if name is None else type(name).__name__
        raise StoreError(f"{path}: the '_meta' table names no {part} file beside the store ({shown}): "
                         f"{_RECOVER}")
    return name


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
    # Schemas 0 to 2 kept the papers in the main file (0 and 1 with their details),
    # which load reads as they are; the next save writes the current layout, after
    # keeping a copy of the old file (keep_backup). A read writes nothing.
    raw["_meta"] = {"1": {**_meta(raw), "schema": SCHEMA_VERSION}}
    return raw


def keep_backup(path: Path, version: int) -> None:
    """Copy a store of an older schema aside before its first save in the new one, under
    a name nothing holds yet (a folder or another file of that name is left alone)."""
    backup = path.with_name(f"{path.name}.v{version}.bak")
    number = 1
    while backup.exists() or backup.is_symlink():
        if backup.is_file() and not backup.is_symlink() and filecmp.cmp(backup, path, shallow=False):
            return  # kept already
        number += 1
        backup = path.with_name(f"{path.name}.v{version}.bak.{number}")
    shutil.copy2(path, backup)
