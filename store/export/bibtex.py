"""BibTeX for papers: entries that bibtex, biber and pybtex read, each under a key of its own.

Page text is data: control characters never reach an entry, a brace never ends a
field early, and a backslash never escapes the entry's end. LaTeX the pages hold
(`\\textit{...}`, `$K$`, `\\&`) is kept as LaTeX, except the commands that read or
write files or redefine others, which are written out as text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import quote

from store.model import Paper
from store.pages.fields import clean_venue
from store.text import fold, plain

# Commands that would make a bibliography act on the writer's machine or document.
_UNSAFE_COMMANDS = {
    "input", "include", "includeonly", "write", "immediate", "openout", "openin", "read", "closeout",
    "closein", "def", "edef", "gdef", "xdef", "let", "newcommand", "renewcommand", "providecommand",
    "catcode", "csname", "endcsname", "expandafter", "special", "usepackage", "documentclass", "loop",
    "message", "errmessage", "jobname", "end", "begin", "makeatletter", "makeatother",
}
_SPECIAL = {"&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_JOURNAL = re.compile(r"\b(?:Journal|Transactions|Letters|Review|Magazine|Nature|Science|Advances|PNAS|JMLR|TMLR|"
                      r"TPAMI|TACL|IMWUT)\b", re.IGNORECASE)
_CONFERENCE = re.compile(
    r"\b(?:Proceedings|Proc\.|Conference|Workshop|Symposium|Findings|Extended Abstracts?|Meeting|"
    r"ICML|NeurIPS|NIPS|ICLR|CVPR|ECCV|ICCV|WACV|ACL|EMNLP|NAACL|COLING|EACL|AAAI|IJCAI|KDD|WWW|SIGIR|WSDM|"
    r"CIKM|AISTATS|UAI|COLT|Interspeech|ICASSP|MICCAI|CoRL|ICRA|IROS|UIST|CHI|CSCW|IUI|DIS|FAccT|ICWSM|CCS)\b",
)
_STOP_WORDS = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "towards", "toward", "via", "from",
               "by", "at", "is", "are", "do", "does", "how", "what", "why", "when", "we"}
_DOI = re.compile(r"\bdoi:\s*(10\.\d{4,9}/\S+)", re.IGNORECASE)


def latex(text: str) -> str:
    """Page text as a BibTeX field's value: its LaTeX kept where it is safe and whole,
    every other special character written out, the braces balanced."""
    text = plain(text)
    math = _math_spans(text)
    out: list[str] = []
    depth = 0
    closing = _closing_braces(text)
    at = 0
    while at < len(text):
        char = text[at]
        if char == "\\":
            command = re.match(r"\\([A-Za-z]+)", text[at:])
            if command and command.group(1) not in _UNSAFE_COMMANDS:
                out.append(command.group(0))
                at += len(command.group(0))
                continue
            following = text[at + 1: at + 2]
            if following in ("{", "}"):
                # bibtex counts every brace, escaped or not: a lone one would end the field.
                out.append(r"\textbraceleft{}" if following == "{" else r"\textbraceright{}")
                at += 2
                continue
            if following in "&%$#_~^'\"`.=" and following:
                out.append(char + following)  # an escape or an accent: LaTeX as the page wrote it
                at += 2
                continue
            out.append(r"\textbackslash{}")
        elif char == "$" and at in math:
            out.append("$")
        elif char == "$":
            out.append(r"\$")
        elif char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char in "~^" and not _inside(at, math):
            out.append(r"\textasciitilde{}" if char == "~" else r"\textasciicircum{}")
        elif char == "{":
            if at in closing:
                depth += 1
                out.append("{")
            else:
                out.append(r"\textbraceleft{}")
        elif char == "}":
            if depth > 0:
                depth -= 1
                out.append("}")
            else:
                out.append(r"\textbraceright{}")
        else:
            out.append(char)
        at += 1
    return "".join(out)


def _math_spans(text: str) -> set[int]:
    """The positions of the '$' that open and close math, when they pair up (one run of
    text between each pair, not escaped)."""
    dollars = [m.start() for m in re.finditer(r"(?<!\\)\$", text)]
    return set(dollars) if len(dollars) % 2 == 0 else set()


def _inside(at: int, math: set[int]) -> bool:
    ordered = sorted(math)
    return any(start < at < end for start, end in zip(ordered[::2], ordered[1::2], strict=True))


def _closing_braces(text: str) -> set[int]:
    """The positions of the '{' that a '}' later closes (the braces kept as LaTeX)."""
    opened: list[int] = []
    closed: set[int] = set()
    for at, char in enumerate(text):
        if char == "{" and (at == 0 or text[at - 1] != "\\"):
            opened.append(at)
        elif char == "}" and (at == 0 or text[at - 1] != "\\") and opened:
            closed.add(opened.pop())
    return closed


def _name(name: str) -> str:
    value = latex(name)
    # A name holding ' and ' or a comma would be read as two people, or as 'Last, First'.
    return f"{{{value}}}" if re.search(r"\band\b|,", value) else value


def entry_type(paper: Paper) -> tuple[str, str | None]:
    """The entry type the page's venue says, and the field that names the venue."""
    venue = venue_of(paper)
    if venue and _JOURNAL.search(venue) and not _CONFERENCE.search(venue):
        return "article", "journal"
    if venue and _CONFERENCE.search(venue):
        return "inproceedings", "booktitle"
    if venue:
        return "misc", "howpublished"
    return "misc", None


def venue_of(paper: Paper) -> str | None:
    return clean_venue(paper["venue"]) if paper.get("venue") else None


def base_key(paper: Paper) -> str:
    """First author's surname, year, first word of the title that says something."""
    authors = paper.get("authors") or []
    surname = re.sub(r"[^a-z]", "", fold(authors[0].split()[-1])) if authors and authors[0].split() else ""
    words = [w for w in re.findall(r"[a-z]+", fold(paper.get("title") or "")) if w not in _STOP_WORDS]
    word = next((w for w in words if len(w) > 2), words[0] if words else "untitled")
    return f"{surname or 'anon'}{paper.get('year') or 'nd'}{word}"


def cite_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """Each paper's key by id: its base key, with 'a', 'b', ... in the order of the
    papers' ids where several share one (the same keys for the same store)."""
    by_base: dict[str, list[str]] = defaultdict(list)
    for paper in papers:
        by_base[base_key(paper)].append(paper["id"])
    keys: dict[str, str] = {}
    for base, ids in by_base.items():
        if len(ids) == 1:
            keys[ids[0]] = base
            continue
        for n, paper_id in enumerate(sorted(ids)):
            keys[paper_id] = base + _suffix(n)
    return keys


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def to_bibtex(paper: Paper, key: str | None = None) -> str:
    """The paper's entry (under `key`, or its base key). An untitled paper gets no title
    field, which a comment before the entry says, rather than one litbrowse invents."""
    kind, venue_field = entry_type(paper)
    fields: list[tuple[str, str]] = []
    if paper.get("title"):
        # Double braces: the title's capitals as the page writes them, whatever the style.
        fields.append(("title", "{{" + latex(paper["title"]) + "}}"))
    if paper.get("authors"):
        others = "" if paper.get("authors_complete") else " and others"
        fields.append(("author", "{" + " and ".join(map(_name, paper["authors"])) + others + "}"))
    if paper.get("year"):
        fields.append(("year", "{" + str(int(paper["year"])) + "}"))
    if paper.get("date") and not paper.get("date_inferred"):
        fields.append(("month", _MONTHS[int(paper["date"][5:7]) - 1]))  # a macro: no braces
    venue = venue_of(paper)
    if venue and venue_field:
        fields.append((venue_field, "{" + latex(venue) + "}"))
    if paper.get("arxiv_id"):
        fields += [("eprint", "{" + latex(paper["arxiv_id"]) + "}"), ("archiveprefix", "{arXiv}")]
        if paper.get("category") and "." in paper["category"]:
            fields.append(("primaryclass", "{" + latex(paper["category"].split()[0]) + "}"))
    doi = _DOI.search(paper.get("comments") or "")
    if doi:
        fields.append(("doi", "{" + _url(doi.group(1).rstrip(".,;")) + "}"))
    url = f"https://arxiv.org/abs/{paper['arxiv_id']}" if paper.get("arxiv_id") else paper.get("url")
    if url:
        fields.append(("url", "{" + _url(url) + "}"))
    if paper.get("abstract"):
        fields.append(("abstract", "{" + latex(paper["abstract"]) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    comment = "" if paper.get("title") else f"% {plain(paper['display_title'])[:70]}: the page gives no title\n"
    return f"{comment}@{kind}{{{key or base_key(paper)},\n{body}\n}}\n"


def to_bibtex_file(papers: list[Paper], keys: dict[str, str]) -> str:
    return "\n".join(to_bibtex(paper, keys.get(paper["id"])) for paper in papers)


def _url(url: str) -> str:
    """A link as a field's value: what would end the field, or escape, percent-encoded."""
    return quote(plain(url), safe=":/?&=#%~+-._!*'();@,$[]|")
