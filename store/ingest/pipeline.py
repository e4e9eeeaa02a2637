"""Ingesting saved pages: parse them (store/ingest/parsing.py), merge them into the store, save it once.

The parsing, and then the writing of the part files, run in the ingest's helper
processes (store/ingest/helpers.py) when the pages are many and large enough for
that to pay: the helpers write the parts from the spool while the ingest derives the
authors, and the ingest itself never maps the spool's hundreds of megabytes. A large
store's merge keys are read by a helper too, while the ingest reads the papers: the
ingest then holds the keys, not the details file they are read from.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from store.disk.persistence import (
    DetailKeys,
    StoreData,
    StoreError,
    attach_detail_keys,
    attach_papers,
    detail_keys,
    load,
    write_lock,
)
from store.disk.saving import save, write_parts
from store.disk.spans import hand_over, process_spool, take_over
from store.ingest.helpers import Helpers, remove_dead_spools, spool_folder
from store.ingest.parsing import FileReport, Parsed, read_all, source_names
from store.merging.join import derive_authors, merge_papers
from store.model import Paper
from store.pages.reading import expand_paths
from store.search.kept_index import cache_name, remove_stale_indexes

__all__ = ["FileReport", "IngestReport", "ingest"]


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    papers_before: int = 0
    papers_after: int = 0
    authors_after: int = 0
    # What went wrong with the store itself but did not stop the ingest, one line each.
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(f.error for f in self.files)


# The papers of ingests that were told the process ends after them (leave_for_exit).
_left_for_exit: list[list[Paper]] = []


def ingest(store_path: Path, paths: list[Path], leave_for_exit: bool = False,
           parallel: bool | None = None) -> IngestReport:
    """Parse every path; merge what parsed into the store; report each file.

    Raises StoreError when the store cannot be written (a page that cannot be read
    is reported in its file's report instead).

    leave_for_exit is for a process that ends right after (the command line): the
    papers are not freed one by one, which at 100,000 papers takes a fifth of a
    second, but left to the system, which
    takes a process's memory back at once. That process must end with os._exit;
    the interpreter's own exit would free them anyway.

    parallel: parse in helper processes (True), here (False), or where that pays (None).
    """
    try:
        return _ingest(store_path, paths, leave_for_exit, parallel)
    except OSError as error:
        # A file in the store's folder (its lock, spool, parts) is named by the store;
        # the folder itself, or a file in the way of it, by its own name.
        named = Path(os.fsdecode(error.filename)) if isinstance(error.filename, (str, bytes)) else None
        inside = named is not None and named != store_path.parent and named.is_relative_to(store_path.parent)
        where = named if named is not None and not inside else store_path
        reason = "a file is in the way of a folder" if isinstance(error, FileExistsError) else error.strerror
        raise StoreError(f"{where}: cannot write the store: {reason or error}") from None


# A details file below this size is read in this process: starting another costs
# more than reading it (a store of 10,000 papers has a details file of 20 MB).
ASIDE_MIN_BYTES = 16 * 1024 * 1024


def _ingest(store_path: Path, paths: list[Path], leave_for_exit: bool, parallel: bool | None) -> IngestReport:
    report = IngestReport()
    # The names the store knows pages by, read before the parsing names the new ones (a
    # page saved under the name of another place's is told apart by its folders).
    known = load(store_path, with_papers=False, with_details=False).pages if store_path.exists() else {}
    jobs = source_names(list(expand_paths(paths)), known)
    with spool_folder(store_path) as spool, Helpers() as helpers:
        parsed = []
        for file_report, result in read_all(jobs, spool, helpers, parallel):
            report.files.append(file_report)
            if result is not None:
                parsed.append(result)

        with write_lock(store_path):
            remove_dead_spools(store_path)
            # The stored abstracts stay on disk: the save copies those of unchanged papers.
            data = load(store_path, with_papers=False, with_details=False)
            read_keys = _detail_keys_reader(store_path, data, helpers, spool)
            attach_papers(store_path, data, with_spans=True)
            attach_detail_keys(store_path, data, read_keys)
            report.warnings = data.warnings
            try:
                report.papers_before = report.papers_after = len(data.papers)
                report.authors_after = len(data.authors)
                if parsed:
                    _merge_and_save(store_path, data, parsed, helpers, spool, report, leave_for_exit)
            finally:
                data.spans.close()  # the stored parts and the spool files it mapped
    return report


def _merge_and_save(store_path: Path, data: StoreData, parsed: list[Parsed], helpers: Helpers,
                    spool: Path, report: IngestReport, leave_for_exit: bool) -> None:
    """Merge the parsed pages into the store and save it; the part files are written
    (by the helpers, when they run) while the authors are derived."""
    pages = dict(data.pages)
    records, data.papers = data.papers, []
    for page_info, page_papers in parsed:
        pages[page_info["source"]] = page_info
        records.extend(page_papers)
    parsed.clear()
    papers = merge_papers(records, data.complete)
    del records
    if helpers.started:
        part_names = write_parts(store_path, papers, helpers.pool(), process_spool(spool))
    else:  # forking them now would copy this process's pages as it writes to them
        part_names = write_parts(store_path, papers)
    # The same store with new content: it keeps the names of the part files it was read
    # from, which the save leaves in place one generation for readers still on them.
    saved = replace(data, papers=[], authors=derive_authors(papers, pages), pages=pages)
    report.papers_after, report.authors_after = len(papers), len(saved.authors)
    # The papers are freed here, while the helpers finish the part files, instead of
    # after the save: freeing 100,000 takes a fifth of a second. Unless the process
    # ends next: then not at all.
    if leave_for_exit:
        _left_for_exit.append(papers)
    del papers
    save(store_path, saved, part_names)
    # A search index kept for other part files will not be read again.
    remove_stale_indexes(store_path, keep=cache_name(store_path, saved.papers_file, saved.details_file))


def _detail_keys_reader(store_path: Path, data: StoreData, helpers: Helpers,
                        spool: Path) -> Callable[[Path], DetailKeys]:
    """How to read the details file's merge keys: by a helper, started now, while this
    process reads the papers (in a large store each takes about a second), or here
    when the file is small."""
    side = store_path.with_name(data.details_file) if data.details_file else None
    try:
        large = side is not None and side.stat().st_size >= ASIDE_MIN_BYTES
    except OSError:
        large = False  # missing: attach_detail_keys says so
    if large and helpers.available:
        pending = helpers.pool().submit(_read_detail_keys_to_file, side, spool)
        return lambda _: DetailKeys(**take_over(pending.result()))
    return detail_keys


def _read_detail_keys_to_file(side: Path, spool: Path) -> str:
    """detail_keys in a helper, handed over through a file in the spool (hand_over): the
    pool's pipe pickles 64 KB at a time in a thread that takes turns with the reading of
    the papers, and takes twice as long for the keys of a large store."""
    return hand_over(spool, vars(detail_keys(side)))  # its plain fields, by name
