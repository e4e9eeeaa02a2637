from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.pages import ParsedPage, parse_lines
from store.pages.reading import read_page

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SCHOLARFEED_SMALL = SEEDS / "000_c0060800e6c2eeb8.txt"
ARXIVER = SEEDS / "001_f1ad0fc9ee248bb1.txt"
PAPER_PAGE = SEEDS / "002_a33d55ea117c81c2.txt"
RESEARCH_GOOGLE = SEEDS / "003_59ff9cfc8de75fdc.txt"
SCHOLARFEED = SEEDS / "004_87569abedee599f0.txt"


def parse_seed(path: Path) -> ParsedPage:
    lines, _ = read_page(path)
    return parse_lines(lines)


@pytest.fixture(autouse=True, scope="session")
def ctrl_c_as_in_a_terminal() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt here and reaches the processes the tests start, as
    when run from a terminal, even when the runner itself was started with Ctrl-C
    ignored (a script's background job): the tests of Ctrl-C need it delivered."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(autouse=True)
def index_built_each_time(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process the search index is built, as at a store's first opening, except in
    tests marked kept_index: the sample store is shared by the session, and an index kept
    by one test would change what the next one does."""
    if "kept_index" not in request.keywords:
        monkeypatch.setattr("store.search.kept_index.cache_name", lambda *args: None)


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "store.json"
    monkeypatch.setenv("LITBROWSE_STORE", str(path))
    return path


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from store.ingest.pipeline import ingest

    path = tmp_path_factory.mktemp("seeded") / "store.json"
    ingest(path, [SEEDS])
    return path
