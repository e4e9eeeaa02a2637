"""The litbrowse Textual app: loads the store in a worker and hosts the screens."""

from __future__ import annotations

import os
import shutil
import threading
import webbrowser
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from store.catalog import Catalog, build_catalog
from store.collector import adopt_policy
from store.disk.persistence import StoreData, StoreError, attach_papers, load, open_details
from store.model import newest_first
from store.search.history import add_to_history, read_history
from store.text import plain
from tui.commands import AppCommands, AuthorCommands, PaperCommands
from tui.messages import OpenUrl
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen

if TYPE_CHECKING:  # imported where used: rapidfuzz and the index cost 25 ms of start-up
    from store.search.ranking import SearchIndex

STORE_POLL_SECONDS = 2.0
# Papers files above this size (about 30,000 papers) take long enough to parse
# that the authors are shown first; below it, both come at once.
AUTHORS_FIRST_BYTES = 16 * 1024 * 1024


class LitbrowseApp(App[None]):
    CSS_PATH = "litbrowse.tcss"
    TITLE = "litbrowse"
    COMMANDS: ClassVar = App.COMMANDS | {AppCommands, AuthorCommands, PaperCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search"),
        Binding("y", "copy_link", "Copy link"),
        Binding("Y", "copy_bibtex", "BibTeX"),
        Binding("x", "export", "Export"),
        Binding("o", "open_link", "Open", show=False),
        Binding("r", "reload", "Reload", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("tab", "focus_next", "Next pane", show=False),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False),
    ]

    def __init__(self, store_path: Path, watch_store: bool = True) -> None:
        super().__init__()
        adopt_policy()
        self.store_path = store_path
        self.watch_store = watch_store
        self.main_screen = MainScreen()
        self.search_index: SearchIndex | None = None
        self.last_query = ""
        self.marked: set[str] = set()  # papers marked with Space, for export and BibTeX
        self._status_text = ""
        self.search_history: list[str] | None = None  # read at the first search
        self.opened_from_search: str | None = None  # the paper a search opened last
        self._store_stamp: tuple[int, int] | None = None
        self._stale_notified = False
        self._reading: Future[tuple[tuple[int, int] | None, StoreData]] | None = self._read_ahead()

    async def on_mount(self) -> None:
        await self.push_screen(self.main_screen)
        self.sub_title = str(self.store_path)
        self.status("Loading the store…")
        self.load_store(self._show_read_ahead())
        if self.watch_store:
            self.set_interval(STORE_POLL_SECONDS, self.check_store)

    def status(self, text: str | None = None) -> None:
        """The status line: what the store holds (text, kept), and how many papers are marked."""
        if text is not None:
            self._status_text = text
        marks = f" · {len(self.marked)} marked (x export, Y BibTeX)" if self.marked else ""
        self.main_screen.query_one("#status", Static).update(Content(self._status_text + marks))

    def toggle_mark(self, paper_id: str) -> None:
        self.marked.symmetric_difference_update({paper_id})
        self.status()

    # -- loading ---------------------------------------------------------------

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.store_path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _read_ahead(self) -> Future[tuple[tuple[int, int] | None, StoreData]]:
        """Start reading the store's main file, and its papers unless there are many, in a thread.

        The app starts this as it is made, so the files are read while Textual parses
        its CSS and composes the screen rather than after (a quarter of a second
        sooner on screen at 10,000 papers). A large store's papers are left to
        load_store, which shows the authors first.
        """
        future: Future[tuple[tuple[int, int] | None, StoreData]] = Future()

        def read() -> None:
            try:
                stamp = self._stamp()
                data = load(self.store_path, with_papers=False, with_details=False)
                if not data.papers_loaded and self._part_size(data.papers_file) <= AUTHORS_FIRST_BYTES:
                    attach_papers(self.store_path, data)
                future.set_result((stamp, data))
            except BaseException as error:  # handed to load_store, which reports it
                future.set_exception(error)

        threading.Thread(target=read, name="litbrowse-read-ahead", daemon=True).start()
        return future

    def _show_read_ahead(self) -> tuple[StoreData, threading.Event] | None:
        """The store, shown now if the read-ahead already holds all of it but the abstracts
        (a store of 10,000 papers, by the time the screen is mounted): then it is in the
        first frame drawn, rather than in a second frame after the worker hands it over
        (60-100 ms later at 10,000 papers). With it, the event set once it is drawn;
        None when it is not read yet."""
        reading = self._reading
        if reading is None or not reading.done() or reading.exception() is not None:
            return None
        stamp, data = reading.result()
        if not data.papers_loaded:
            return None
        self._reading = None
        drawn = threading.Event()
        self.loaded(build_catalog(data), stamp, drawn)
        return data, drawn

    # Described in words: by default the description is the repr of the arguments, and a
    # store's repr (shown) takes a quarter of a second at 10,000 papers.
    @work(thread=True, exclusive=True, group="load", description="loading the store")
    def load_store(self, shown: tuple[StoreData, threading.Event] | None = None) -> None:
        """Read the store off the UI thread, in the order the screen needs it.

        The authors first (the main file is small), then their papers, then the
        abstracts (read from disk when a paper is shown), then the search index of
        titles, then the abstracts' index. `shown`: a store already read and shown
        (_show_read_ahead).
        """
        # A reload (r) starts another load and cancels this one, which a thread cannot
        # be made to stop: it checks after each long step, and hands nothing stale over.
        worker = get_current_worker()
        if shown is not None:
            data, drawn = shown
            drawn.wait(timeout=2)  # the first frame, before indexing takes the interpreter
        else:
            data = self._read_and_show(worker)
            if data is None:
                return
        if worker.is_cancelled:
            return
        # Opening the details file reads nothing yet (PartFile.find looks each abstract up):
        # the paper shown gets its abstract now, not once the titles are indexed.
        open_details(self.store_path, data)
        self.call_from_thread(self.main_screen.abstracts_arrived)
        self._warn(data.warnings)  # the store's, and a details file missing or damaged
        from store.search.kept_index import load_index, save_index
        from store.search.ranking import IndexCancelled, SearchIndex

        def cancelled() -> bool:  # asked as the index is built: the app quits, or a reload began
            return worker.is_cancelled

        # The index kept by an earlier opening, or built: titles first, then the abstracts.
        kept = load_index(self.store_path, data)
        try:
            index = kept or SearchIndex(data.papers, with_abstracts=False, abstract_of=data.abstract_of,
                                        cancelled=cancelled)
        except IndexCancelled:
            return
        if worker.is_cancelled:
            return
        self.call_from_thread(self.index_ready, index)
        if kept is None:  # kept now too, for an app closed before the abstracts are in
            save_index(self.store_path, data, index)
        if not index.has_abstracts:
            try:
                index.add_abstracts(data.details.abstracts() if data.details else None, cancelled=cancelled)
            except IndexCancelled:
                return  # the index keeps no part of the abstracts: none is handed over or kept
            if worker.is_cancelled:
                return
            self.call_from_thread(self.index_ready, index)  # now with the abstracts
            if data.details and data.details.damage:
                self._warn([data.details.damage])
            elif data.details:
                save_index(self.store_path, data, index)
        self.call_from_thread(self.status, f"{len(data.papers)} papers, {len(data.authors)} authors · "
                                           "/ search · ? help")

    def _read_and_show(self, worker: Worker[None]) -> StoreData | None:
        """The store read (by the read-ahead, or now) and shown; None if it could not be
        read (the status says why) or the load was cancelled."""
        reading, self._reading = self._reading, None
        try:
            stamp, data = (reading or self._read_ahead()).result()
            if not data.papers_loaded:
                self._show(data, stamp)  # the authors, before the papers take the interpreter
                attach_papers(self.store_path, data)
        except StoreError as error:
            self.call_from_thread(self.status, str(error))
            self.call_from_thread(self.notify, Content(str(error)), severity="error", timeout=30)
            return None
        if worker.is_cancelled:
            return None
        self._show(data, stamp)  # the papers, before indexing takes the interpreter
        return data

    def index_ready(self, index: SearchIndex) -> None:
        """The search index (or its abstracts) is ready: a search already open runs its query again."""
        from tui.screens.search import SearchScreen

        self.search_index = index
        if isinstance(self.screen, SearchScreen):
            self.screen.use_index(index)

    def _show(self, data: StoreData, stamp: tuple[int, int] | None) -> None:
        """Hand what is loaded so far to the screen (from the worker) and wait until it is drawn."""
        drawn = threading.Event()
        self.call_from_thread(self.loaded, build_catalog(data), stamp, drawn)
        drawn.wait(timeout=2)

    def _warn(self, warnings: list[str]) -> None:
        for warning in warnings:
            self.call_from_thread(self.notify, Content(warning), severity="warning", timeout=15)

    def _part_size(self, name: str | None) -> int:
        try:
            return self.store_path.with_name(name).stat().st_size if name else 0
        except OSError:
            return 0

    def loaded(self, catalog: Catalog, stamp: tuple[int, int] | None, drawn: threading.Event) -> None:
        self._store_stamp = stamp
        self._stale_notified = False
        self.main_screen.load(catalog)
        data = catalog.data
        papers = f"{len(data.papers)} papers" if data.papers_loaded else "loading papers…"
        more = "indexing for search…" if data.papers_loaded else ""
        self.status(" · ".join(filter(None, [papers, f"{len(data.authors)} authors", more])))
        self.call_after_refresh(drawn.set)

    def check_store(self) -> None:
        """Another process (an ingest) changed the store: say so once; r reloads."""
        stamp = self._stamp()
        if self._store_stamp is not None and stamp != self._store_stamp and not self._stale_notified:
            self._stale_notified = True
            self.notify("The store changed on disk (an ingest?): press r to reload", timeout=10)

    def action_reload(self) -> None:
        self.search_index = None
        self.status("Reloading…")
        self.load_store()

    # -- actions -----------------------------------------------------------------

    def action_search(self) -> None:
        """The search screen, with the last query and its results; a paper opened from it
        is one Esc away from them again (MainScreen.action_back)."""
        from tui.screens.search import SearchScreen

        if self.search_history is None:
            self.search_history = read_history(self.store_path)
        screen = SearchScreen(self.search_index, self.last_query, self.search_history)

        def opened(paper_id: str | None) -> None:
            self.last_query = screen.query_text
            if paper_id:
                self.search_history = add_to_history(self.store_path, self.search_history or [], self.last_query)
                self.open_paper(paper_id)
                self.opened_from_search = paper_id

        self.push_screen(screen, opened)

    def open_paper(self, paper_id: str) -> None:
        screen = self.main_screen
        screen.remember()
        screen.open_paper(paper_id)
        screen.query_one("#detail").focus()

    def open_author(self, author_id: str) -> None:
        screen = self.main_screen
        screen.remember()
        screen.open_author(author_id)
        screen.query_one("#papers").focus()

    def current_paper(self) -> dict | None:
        paper = self.main_screen.query_one("#detail").paper  # type: ignore[attr-defined]
        if paper is None:
            self.notify("No paper selected", severity="warning", timeout=3)
        return paper

    @staticmethod
    def paper_link(paper: dict) -> str | None:
        if paper.get("arxiv_id"):
            return f"https://arxiv.org/abs/{paper['arxiv_id']}"
        return paper.get("url") or paper.get("code_url")

    def action_copy_link(self) -> None:
        paper = self.current_paper()
        if paper is None:
            return
        link = self.paper_link(paper)
        if link is None:
            self.notify("This paper has no link", severity="warning", timeout=3)
            return
        link = plain(link)  # the clipboard passes on no control character from a page
        self.copy_to_clipboard(link)
        self.notify(Content(f"Copied {link}"), timeout=3)

    def action_copy_bibtex(self) -> None:
        """The marked papers' BibTeX, or the paper shown's."""
        from store.export.bibtex import to_bibtex_file

        papers = self._marked_papers() or ([paper] if (paper := self.current_paper()) else [])
        if papers:
            data = self.main_screen.catalog.data
            self.copy_to_clipboard(to_bibtex_file([data.fill(p) for p in papers], self._cite_keys()))
            self.notify(f"Copied {len(papers)} BibTeX entr{'y' if len(papers) == 1 else 'ies'}", timeout=3)

    def _cite_keys(self) -> dict[str, str]:
        from store.export.bibtex import cite_keys

        data = self.main_screen.catalog.data
        return cite_keys(data.papers) if data.papers_loaded else {}

    def _marked_papers(self) -> list[dict]:
        by_id = self.main_screen.papers_by_id
        return newest_first(by_id[i] for i in self.marked if i in by_id)

    def action_export(self) -> None:
        """Write the marked papers, or the papers listed, to a file asked for."""
        from tui.screens.export import ExportScreen

        papers = self._marked_papers()
        what = "marked papers"
        if not papers:
            papers = list(self.main_screen.query_one("#papers").papers)  # type: ignore[attr-defined]
            what = "papers listed"
        if not papers:
            self.notify("No papers to export: mark some with Space, or open an author", severity="warning")
            return
        default = Path.cwd() / ("litbrowse-marked.bib" if what == "marked papers" else "litbrowse-papers.bib")

        def write(path: Path | None) -> None:
            if path is not None:
                self._write_export(path, papers)

        self.push_screen(ExportScreen(len(papers), what, default), write)

    def _write_export(self, path: Path, papers: list[dict]) -> None:
        import orjson

        from store.disk.storage import atomic_write
        from store.export.bibtex import to_bibtex_file
        from store.export.csl import csl_items

        data = self.main_screen.catalog.data
        filled = [data.fill(paper) for paper in papers]
        keys = self._cite_keys()
        payload = (orjson.dumps(csl_items(filled, keys), option=orjson.OPT_INDENT_2) if path.suffix == ".json"
                   else to_bibtex_file(filled, keys).encode())
        try:
            if path.is_dir():
                raise IsADirectoryError(21, "is a folder")
            atomic_write(path, payload)
        except OSError as error:
            self.notify(Content(f"{path}: cannot write: {error.strerror or error}"), severity="error", timeout=10)
            return
        self.notify(Content(f"Wrote {len(papers)} papers to {path}"), timeout=5)

    def action_open_link(self) -> None:
        paper = self.current_paper()
        if paper is None:
            return
        link = self.paper_link(paper)
        if link:
            self.post_message(OpenUrl(link))
        else:
            self.notify("This paper has no link", severity="warning", timeout=3)

    def on_open_url(self, message: OpenUrl) -> None:
        if has_browser():
            webbrowser.open(message.url)
            self.notify(Content(f"Opened {message.url}"), timeout=3)
        else:
            # Over SSH there is no browser here: show the link (and copy it) instead.
            self.copy_to_clipboard(plain(message.url))
            self.notify(Content(f"No browser on this machine; copied the link: {message.url}"), timeout=10)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


def has_browser() -> bool:
    if os.environ.get("SSH_CONNECTION") and not os.environ.get("DISPLAY"):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    # Text-mode browsers would take over this terminal.
    graphical = bool(shutil.which("xdg-open") and os.environ.get("DISPLAY"))
    return type(browser).__name__ != "GenericBrowser" or graphical


def run_app(store_path: Path) -> int:
    LitbrowseApp(store_path).run()
    return 0
