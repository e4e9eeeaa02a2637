"""The command line given odd arguments, paths and streams: a usage error or a one-line reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SCHOLARFEED_SMALL, SEEDS
from tui import cli
from tui.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exit:  # argparse's usage errors
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def litbrowse(*args: str, store: Path, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", "--store", str(store), *args], capture_output=True,
                          text=True, timeout=60, **options)


@pytest.mark.parametrize(("args", "message"), [
    (["ingest", ""], "argument PATH: must not be empty"),
    (["papers", "--author", ""], "argument --author: must not be empty"),
    (["search", "--limit", "0", "word"], "argument --limit: must be at least 1, not 0"),
    (["search", "--limit", "abc", "word"], "argument --limit: invalid int value: 'abc'"),
    (["--store", "", "stats"], "argument --store: must not be empty"),
])
def test_usage_errors_exit_2_with_the_usage_line(store_path, capsys, args, message):
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith("usage: litbrowse") and err.rstrip().endswith(message)


def test_a_store_that_is_not_a_regular_file_is_refused(tmp_path, capsys):
    fifo = tmp_path / "store.fifo"
    os.mkfifo(fifo)
    for store, kind in ((fifo, "a pipe"), (Path("/dev/null"), "a device"), (tmp_path, "a folder")):
        for command in (["stats"], ["ingest", str(SCHOLARFEED_SMALL)]):
            code, out, err = run(capsys, "--store", str(store), *command)
            assert (code, out) == (1, "")
            assert err == f"litbrowse: {store}: not a store file but {kind}; give --store a file's path\n"


def test_a_mistyped_store_is_an_error_and_gets_no_sample_pages(tmp_path, capsys):
    missing_folder = tmp_path / "typo" / "store.json"
    assert run(capsys, "--store", str(missing_folder), "authors") == (
        1, "", f"litbrowse: {missing_folder}: no store there (its folder does not exist)\n")
    assert not missing_folder.parent.exists()
    missing_file = tmp_path / "stroe.json"
    assert run(capsys, "--store", str(missing_file), "papers") == (
        1, "", f"litbrowse: {missing_file}: no store there (ingest pages into it first)\n")
    assert list(tmp_path.iterdir()) == []


def test_the_app_without_a_terminal_says_so_at_once(tmp_path):
    store = tmp_path / "store.json"
    assert litbrowse("ingest", str(SEEDS), store=store).returncode == 0
    ended = litbrowse(store=store, stdin=subprocess.DEVNULL)
    assert (ended.returncode, ended.stdout) == (2, "")
    assert ended.stderr == "litbrowse: the app needs a terminal; scripts use the commands (litbrowse --help)\n"


def test_a_closed_standard_output_is_one_line_and_status_1(tmp_path):
    store = tmp_path / "store.json"
    assert litbrowse("ingest", str(SEEDS), store=store).returncode == 0
    closed = subprocess.run(f'"{sys.executable}" -m tui --store "{store}" stats >&-', shell=True,
                            capture_output=True, text=True, timeout=60)
    assert (closed.returncode, closed.stderr) == (1, "litbrowse: cannot write the output: standard output is closed\n")


def test_a_ctrl_c_as_the_last_output_is_flushed_ends_with_130(monkeypatch):
    class Interrupted:
        def __init__(self) -> None:
            self.fd = os.open(os.devnull, os.O_WRONLY)

        def flush(self) -> None:
            raise KeyboardInterrupt

        def fileno(self) -> int:
            return self.fd

    monkeypatch.setattr(sys, "stdout", Interrupted())
    assert cli.flush_output(0) == 130


def test_an_unreadable_subfolder_and_a_too_long_path_are_reported(tmp_path, capsys, monkeypatch):
    pages = tmp_path / "pages"
    (pages / "locked").mkdir(parents=True)
    (pages / "page.txt").write_bytes(SCHOLARFEED_SMALL.read_bytes())
    real_scandir = os.scandir

    def scandir(path="."):  # as for a folder without read permission, even for root
        if isinstance(path, (str, os.PathLike)) and Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    too_long = tmp_path / ("x" * 300)
    code, out, err = run(capsys, "--store", str(tmp_path / "store.json"), "ingest", str(pages), str(too_long))
    assert code == 1
    assert err.splitlines() == [
        f"litbrowse: {pages / 'locked'}: folder not read: Permission denied",
        f"litbrowse: {too_long}: File name too long",
    ]
    assert "page.txt" in out


def test_a_query_of_a_hundred_thousand_characters_is_bounded(store_path, capsys):
    import time

    run(capsys, "ingest", str(SEEDS))
    started = time.perf_counter()
    code, out, err = run(capsys, "search", "--json", "distillation " * 8000)
    assert time.perf_counter() - started < 5
    assert code == 0 and json.loads(out)[0]["display_title"] == "A statistical perspective on distillation"
    assert err == ("litbrowse: note: the query is longer than any title: only its first 1 different words "
                   "are searched\n")
    code, out, err = run(capsys, "search", " ".join(f"word{n}" for n in range(100)))
    assert err.startswith("litbrowse: note: the query is longer than any title: only its first 40 different")
