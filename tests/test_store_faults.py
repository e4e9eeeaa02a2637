"""The store under faults: kill -9 in the middle of writes, and two ingests at once."""

from __future__ import annotations

import fcntl
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.disk.persistence import attach_details, attach_papers, load
from tests.bench.generate import generate
from tests.conftest import ARXIVER, PAPER_PAGE, RESEARCH_GOOGLE, SCHOLARFEED, SCHOLARFEED_SMALL, SEEDS

PROJECT = Path(__file__).resolve().parent.parent

# Ingests new pages one by one, so every write changes every file of the store.
WRITER = """
import sys
from pathlib import Path
from store.ingest.pipeline import ingest
store, pages = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
print("ready", flush=True)
for page in pages:
    ingest(store, [page])
"""
PER_PAGE = 150


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("pages")
    generate(folder, 24 * PER_PAGE, per_page=PER_PAGE)
    return sorted(folder.iterdir())


def test_kill_during_writes_leaves_a_whole_store(tmp_path, pages):
    rng = random.Random(5)
    kills_in_write = 0
    for round_number in range(16):
        # A store that holds some pages already, then a writer killed while adding more.
        store = tmp_path / f"store{round_number // 4}.json"
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store), *map(str, pages)],
            cwd=PROJECT, stdout=subprocess.PIPE, text=True,
        )
        assert writer.stdout.readline() == "ready\n"
        if round_number % 2:
            # Aim at a write: kill the moment its temporary file appears.
            deadline = time.monotonic() + 20
            while (not any(tmp_path.glob(f".{store.name}.*.tmp")) and writer.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.0002)
        else:
            time.sleep(rng.uniform(0.05, 1.2))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        # A half-written temporary file is left where a kill cut a write short.
        kills_in_write += any(tmp_path.glob(f".{store.name}.*.tmp"))
        data = load(store)
        assert data.warnings == []
        # Whole pages only: the store after some number of ingests, never part of one.
        assert len(data.papers) % PER_PAGE == 0 and len(data.pages) == len(data.papers) // PER_PAGE
        assert all(paper["abstract"] for paper in data.papers)
        assert sum(len(a["papers"]) for a in data.authors) >= len(data.papers)
    # The kills must have landed inside writes, or this test proves nothing.
    assert kills_in_write >= 5


def test_ctrl_c_stops_an_ingest_on_every_core_quietly_and_keeps_the_store(tmp_path, pages):
    """Ctrl-C reaches every process of the terminal's job: the ingest and its helpers."""
    store = tmp_path / "store.json"
    subprocess.run([sys.executable, "-m", "tui", "--store", str(store), "ingest", str(ARXIVER)],
                   cwd=PROJECT, check=True, capture_output=True)
    before = load(store)
    rng = random.Random(7)
    for _ in range(4):
        run = subprocess.Popen([sys.executable, "-m", "tui", "--store", str(store), "ingest", *map(str, pages)],
                               cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
        time.sleep(rng.uniform(0.3, 1.5))
        os.killpg(run.pid, signal.SIGINT)
        code, err = run.wait(timeout=60), run.stderr.read()
        assert code in (0, 130) and "Traceback" not in err, err
        assert not list(tmp_path.glob(".store.json.spool-*"))  # the spool is removed
        # All of the ingest or none of it (it may have saved just before the Ctrl-C).
        after = load(store)
        assert after.warnings == []
        assert len(after.papers) in (len(before.papers), len(before.papers) + len(pages) * PER_PAGE)
        before = after


def test_the_helpers_leave_ctrl_c_to_the_ingest():
    from store.ingest.helpers import Helpers

    with Helpers() as helpers:
        assert helpers.pool().submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN


def test_a_ctrl_c_before_a_helper_could_ignore_it_does_not_kill_it(monkeypatch):
    """The moment between a helper's fork and its first step: a Ctrl-C there waits."""
    import store.ingest.helpers
    from store.ingest.helpers import Helpers

    start_helper = store.ingest.helpers._start_helper

    def interrupted_first(ingest: int) -> None:
        signal.raise_signal(signal.SIGINT)
        start_helper(ingest)

    monkeypatch.setattr(store.ingest.helpers, "_start_helper", interrupted_first)
    with Helpers() as helpers:
        pids = {helpers.pool().submit(os.getpid).result(timeout=20) for _ in range(8)}
    assert pids and os.getpid() not in pids


def test_a_ctrl_c_while_the_spool_is_removed_still_removes_it(tmp_path, monkeypatch):
    import store.ingest.helpers
    from store.ingest.helpers import spool_folder

    def close_and_interrupt(folder: Path) -> None:
        signal.raise_signal(signal.SIGINT)  # in the middle of the removal

    monkeypatch.setattr(store.ingest.helpers, "close_process_spool", close_and_interrupt)
    with pytest.raises(KeyboardInterrupt), spool_folder(tmp_path / "store.json") as folder:
        (folder / "records").write_text("x")
    assert list(tmp_path.iterdir()) == []  # removed, and the Ctrl-C raised after


def test_a_ctrl_c_held_during_a_step_is_raised_after_it():
    from store.interrupts import interrupts_deferred

    steps = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts_deferred():
            signal.raise_signal(signal.SIGINT)
            time.sleep(0.01)
            steps.append("finished")
        steps.append("went on")
    assert steps == ["finished"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# In a helper of a fresh process, as `litbrowse ingest` starts them: the page faults of
# parsing a page the third time (the memory the first two took is there to reuse). A
# helper forked from the test process instead inherits that process's heap, and writing
# to its free chunks faults too, more or fewer by what the tests before left there.
_FAULTS_OF_PARSING_AGAIN = """
import resource, sys
from pathlib import Path
from store.collector import adopt_policy
from store.ingest.parsing import _read_one
from store.ingest.helpers import Helpers

def parse_three_times(page, spool):
    for _ in range(2):
        _read_one((page, None, page.name), spool)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    _read_one((page, None, page.name), spool)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

adopt_policy()  # as in an ingest

with Helpers() as helpers:
    print(helpers.pool().submit(parse_three_times, Path(sys.argv[1]), Path(sys.argv[2])).result())
"""


def test_the_helpers_reuse_the_memory_a_page_took(tmp_path):
    """Memory taken afresh costs a fault a page (2.6 µs on a virtual machine); the C
    allocator's default hands a parsed page's memory back to the system and faults it
    in again for the next: about 460 faults a page of 500 papers."""
    generate(tmp_path / "pages", 500, per_page=500)
    (page,) = (tmp_path / "pages").iterdir()
    done = subprocess.run([sys.executable, "-c", _FAULTS_OF_PARSING_AGAIN, str(page), str(tmp_path)],
                          capture_output=True, text=True, check=True)
    assert int(done.stdout) < 200


def test_two_ingests_at_once_lose_nothing(tmp_path):
    store = tmp_path / "store.json"
    first = [SCHOLARFEED_SMALL, ARXIVER, RESEARCH_GOOGLE]
    second = [SCHOLARFEED, PAPER_PAGE]
    # What one ingest of every page makes (pages of one group merge with the other's).
    together = tmp_path / "together.json"
    subprocess.run([sys.executable, "-m", "tui", "--store", str(together), "ingest", *map(str, first + second)],
                   cwd=PROJECT, check=True, capture_output=True)
    expected = {paper["id"] for paper in load(together).papers}
    runs = [
        subprocess.Popen([sys.executable, "-m", "tui", "--store", str(store), "ingest", *map(str, group)],
                         cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for group in (first, second) * 3
    ]
    for run in runs:
        assert run.wait(timeout=60) == 0, run.stderr.read()
    data = load(store)
    assert {paper["id"] for paper in data.papers} == expected
    assert sorted(data.pages) == sorted(path.name for path in first + second)


def test_stale_temporary_files_of_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    from store.ingest.pipeline import ingest

    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    stale = tmp_path / ".store.json.k1ll3d.tmp"
    stale.write_bytes(b"half a store")
    orphan = tmp_path / "store.json.details.0123456789abcdef"
    orphan.write_bytes(b"{}")
    # The spool folders of an ingest killed while parsing, and of one parsing now.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_spool = tmp_path / f".store.json.spool-{int(gone.stdout)}-x1"
    live_spool = tmp_path / f".store.json.spool-{os.getpid()}-x2"
    for spool in (dead_spool, live_spool):
        spool.mkdir()
        (spool / "docs.1").write_bytes(b"{}\n")
    ingest(store, [SCHOLARFEED_SMALL])
    assert not stale.exists() and not orphan.exists()
    assert not dead_spool.exists() and (live_spool / "docs.1").exists()
    assert os.path.exists(tmp_path / load(store).details_file)


def test_a_write_keeps_the_part_files_it_replaces_for_one_generation(tmp_path):
    """A reader that read the main file just before a write can still read its parts."""
    from store.ingest.pipeline import ingest

    store = tmp_path / "store.json"
    ingest(store, [ARXIVER])
    first = load(store, with_papers=False)
    ingest(store, [SCHOLARFEED_SMALL])
    second = load(store, with_papers=False)
    ingest(store, [RESEARCH_GOOGLE])
    for name in (first.papers_file, first.details_file):
        assert not (tmp_path / name).exists()  # two writes later: gone
    for name in (second.papers_file, second.details_file):
        assert (tmp_path / name).exists()  # one write later: still there
    attach_papers(store, second)
    attach_details(store, second)
    assert len(second.papers) == 12 and all(paper["abstract"] for paper in second.papers)


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        found.update(int(child) for child in children)
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or (os.cpu_count() or 1) < 2,
                    reason="needs Linux's /proc and two cores (the ingest runs helpers only then)")
def test_an_ingest_killed_with_sigkill_leaves_no_helper_and_no_lock(tmp_path):
    pages = tmp_path / "pages"
    generate(pages, 5000)  # ten pages of 1 MB: enough for the ingest to parse them in helpers
    store = tmp_path / "store.json"
    command = [sys.executable, "-m", "tui", "--store", str(store), "ingest", str(pages)]
    assert subprocess.run(command, capture_output=True, timeout=120).returncode == 0
    ingest = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    helpers: set[int] = set()
    while not helpers and time.monotonic() < deadline and ingest.poll() is None:
        helpers = _children(ingest.pid)
        time.sleep(0.005)
    assert helpers, "the ingest ended before its helpers could be seen"
    os.kill(ingest.pid, signal.SIGKILL)
    ingest.wait()
    deadline = time.monotonic() + 10
    while not all(map(_gone, helpers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(map(_gone, helpers))
    with open(store.with_name("store.json.lock"), "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # free at once
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in tmp_path.iterdir() if ".spool-" in p.name] == []


@pytest.mark.kept_index
def test_leftovers_of_a_dead_writer_are_known_by_their_lock_not_their_process_id(tmp_path):
    from store.ingest.helpers import remove_dead_spools
    from store.ingest.pipeline import ingest

    store = tmp_path / "store.json"
    ingest(store, [SEEDS])
    # A spool named with a live process id (pid 1, as in a container) but held by no one.
    dead = tmp_path / ".store.json.spool-1-abc"
    dead.mkdir()
    (dead / "owner.lock").write_bytes(b"")
    (dead / "records").write_bytes(b"x" * 1000)
    remove_dead_spools(store)
    assert not dead.exists()
    # A search killed while it wrote the index left its temporary file: the next keeps it no longer.
    left = tmp_path / ".store.json.index.0123456789abcdef.x1y2.tmp"
    left.write_bytes(b"x" * 1000)
    from store.disk.persistence import load
    from store.search.kept_index import save_index
    from store.search.ranking import SearchIndex

    data = load(store)
    save_index(store, data, SearchIndex(data.papers))
    assert not left.exists()
