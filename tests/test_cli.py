import json
import subprocess
import sys

import pytest

from store.model import PAPER_FIELDS
from tests.conftest import ARXIVER, SEEDS
from tui.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_json_report(store_path, capsys):
    code, out, err = run(capsys, "ingest", "--json", str(SEEDS))
    assert code == 0 and err == ""
    report = json.loads(out)
    assert [(f["format"], f["papers"]) for f in report["files"]] == [
        ("scholarfeed", 2), ("arxiver", 10), ("paper-page", 19), ("research.google", 18), ("scholarfeed", 46)]
    assert report["papers"] == 94


def test_ingest_reports_a_bad_file_and_keeps_the_others(store_path, tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes\nnothing to see\n")
    code, out, err = run(capsys, "ingest", str(bad), str(ARXIVER))
    assert code == 1
    assert err.strip() == (
        f"litbrowse: {bad}: not a page of a known format "
        "(scholarfeed, arxiver, paper page with related papers, research.google)"
    )
    assert "001_f1ad0fc9ee248bb1.txt  arxiver" in out
    code, out, _ = run(capsys, "stats", "--json")
    assert json.loads(out)["papers"] == 10


def test_the_command_ends_an_ingest_at_once_with_its_output_and_status(store_path, tmp_path, capsys, monkeypatch):
    """`litbrowse ingest` ends its process without the interpreter's exit (which would
    free every paper one by one): its report, errors and status must still all be out."""
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes\n")
    monkeypatch.setenv("COLUMNS", "150")  # the report's width, here and in the command's process
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)  # its output waits in buffers: flushed at the end?
    command = [sys.executable, "-m", "tui", "--store", str(store_path), "ingest", str(SEEDS), str(bad)]
    ended = subprocess.run(command, capture_output=True, text=True)
    again = store_path.with_name("again.json")
    expected = main(["--store", str(again), "ingest", str(SEEDS), str(bad)])
    out, err = capsys.readouterr()
    assert (ended.returncode, ended.stdout, ended.stderr) == (expected, out.replace(str(again), str(store_path)), err)
    assert expected == 1 and ended.stdout.endswith(f"store: {store_path}: 94 papers (+94), 98 author entries\n")
    as_json = subprocess.run([*command, "--json"], capture_output=True, text=True)
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["papers"] == 94


@pytest.mark.parametrize("command", [["ingest", str(SEEDS)], ["papers"], ["stats", "--json"]])
@pytest.mark.parametrize("buffered", [True, False])
def test_output_to_a_full_disk_is_one_line_and_status_1(store_path, command, buffered, monkeypatch):
    """`litbrowse papers > report.txt` on a full disk: said once, whether the output fails
    as it is printed (unbuffered) or at the end (buffered), never a traceback."""
    if buffered:
        monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    else:
        monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    main(["ingest", str(SEEDS)])
    with open("/dev/full", "w") as full:
        ended = subprocess.run([sys.executable, "-m", "tui", "--store", str(store_path), *command],
                               stdout=full, stderr=subprocess.PIPE, text=True)
    assert (ended.returncode, ended.stderr) == (1, "litbrowse: cannot write the output: No space left on device\n")


def test_an_ingest_told_the_process_ends_leaves_its_papers_to_the_system(tmp_path):
    from store.ingest import pipeline as ingest_module

    left = len(ingest_module._left_for_exit)
    report = ingest_module.ingest(tmp_path / "left.json", [SEEDS], leave_for_exit=True)
    ingest_module.ingest(tmp_path / "freed.json", [SEEDS])
    assert [len(papers) for papers in ingest_module._left_for_exit[left:]] == [report.papers_after] == [94]
    assert (tmp_path / "left.json").read_bytes().replace(b"left.json", b"freed.json") == (
        tmp_path / "freed.json").read_bytes()
    del ingest_module._left_for_exit[left:]


def test_stats_authors_papers_show(store_path, capsys):
    run(capsys, "ingest", str(SEEDS))
    code, out, _ = run(capsys, "stats", "--json")
    stats = json.loads(out)
    assert (code, stats["papers"], stats["authors"], stats["sources"]) == (0, 94, 96, 5)
    code, out, _ = run(capsys, "authors", "--json")
    authors = json.loads(out)
    assert authors[0]["display_name"] == "Kyungwoo Song"
    assert set(authors[0]) == {"id", "name", "display_name", "aliases", "papers", "profile", "kind", "owner"}
    code, out, _ = run(capsys, "papers", "--author", "Seung Jae Shin", "--json")
    assert code == 0 and len(json.loads(out)) == 7
    code, out, _ = run(capsys, "show", "arxiv:2210.03858", "--json")
    paper = json.loads(out)
    assert (paper["comments"], paper["venue"], paper["sources"]) == (
        "Findings of EMNLP 2022", "EMNLP 2022", ["001_f1ad0fc9ee248bb1.txt"])
    assert not any(key.startswith("_") for key in paper)


def test_show_unknown_id_and_unknown_author(store_path, capsys):
    run(capsys, "ingest", str(ARXIVER))
    code, out, err = run(capsys, "show", "arxiv:0000.00000")
    assert (code, out) == (1, "")
    assert err.startswith("litbrowse: no paper or author with id 'arxiv:0000.00000'")
    code, _, err = run(capsys, "papers", "--author", "Nobody Atall")
    assert code == 1 and "no author named 'Nobody Atall'" in err


def test_show_reads_its_paper_and_the_related_titles_alone(store_path, capsys, monkeypatch):
    from store.disk import parts

    run(capsys, "ingest", str(SEEDS))
    everything = pytest.fail  # reading every paper, or every line's id, is what show no longer does
    monkeypatch.setattr(parts.PartFile, "docs", lambda *_: everything("read every document"))
    monkeypatch.setattr(parts.PartFile, "ids", lambda *_: everything("read every id"))
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = run(capsys, "show", "arxiv:2310.06511")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:3] == ["Self-Supervised Dataset Distillation for Transfer Learning", "=" * 58,
                         "id:           arxiv:2310.06511"]
    assert "abstract:" in lines and "  Dataset distillation methods have achieved remarkable success in distilling a" \
        " large dataset into a" in lines
    related = lines[lines.index("related:") + 1:]
    assert len(related) == 18 and related[1] == "  p:a2bf2cded8cc  Dataset Distillation for Pre-Trained " \
        "Self-Supervised Vision Models"
    assert related[-1] == "  p:0c744789db55  Neural Model-based Optimization with Right-Censored Observations"
    code, out, _ = run(capsys, "show", "a:joonhoko", "--json")  # an author's id reads no paper
    assert (code, json.loads(out)["papers"]) == (0, ["p:c3394a2b1428", "arxiv:2310.06511"])


def test_an_authors_papers_are_read_one_by_one_unless_there_are_many(store_path, capsys, monkeypatch):
    from store.disk import parts, persistence

    run(capsys, "ingest", str(SEEDS))
    expected = ["p:67cd50b6b911", "p:bab87bf508ef", "p:8702da808be3", "p:3beb3e2532e8", "p:a4356b2ff61c",
                "p:ec741a89769e", "p:9a594ccb1839"]  # Seungjae Shin's, newest first
    with monkeypatch.context() as patched:
        patched.setattr(parts.PartFile, "docs", lambda *_: pytest.fail("read every paper"))
        code, out, _ = run(capsys, "papers", "--author", "Seung Jae Shin", "--json")
    assert (code, [p["id"] for p in json.loads(out)]) == (0, expected)
    monkeypatch.setattr(persistence, "FIND_AT_MOST", 6)  # seven are many: every paper is read instead
    monkeypatch.setattr(parts.PartFile, "find", lambda *_: pytest.fail("found one by one"))
    code, again, _ = run(capsys, "papers", "--author", "Seung Jae Shin", "--json")
    assert (code, again) == (0, out)


def test_bibtex(store_path, capsys):
    run(capsys, "ingest", str(SEEDS))
    code, out, _ = run(capsys, "show", "arxiv:2310.06511", "--bibtex")
    assert code == 0
    assert out.startswith(
        "@misc{lee2023self,\n  title = {{Self-Supervised Dataset Distillation for Transfer Learning}},\n")
    assert ("  author = {Dong Bok Lee and Seanie Lee and Joonho Ko and Kenji Kawaguchi and Juho Lee and Sung Ju Hwang"
            "},\n") in out
    assert "  eprint = {2310.06511},\n" in out


def test_first_run_ingests_the_bundled_seeds(store_path, capsys):
    assert not store_path.exists()
    code, out, err = run(capsys, "stats", "--json")
    assert code == 0 and json.loads(out)["papers"] == 94
    assert "first run: ingested 94 papers" in err


def test_first_app_run_ingests_the_bundled_seeds(store_path, capsys, monkeypatch):
    opened = []
    monkeypatch.setattr("tui.app.run_app", lambda path: opened.append(path) or 0)
    monkeypatch.setattr("tui.cli.has_terminal", lambda: True)
    code, _, err = run(capsys)
    assert (code, opened) == (0, [store_path])
    assert "first run: ingested 94 papers" in err and store_path.exists()


def test_search_json(store_path, capsys):
    run(capsys, "ingest", str(SEEDS))
    code, out, _ = run(capsys, "search", "lcoal low rank matrx", "--limit", "2", "--json")
    results = json.loads(out)
    assert [r["display_title"] for r in results] == [
        "Local Low-Rank Matrix Approximation", "LLORMA: Local Low-Rank Matrix Approximation"]
    assert results[0]["field"] == "title" and results[0]["spans"][:2] == [[0, 5], [6, 9]]
    # A row carries the paper's fields, its abstract too.
    assert results[0]["authors"] == ["Guy Lebanon", "Yoram Singer", "Seungyeon Kim"]
    assert results[0]["abstract"].startswith("Matrix approximation")
    assert set(results[0]) == {*PAPER_FIELDS, "paper_score", "field", "spans"}
    code, out, err = run(capsys, "search", "year:20x")
    assert code == 1 and out == ""
    assert err.strip() == "litbrowse: year:20x: not a year; write year:2021, year:2019-2022 or year:>2020"


def test_a_search_that_finds_nothing_says_so_and_its_json_is_an_empty_list(store_path, capsys):
    run(capsys, "ingest", str(SEEDS))
    assert run(capsys, "search", "zzzqqq xxyyz") == (1, "no papers match\n", "")
    assert run(capsys, "search", "zzzqqq", "--json") == (1, "[]\n", "")


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as ended:
        main(["--version"])
    assert (ended.value.code, capsys.readouterr().out) == (0, f"litbrowse {version('litbrowse')}\n")


def test_corrupt_store_is_reported_and_left_alone(store_path, capsys):
    store_path.parent.mkdir(parents=True)
    store_path.write_text('{"papers": {"1": ')
    code, _, err = run(capsys, "ingest", str(ARXIVER))
    assert code == 1
    assert err.startswith(f"litbrowse: {store_path}: not valid JSON")
    assert store_path.read_text() == '{"papers": {"1": '


def test_newer_store_is_refused(store_path, capsys):
    store_path.parent.mkdir(parents=True)
    store_path.write_text('{"_meta": {"1": {"schema": 99}}, "papers": {}}')
    code, _, err = run(capsys, "stats")
    assert code == 1 and "made by a newer litbrowse (store schema 99" in err


@pytest.mark.parametrize("args", [["--help"], ["stats", "--json"]])
def test_headless_commands_do_not_import_textual(store_path, args):
    code = (
        "import sys; from tui.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'\n"
        "assert 'tui.app' not in sys.modules\n"
    )
    result = python(code, *args)
    assert result.returncode == 0, result.stderr


def test_help_names_the_default_store_and_a_command_given_a_store_does_not_look_for_it(store_path, monkeypatch):
    monkeypatch.delenv("LITBROWSE_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", "/tmp/litbrowse-help-data")
    result = subprocess.run([sys.executable, "-m", "tui", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert " ".join(result.stdout.split()).endswith(
        "The store defaults to $LITBROWSE_STORE or /tmp/litbrowse-help-data/litbrowse/store.json.")
    ingest_help = subprocess.run([sys.executable, "-m", "tui", "ingest", "--help"], capture_output=True, text=True)
    assert ingest_help.returncode == 0 and "defaults to" not in ingest_help.stdout
    # The user's data folder is found by platformdirs, which costs 15 ms to import.
    code = (
        "import sys; from tui.cli import main\n"
        "main(sys.argv[1:])\n"
        "assert 'platformdirs' not in sys.modules, 'platformdirs imported'\n"
    )
    result = python(code, "--store", str(store_path), "stats", "--json")
    assert result.returncode == 0, result.stderr


def test_store_package_never_imports_textual_or_tui():
    code = (
        "import sys, pkgutil, importlib, store\n"
        "for m in pkgutil.walk_packages(store.__path__, 'store.'):\n    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')]\n"
        "assert not bad, bad\n"
    )
    result = python(code)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["orjson", "store.disk.persistence", "argparse"])
def test_a_ctrl_c_while_the_command_line_loads_ends_it_quietly(store_path, module):
    # The Ctrl-C lands as the module starts loading: as a KeyboardInterrupt it printed a
    # traceback, and inside orjson's set-up it crashed the process.
    code = (
        "import signal, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name == {module!r}:\n"
        "            signal.raise_signal(signal.SIGINT)\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "sys.argv = ['litbrowse', 'stats']\n"
        "from tui.entry import run\n"
        "run()\n"
    )
    result = python(code)
    assert (result.returncode, result.stdout, result.stderr) == (130, "", "")


def test_started_with_ctrl_c_ignored_it_keeps_ignoring_it(store_path):
    # A script's background job: the Ctrl-C typed for the script must not stop it.
    code = (
        "import signal, sys\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'orjson':\n"
        "            signal.raise_signal(signal.SIGINT)\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "sys.argv = ['litbrowse', 'stats', '--json']\n"
        "from tui.entry import run\n"
        "try:\n    run()\n"
        "except SystemExit as end:\n"
        "    print('still ignored:', signal.getsignal(signal.SIGINT) is signal.SIG_IGN, 'exit:', end.code)\n"
    )
    result = python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout[:result.stdout.rindex("still")])["papers"] == 94
    assert result.stdout.endswith("still ignored: True exit: 0\n")


def test_once_loaded_the_command_line_gets_ctrl_c_as_keyboardinterrupt():
    # Its commands clean up after a Ctrl-C (an ingest's spool, its helpers) and end with 130.
    result = python("import signal\nfrom tui import cli\n"
                    "cli.run = lambda: print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)\n"
                    "from tui.entry import run\nrun()\n")
    assert (result.returncode, result.stdout, result.stderr) == (0, "True\n", "")


def test_a_ctrl_c_while_the_arguments_are_read_ends_with_130_and_no_traceback(store_path):
    result = python("import argparse, signal\n"
                    "read = argparse.ArgumentParser.parse_args\n"
                    "def interrupted(parser, *args):\n"
                    "    signal.raise_signal(signal.SIGINT)\n"
                    "    return read(parser, *args)\n"
                    "argparse.ArgumentParser.parse_args = interrupted\n"
                    "from tui.entry import run\nrun()\n", "stats")
    assert (result.returncode, result.stdout, result.stderr) == (130, "", "")


def python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter running code (its output as text)."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)


@pytest.mark.parametrize("count", [0, 1, 999, 1000, 2501])
def test_json_lists_are_written_in_batches_as_the_standard_module_would_write_them_whole(capsys, count):
    from tui.cli import emit_json_list

    items = [{"id": f"p:{n}", "title": "Über \x1b[2J \u202e \"quoted\" \\", "year": n, "score": n / 3,
              "related": [] if n % 2 else [f"p:{n - 1}"], "profile": {} if n % 3 else None} for n in range(count)]
    emit_json_list(iter(items))
    out, _ = capsys.readouterr()
    # As the standard module writes it, but for the direction mark, which goes as an escape.
    assert out == json.dumps(items, ensure_ascii=False, indent=2).replace("\u202e", "\\u202e") + "\n"


def test_papers_json_is_the_whole_list(store_path, capsys):
    run(capsys, "ingest", str(SEEDS))
    code, out, err = run(capsys, "papers", "--json")
    papers = json.loads(out)
    assert (code, err, len(papers), len({p["id"] for p in papers})) == (0, "", 94, 94)
    assert out.startswith('[\n  {\n    "id": "') and out.endswith("\n  }\n]\n")


def test_json_goes_to_a_stream_of_text_too_after_what_was_written_before_it():
    import contextlib
    import io

    from tui.cli import emit_json, emit_json_list

    text = io.StringIO()  # no bytes underneath: a caller's redirect_stdout
    with contextlib.redirect_stdout(text):
        print("first")
        emit_json({"title": "Über \x1b"})
        emit_json_list([])
    assert text.getvalue() == 'first\n{\n  "title": "Über \\u001b"\n}\n[]\n'


def test_json_written_as_bytes_comes_after_the_text_written_before_it(monkeypatch):
    import io

    from tui.cli import emit_json

    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")  # as a terminal's or a file's: text held until flushed
    monkeypatch.setattr(sys, "stdout", out)
    out.write("first ")
    emit_json([1])
    out.flush()
    assert raw.getvalue() == b"first [\n  1\n]\n"


def test_an_owner_is_found_among_the_authors_of_their_papers(store_path, capsys):
    run(capsys, "ingest", str(SEEDS))
    # research.google lists her co-authors, not her: she is added to each of her 18 papers.
    code, out, _ = run(capsys, "search", "--json", "--limit", "50", 'author:"seungyeon kim"')
    assert (code, len(json.loads(out))) == (0, 18)
    code, out, _ = run(capsys, "papers", "--author", "Seungyeon Kim", "--json")
    papers = json.loads(out)
    assert len(papers) == 18 and all("Seungyeon Kim" in paper["authors"] for paper in papers)


def test_papers_json_holds_the_abstracts_unless_left_out(store_path, capsys):
    run(capsys, "ingest", str(SEEDS))
    code, out, _ = run(capsys, "papers", "--json")
    papers = json.loads(out)
    with_abstracts = [p for p in papers if p["abstract"] is not None]
    # The related papers on the paper page have summaries, three research.google entries nothing.
    assert (code, len(papers), len(with_abstracts)) == (0, 94, 73)
    code, out, _ = run(capsys, "papers", "--json", "--no-abstracts")
    assert code == 0 and all("abstract" not in paper for paper in json.loads(out))


def test_unnamed_pages_are_listed_apart_from_people(store_path, capsys, tmp_path):
    bio_only = tmp_path / "bio.txt"
    bio_only.write_text("Google Research\n\nLin Wu\n\nLin Wu studies reading.\n\n"
                        "Learn more about how we do research\n")
    code, out, _ = run(capsys, "ingest", "--json", str(SEEDS), str(bio_only))
    assert code == 0 and json.loads(out)["files"][-1]["papers"] == 0
    code, out, _ = run(capsys, "authors", "--json")
    authors = json.loads(out)
    pages = sorted(a["display_name"] for a in authors if a["kind"] == "page")
    assert pages == [
        "Related to: Self-Supervised Dataset Distillation for Transfer Learning (002_a33d55ea117c81c2.txt)",
        "arxiver page (001_f1ad0fc9ee248bb1.txt)"]
    assert all(a["name"] is None for a in authors if a["kind"] == "page")
    lin = next(a for a in authors if a["name"] == "Lin Wu")
    assert (lin["kind"], lin["papers"], lin["profile"]["bio"]) == ("person", [], "Lin Wu studies reading.")


def test_json_carries_no_raw_control_characters(store_path, capsys, tmp_path):
    page = tmp_path / "c1.txt"
    page.write_text("Ada Lovelace\nh-index1\n\nCLMar 1, 2020\nA title with CSI \x9b31m and OSC \x9d0;x and \x7f\n\n"
                    "Ada Lovelace\n\nAn abstract \u202e reversed.\n")
    run(capsys, "ingest", str(page))
    code, out, _ = run(capsys, "papers", "--json")
    assert code == 0 and not any(char in out for char in "\x9b\x9d\x7f\u202e")
    assert "CSI \\u009b31m and OSC \\u009d0;x and \\u007f" in out
    [paper] = json.loads(out)
    assert paper["title"] == "A title with CSI \x9b31m and OSC \x9d0;x and \x7f"  # the data itself is kept


def test_export_writes_a_search_an_author_or_everything(store_path, capsys, tmp_path):
    from pybtex.database import parse_string

    run(capsys, "ingest", str(SEEDS))
    bib = tmp_path / "out" / "refs.bib"
    bib.parent.mkdir()
    assert run(capsys, "export", "distillation", "-o", str(bib)) == (
        0, f"{len(parse_string(bib.read_text(), 'bibtex').entries)} papers written to {bib} (bibtex)\n", "")
    entries = parse_string(bib.read_text(), "bibtex").entries
    assert len(entries) >= 5 and all("distill" in (e.fields.get("title", "") + e.fields.get("abstract", "")).lower()
                                     for e in entries.values())
    code, out, _ = run(capsys, "export", "--author", "Seungyeon Kim", "--format", "csl-json")
    items = json.loads(out)
    assert code == 0 and len(items) == 18
    assert all({"family": "Kim", "given": "Seungyeon"} in item["author"] for item in items)
    assert items[0]["type"] in ("paper-conference", "article-journal", "article")
    code, out, _ = run(capsys, "export", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 94
    # The same paper has the same key in every export of the store.
    code, whole, _ = run(capsys, "export")
    assert all(f"@{entry.type}{{{key}," in whole for key, entry in entries.items())
    assert run(capsys, "export", "zzzqqq") == (1, "", "")
    assert run(capsys, "export", "-o", str(tmp_path)) == (
        1, "", f"litbrowse: {tmp_path}: is a folder; give a file's path\n")


def test_authors_sorted_by_surname(store_path, capsys):
    run(capsys, "ingest", str(SEEDS))
    code, out, _ = run(capsys, "authors", "--sort", "surname", "--json")
    authors = json.loads(out)
    people = [a["display_name"] for a in authors if a["kind"] == "person"]
    assert code == 0 and people[:3] == sorted(people, key=lambda n: (n.split()[-1].lower(), n.lower()))[:3]
    surnames = [name.split()[-1].lower() for name in people]
    assert surnames == sorted(surnames)
    assert [a["kind"] for a in authors][-2:] == ["page", "page"]  # pages after the people
