"""Ingesting saved pages: read, detect, parse, merge into the store in one write."""

from __future__ import annotations

import contextlib
import glob
import marshal
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson

from store.collector import collector_paused
from store.formats import UnknownFormat, parse_lines
from store.merge import WORKING_FIELDS, derive_authors, merge_papers, page_records
from store.model import Paper
from store.persistence import (
    STORED_FIELDS,
    DetailKeys,
    StoreData,
    StoreError,
    attach_detail_keys,
    attach_papers,
    detail_keys,
    details_doc,
    load,
    save,
    stored_form,
    write_lock,
    write_parts,
)
from store.reading import PageError, expand_paths, read_page
from store.spans import SpanReader, Spool, close_process_spool, process_spool


@dataclass
class FileReport:
    path: str
    format: str | None = None
    papers: int = 0
    authors: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


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


def ingest(store_path: Path, paths: list[Path]) -> IngestReport:
    """Parse every path; merge what parsed into the store; report each file.

    Raises StoreError when the store cannot be written (a page that cannot be read
    is reported in its file's report instead).
    """
    with collector_paused():
        try:
            return _ingest(store_path, paths)
        except OSError as error:
            # A file of the store's own (its lock, spool, parts) is named by the store.
            named = error.filename and Path(os.fsdecode(error.filename))
            where = named if named and named.parent != store_path.parent else store_path
            reason = "a file is in the way of a folder" if isinstance(error, FileExistsError) else error.strerror
            raise StoreError(f"{where}: cannot write the store: {reason or error}") from None


# Parsing is most of an ingest's time; with several large files it runs on every
# core. Below these sizes starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 4
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
# A details file below this size is read in this process: starting another costs
# more than reading it (a store of 10,000 papers has a details file of 20 MB).
ASIDE_MIN_BYTES = 16 * 1024 * 1024

Parsed = tuple[dict[str, Any], list[dict[str, Any]]]


def _ingest(store_path: Path, paths: list[Path]) -> IngestReport:
    report = IngestReport()
    jobs = list(expand_paths(paths))
    with _spool_folder(store_path) as spool, Helpers() as helpers:
        parsed = []
        for file_report, result in _read_all(jobs, spool, helpers):
            report.files.append(file_report)
            if result is not None:
                parsed.append(result)

        with write_lock(store_path):
            _remove_dead_spools(store_path)
            # The stored abstracts stay on disk: the save copies those of unchanged papers.
            data = load(store_path, with_papers=False, with_details=False)
            data.spans = SpanReader()  # the stored parts' and the spool's documents
            read_keys = _detail_keys_reader(store_path, data, helpers)
            attach_papers(store_path, data, with_spans=True)
            attach_detail_keys(store_path, data, read_keys)
            report.warnings = data.warnings
            try:
                report.papers_before = report.papers_after = len(data.papers)
                report.authors_after = len(data.authors)
                if parsed:
                    _merge_and_save(store_path, data, parsed, helpers, spool, report)
            finally:
                if data.spans is not None:
                    data.spans.close()
    return report


def _merge_and_save(store_path: Path, data: StoreData, parsed: list[Parsed], helpers: Helpers,
                    spool: Path, report: IngestReport) -> None:
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
    # after the save: freeing 100,000 takes a fifth of a second.
    del papers
    save(store_path, saved, part_names)


class Helpers:
    """The ingest's worker processes: they parse pages, read a large store's merge keys,
    and write the part files.

    Forked at their first job, which comes while this process is small (before it
    holds the store): a fork later would make each page it touches afterwards a copy.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    @property
    def available(self) -> bool:
        return (os.cpu_count() or 1) > 1

    @property
    def started(self) -> bool:
        return self._pool is not None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=min(os.cpu_count() or 2, 8), mp_context=get_context("fork"),
                                             initializer=_leave_interrupts_to_the_ingest)
        return self._pool

    def __enter__(self) -> Helpers:
        return self

    def __exit__(self, *_: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def _leave_interrupts_to_the_ingest() -> None:
    """In a helper: a Ctrl-C (sent to every process of the terminal's job) is the ingest's
    to handle; it stops the helpers when it stops. A helper waiting for work would
    otherwise die of it with a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _spool_folder(store_path: Path) -> Iterator[Path]:
    """A folder beside the store for what the parsing processes hand over: each
    page's records, and the documents they serialized (store/spans.py).

    Named with this process's id: a spool whose process is gone (killed mid-ingest)
    is removed by the next ingest.
    """
    store_path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{_spool_prefix(store_path)}{os.getpid()}-", dir=store_path.parent))
    try:
        yield folder
    finally:
        close_process_spool(folder)
        shutil.rmtree(folder, ignore_errors=True)


def _spool_prefix(store_path: Path) -> str:
    return f".{store_path.name}.spool-"


def _remove_dead_spools(store_path: Path) -> None:
    """Remove the spool folders of ingests that died (call it holding the store's lock)."""
    prefix = _spool_prefix(store_path)
    for folder in store_path.parent.glob(glob.escape(prefix) + "*"):
        pid = folder.name[len(prefix):].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _detail_keys_reader(store_path: Path, data: StoreData, helpers: Helpers) -> Callable[[Path], DetailKeys]:
    """How to read the details file's merge keys: by a helper, started now, while this
    process reads the papers (in a large store each takes about a second), or here
    when the file is small."""
    side = store_path.with_name(data.details_file) if data.details_file else None
    try:
        large = side is not None and side.stat().st_size >= ASIDE_MIN_BYTES
    except OSError:
        large = False  # missing: attach_detail_keys says so
    if large and helpers.available:
        pending = helpers.pool().submit(detail_keys, side)
        return lambda _: pending.result()
    return detail_keys


def _read_all(jobs: list[tuple[Path, str | None]], spool: Path,
              helpers: Helpers) -> Iterator[tuple[FileReport, Parsed | None]]:
    """Each file's report and parsed records, in the order given."""
    if len(jobs) >= PARALLEL_MIN_FILES and helpers.available and _total_size(jobs) >= PARALLEL_MIN_BYTES:
        for name in helpers.pool().map(partial(_read_one_to_file, spool=spool), jobs):
            yield _take_from_file(name)
    else:
        yield from (_read_one(job, spool) for job in jobs)


def _read_one_to_file(job: tuple[Path, str | None], spool: Path) -> str:
    """_read_one in a worker process, its result written to a file in spool: the name.

    A page's records (megabytes) pass through a file in one write and one read;
    through the pool's pipe they went 64 KB at a time, the worker waiting on the
    reader, which cost a tenth of the parsing time. They are plain data, which
    marshal reads back in two thirds of pickle's time (the same interpreter wrote it).
    """
    file_report, parsed = _read_one(job, spool)
    descriptor, name = tempfile.mkstemp(dir=spool)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(marshal.dumps((asdict(file_report), parsed)))
    return name


def _take_from_file(name: str) -> tuple[FileReport, Parsed | None]:
    with open(name, "rb") as handle:
        file_report, parsed = marshal.loads(handle.read())
    os.unlink(name)
    return FileReport(**file_report), parsed


def _total_size(jobs: list[tuple[Path, str | None]]) -> int:
    total = 0
    for path, skip_reason in jobs:
        if not skip_reason:
            with contextlib.suppress(OSError):
                total += path.stat().st_size
    return total


def _read_one(job: tuple[Path, str | None], spool: Path) -> tuple[FileReport, Parsed | None]:
    """Read, detect and parse one file; the report says what happened to it."""
    path, skip_reason = job
    file_report = FileReport(path=str(path))
    if skip_reason:
        file_report.error = skip_reason
        return file_report, None
    try:
        lines, warnings = read_page(path)
        page = parse_lines(lines)
    except (PageError, UnknownFormat) as error:
        file_report.error = str(error)
        return file_report, None
    except RecursionError:
        file_report.error = "page structure too deeply nested to parse"
        return file_report, None
    file_report.format = page.format
    file_report.warnings = warnings + page.warnings
    if not page.entries:
        file_report.error = f"looks like a {page.format} page but holds no papers"
        return file_report, None
    records = page_records(page, path.name)
    file_report.papers = len(records)
    names = {name for record in records for name in record["authors"]}
    file_report.authors = len(names | ({page.owner} if page.owner else set()))
    _spool_documents(records, process_spool(spool))
    page_info = {
        "source": path.name,
        "format": page.format,
        "owner": page.owner,
        "label": page.label,
        "profile": None if page.profile is None else asdict(page.profile),
    }
    return file_report, (page_info, records)


def _spool_documents(records: list[Paper], spool: Spool) -> None:
    """Each record's details document, and its papers-file line when merging cannot
    change it, serialized here (on every core) to the spool. The record keeps their
    spans instead of its abstract and of the fields only the line needs: the save
    copies them when the paper is not joined with another (StoreData.complete reads
    them back when it is), and the ingest process reads and holds less."""
    dumps = orjson.dumps
    for record in records:
        record["_details_at"] = spool.add(dumps(details_doc(record)))
        del record["abstract"]
        if not record["_related_keys"]:
            record["related"] = []  # what merging gives a paper that lists none
            record["_stored_at"] = spool.add(dumps(stored_form(record)))
            for name in _IN_THE_LINE_ONLY:
                del record[name]
    spool.flush()


_IN_THE_LINE_ONLY = tuple(name for name in STORED_FIELDS if name not in WORKING_FIELDS)
