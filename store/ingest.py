"""Ingesting saved pages: read, detect, parse, merge into the store in one write."""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from store.collector import collector_paused
from store.formats import UnknownFormat, parse_lines
from store.merge import derive_authors, merge_papers, page_records
from store.persistence import (
    DetailKeys,
    StoreData,
    attach_detail_keys,
    attach_papers,
    detail_keys,
    load,
    save,
    write_lock,
)
from store.reading import PageError, expand_paths, read_page


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
    """Parse every path; merge what parsed into the store; report each file."""
    with collector_paused():
        return _ingest(store_path, paths)


# Parsing is most of an ingest's time; with several large files it runs on every
# core. Below these sizes starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 4
PARALLEL_MIN_BYTES = 4 * 1024 * 1024

Parsed = tuple[dict[str, Any], list[dict[str, Any]]]


def _ingest(store_path: Path, paths: list[Path]) -> IngestReport:
    report = IngestReport()
    parsed = []
    for file_report, result in _read_all(list(expand_paths(paths))):
        report.files.append(file_report)
        if result is not None:
            parsed.append(result)

    with write_lock(store_path):
        # The stored abstracts stay on disk: the save copies those of unchanged papers.
        data = load(store_path, with_papers=False, with_details=False)
        with _detail_keys_read_aside(store_path, data) as read_keys:
            attach_papers(store_path, data)
            attach_detail_keys(store_path, data, read_keys)
        report.warnings = data.warnings
        try:
            report.papers_before = len(data.papers)
            if parsed:
                data = merge_into(data, parsed)
                save(store_path, data)
        finally:
            if data.details_source is not None:
                data.details_source.close()
    report.papers_after = len(data.papers)
    report.authors_after = len(data.authors)
    return report


# A details file below this size is read in this process: starting another costs
# more than reading it (a store of 10,000 papers has a details file of 20 MB).
ASIDE_MIN_BYTES = 16 * 1024 * 1024


@contextlib.contextmanager
def _detail_keys_read_aside(store_path: Path, data: StoreData) -> Iterator[Callable[[Path], DetailKeys]]:
    """How to read the details file's merge keys: in another process, started now,
    while this one reads the papers (in a large store each takes about a second), or
    here when the file is small."""
    side = store_path.with_name(data.details_file) if data.details_file else None
    try:
        large = side is not None and side.stat().st_size >= ASIDE_MIN_BYTES
    except OSError:
        large = False  # missing: attach_detail_keys says so
    if large and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as reader:
            pending = reader.submit(detail_keys, side)
            yield lambda _: pending.result()
    else:
        yield detail_keys


def _read_all(jobs: list[tuple[Path, str | None]]) -> Iterator[tuple[FileReport, Parsed | None]]:
    """Each file's report and parsed records, in the order given."""
    if len(jobs) >= PARALLEL_MIN_FILES and (os.cpu_count() or 1) > 1 and _total_size(jobs) >= PARALLEL_MIN_BYTES:
        with (tempfile.TemporaryDirectory(prefix="litbrowse-ingest-") as spool,
              ProcessPoolExecutor(max_workers=min(os.cpu_count() or 2, 8), mp_context=get_context("fork")) as pool):
            for name in pool.map(partial(_read_one_to_file, spool=spool), jobs):
                yield _take_from_file(name)
    else:
        yield from map(_read_one, jobs)


def _read_one_to_file(job: tuple[Path, str | None], spool: str) -> str:
    """_read_one in a worker process, its result pickled to a file in spool: the name.

    A page's records (megabytes) pass through a file in one write and one read;
    through the pool's pipe they went 64 KB at a time, the worker waiting on the
    reader, which cost a tenth of the parsing time.
    """
    descriptor, name = tempfile.mkstemp(dir=spool)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pickle.dumps(_read_one(job), protocol=pickle.HIGHEST_PROTOCOL))
    return name


def _take_from_file(name: str) -> tuple[FileReport, Parsed | None]:
    with open(name, "rb") as handle:
        result = pickle.loads(handle.read())
    os.unlink(name)
    return result


def _total_size(jobs: list[tuple[Path, str | None]]) -> int:
    total = 0
    for path, skip_reason in jobs:
        if not skip_reason:
            with contextlib.suppress(OSError):
                total += path.stat().st_size
    return total


def _read_one(job: tuple[Path, str | None]) -> tuple[FileReport, Parsed | None]:
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
    page_info = {
        "source": path.name,
        "format": page.format,
        "owner": page.owner,
        "label": page.label,
        "profile": None if page.profile is None else asdict(page.profile),
    }
    return file_report, (page_info, records)


def merge_into(data: StoreData, parsed: list[Parsed]) -> StoreData:
    pages = dict(data.pages)
    records = list(data.papers)
    for page_info, page_papers in parsed:
        pages[page_info["source"]] = page_info
        records.extend(page_papers)
    papers = merge_papers(records, data.abstract_of)
    # The same store with new content: it keeps the names of the part files it was read
    # from, which the save leaves in place one generation for readers still on them.
    return replace(data, papers=papers, authors=derive_authors(papers, pages), pages=pages)
