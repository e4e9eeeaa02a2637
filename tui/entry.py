"""The litbrowse process's entry point (the `litbrowse` command and `python -m tui`)."""

from __future__ import annotations

import os
import signal


def run() -> None:
    """Load the command line and run it, a Ctrl-C while it loads ending the process quietly.

    Until the command line is loaded there is nothing to clean up, so a Ctrl-C then ends
    the process at once with the shell's code for it (130). Raised as KeyboardInterrupt in
    the middle of an import, it printed a traceback instead, or, landing in orjson's module
    set-up, crashed the process. Past that point the command line handles Ctrl-C.

    A process started with Ctrl-C ignored (a script's background job, which the Ctrl-C
    meant for the script must not stop) keeps ignoring it.
    """
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if not ignored:
        signal.signal(signal.SIGINT, _end_at_once)
    from tui import cli

    if not ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    cli.run()


def _end_at_once(*_: object) -> None:
    os._exit(130)
