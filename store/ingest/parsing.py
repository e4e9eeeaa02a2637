"""Parsing saved pages into records, on every core for a large ingest.

Each page is read, detected and parsed in one of the ingest's helper processes (or
here, for a few small files); its records come back through a file in the spool,
and the documents the save will copy are serialized there too (store/disk/spans.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from store.disk.spans import Spool, hand_over, process_spool, take_over
from store.ingest.helpers import Helpers
from store.merging.join import page_records
from store.model import Paper
from store.pages import UnknownFormat, parse_lines
from store.pages.reading import PageError, read_page
from store.records import details_doc, working_record


@dataclass
class FileReport:
    path: str
    format: str | None = None
    papers: int = 0
    authors: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


# Parsing is most of an ingest's time; with several large files it runs on every
# core. Below these sizes starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 4
PARALLEL_MIN_BYTES = 4 * 1024 * 1024

# A page's parsed part: its page record (source, format, owner, label, profile) and its papers.
Parsed = tuple[dict[str, Any], list[dict[str, Any]]]
# A file to read, with the reason it is skipped, if it is (reading.expand_paths), and
# the name it is known by in the store (its source).
Job = tuple[Path, str | None, str]


def read_all(jobs: list[Job], spool: Path, helpers: Helpers,
             parallel: bool | None = None) -> Iterator[tuple[FileReport, Parsed | None]]:
    """Each file's report and parsed records, in the order given; parsed in the helpers
    when `parallel`, or (None) when the pages are many and large enough for that to pay."""
    sizes = [_size(job) for job in jobs]
    if parallel is None:
        parallel = len(jobs) >= PARALLEL_MIN_FILES and sum(sizes) >= PARALLEL_MIN_BYTES
    if parallel and helpers.available:
        for name in helpers.pool().map(partial(_read_run_to_file, spool=spool), _runs(jobs, sizes)):
            yield from _take_from_file(name)
    else:
        yield from (_read_one(job, spool) for job in jobs)


# The helpers take the pages in runs of about this many bytes. A page sent alone costs a
# round trip through the pool (its job handed out, its result taken back, by threads
# of this process that wait their turn for the interpreter): about a millisecond, in
# which its helper waits for the next job, and as long as parsing a small page takes.
# A large page is a run of its own.
RUN_BYTES = 256 * 1024


def _runs(jobs: list[Job], sizes: list[int]) -> Iterator[list[Job]]:
    """The jobs in order, cut into runs of at least RUN_BYTES (the last one may be less)."""
    run: list[Job] = []
    run_bytes = 0
    for job, size in zip(jobs, sizes, strict=True):
        run.append(job)
        run_bytes += size
        if run_bytes >= RUN_BYTES:
            yield run
            run, run_bytes = [], 0
    if run:
        yield run


def _read_run_to_file(run: list[Job], spool: Path) -> str:
    """_read_one of each job of a run, in a worker process; the results are handed over
    through a file in spool (a page's records are megabytes): the file's name."""
    results = []
    for job in run:
        file_report, parsed = _read_one(job, spool)
        results.append((vars(file_report), parsed))  # plain fields: vars, not asdict's deep copy
    return hand_over(spool, results)


def _take_from_file(name: str) -> Iterator[tuple[FileReport, Parsed | None]]:
    for file_report, parsed in take_over(name):
        yield FileReport(**file_report), parsed


def _size(job: Job) -> int:
    path, skip_reason, _ = job
    if not skip_reason:
        with contextlib.suppress(OSError):
            return path.stat().st_size
    return 0


def _read_one(job: Job, spool: Path) -> tuple[FileReport, Parsed | None]:
    """Read, detect and parse one file; the report says what happened to it."""
    path, skip_reason, source = job
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
    if not page.entries and not (page.owner and page.profile):
        # A page with its owner's profile alone (an older research.google page) adds the person.
        file_report.error = f"looks like a {page.format} page but holds no papers"
        return file_report, None
    records = page_records(page, source)
    file_report.papers = len(records)
    names = {name for record in records for name in record["authors"]}
    file_report.authors = len(names | ({page.owner} if page.owner else set()))
    records = _spool_documents(records, process_spool(spool))
    page_info = {
        "source": source,
        "path": _where(path),
        "format": page.format,
        "owner": page.owner,
        "label": page.label,
        "profile": None if page.profile is None else dict(vars(page.profile)),  # plain fields
    }
    return file_report, (page_info, records)


def _where(path: Path) -> str:
    with contextlib.suppress(OSError, RuntimeError):  # RuntimeError: a link loop
        return str(path.resolve())
    return str(path.absolute())


def source_names(jobs: list[tuple[Path, str | None]], pages: dict[str, dict[str, Any]]) -> list[Job]:
    """Each file with the name it is known by: its file name, unless a page of another
    place already has that name (in the store or earlier in this ingest); then its
    folders before it, as many as tell the two apart ('b/page.txt'). A page the store
    holds with no place recorded is taken to be the one of its name."""
    taken = {source: page.get("path") for source, page in pages.items()}
    named: list[Job] = []
    for path, skip_reason in jobs:
        where = _where(path)
        parts = Path(where).parts
        for depth in range(1, len(parts) + 1):
            source = "/".join(parts[-depth:]).lstrip("/") or path.name
            owner = taken.get(source, where)
            if owner in (None, where):
                break
        taken[source] = where
        named.append((path, skip_reason, source))
    return named


def _spool_documents(records: list[Paper], spool: Spool) -> list[Paper]:
    """Each record's details document, and its papers-file line when merging cannot
    change it, serialized here (on every core) to the spool: the records, each as the
    ingest keeps it. A record keeps their spans instead of its abstract and of the
    fields only the line needs: the save copies them when the paper is not joined with
    another (StoreData.complete reads them back when it is), and the ingest process
    reads and holds less."""
    kept = []
    for record in records:
        details_at = spool.add(details_doc(record))
        del record["abstract"]
        if record["_related_keys"]:  # merging resolves them: its line is made at the save
            record["_details_at"] = details_at
            kept.append(record)
            continue
        # Less its keys, the record is its line (entry_record's field order).
        keys, related_keys = record.pop("_keys"), record.pop("_related_keys")
        if record["display_title"] == record["title"]:
            del record["display_title"]  # as stored_form leaves it out
        working = working_record(record | {"_keys": keys, "_related_keys": related_keys})
        working["_details_at"], working["_stored_at"] = details_at, spool.add(record)
        kept.append(working)
    spool.flush()
    return kept

