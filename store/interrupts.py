"""Steps a Ctrl-C must not cut in two: it waits until they are done, then stops the
ingest as usual."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold a Ctrl-C that comes during the block; raise it (KeyboardInterrupt) after.

    Cleaning up (removing the spool folder) and forking the helpers are short, but a
    Ctrl-C in the middle of either leaves a folder behind, or a helper that dies of it
    with a traceback before it could ignore it. Python runs signal handlers in the main
    thread only, whichever thread the system gave the signal to, so replacing the
    handler holds the signal wherever it lands. In another thread nothing is needed:
    a KeyboardInterrupt is never raised there.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # (None: a handler Python did not install, which it could not put back)
        return
    held: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        held.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            _deliver(previous)


def _deliver(handler: signal.Handlers | object) -> None:
    """Do with a held Ctrl-C what the handler in place would have done."""
    if callable(handler):
        handler(signal.SIGINT, None)  # Python's own raises KeyboardInterrupt
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signal.SIGINT)
