"""The queries searched in a store, kept beside it for the search screen's Up key."""

from __future__ import annotations

import contextlib
from pathlib import Path

from store.disk.storage import atomic_write

# Enough to scroll back through a day's searches; the file stays a few kilobytes.
KEPT = 100


def history_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".history")


def read_history(store_path: Path) -> list[str]:
    """The queries, oldest first; none when the file is missing or unreadable."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return [line for line in history_path(store_path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return []


def add_to_history(store_path: Path, history: list[str], query: str) -> list[str]:
    """The history with the query last (once), written atomically; a folder that cannot
    be written keeps the history in memory only."""
    query = " ".join(query.split())
    if not query:
        return history
    history = [*(q for q in history if q != query), query][-KEPT:]
    with contextlib.suppress(OSError):
        atomic_write(history_path(store_path), ("\n".join(history) + "\n").encode("utf-8"))
    return history
