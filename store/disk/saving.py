"""Writing the store (its layout is persistence.py's): each part file under a name
taken from its content, then the main file naming them, replaced atomically.

An ingest writes the parts mostly by copying documents that are serialized
already, known by their spans (store/disk/spans.py): the stored papers' lines, and the
new papers' that the parsing processes spooled.
"""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path

import orjson
from tinydb import TinyDB

from store.disk import parts
from store.disk.parts import Doc
from store.disk.persistence import PARTS, SCHEMA_VERSION, StoreData, keep_backup
from store.disk.spans import Span, SpanReader, Spool, hand_over, take_over
from store.disk.storage import OrjsonStorage, remove_abandoned, write_named_by_content
from store.model import Paper
from store.records import details_doc, stored_form

__all__ = ["save", "write_parts"]


PartNames = Callable[[], dict[str, str]]


def write_parts(path: Path, papers: list[Paper], helpers: Executor | None = None,
                spool: Spool | None = None) -> PartNames:
    """Start writing the part files of these papers; the call returned waits for
    their names (for save). Call it holding write_lock: a temporary file no one
    holds then is a dead writer's.

    A paper with a span for its document ('_stored_at', '_details_at') has that
    document copied; the others are serialized. With helper processes (and a spool
    for the documents serialized here), each part is written by a helper while this
    process goes on (an ingest derives the authors meanwhile); without, both are
    written now, side by side.
    """
    remove_abandoned(path.parent, "." + glob.escape(path.name) + ".*.tmp")
    if helpers is not None and spool is not None:
        pending = {}
        for part in reversed(PARTS):  # the details first: the larger part finishes last
            plan = _part_items(papers, part, spool.add)
            spool.flush()
            pending[part] = helpers.submit(_write_part_behind, path, part, hand_over(spool.folder, plan))
        return lambda: {part: pending[part].result() for part in PARTS}
    # The two parts are written side by side: while one thread waits on the disk
    # (writes, hashing and fsync release the GIL), the other makes its bytes.
    with ThreadPoolExecutor(max_workers=1) as writer:
        papers_name = writer.submit(write_part, path, "papers", _part_items(papers, "papers"))
        details_name = write_part(path, "details", _part_items(papers, "details"))
        names = {"papers": papers_name.result(), "details": details_name}
    return lambda: names


def _part_items(papers: list[Paper], part: str,
                spooled: Callable[[Doc], Span] | None = None) -> list[Doc | Span]:
    """Each paper's document in the part: its span, or the document to serialize (for
    a helper, which copies spans only, serialized now onto the spool: `spooled`).

    One pass over the papers: in an ingest, on its one busy core (a span is never empty).
    """
    span_key, document = _PART_DOCUMENTS[part]
    made = document if spooled is None else lambda paper: spooled(document(paper))
    return [paper.get(span_key) or made(paper) for paper in papers]


def _write_part_behind(path: Path, part: str, plan: str) -> str:
    """write_part in a helper process, of the spans handed over in the file `plan`
    (hand_over), yielding the processor to the process that waits for it: that
    one derives the authors meanwhile, and the save needs both."""
    os.nice(15)
    return write_part(path, part, take_over(plan))


def write_part(path: Path, part: str, items: Iterable[Doc | Span]) -> str:
    """Write one part file (a TinyDB file with one table) from its documents or their
    spans, and return its name (in a helper process, through _write_part_behind).

    Named by content: saving the same content again names the same file, which is
    left as it is, and a save that changes nothing changes no byte.
    """
    with SpanReader() as reader:
        return write_named_by_content(path.parent, f"{path.name}.{part}", parts.lines(part, items, reader.view))


def save(path: Path, data: StoreData, part_names: PartNames | None = None) -> None:
    """Replace the main file in one atomic write, naming the part files: those being
    written (part_names, from write_parts), or written now. Call it holding write_lock.
    The store's new part names are in data afterwards.
    """
    names_of = part_names or write_parts(path, data.papers)
    # The tables are serialized while the part files may still be being written; the
    # part names they wait for go first in the file (TinyDB's order: _meta, authors, pages).
    tables = orjson.dumps({
        "authors": {str(i): a for i, a in enumerate(data.authors, start=1)},
        "pages": {str(i): data.pages[s] for i, s in enumerate(sorted(data.pages), start=1)},
    })
    names = names_of()
    if data.migrated_from is not None:
        keep_backup(path, data.migrated_from)
    meta = orjson.dumps({"_meta": {"1": {"schema": SCHEMA_VERSION, **names}}})
    TinyDB(path, storage=OrjsonStorage).storage.write_serialized(meta[:-1] + b"," + tables[1:])
    for part in PARTS:
        _remove_part_files(path, part, keep={names[part], getattr(data, f"{part}_file")})
    data.papers_file, data.details_file = names["papers"], names["details"]


# Each part's span in a paper, and the document to serialize when it has none.
_PART_DOCUMENTS: dict[str, tuple[str, Callable[[Paper], Doc]]] = {
    "details": ("_details_at", details_doc), "papers": ("_stored_at", stored_form)}


def _remove_part_files(path: Path, part: str, keep: set[str | None]) -> None:
    for side in path.parent.glob(glob.escape(path.name) + f".{part}.*"):
        if side.name not in keep:
            with contextlib.suppress(OSError):
                side.unlink()
