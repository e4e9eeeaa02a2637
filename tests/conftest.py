from __future__ import annotations

from pathlib import Path

import pytest

from store.formats import ParsedPage, parse_lines
from store.reading import read_page

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SCHOLARFEED_SMALL = SEEDS / "000_c0060800e6c2eeb8.txt"
ARXIVER = SEEDS / "001_f1ad0fc9ee248bb1.txt"
PAPER_PAGE = SEEDS / "002_a33d55ea117c81c2.txt"
RESEARCH_GOOGLE = SEEDS / "003_59ff9cfc8de75fdc.txt"
SCHOLARFEED = SEEDS / "004_87569abedee599f0.txt"


def parse_seed(path: Path) -> ParsedPage:
    lines, _ = read_page(path)
    return parse_lines(lines)


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "store.json"
    monkeypatch.setenv("LITBROWSE_STORE", str(path))
    return path


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from store.ingest import ingest

    path = tmp_path_factory.mktemp("seeded") / "store.json"
    ingest(path, [SEEDS])
    return path
