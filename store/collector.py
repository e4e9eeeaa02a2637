"""The process's one policy for the cyclic garbage collector."""

from __future__ import annotations

import gc

# Reading or merging a store builds millions of small objects without cycles. With
# Python's default thresholds (700, 10, 10) the collector would pass over them again and
# again while they are made (more than the work itself at 100,000 papers). With these,
# a young collection comes every 100,000 new objects and looks at those alone, and an
# older one so rarely that the store's objects are not scanned again while the process
# lives; the app's own cyclic garbage (widgets, messages) is still collected.
THRESHOLDS = (100_000, 1_000, 1_000)


def adopt_policy() -> None:
    """Set the thresholds: once, where a process starts (the command line, the app)."""
    gc.set_threshold(*THRESHOLDS)
