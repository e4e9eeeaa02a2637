"""Bad input to `litbrowse ingest`: a one-line reason per file, the other files ingested, the store kept."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from store.disk.persistence import load
from store.text import printable
from tests.conftest import ARXIVER, SCHOLARFEED, SCHOLARFEED_SMALL, SEEDS, parse_seed
from tui.cli import main

UNKNOWN_FORMAT = (
    "not a page of a known format (scholarfeed, arxiver, paper page with related papers, research.google)"
)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def store_state(store: Path) -> dict:
    """Everything a user could lose: each paper and author record, abstracts included."""
    data = load(store)
    return {"papers": data.papers, "authors": data.authors, "pages": data.pages}


@pytest.fixture
def filled_store(store_path: Path, capsys) -> Path:
    """A store that already holds a page, so a bad file has something to lose."""
    assert run(capsys, "ingest", str(SCHOLARFEED_SMALL))[0] == 0
    return store_path


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


BAD_FILES = {
    "empty": (lambda tmp: write(tmp / "empty.txt", b""), "empty file"),
    "binary": (
        lambda tmp: write(tmp / "image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
        "binary file, not a text page",
    ),
    "unknown": (lambda tmp: write(tmp / "notes.txt", b"Shopping list\n\neggs\nmilk\n"), UNKNOWN_FORMAT),
    "missing": (lambda tmp: tmp / "no-such-page.txt", "no such file or folder"),
    "only blanks": (lambda tmp: write(tmp / "blank.txt", b"\n \n\t\n"), "no text (only white space)"),
    "only an over-long line": (lambda tmp: write(tmp / "long.txt", b"x" * 100_001 + b"\n \n"),
                               "no text (only white space)"),
    # Read, a pipe would wait for a writer (the ingest would hang) and a device never end.
    "named pipe": (lambda tmp: os.mkfifo(tmp / "page.txt") or tmp / "page.txt",
                   "not a saved page but a pipe; save the page to a file first"),
    "device": (lambda tmp: Path("/dev/zero"), "not a saved page but a device; save the page to a file first"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_file_alone_is_refused_and_the_store_is_untouched(filled_store, tmp_path, capsys, kind):
    make, reason = BAD_FILES[kind]
    bad = make(tmp_path)
    before = filled_store.read_bytes()
    code, out, err = run(capsys, "ingest", str(bad))
    assert code == 1
    assert err == f"litbrowse: {bad}: {reason}\n"
    assert filled_store.read_bytes() == before


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_file_among_good_ones_keeps_the_good_and_the_old(filled_store, tmp_path, capsys, kind):
    make, reason = BAD_FILES[kind]
    bad = make(tmp_path)
    before = store_state(filled_store)
    code, out, err = run(capsys, "ingest", "--json", str(ARXIVER), str(bad))
    assert code == 1
    assert err == f"litbrowse: {bad}: {reason}\n"
    report = json.loads(out)
    assert [(Path(f["path"]).name, f["papers"], f["error"]) for f in report["files"]] == [
        (ARXIVER.name, 10, None), (bad.name, 0, reason)]
    after = store_state(filled_store)
    assert len(after["papers"]) == len(before["papers"]) + 10
    assert all(paper in after["papers"] for paper in before["papers"])


def test_invalid_utf8_is_decoded_with_a_warning(store_path, tmp_path, capsys):
    page = SCHOLARFEED_SMALL.read_bytes().replace(b"remarkable success", b"remarkable \xff\xfe success", 1)
    bad = write(tmp_path / "latin.txt", page)
    code, out, err = run(capsys, "ingest", "--json", str(bad))
    assert (code, err) == (0, "")
    [report] = json.loads(out)["files"]
    assert report["papers"] == 2
    assert report["warnings"][0].startswith("not valid UTF-8 (first bad byte at offset")
    assert report["warnings"][0].endswith("2 undecodable byte(s) replaced")
    [paper] = [p for p in load(store_path).papers if p["title"].startswith("Self-Supervised Dataset")]
    assert "remarkable \ufffd\ufffd success" in paper["abstract"]


def test_page_cut_off_mid_entry_keeps_the_complete_entries(store_path, tmp_path, capsys):
    text = SCHOLARFEED.read_text()
    whole = parse_seed(SCHOLARFEED).entries
    # Cut inside the author line of the tenth entry: its title survives, its authors and abstract do not.
    tenth = whole[9]
    cut_at = text.index(tenth.title) + len(tenth.title) + 1 + 8
    cut = write(tmp_path / "cut.txt", text[:cut_at].encode())
    code, out, err = run(capsys, "ingest", "--json", str(cut))
    assert (code, err) == (0, "")
    [report] = json.loads(out)["files"]
    assert report["papers"] == 10
    assert f"entry 10 ({tenth.title[:40]}) is cut off: kept what the page shows" in report["warnings"]
    stored = {p["title"]: p for p in load(store_path).papers}
    assert (stored[tenth.title]["authors"], stored[tenth.title]["abstract"]) == (["Kyungwoo Song"], None)
    for entry in whole[:9]:
        assert stored[entry.title]["authors"] == entry.authors
        assert stored[entry.title]["abstract"] == entry.abstract


def test_fifty_megabyte_file_is_refused_without_being_read(filled_store, tmp_path, capsys):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: nothing is written, and nothing may be read
    before = filled_store.read_bytes()
    code, _, err = run(capsys, "ingest", str(huge))
    assert code == 1
    assert err == f"litbrowse: {huge}: too large for a saved page (52 MB; the limit is 21 MB)\n"
    assert filled_store.read_bytes() == before


def test_folder_with_subfolders_symlink_loops_and_other_files(store_path, tmp_path, capsys):
    root = tmp_path / "saved"
    (root / "deeper" / "deepest").mkdir(parents=True)
    (root / "deeper" / "arxiver.txt").write_bytes(ARXIVER.read_bytes())
    (root / "deeper" / "deepest" / "scholarfeed.txt").write_bytes(SCHOLARFEED_SMALL.read_bytes())
    (root / "deeper" / "loop").symlink_to(root, target_is_directory=True)
    (root / "self").symlink_to(root / "self")  # a link to itself
    (root / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (root / "paper.pdf").write_bytes(b"%PDF-1.7 binary")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (root / ".hidden.txt").write_text("not looked at")
    (root / "todo.txt").write_text("call Ada\nbuy milk\n")
    code, out, err = run(capsys, "ingest", "--json", str(root))
    assert code == 1
    assert err.splitlines() == [
        f"litbrowse: {root / 'dangling.txt'}: broken symbolic link",
        f"litbrowse: {root / 'self'}: symbolic link loop",
        f"litbrowse: {root / 'todo.txt'}: {UNKNOWN_FORMAT}",
    ]
    report = json.loads(out)
    assert [(Path(f["path"]).relative_to(root).as_posix(), f["papers"]) for f in report["files"]] == [
        ("dangling.txt", 0), ("self", 0), ("todo.txt", 0),
        ("deeper/arxiver.txt", 10), ("deeper/deepest/scholarfeed.txt", 2),
    ]
    assert report["papers"] == 12


def test_absurd_content_ten_thousand_character_title_megabyte_line_and_nuls(store_path, tmp_path, capsys):
    long_title = "Attention " * 1000
    page = SCHOLARFEED_SMALL.read_text().replace(
        "Efficient Real-time Refinement of Language Model Text Generation", long_title.strip())
    page = page.replace("2 Papers\n", "2 Papers\n" + "x" * (1024 * 1024) + "\n")
    page = page.replace("Dataset distillation methods", "Dataset\x00 distillation\x00\x00 methods")
    absurd = write(tmp_path / "absurd.txt", page.encode())
    code, out, err = run(capsys, "ingest", "--json", str(absurd))
    assert (code, err) == (0, "")
    [report] = json.loads(out)["files"]
    assert report["papers"] == 2
    assert report["warnings"] == ["NUL bytes removed", "1 line(s) over 100,000 characters dropped"]
    titles = sorted(p["title"] for p in load(store_path).papers)
    assert titles == sorted([long_title.strip(), "Self-Supervised Dataset Distillation for Transfer Learning"])
    assert len(titles[0]) == 9999
    code, out, _ = run(capsys, "papers")
    assert code == 0 and long_title.strip()[:50] in out


def test_header_metrics_that_make_no_number_are_left_out_with_a_warning(store_path, tmp_path, capsys):
    # Too large for the store's JSON codec (64-bit integers; this was a traceback at the
    # save), digits that make no number (a traceback in the parser), a score that is infinite.
    page = SCHOLARFEED.read_text().replace("h-index13", "h-index" + "9" * 30, 1)
    page = page.replace("Novelty53%", "Novelty1.2.3%", 1).replace("AI Score59", "AI Score" + "9" * 400, 1)
    odd = write(tmp_path / "odd.txt", page.encode())
    code, out, err = run(capsys, "ingest", "--json", str(odd))
    assert (code, err) == (0, "")
    [report] = json.loads(out)["files"]
    assert (report["papers"], report["error"]) == (46, None)
    assert report["warnings"] == [
        "h index '99999999999999999999' is not a number litbrowse can keep: left out",
        "novelty '1.2.3' is not a number litbrowse can keep: left out",
        "ai score '99999999999999999999' is not a number litbrowse can keep: left out",
    ]
    [owner] = [a for a in load(store_path).authors if a["name"] == "Kyungwoo Song"]
    profile = owner["profile"]
    assert (profile["h_index"], profile["novelty"], profile["ai_score"]) == (None, None, None)
    assert (profile["citations"], profile["paper_count"]) == (794, 46)  # the sound ones are kept


@pytest.mark.parametrize("page", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_windows_line_endings_and_byte_order_mark_parse_identically(tmp_path, page):
    text = page.read_bytes()
    variant = write(tmp_path / page.name, b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"))
    assert parse_seed(variant) == parse_seed(page)


@pytest.mark.parametrize("page", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_lines_saved_indented_and_with_trailing_space_parse_identically(tmp_path, page):
    # Each format is told by markers at the start of its lines: the detector strips them.
    lines = page.read_text(encoding="utf-8").split("\n")
    variant = write(tmp_path / page.name, "\n".join(f"  {line} \t" if line else line for line in lines).encode())
    assert parse_seed(variant) == parse_seed(page)


HOSTILE_TITLE = "[@click=app.quit]Evil[/] \x1b[2J\x1b]52;c;cHduZWQ=\x07 \u202egnp.exe arr[i] [sic]"


def test_hostile_text_is_stored_as_is_and_never_echoed_raw(store_path, tmp_path, capsys):
    page = SCHOLARFEED_SMALL.read_text().replace(
        "Efficient Real-time Refinement of Language Model Text Generation", HOSTILE_TITLE)
    hostile = write(tmp_path / "hostile.txt", page.encode())
    assert run(capsys, "ingest", str(hostile))[0] == 0
    [paper] = [p for p in load(store_path).papers if p["title"].startswith("[@click")]
    assert paper["title"] == HOSTILE_TITLE
    for args in (["papers"], ["show", paper["id"]], ["search", "evil"], ["authors"], ["stats"]):
        code, out, err = run(capsys, *args)
        assert code == 0, args
        for raw in ("\x1b", "\x07", "\u202e"):
            assert raw not in out + err, (args, raw)
    code, out, _ = run(capsys, "show", paper["id"])
    assert "[@click=app.quit]Evil[/] \\x1b[2J\\x1b]52;c;cHduZWQ=\\x07 \\u202egnp.exe arr[i] [sic]" in out
    # JSON output is escaped by JSON itself, and gives the text back exactly.
    code, out, _ = run(capsys, "show", paper["id"], "--json")
    assert "\x1b" not in out and json.loads(out)["title"] == HOSTILE_TITLE


def test_printable_escapes_every_control_and_bidi_character_and_nothing_else():
    every = "".join(map(chr, range(0x110000))).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    ranges = [("\x00", "\x08"), ("\x0b", "\x1f"), ("\x7f", "\x9f"), ("\u200e", "\u200f"),
              ("\u202a", "\u202e"), ("\u2066", "\u2069")]  # C0 but tab and line feed, DEL, C1, bidi
    escaped = {c for c in every if any(low <= c <= high for low, high in ranges)}
    assert len(escaped) == 9 + 21 + 33 + 2 + 5 + 4
    for c in sorted(escaped):  # inside text that is otherwise plain
        code = ord(c)
        assert printable(f"a {c}b") == (f"a \\x{code:02x}b" if code < 0x100 else f"a \\u{code:04x}b")
    rest = "".join(c for c in every if c not in escaped)
    assert printable(rest) == rest  # tabs, line breaks and every other character stay as they are


def test_unreadable_file_is_refused_with_the_reason(filled_store, tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    locked = write(tmp_path / "locked.txt", ARXIVER.read_bytes())
    locked.chmod(0)
    code, _, err = run(capsys, "ingest", str(locked))
    assert (code, err) == (1, f"litbrowse: {locked}: Permission denied\n")


def test_a_store_where_no_store_can_be_written_is_one_line_not_a_traceback(tmp_path, capsys):
    in_the_way = write(tmp_path / "a-file", b"not a folder")
    code, out, err = run(capsys, "--store", str(in_the_way / "store.json"), "ingest", str(ARXIVER))
    assert (code, out) == (1, "")
    assert err == f"litbrowse: {in_the_way}: cannot write the store: a file is in the way of a folder\n"
    assert in_the_way.read_bytes() == b"not a folder"


def test_a_full_disk_while_writing_the_store_is_one_line_and_keeps_the_store(filled_store, capsys, monkeypatch):
    import errno

    from store.disk import persistence, storage

    real_write = storage._write

    def write_until_full(fd, pieces, digest):
        if any(b'"details":{' in piece for piece in pieces):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, pieces, digest)

    monkeypatch.setattr(storage, "_write", write_until_full)
    before = store_state(filled_store)
    code, out, err = run(capsys, "ingest", str(ARXIVER), str(SCHOLARFEED))
    assert (code, out) == (1, "")
    assert err == f"litbrowse: {filled_store}: cannot write the store: No space left on device\n"
    assert store_state(filled_store) == before
    folder = filled_store.parent
    assert not list(folder.glob(".*.tmp")) and not list(folder.glob(".*.spool-*"))
    assert persistence.load(filled_store).details_file in {p.name for p in folder.iterdir()}
