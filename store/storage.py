"""The file layer under the store: a fast TinyDB storage, atomic replacement, a writer lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from store.collector import collector_paused

LOCK_TIMEOUT = 30.0


class StoreError(Exception):
    """The store cannot be used; the message names the file and how to recover."""


class OrjsonStorage(Storage):
    """TinyDB storage: orjson to parse (with the collector paused) and atomic writes."""

    def __init__(self, path: str | os.PathLike[str], create_dirs: bool = True) -> None:
        self.path = Path(path)
        if create_dirs:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not data.strip():
            return None
        with collector_paused():
            return orjson.loads(data)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write(self.path, orjson.dumps(data))

    def close(self) -> None:
        pass


def atomic_write(path: Path, payload: bytes | Iterable[bytes | memoryview]) -> None:
    """Write payload (bytes, or chunks of them) to path so that readers see the old file or the new one, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(payload, bytes):
                handle.write(payload)
            else:
                # A megabyte at a time: one write call per chunk would be 300,000 calls.
                batch: list[bytes | memoryview] = []
                size = 0
                for chunk in payload:
                    batch.append(chunk)
                    size += len(chunk)
                    if size >= 1 << 20:
                        handle.write(b"".join(batch))
                        batch, size = [], 0
                handle.write(b"".join(batch))
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, temp)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@contextlib.contextmanager
def write_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the store's lock file; one writer at a time across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{path}: another litbrowse process has held the store's lock for {timeout:.0f} s; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
