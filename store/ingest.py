"""Ingesting saved pages: read, detect, parse, merge into the store in one write."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from store.formats import UnknownFormat, parse_text
from store.merge import derive_authors, merge_papers, page_records
from store.persistence import StoreData, load, save, write_lock
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

    @property
    def failed(self) -> bool:
        return any(f.error for f in self.files)


def ingest(store_path: Path, paths: list[Path]) -> IngestReport:
    """Parse every path; merge what parsed into the store; report each file."""
    report = IngestReport()
    parsed = []
    for path, skip_reason in expand_paths(paths):
        file_report = FileReport(path=str(path))
        report.files.append(file_report)
        if skip_reason:
            file_report.error = skip_reason
            continue
        try:
            text, warnings = read_page(path)
            page = parse_text(text)
        except (PageError, UnknownFormat) as error:
            file_report.error = str(error)
            continue
        except RecursionError:
            file_report.error = "page structure too deeply nested to parse"
            continue
        file_report.format = page.format
        file_report.warnings = warnings + page.warnings
        if not page.entries:
            file_report.error = f"looks like a {page.format} page but holds no papers"
            continue
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
        parsed.append((page_info, records))

    with write_lock(store_path):
        data = load(store_path)
        report.papers_before = len(data.papers)
        if parsed:
            data = merge_into(data, parsed)
            save(store_path, data)
    report.papers_after = len(data.papers)
    report.authors_after = len(data.authors)
    return report


def merge_into(data: StoreData, parsed: list[tuple[dict, list[dict]]]) -> StoreData:
    pages = dict(data.pages)
    records = list(data.papers)
    for page_info, page_papers in parsed:
        pages[page_info["source"]] = page_info
        records.extend(page_papers)
    papers = merge_papers(records)
    return StoreData(papers=papers, authors=derive_authors(papers, pages), pages=pages)
