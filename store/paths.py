"""Where the store and the bundled sample pages live."""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "LITBROWSE_STORE"


def default_store_path() -> Path:
    """LITBROWSE_STORE, else store.json in the user's data folder (XDG on Linux)."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured).expanduser()
    # Imported here: a command given --store (or LITBROWSE_STORE) does not pay its 15 ms.
    from platformdirs import user_data_path

    return user_data_path("litbrowse") / "store.json"


def bundled_seeds() -> Path:
    """The sample pages: inside the installed package, or the checkout's seeds/ folder."""
    packaged = Path(__file__).parent / "seeds"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "seeds"
