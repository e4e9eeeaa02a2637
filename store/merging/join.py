"""Merging parsed pages into paper and author records.

Merging is a join: papers that share an identity key (arXiv id, normalized title)
become one record, and each field takes the most complete value under a fixed total
order, so the result is the same whatever order pages are ingested in, and merging
a page again changes nothing. Authors are derived from the papers afresh each time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from store.model import (
    Author,
    Paper,
    author_id,
    display_title,
    keys_for,
    newest_first,
    page_author_id,
    paper_id,
)
from store.records import BLANK_RECORD
from store.text import fold, name_key

if TYPE_CHECKING:  # the parsers are needed to ingest, not to read a store (the catalog imports this)
    from store.pages.entry import Entry, ParsedPage

_TEXT_FIELDS = ("title", "url", "code_url", "venue", "category", "abstract", "summary", "comments")


def identity_keys(entry: Entry) -> list[str]:
    """The keys under which two entries are the same paper: arXiv id or normalized title."""
    return keys_for(entry.arxiv_id, entry.title, entry.abstract)


def entry_record(entry: Entry, source: str, keys: list[str], spelled: dict[str, str]) -> Paper:
    """One page's view of one paper (known by `keys`) as merging makes a paper seen once:
    in the stored shape, with its id, plus merge bookkeeping.

    Each value is normalized here as _join normalizes a group's: empty text is None, a
    full date gives the year, lists of keys are sorted. Most papers are seen once,
    and this runs in the parsing processes, on every core. `spelled` gives each
    spelling of a name one string for the whole page (see page_records).

    The fields come in PAPER_FIELDS order, then _owned_on, then the merge keys: less
    its abstract and keys, the record is its papers-file line as it is, which the
    parsing serializes without copying it into stored_form's order first.
    """
    date = entry.date or None
    related = [found[0] for item in entry.related if (found := identity_keys(item))] if entry.related else []
    keys = sorted(set(keys)) if len(keys) > 1 else keys
    # The blank record copied, then the fields filled in: the copy takes its keys as
    # they are, where a dict display of all 24 inserts each afresh (twice the time).
    record = BLANK_RECORD.copy()
    record["id"] = paper_id(keys)
    record["title"] = entry.title or None
    record["authors"] = [spelled.setdefault(name, name) for name in entry.authors]
    record["authors_complete"] = entry.authors_complete
    if date:
        record["date"], record["year"], record["date_inferred"] = date, int(date[:4]), entry.date_inferred
    else:
        record["year"] = entry.year or None
    # Fields most pages leave out stay None unless given.
    if entry.arxiv_id:
        record["arxiv_id"] = entry.arxiv_id
    if entry.url:
        record["url"] = entry.url
    if entry.code_url:
        record["code_url"] = entry.code_url
    record["has_code"] = bool(entry.has_code)
    if entry.venue:
        record["venue"] = entry.venue
    record["category"] = entry.category or None
    record["affiliations"] = list(entry.affiliations)
    record["abstract"] = entry.abstract or None
    if entry.summary:
        record["summary"] = entry.summary
    record["score"] = entry.score
    if entry.comments:
        record["comments"] = entry.comments
    record["related"] = []  # resolved by merge_papers
    record["sources"] = [source]
    # Pages whose owner this paper belongs to (a related paper is on a page, not its owner's).
    record["_owned_on"] = [source] if entry.owned else []
    record["_keys"] = keys
    record["_related_keys"] = sorted(set(related)) if len(related) > 1 else related
    record["display_title"] = display_title(record)
    return record


def page_records(page: ParsedPage, source: str) -> list[Paper]:
    """The page's papers, each as merging makes a paper seen once (with its id)."""
    records = []
    # A page names the same people on paper after paper (its owner on every one): one
    # string per spelling goes to the ingest, which reads, hashes and frees it once.
    spelled: dict[str, str] = {}
    for entry in page.entries:
        for item in (entry, *entry.related):
            keys = identity_keys(item)
            if keys:
                records.append(entry_record(item, source, keys, spelled))
    return records


def _as_paper(paper: Paper) -> Paper:
    """A joined record given its id and display title (related papers are resolved in merge_papers)."""
    paper["id"] = paper_id(paper["_keys"])
    paper["display_title"] = display_title(paper)
    return paper


def _longest(values: Iterable[Any]) -> Any:
    present = [v for v in values if v not in (None, "")]
    if not present:
        return None
    return min(present, key=lambda v: (-len(v), v))


def _join(group: list[Paper]) -> Paper:
    merged: Paper = {name: _longest(r.get(name) for r in group) for name in _TEXT_FIELDS}
    best_authors = min(
        (r for r in group),
        key=lambda r: (not r["authors"], not r["authors_complete"], -len(r["authors"]), r["authors"]),
    )
    merged["authors"] = list(best_authors["authors"])
    merged["authors_complete"] = best_authors["authors_complete"]
    if not merged["authors_complete"]:
        # Each page gave part of the list (its owner added to it): the paper has every
        # name any of them gives, the best list's first, then the others' in a fixed order.
        known = {name_key(name) for name in merged["authors"]}
        for record in sorted(group, key=lambda r: r["authors"]):
            for name in record["authors"]:
                if name_key(name) not in known:
                    known.add(name_key(name))
                    merged["authors"].append(name)
    dated = [r for r in group if r.get("date")]
    if dated:
        # A date the page gave in full beats an inferred one; of those, the first
        # appearance (the earliest) is the paper's date.
        best = min(dated, key=lambda r: (r["date_inferred"], r["date"]))
        merged["date"], merged["date_inferred"] = best["date"], best["date_inferred"]
        merged["year"] = int(best["date"][:4])
    else:
        years = [r["year"] for r in group if r.get("year")]
        merged["date"], merged["date_inferred"] = None, False
        merged["year"] = min(years) if years else None
    arxiv_ids = sorted({r["arxiv_id"] for r in group if r.get("arxiv_id")})
    merged["arxiv_id"] = arxiv_ids[0] if arxiv_ids else None
    merged["has_code"] = any(r.get("has_code") for r in group)
    merged["affiliations"] = list(min((r["affiliations"] for r in group), key=lambda a: (-len(a), a)))
    scores = [r["score"] for r in group if r.get("score") is not None]
    merged["score"] = max(scores) if scores else None
    merged["sources"] = sorted({s for r in group for s in r["sources"]})
    merged["_keys"] = sorted({k for r in group for k in r["_keys"]})
    merged["_related_keys"] = sorted({k for r in group for k in r["_related_keys"]})
    merged["_owned_on"] = sorted({s for r in group for s in r["_owned_on"]})
    return merged


def merge_papers(records: list[Paper], complete: Callable[[Paper], Paper] | None = None) -> list[Paper]:
    """Join records sharing any identity key; give each its id; resolve related papers.

    Every record is a paper already, with its id (normalized by page_records, or read
    from the store): one that nothing joins is kept as it is. A record may hold only
    the WORKING_FIELDS and no abstract (an ingest leaves the rest on disk): complete
    fills in the rest of a record that is joined with another.
    """
    _recover_lost_keys(records)
    groups = _groups(records, complete)
    papers = list(records) if groups is None else [_paper_of(group, complete) for group in groups]
    related_of = _related_resolver(papers)
    for paper in papers:
        related = related_of(paper) if paper["_related_keys"] else []  # most papers list none
        if "_stored_at" in paper and paper.get("related") != related:
            del paper["_stored_at"]  # its stored line lists other related papers: not copied
        paper["related"] = related
    papers.sort(key=itemgetter("id"))
    return papers


def _related_resolver(papers: list[Paper]) -> Callable[[Paper], list[str]]:
    """The ids of the papers a paper lists as related, newest first (as the related-papers
    lists show them), from their keys. Its tables are built at the first call: a store
    of author pages alone lists none."""
    id_of_key: dict[str, str] = {}
    by_id: dict[str, Paper] = {}

    def related_of(paper: Paper) -> list[str]:
        if not by_id:
            for other in papers:
                for key in other["_keys"]:
                    id_of_key[key] = other["id"]
                by_id[other["id"]] = other
        ids = {id_of_key[k] for k in paper["_related_keys"] if k in id_of_key} - {paper["id"]}
        return [other["id"] for other in newest_first(by_id[i] for i in ids)]

    return related_of


def _recover_lost_keys(records: list[Paper]) -> None:
    """Merge keys again for stored papers whose details document was lost (a damaged
    details file), from what the papers file still holds."""
    lost = [record for record in records if not record.get("_keys")]
    for record in lost:
        record["_keys"] = keys_for(record.get("arxiv_id"), record.get("title"), record.get("abstract")) or [
            f"id:{record['id']}"]
    if lost:
        # Related papers are kept by key: the stored ids lead to their papers' keys.
        keys_of = {record["id"]: record["_keys"] for record in records}
        for record in lost:
            record["_related_keys"] = [keys_of[i][0] for i in record.get("related") or () if i in keys_of]


def _paper_of(group: list[Paper], complete: Callable[[Paper], Paper] | None) -> Paper:
    if len(group) == 1:
        return _as_paper(group[0]) if group[0].pop("_rekeyed", False) else group[0]
    if complete is not None:
        group = [complete(record) for record in group]
    return _as_paper(_join(group))


def _groups(records: list[Paper], complete: Callable[[Paper], Paper] | None = None) -> list[list[Paper]] | None:
    """The records joined by shared identity keys (union-find), each group in record
    order; None when no two records share a key (a first ingest of distinct papers).

    An arXiv id (or an untitled paper's abstract) joins records outright; a title only
    joins records that agree on who wrote the paper and when (_join_by_title)."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> bool:
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)
        return a != b

    owner_of_key: dict[str, int] = {}
    by_title: dict[str, list[int]] = {}
    joined = False
    lost = False
    for index, record in enumerate(records):
        for key in record["_keys"]:
            lost = lost or key.startswith("id:")
            if key.startswith("title:"):
                title = key.partition(_HOMONYM)[0]
                if title in by_title:
                    by_title[title].append(index)
                else:
                    by_title[title] = [index]
                continue
            owner = owner_of_key.setdefault(key, index)
            if owner != index and union(index, owner):
                joined = True
    if lost:
        # A stored paper whose keys were lost (_recover_lost_keys) is known by its id alone:
        # a page's record of that paper has the same id.
        with_id: dict[str, list[int]] = defaultdict(list)
        for index, record in enumerate(records):
            with_id[record["id"]].append(index)
        for index, record in enumerate(records):
            if f"id:{record['id']}" in record["_keys"]:
                for other in with_id[record["id"]]:
                    joined = union(index, other) or joined
    for title, indexes in by_title.items():
        if len(indexes) > 1 and _join_by_title(title, indexes, records, find, union, complete):
            joined = True
    if not joined:
        return None
    groups: dict[int, list[Paper]] = defaultdict(list)
    for index, record in enumerate(records):
        groups[find(index)].append(record)
    return list(groups.values())


# Between a title's key and what tells apart two papers of that title by other people.
_HOMONYM = "#"


def _surnames(record: Paper) -> set[str]:
    return {words[-1] for name in record["authors"] if (words := fold(name).replace(".", " ").split())}


def _join_by_title(title: str, indexes: list[int], records: list[Paper], find: Callable[[int], int],
                   union: Callable[[int, int], bool], complete: Callable[[Paper], Paper] | None) -> bool:
    """Join the records of one title that are one paper: their authors share a surname
    (or one side lists none) and their years are at most one apart. Papers of the same
    title by other people stay apart, each under a title key of its own, so that each
    keeps its own id. Whether any records were joined."""
    # Clusters in an order of the records' content alone, so that the result does not
    # depend on the order pages were ingested in.
    order = sorted(indexes, key=lambda i: (records[i].get("year") or 0, records[i]["authors"], records[i]["sources"]))
    clusters: list[tuple[int, set[str], list[int]]] = []  # (a record in it, surnames, years)
    joined = False
    for index in order:
        record = records[index]
        names, year = _surnames(record), record.get("year")
        for at, (member, cluster_names, years) in enumerate(clusters):
            if find(member) == find(index) or (
                    (not names or not cluster_names or names & cluster_names)
                    and (year is None or all(abs(year - other) <= 1 for other in years))):
                joined = union(member, index) or joined
                clusters[at] = (member, cluster_names | names, years + ([year] if year else []))
                break
        else:
            clusters.append((index, names, [year] if year else []))
    suffixed = any(_HOMONYM in key for i in indexes for key in records[i]["_keys"] if key.startswith("title:"))
    if len(clusters) > 1 or suffixed:
        _key_homonyms(title, clusters, indexes, records, find, complete)
    return joined


def _key_homonyms(title: str, clusters: list[tuple[int, set[str], list[int]]], indexes: list[int],
                  records: list[Paper], find: Callable[[int], int],
                  complete: Callable[[Paper], Paper] | None) -> None:
    """Give each cluster of a title its own title key ('title:x#lovelace-2019'); a lone
    cluster keeps the key its records already share."""
    wanted: dict[int, str] = {}
    taken: set[str] = set()
    for member, names, years in clusters:
        root = find(member)
        if len(clusters) == 1:
            keys = sorted(k for i in indexes for k in records[i]["_keys"] if k.startswith("title:"))
            key = next((k for k in keys if _HOMONYM in k), keys[0])
        else:
            key = f"{title}{_HOMONYM}{min(names) if names else 'anonymous'}"
            key += f"-{min(years)}" if years else ""
            base, n = key, 1
            while key in taken:
                n += 1
                key = f"{base}-{n}"
        taken.add(key)
        wanted[root] = key
    for index in indexes:
        record = records[index]
        key = wanted[find(index)]
        keys = [k for k in record["_keys"] if not k.startswith("title:")] + [key]
        if sorted(keys) != sorted(record["_keys"]):
            if complete is not None:
                complete(record)
            record.pop("_stored_at", None)  # its stored line and document hold the old keys
            record.pop("_details_at", None)
            record["_keys"] = sorted(keys)
            record["_rekeyed"] = True


def paper_links(paper: Paper, owner_of: Mapping[str, str | None]) -> tuple[list[str], list[str]]:
    """Who lists a paper: the spellings of the people (its authors, and the owner of each
    page that shows it as the owner's work), and the unnamed pages it is on (_mentions'
    rule, asked of one paper: the catalog asks it of the paper shown)."""
    names, _, unnamed = _mentions([paper], owner_of)
    return list(names), list(unnamed)


Mentions = tuple[dict[str, list[str]], dict[str, int], dict[str, list[str]]]


def _mentions(ordered: Iterable[Paper], owner_of: Mapping[str, str | None]) -> Mentions:
    """Who lists each paper, walked over the papers in order: the ids each spelling of a
    person lists (its authors, and the owner of each page that shows it as the owner's
    work), how many more times a paper named that spelling, and the ids each unnamed
    page lists.

    A name of punctuation alone names no one. A paper no one would list is listed by its
    first page, so every paper stays reachable. A spelling a paper names twice (an owner
    among the authors of their own paper) lists it once; the repeat still counts towards
    the spelling shown for the name. Inline rather than a call a paper, and a spelling's
    key asked once rather than every mention's: this runs on one core at the ingest's end.
    """
    mentions: dict[str, list[str]] = {}
    repeats: dict[str, int] = defaultdict(int)
    page_papers: dict[str, list[str]] = defaultdict(list)
    for paper in ordered:
        listed = paper["id"]
        names, sources, unnamed = paper["authors"], paper["sources"], False
        for source in sources:
            owner = owner_of.get(source)
            if not owner:
                page_papers[source].append(listed)  # a paper's sources are distinct: no repeats
                unnamed = True
            elif source in (paper.get("_owned_on") or ()):
                names = [*names, owner]
        named = False
        for name in names:
            ids = mentions.get(name)
            if ids is None:
                if not name_key(name):
                    continue
                mentions[name] = [listed]
            elif ids[-1] == listed:
                repeats[name] += 1
            else:
                ids.append(listed)
            named = True
        if not named and not unnamed:
            page_papers[sources[0]].append(listed)
    return mentions, repeats, page_papers


def derive_authors(papers: list[Paper], pages: dict[str, dict[str, Any]]) -> list[Author]:
    """Author entries from the papers: named authors, page owners, and one entry per unnamed page.

    Each entry lists its papers newest first: the papers are walked in that order
    once, so each list is built in order instead of sorted.
    """
    owner_of = owners_of(pages)
    owner_spelling: dict[str, str] = {}
    for owner in owner_of.values():
        if owner:
            owner_spelling.setdefault(name_key(owner), owner)
    ordered = newest_first(papers)
    # Mentions by spelling first: far fewer spellings than mentions to look up keys for.
    mentions, repeats, page_papers = _mentions(ordered, owner_of)
    spellings: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for name, ids in mentions.items():
        spellings[name_key(name)][name] = ids
    for key, owner in owner_spelling.items():
        if key and key not in spellings:  # an owner whose pages list no papers (a profile alone)
            spellings[key][owner] = []

    position: dict[str, int] = {}
    profiles = _profiles_by_owner(pages)
    authors: list[Author] = []
    for key, spelled in spellings.items():
        counts = {name: len(ids) + repeats.get(name, 0) for name, ids in spelled.items()}
        display = owner_spelling.get(key) or min(counts, key=lambda s: (-counts[s], s))
        if len(spelled) == 1:
            ids = next(iter(spelled.values()))
        else:  # several spellings of one name: their lists merged into one order, each paper once
            position = position or {paper["id"]: at for at, paper in enumerate(ordered)}
            ids = list(dict.fromkeys(sorted((i for listed in spelled.values() for i in listed),
                                            key=position.__getitem__)))
        authors.append({
            "id": author_id(display),
            "name": display,
            "display_name": display,
            "aliases": sorted(counts),
            "papers": ids,
            "profile": profiles.get(key),
            "kind": "person",
            "owner": key in owner_spelling,
        })
    for source, ids in page_papers.items():
        page = pages[source]
        label = page.get("label") or f"{page.get('format') or 'unknown'} page"
        authors.append({
            "id": page_author_id(source),
            "name": None,
            "display_name": f"{label if len(label) <= 70 else label[:69] + '…'} ({source})",
            "aliases": [],
            "papers": ids,
            "profile": None,
            "kind": "page",
            "owner": True,
        })
    authors.sort(key=lambda a: a["id"])
    return authors


def owners_of(pages: dict[str, dict[str, Any]]) -> dict[str, str | None]:
    """Each page's owner by its source name (None for a page without a named owner)."""
    return {source: page.get("owner") for source, page in pages.items()}


def _profiles_by_owner(pages: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each page owner's profile: the page with the most metrics; ties go to the first page by name."""
    candidates: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for source, page in sorted(pages.items()):
        if page.get("owner") and page.get("profile"):
            candidates[name_key(page["owner"])].append(dict(page["profile"], source=source))
    return {
        key: max(profiles, key=lambda p: sum(v is not None for v in p.values()))
        for key, profiles in candidates.items()
    }
