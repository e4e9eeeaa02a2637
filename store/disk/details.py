"""A store's details file, open: each paper's abstract read when it is shown.

The abstracts are two thirds of a store's bytes; at 100,000 papers, holding them
all would double the app's memory. The details file is instead kept open and read
a line at a time: a paper's abstract when its detail pane is drawn, or every
abstract in turn while the search index takes in their words.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from store.disk.parts import PartDamaged, PartFile


class Details:
    """Abstracts by paper id, read from the open details file on demand."""

    def __init__(self, path: Path) -> None:
        """Raises PartMissing or PartDamaged (a file that is not a details file)."""
        self._part = PartFile(path, "details")
        self.damage: str | None = None  # what abstracts() found wrong, one line
        # A details file written on one line (before schema 3 wrote a line per paper)
        # cannot be read a paper at a time: it is held whole.
        self._held: dict[str, dict[str, Any]] = (
            {doc["id"]: doc for doc in self._part.docs() if isinstance(doc.get("id"), str)}
            if self._part.one_line else {}
        )

    def abstract(self, paper_id: str) -> str | None:
        """The paper's abstract; None when it has none, or its line is damaged."""
        if self._part.one_line:
            doc = self._held.get(paper_id)
        else:
            try:
                doc = self._part.find(paper_id)
            except (PartDamaged, OSError):
                return None
        if doc is None:
            return None
        abstract = doc.get("abstract")
        return abstract if isinstance(abstract, str) else None

    def abstracts(self) -> Iterator[tuple[str, str]]:
        """(paper id, abstract) for every paper that has one, in file order.

        A damaged line ends the stream there, and `damage` says so.
        """
        try:
            for doc in self._part.docs():
                paper_id, abstract = doc.get("id"), doc.get("abstract")
                if isinstance(paper_id, str) and isinstance(abstract, str) and abstract:
                    yield paper_id, abstract
        except PartDamaged as error:
            self.damage = (f"{self._part.path}: details file damaged ({error}): the abstracts after it "
                           "are not searched; ingest your pages again")
