"""Snapshot tests (pytest-textual-snapshot): the main screens at 80x24 and 120x40.

Deterministic: textual is pinned, the theme and colour environment are fixed, the store is the bundled
sample pages at a relative path (the header shows it), the store is not watched,
and every load and index worker has finished before the screenshot.
Update after an intended change with `pytest tests/test_snapshots.py --snapshot-update`
and look at the new SVG files before committing them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tui.app import LitbrowseApp

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def make_app(seeded_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for file in seeded_store.parent.iterdir():
        if file.name.startswith("store.json") and not file.name.endswith((".lock", ".history")):
            shutil.copy(file, tmp_path / file.name)
    monkeypatch.chdir(tmp_path)
    # The same screen whatever the terminal running the tests asks for.
    for variable in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_ANIMATIONS"):
        monkeypatch.delenv(variable, raising=False)

    def make() -> LitbrowseApp:
        app = LitbrowseApp(Path("store.json"), watch_store=False)
        app.theme = "textual-dark"
        return app

    return make


async def loaded(pilot) -> None:
    """Wait for the store, the search index and the abstracts."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=loaded)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_paper_detail_of_a_coauthor_paper(snap_compare, make_app, size):
    # Down to the second author, into the papers, and into the detail pane.
    assert snap_compare(make_app(), terminal_size=size, run_before=loaded, press=["down", "tab", "down", "tab"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_search_with_a_typo(snap_compare, make_app, size, monkeypatch):
    # The search pane shows how long the search took: a clock that stands still.
    monkeypatch.setattr("tui.screens.search.perf_counter", lambda: 0.0)
    assert snap_compare(make_app(), terminal_size=size, run_before=loaded, press=["slash", *"perciever graph"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=loaded, press=["question_mark"])


def test_narrow_screen_shows_one_pane(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(60, 20), run_before=loaded, press=["enter"])
