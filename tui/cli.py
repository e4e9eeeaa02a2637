"""The `litbrowse` command line. Imports no textual: only the app command loads it."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import stat
import sys
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any, NoReturn

import orjson

from store.collector import adopt_policy
from store.disk import persistence
from store.disk.persistence import (
    StoreData,
    StoreError,
    attach_papers,
    load,
    open_details,
    papers_by_id,
    store_files,
)
from store.model import PAPER_FIELDS, newest_first
from store.paths import STORE_ENV, bundled_seeds, default_store_path
from store.text import name_key, printable, surname_key
from tui import tables


class _Parser(argparse.ArgumentParser):
    def format_help(self) -> str:
        # The default store's path is worked out for the help only: finding the user's
        # data folder imports platformdirs (15 ms), which a command given --store skips.
        self.epilog = f"Without a command, opens the app. The store defaults to ${STORE_ENV} or {default_store_path()}."
        return super().format_help()


def _non_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _path(text: str) -> Path:
    # Path('') is the current folder: an unset variable ('$PAGES') must not ingest it.
    return Path(_non_empty(text))


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class _Version(argparse.Action):
    """--version: the installed package's version, looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print litbrowse's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("litbrowse")
        except PackageNotFoundError:  # run from a checkout that is not installed
            number = "unknown (not installed)"
        print(f"litbrowse {number}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="litbrowse",
        description="Browse researcher pages saved from the web: authors, papers, fuzzy search.",
    )
    parser.add_argument("--version", action=_Version)
    parser.add_argument("--store", type=_path, help=f"the store file (default: ${STORE_ENV} or the user data folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=argparse.ArgumentParser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--json", action="store_true", help="print JSON for scripts")
        return sub

    ingest = command("ingest", "parse saved pages (files or folders) into the store")
    ingest.add_argument("paths", nargs="+", type=_path, metavar="PATH")
    authors = command("authors", "list the authors")
    authors.add_argument("--sort", choices=("papers", "name", "surname"), default="papers")
    papers = command("papers", "list papers, all or one author's")
    papers.add_argument("--author", type=_non_empty, metavar="NAME", help="an author's name, alias or id")
    papers.add_argument("--no-abstracts", action="store_true",
                        help="with --json: leave the abstracts out (faster); the key is then absent, never null")
    show = command("show", "show one paper or author by id")
    show.add_argument("id")
    show.add_argument("--bibtex", action="store_true", help="print the paper as BibTeX")
    search = command("search", "fuzzy search titles, authors, venues, comments and abstracts")
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=_at_least_one, default=20, metavar="N")
    export = command("export", "write papers to a file: all, a search's (same query as search) or an author's")
    export.add_argument("query", nargs="*", help="a search query; without one, every paper")
    export.add_argument("--author", type=_non_empty, metavar="NAME", help="an author's papers (name, alias or id)")
    export.add_argument("--format", choices=("bibtex", "json", "csl-json"), default="bibtex")
    export.add_argument("-o", "--output", type=_path, metavar="FILE",
                        help="the file to write (default: standard output)")
    command("stats", "count what the store holds")
    app = commands.add_parser("app", help="open the app (the default)")
    app.set_defaults(json=False)
    return parser


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def fail(message: str) -> int:
    print(f"litbrowse: {printable(message)}", file=sys.stderr)
    return 1


# The JSON is indented as json.dumps(indent=2) would, in UTF-8, by orjson: the standard
# module's indenting encoder is written in Python (ten times slower at 100,000 papers).
def emit_json(value: Any) -> None:
    _write_bytes(_escape_unseen(orjson.dumps(value, option=orjson.OPT_INDENT_2)) + b"\n")


# What JSON may carry raw but a terminal acts on (C1 controls such as U+009B, which
# starts an escape sequence, DEL) or hides (line and direction marks): written as \u escapes.
_UNSEEN = re.compile(rb"\xc2[\x80-\x9f]|\x7f|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def _escape_unseen(data: bytes) -> bytes:
    if b"\xc2" not in data and b"\x7f" not in data and b"\xe2" not in data:
        return data
    return _UNSEEN.sub(lambda m: b"\\u%04x" % ord(m.group().decode()), data)


def emit_json_list(items: Iterable[Any], batch: int = 1000) -> None:
    """A JSON list, written a batch of items at a time (the same bytes as emit_json of
    the whole list): `papers --json` at 100,000 papers holds one batch's text, not
    all of it."""
    items = iter(items)
    opening = b"["
    while chunk := list(islice(items, batch)):
        # A batch's text is '[\n  item,\n  item\n]': the items go on from the last batch.
        _write_bytes(opening + _escape_unseen(orjson.dumps(chunk, option=orjson.OPT_INDENT_2))[1:-2])
        opening = b","
    _write_bytes(b"[]\n" if opening == b"[" else b"\n]\n")


def _write_bytes(data: bytes) -> None:
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if buffer is None:  # a stream of text only (a caller's redirect_stdout)
        out.write(data.decode())
        return
    out.flush()  # what was written as text goes first
    buffer.write(data)


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def public_paper(paper: dict[str, Any], with_abstract: bool = True) -> dict[str, Any]:
    """A paper in the JSON contract: every field, in the documented order. Its abstract
    is null only where the page has none; without it the key is left out."""
    return {name: paper.get(name) for name in PAPER_FIELDS if with_abstract or name != "abstract"}


def run() -> None:
    """The litbrowse command (the process's entry point, through tui/entry.py)."""
    closed = sys.stdout is None  # started with its standard output closed ('>&-')
    if closed:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (the process's output until it ends)
    try:
        code = main(process_ends=True)
    except KeyboardInterrupt:  # before a command began (reading the arguments)
        code = 130
    if closed and code == 0:
        code = fail("cannot write the output: standard output is closed")
    sys.exit(flush_output(code))


def main(argv: list[str] | None = None, process_ends: bool = False) -> int:
    """The command line; process_ends when nothing runs in this process after it."""
    adopt_policy()
    args = build_parser().parse_args(argv)
    store_path: Path = (args.store or default_store_path()).expanduser()
    command = args.command or "app"
    try:
        check_store_path(store_path)
        if command == "app" and not has_terminal():
            # From cron, a pipe or </dev/null the app would draw to no screen, for ever.
            print("litbrowse: the app needs a terminal; scripts use the commands (litbrowse --help)",
                  file=sys.stderr)
            return 2
        if command == "ingest":
            code = run_ingest(store_path, args, leave_for_exit=process_ends)
            if process_ends:
                end_process(code)
            return code
        if not store_path.exists():
            if args.store is not None:
                # A mistyped --store is an error: only the default store starts with the samples.
                where = "its folder does not exist" if not store_path.parent.is_dir() else "ingest pages into it first"
                return fail(f"{store_path}: no store there ({where})")
            ingest_bundled_seeds(store_path)
        if command == "app":
            from tui.app import run_app

            return run_app(store_path)
        # Each command reads only the store files it needs: the details (abstracts) are
        # the largest, and are read a paper at a time; `show` and `papers --author` read
        # their papers one by one (papers_by_id).
        data = load(store_path, with_papers=command in ("search", "stats", "export"), with_details=False)
        if command in ("show", "search"):
            open_details(store_path, data)
        for warning in data.warnings:
            print(f"litbrowse: warning: {printable(warning)}", file=sys.stderr)
        return {"authors": run_authors, "papers": run_papers, "show": run_show, "search": run_search,
                "stats": run_stats, "export": run_export}[command](data, args, store_path)
    except StoreError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `litbrowse papers | head`: the reader left; not an error worth a traceback.
        drop_output()
        return 0
    except OSError as error:
        if error.filename is not None:
            raise
        return output_failed(error)


_KINDS = {stat.S_IFIFO: "a pipe", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket",
          stat.S_IFDIR: "a folder"}


def check_store_path(store_path: Path) -> None:
    """Raises StoreError unless the store is a regular file or absent: a pipe would hang
    every command, and a device (/dev/null) would be replaced by the store's file."""
    try:
        mode = store_path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return  # absent: what each command does then is its own
    except OSError as error:
        raise StoreError(f"{store_path}: cannot read the store: {error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise StoreError(f"{store_path}: not a store file but {kind}; give --store a file's path")


def ingest_bundled_seeds(store_path: Path) -> None:
    """First run: an empty store gets the sample pages, so there is something to browse."""
    from store.ingest.pipeline import ingest

    report = ingest(store_path, [bundled_seeds()])
    print(f"litbrowse: first run: ingested {report.papers_after} papers from the bundled sample pages into "
          f"{store_path}", file=sys.stderr)


def flush_output(code: int) -> int:
    """Flush the output, and the exit status: a failure is said in one line here, where
    at the interpreter's exit it is a stray message and status 120."""
    try:
        sys.stdout.flush()
    except KeyboardInterrupt:  # Ctrl-C as the last of the output goes
        drop_output()
        return 130
    except BrokenPipeError:
        drop_output()  # the reader left (`litbrowse papers | head`), as main takes it
    except OSError as error:
        return output_failed(error)
    return code


def output_failed(error: OSError) -> int:
    """The output cannot be written (a full disk under `> report.txt`): said once."""
    drop_output()
    return fail(f"cannot write the output: {error.strerror or error}")


def drop_output() -> None:
    """Send what is left of the output nowhere: the interpreter's exit would try to
    write it again, and fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def end_process(code: int) -> NoReturn:
    """End the process now, its output flushed: after an ingest that left its papers in
    memory (leave_for_exit), the interpreter's exit would free them one by one."""
    code = flush_output(code)
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


def run_ingest(store_path: Path, args: argparse.Namespace, leave_for_exit: bool = False) -> int:
    from store.ingest.pipeline import ingest

    report = ingest(store_path, args.paths, leave_for_exit=leave_for_exit)
    if args.json:
        emit_json({
            "files": [vars(f) for f in report.files],
            "papers": report.papers_after,
            "new_papers": report.papers_after - report.papers_before,
            "authors": report.authors_after,
            "store": str(store_path),
            "warnings": report.warnings,
        })
    else:
        tables.print_ingest(report, store_path)
    for warning in report.warnings:
        print(f"litbrowse: warning: {printable(warning)}", file=sys.stderr)
    for failed in (f for f in report.files if f.error):
        print(f"litbrowse: {printable(failed.path)}: {printable(failed.error or '')}", file=sys.stderr)
    return 1 if report.failed else 0


def run_authors(data: StoreData, args: argparse.Namespace, _: Path) -> int:
    if args.sort == "name":
        authors = sorted(data.authors, key=lambda a: a["display_name"].casefold())
    elif args.sort == "surname":
        authors = sorted(data.authors, key=lambda a: (a["kind"] == "page", surname_key(a["display_name"])
                                                      if a["name"] else (a["display_name"].casefold(), "")))
    else:
        authors = sorted(data.authors, key=lambda a: (not a["owner"], -len(a["papers"]), a["display_name"].casefold()))
    if args.json:
        emit_json_list(public(a) for a in authors)
    else:
        tables.print_authors(authors)
    return 0


def find_author(data: StoreData, wanted: str) -> dict[str, Any] | None:
    key = name_key(wanted)
    for author in data.authors:
        if author["id"] == wanted or (author["name"] and any(name_key(a) == key for a in author["aliases"])):
            return author
    return None


def run_papers(data: StoreData, args: argparse.Namespace, store_path: Path) -> int:
    if args.author:
        author = find_author(data, args.author)
        if author is None:
            return fail(f"no author named '{args.author}' (see `litbrowse authors`)")
        by_id = papers_by_id(store_path, data, author["papers"])
        papers = [by_id[i] for i in author["papers"] if i in by_id]
    else:
        attach_papers(store_path, data)
        papers = newest_first(data.papers)
    if args.json:
        with_abstracts = not args.no_abstracts
        if with_abstracts:
            _fill_abstracts(store_path, data, papers)
        emit_json_list(public_paper(p, with_abstracts) for p in papers)
    else:
        tables.print_papers(papers)
    return 0


def _fill_abstracts(store_path: Path, data: StoreData, papers: list[dict[str, Any]]) -> None:
    """Each paper's abstract from the details file (None where the page has none)."""
    said = len(data.warnings)  # main has said these
    open_details(store_path, data)
    for warning in data.warnings[said:]:
        print(f"litbrowse: warning: {printable(warning)}", file=sys.stderr)
    if data.details is None:
        return
    if len(papers) > persistence.FIND_AT_MOST:  # then one pass over the file beats finding each
        abstracts = dict(data.details.abstracts())
        for paper in papers:
            paper["abstract"] = abstracts.get(paper["id"])
    else:
        for paper in papers:
            data.fill(paper)


def run_show(data: StoreData, args: argparse.Namespace, store_path: Path) -> int:
    # The authors first: they are in memory, and an id that is not a paper's costs a
    # read of every paper's id (a paper's and an author's ids never meet: p:, a:, page:).
    author = None if args.bibtex else next((a for a in data.authors if a["id"] == args.id), None)
    if author is not None:
        emit_json(public(author)) if args.json else tables.print_author(author)
        return 0
    paper = papers_by_id(store_path, data, [args.id]).get(args.id)
    if paper is None:
        return fail(f"no paper {'or author ' if not args.bibtex else ''}with id '{args.id}' "
                    "(ids are listed by `litbrowse papers` and `litbrowse authors`)")
    data.fill(paper)
    if args.bibtex:
        from store.export.bibtex import cite_keys, to_bibtex

        attach_papers(store_path, data)  # a key is unique among the store's papers
        sys.stdout.write(to_bibtex(paper, cite_keys(data.papers).get(paper["id"])))
        return 0
    if args.json:
        emit_json(public_paper(paper))
    else:
        related = papers_by_id(store_path, data, paper.get("related") or ())
        tables.print_paper(paper, {paper_id: p["display_title"] for paper_id, p in related.items()})
    return 0


def _search_row(data: StoreData, result: Any) -> dict[str, Any]:
    """The paper (every field, as `papers --json` gives it) and how it matched: 'score' is
    the search's, the page's own score goes as 'paper_score'."""
    row = public_paper(data.fill(result.paper))
    row["paper_score"] = row.pop("score")
    return row | result.as_json()


def run_search(data: StoreData, args: argparse.Namespace, store_path: Path) -> int:
    from store.search.kept_index import load_index, save_index
    from store.search.query import query_note
    from store.search.ranking import QueryError, SearchIndex

    try:
        query = " ".join(args.query)
        note = query_note(query)
        if note:
            print(f"litbrowse: note: {note}", file=sys.stderr)
        # The index kept by the app or an earlier search, or built (and kept for the next,
        # once: with the abstracts when this search needed them).
        index = load_index(store_path, data)
        built = index is None
        if index is None:
            index = SearchIndex(data.papers, with_abstracts=False, abstract_of=data.abstract_of)
        results = index.search(query, limit=args.limit)
        if not index.has_abstracts and not index.settled_without_abstracts(query, results, limit=args.limit):
            index.add_abstracts(data.details.abstracts() if data.details else None)
            if data.details and data.details.damage:
                print(f"litbrowse: warning: {printable(data.details.damage)}", file=sys.stderr)
            elif data.details:
                save_index(store_path, data, index)
            results = index.search(query, limit=args.limit)
        elif built:
            save_index(store_path, data, index)
    except QueryError as error:
        return fail(str(error))
    if args.json:
        emit_json([_search_row(data, r) for r in results])
    else:
        tables.print_results(results)
    return 0 if results else 1  # as grep and fzf: nothing found is status 1


def run_export(data: StoreData, args: argparse.Namespace, store_path: Path) -> int:
    from store.export.bibtex import cite_keys, to_bibtex_file
    from store.export.csl import csl_items

    papers = newest_first(data.papers)
    if args.author:
        author = find_author(data, args.author)
        if author is None:
            return fail(f"no author named '{args.author}' (see `litbrowse authors`)")
        listed = set(author["papers"])
        papers = [paper for paper in papers if paper["id"] in listed]
    if args.query:
        from store.search.ranking import QueryError, SearchIndex

        try:
            found = SearchIndex(papers, with_abstracts=False).search(" ".join(args.query), limit=len(papers) or 1)
        except QueryError as error:
            return fail(str(error))
        papers = [result.paper for result in found]
    _fill_abstracts(store_path, data, papers)
    keys = cite_keys(data.papers)  # a paper's key is the same in every export of the store
    if args.format == "bibtex":
        payload = to_bibtex_file(papers, keys).encode()
    elif args.format == "csl-json":
        payload = orjson.dumps(csl_items(papers, keys), option=orjson.OPT_INDENT_2) + b"\n"
    else:
        payload = orjson.dumps([public_paper(p) for p in papers], option=orjson.OPT_INDENT_2) + b"\n"
    payload = _escape_unseen(payload) if args.format != "bibtex" else payload
    if args.output is None:
        _write_bytes(payload)
        return 0 if papers else 1
    from store.disk.storage import atomic_write

    if args.output.is_dir():
        return fail(f"{args.output}: is a folder; give a file's path")
    try:
        atomic_write(args.output, payload)
    except OSError as error:
        return fail(f"{args.output}: cannot write: {error.strerror or error}")
    if args.json:
        emit_json({"papers": len(papers), "format": args.format, "file": str(args.output)})
    else:
        print(f"{len(papers)} paper{'' if len(papers) == 1 else 's'} written to {args.output} ({args.format})")
    return 0 if papers else 1


def run_stats(data: StoreData, args: argparse.Namespace, store_path: Path) -> int:
    formats: dict[str, int] = {}
    for page in data.pages.values():
        formats[page["format"]] = formats.get(page["format"], 0) + 1
    stats = {
        "papers": len(data.papers),
        "authors": sum(1 for a in data.authors if a["kind"] == "person"),
        "page_entries": sum(1 for a in data.authors if a["kind"] == "page"),
        "sources": len(data.pages),
        "formats": dict(sorted(formats.items())),
        "untitled_papers": sum(1 for p in data.papers if not p.get("title")),
        "store": str(store_path),
        "store_bytes": sum(path.stat().st_size for path in store_files(store_path, data)),
    }
    if args.json:
        emit_json(stats)
    else:
        tables.print_stats(stats)
    return 0
