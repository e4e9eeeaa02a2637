"""What the store's part files hold for each paper: a papers line and a details line.

A papers line is the paper's fields (model.PAPER_FIELDS) less its abstract, in one
fixed order, with `_owned_on`; a details line is its abstract and merge keys. Merging
builds each record in the papers line's order (BLANK_RECORD), so that a record seen
once is serialized as it is; an ingest keeps only the WORKING_FIELDS of a record it
does not join with another, and the spans of its two lines.
"""

from __future__ import annotations

from typing import Any

from store.model import PAPER_FIELDS, Paper

# The papers file's fields, in one order whatever order a paper's dict was built in
# (merging edits records in place), so the same papers always make the same bytes.
STORED_FIELDS = tuple(name for name in PAPER_FIELDS if name != "abstract") + ("_owned_on",)

# A paper's fields in PAPER_FIELDS order, then _owned_on, then the merge keys; values
# of a paper a page says nothing about (merging.join.entry_record fills in the rest).
BLANK_RECORD: Paper = dict.fromkeys((*PAPER_FIELDS, "_owned_on", "_keys", "_related_keys"))
BLANK_RECORD.update(authors_complete=True, date_inferred=False, has_code=False)

# What merging and deriving the authors read of a paper that is not joined with another.
WORKING_FIELDS = ("id", "date", "year", "authors", "sources", "related", "_owned_on", "_keys", "_related_keys")


def stored_form(paper: Paper) -> Paper:
    """The paper's papers line: no details, and no display title that repeats the title."""
    stored = {name: paper.get(name) for name in STORED_FIELDS}
    if stored["display_title"] == stored["title"]:
        del stored["display_title"]
    return stored


def details_doc(paper: Paper) -> dict[str, Any]:
    """The paper's details line: its abstract and merge keys."""
    return {"id": paper["id"], "abstract": paper.get("abstract"),
            "keys": paper.get("_keys", []), "related": paper.get("_related_keys", [])}


def working_record(record: Paper) -> Paper:
    """The WORKING_FIELDS of a record, in their order."""
    return {name: record[name] for name in WORKING_FIELDS}
