"""The ingest's helper processes and the spool folder they hand their work over in."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from store.disk.spans import close_process_spool
from store.disk.storage import close_inherited_locks, hold, is_abandoned, release
from store.interrupts import interrupts_deferred


class Helpers:
    """The ingest's worker processes: they parse pages, read a large store's merge keys,
    and write the part files.

    Forked at their first job, which comes while this process is small (before it
    holds the store): a fork later would make each page it touches afterwards a copy.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    @property
    def available(self) -> bool:
        return (os.cpu_count() or 1) > 1

    @property
    def started(self) -> bool:
        return self._pool is not None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Forked now, by this first job (a forking pool starts all its processes
            # at its first job), with a Ctrl-C held: until its initializer has run, a
            # helper would die of one with a traceback.
            with interrupts_deferred():
                self._pool = ProcessPoolExecutor(max_workers=min(os.cpu_count() or 2, 8),
                                                 mp_context=get_context("fork"), initializer=_start_helper,
                                                 initargs=(os.getpid(),))
                self._pool.submit(int)
        return self._pool

    def __enter__(self) -> Helpers:
        return self

    def __exit__(self, *_: object) -> None:
        if self._pool is not None:
            # Waits for the jobs running (a helper ignores Ctrl-C), so that nothing
            # writes in the spool folder once it is removed: a second Ctrl-C waits too.
            with interrupts_deferred():
                self._pool.shutdown(cancel_futures=True)


def _start_helper(ingest: int) -> None:
    """What each helper process does first."""
    close_inherited_locks()
    _die_with(ingest)
    _leave_interrupts_to_the_ingest()
    _keep_freed_memory()


_PR_SET_PDEATHSIG = 1  # Linux's prctl option: a signal for this process when its parent dies


def _die_with(ingest: int) -> None:
    """In a helper: be killed when the ingest dies, even of kill -9 (Linux), rather than
    live on, reparented, with no one to give it work or to wait for it."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != ingest:  # it died before the request above was made
        os.kill(os.getpid(), signal.SIGKILL)


# The parsing allocates and frees megabytes a page; by default the C allocator gives
# freed memory at the top of its heap back to the system (past 128 KB), and takes it
# again for the next page. On a virtual machine that is the slow part: each page of
# memory taken afresh costs a fault, 2.6 µs here. Keeping this much at the top makes
# the helpers reuse it instead (a sixth of the faults for 100,000 papers).
_KEPT_AT_TOP = 16 * 1024 * 1024
_M_TOP_PAD = -2  # glibc's mallopt parameter


def _keep_freed_memory() -> None:
    """In a helper: keep freed memory for reuse (glibc; elsewhere nothing is done)."""
    try:
        import ctypes  # here, not at the top: only a helper needs it, and only on glibc

        ctypes.CDLL(None).mallopt(_M_TOP_PAD, _KEPT_AT_TOP)
    except (OSError, AttributeError):
        pass


def _leave_interrupts_to_the_ingest() -> None:
    """In a helper: a Ctrl-C (sent to every process of the terminal's job) is the ingest's
    to handle; it stops the helpers when it stops. A helper waiting for work would
    otherwise die of it with a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def spool_folder(store_path: Path) -> Iterator[Path]:
    """A folder beside the store for what the parsing processes hand over: each
    page's records, and the documents they serialized (store/disk/spans.py).

    The ingest holds a lock on a file in it while it runs: a spool no one holds (its
    ingest was killed mid-way) is removed by the next ingest.
    """
    store_path.parent.mkdir(parents=True, exist_ok=True)
    folder = None
    owner = None
    try:
        with interrupts_deferred():  # made, and then removed, whole: even on a Ctrl-C
            folder = Path(tempfile.mkdtemp(prefix=f"{_spool_prefix(store_path)}{os.getpid()}-",
                                           dir=store_path.parent))
            owner = os.open(folder / _OWNER, os.O_RDWR | os.O_CREAT, 0o600)
            hold(owner)
        yield folder
    finally:
        if folder is not None:
            with interrupts_deferred():
                close_process_spool(folder)
                if owner is not None:
                    release(owner)
                    os.close(owner)
                shutil.rmtree(folder, ignore_errors=True)


_OWNER = "owner.lock"


def _spool_prefix(store_path: Path) -> str:
    return f".{store_path.name}.spool-"


def remove_dead_spools(store_path: Path) -> None:
    """Remove the spool folders of ingests that died (call it holding the store's lock)."""
    prefix = _spool_prefix(store_path)
    for folder in store_path.parent.glob(glob.escape(prefix) + "*"):
        owner = folder / _OWNER
        if owner.exists():
            dead = is_abandoned(owner)
        else:  # a spool made before spools held a lock: its process id says
            pid = folder.name[len(prefix):].partition("-")[0]
            dead = pid.isdigit() and not _alive(int(pid))
        if dead:
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


