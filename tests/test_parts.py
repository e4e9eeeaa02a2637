"""Part files: one document per line, still JSON that TinyDB reads as it is."""

from __future__ import annotations

import json
import os

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.disk import parts

# Strings made of the characters that could confuse a line or document boundary.
TRICKY = st.text(alphabet=st.sampled_from(list('",:{}[]\\\n 12ab\u2028\x00é')), max_size=12)
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), TRICKY, st.lists(TRICKY, max_size=3))
DOCS = st.lists(st.dictionaries(st.sampled_from(["id", "title", "abstract", "keys", "1", "2"]), VALUES), max_size=6)


def write(tmp_path, table, docs):
    path = tmp_path / "part"
    path.write_bytes(b"".join(piece for pieces in parts.lines(table, docs) for piece in pieces))
    return path


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=DOCS)
def test_any_documents_come_back_line_by_line_and_as_json(tmp_path, docs):
    for n, doc in enumerate(docs):
        # Unique ids; the even ones hold a quote and a backslash, which the fast id scan leaves to the parser.
        doc["id"] = f"p{n}" if n % 2 else f'p{n} "\\ ,"1":{{'
    data = write(tmp_path, "papers", docs).read_bytes()
    assert json.loads(data) == {"papers": {str(n): doc for n, doc in enumerate(docs, start=1)}}
    assert data.count(b"\n") == len(docs) + 2 if docs else data == b'{"papers":{\n}}\n'
    with parts.PartFile(tmp_path / "part", "papers") as part:
        assert list(part.docs()) == docs
        offsets = part.ids()
        assert sorted(offsets) == sorted(doc["id"] for doc in docs)
        assert [part.doc_at(offsets[doc["id"]]) for doc in docs] == docs
        assert [part.find(doc["id"]) for doc in docs] == docs  # in no id order: found all the same
        assert part.find("absent") is None


def test_find_bisects_a_part_in_id_order_without_reading_every_line(tmp_path, monkeypatch):
    # Lines of one byte to 20 kilobytes: many longer than a read (parts._PEEK), some shorter than an id's peek.
    docs = [{"id": f"p:{n:04d}", "abstract": "w" * (n * 7919 % 20_000 if n % 5 else 0)} for n in range(0, 600, 3)]
    path = write(tmp_path, "details", docs)
    with parts.PartFile(path, "details") as part:
        monkeypatch.setattr(part, "ids", lambda: pytest.fail("bisection read every line's id"))
        assert [part.find(doc["id"]) for doc in docs] == docs
    read_all_ids = []
    with parts.PartFile(path, "details") as part:
        monkeypatch.setattr(part, "ids", lambda: read_all_ids.append(1) or {})
        for absent in ("p:0001", "p:", "a", "p:0599", "p:9999", "q"):  # between, before and after the ids
            assert part.find(absent) is None
        assert read_all_ids == [1]  # a miss reads every line's id once, for every later miss
    with parts.PartFile(write(tmp_path, "details", []), "details") as part:
        assert part.find("p:0000") is None


def test_find_remembers_its_bisection_steps(tmp_path, monkeypatch):
    """A search reads a hundred abstracts at once, each bisection starting with the same
    steps: once each step was read, looking every paper up again reads only the lines found."""
    docs = [{"id": f"p:{n:04d}", "abstract": "w" * (n * 7919 % 9_000)} for n in range(0, 600, 3)]
    absent = ("p:0001", "p:9999", "a")  # between, after and before the ids
    with parts.PartFile(write(tmp_path, "details", docs), "details") as part:
        monkeypatch.setattr(part, "ids", lambda: {})  # what bisection alone finds
        assert [part.find(doc["id"]) for doc in docs] == docs
        assert [part.find(doc_id) for doc_id in absent] == [None] * 3
        steps = []
        line_from = part._line_from
        monkeypatch.setattr(part, "_line_from", lambda *args: steps.append(args) or line_from(*args))
        assert [part.find(doc["id"]) for doc in reversed(docs)] == docs[::-1]
        assert [part.find(doc_id) for doc_id in absent] == [None] * 3
    assert steps == []


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.sets(st.text(alphabet=st.sampled_from(list("p:01aZé€𝐀")), min_size=1, max_size=5), max_size=40),
       lengths=st.lists(st.integers(0, 9000), min_size=40, max_size=40),
       absent=st.text(alphabet=st.sampled_from(list("p:01aZé€𝐀")), max_size=5))
def test_find_bisects_any_ids_in_order(tmp_path, monkeypatch, ids, lengths, absent):
    # Ids that are prefixes of each other, and characters of one to four bytes in UTF-8.
    docs = [{"id": doc_id, "abstract": "x" * length}
            for doc_id, length in zip(sorted(ids), lengths[: len(ids)], strict=True)]
    with parts.PartFile(write(tmp_path, "details", docs), "details") as part:
        monkeypatch.setattr(part, "ids", lambda: {})  # what bisection alone finds
        assert [part.find(doc["id"]) for doc in docs] == docs
        assert part.find(absent) == (None if absent not in ids else docs[sorted(ids).index(absent)])


def test_find_reads_past_damaged_lines_and_a_file_in_another_order(tmp_path):
    docs = [{"id": f"p:{n:03d}", "abstract": "a" * n} for n in range(40)]
    path = write(tmp_path, "details", docs)
    lines = path.read_bytes().split(b"\n")  # the header, then document n on line n + 1
    lines[20] = lines[20][:15]  # cut inside its id: no document is known to be there
    lines[25] = lines[25][:40]  # its id whole, its JSON cut
    lines[5], lines[30] = lines[30].replace(b'"30":', b'"5":'), lines[5].replace(b'"5":', b'"30":')
    path.write_bytes(b"\n".join(lines))
    with parts.PartFile(path, "details") as part:
        assert [part.find(doc["id"]) for doc in docs if doc["id"] not in ("p:019", "p:024")] == [
            doc for doc in docs if doc["id"] not in ("p:019", "p:024")]
        assert part.find("p:019") is None
        with pytest.raises(parts.PartDamaged):
            part.find("p:024")


def test_documents_holding_what_looks_like_a_line_start_or_nested_objects_stay_one_per_line(tmp_path):
    docs = [{"title": 'a ,"2":{ b', "n": 1}, {"title": "x", "nested": {"2": {"k": 1}}}, {"title": "z"}]
    path = write(tmp_path, "papers", docs)
    assert path.read_bytes().split(b"\n")[1:4] == [
        b'"1":{"title":"a ,\\"2\\":{ b","n":1},', b'"2":{"title":"x","nested":{"2":{"k":1}}},', b'"3":{"title":"z"}']
    assert parts.read_all(path, "papers") == docs


def test_documents_beyond_one_batch_keep_their_order_and_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(parts, "_BATCH", 3)
    docs = [{"id": f"p{n}", "title": 'odd ","4":{' if n == 4 else "t"} for n in range(1, 9)]
    data = write(tmp_path, "details", docs).read_bytes()
    assert [line.split(b":", 1)[0] for line in data.split(b"\n")[1:-2]] == [b'"%d"' % n for n in range(1, 9)]
    assert json.loads(data)["details"] == {str(n): doc for n, doc in enumerate(docs, start=1)}
    assert parts.read_all(tmp_path / "part", "details") == docs


def test_a_part_is_named_by_its_content_and_written_once(tmp_path):
    from store.disk.storage import write_named_by_content

    docs = [{"id": f"p{n}", "abstract": "words " * n} for n in range(50)]
    first = write_named_by_content(tmp_path, "store.json.details", parts.lines("details", docs))
    stamp = (tmp_path / first).stat().st_mtime_ns
    again = write_named_by_content(tmp_path, "store.json.details", parts.lines("details", [dict(d) for d in docs]))
    assert again == first and (tmp_path / first).stat().st_mtime_ns == stamp
    other = write_named_by_content(tmp_path, "store.json.details", parts.lines("details", docs[:-1]))
    assert other != first and other.startswith("store.json.details.")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first, other])  # no temporary file left


def test_a_part_of_many_batches_is_named_by_the_sha1_of_all_its_bytes(tmp_path):
    import hashlib

    from store.disk.storage import write_named_by_content

    # 1,300 documents: three batches, each hashed as it is written.
    docs = [{"id": f"p{n}", "abstract": f"abstract {n} " * (n % 7)} for n in range(1300)]
    name = write_named_by_content(tmp_path, "store.json.details", parts.lines("details", docs))
    written = (tmp_path / name).read_bytes()
    assert name == "store.json.details." + hashlib.sha1(written).hexdigest()[:16]
    assert parts.read_all(tmp_path / name, "details") == docs


def test_spooled_documents_are_read_back_by_span_in_any_order_and_as_the_spool_grows(tmp_path):
    from store.disk.spans import SpanReader, Spool

    spool = Spool(tmp_path)
    added = [{"id": f"p{n}", "abstract": "é\n" * n} for n in range(40)]
    docs = [orjson.dumps(doc) for doc in added]
    spans = [spool.add(doc) for doc in added[:30]]
    spool.flush()
    with SpanReader() as reader:
        assert [reader.read(span) for span in reversed(spans)] == docs[:30][::-1]
        spans += [spool.add(doc) for doc in added[30:]]  # added after the file was mapped
        spool.flush()
        assert [reader.read(span) for span in spans] == docs
        assert spans[0][0] == str(tmp_path / f"docs.{os.getpid()}")
        spool.close()
        cut = tmp_path / "cut"
        cut.write_bytes(b"".join(docs[:2])[:-1])
        empty = tmp_path / "empty"
        empty.write_bytes(b"")
        for span, reason in [((str(cut), len(docs[0]), len(docs[1])), f"{cut}: cut off"),
                             ((str(empty), 0, 1), f"{empty}: cut off"),
                             ((str(tmp_path / "gone"), 0, 1), f"{tmp_path / 'gone'}: missing")]:
            with pytest.raises(parts.PartDamaged) as damaged:
                reader.read(span)
            assert str(damaged.value) == reason


def test_views_of_a_span_outlive_a_remap_and_the_reader_closing(tmp_path):
    from store.disk.spans import SpanReader, Spool

    spool = Spool(tmp_path)
    first = spool.add({"id": "a"})
    spool.flush()
    reader = SpanReader()
    held = reader.view(first)
    second = spool.add({"id": "b"})
    spool.flush()
    assert bytes(reader.view(second)) == b'{"id":"b"}'  # the file grew: mapped again while `held` lives
    reader.close()
    assert bytes(held) == b'{"id":"a"}'
    spool.close()


def test_spans_handed_over_to_another_process_come_back_the_same_and_the_file_goes(tmp_path):
    from store.disk.spans import Spool, hand_over, take_over

    spool = Spool(tmp_path)
    spans = [spool.add({"id": f"p{n}"}) for n in range(1000)]
    name = hand_over(spool.folder, spans)
    assert os.path.dirname(name) == str(tmp_path)
    assert take_over(name) == spans
    assert not os.path.exists(name)
    spool.close()


def test_a_write_the_system_cuts_short_is_finished_and_hashed_whole(tmp_path, monkeypatch):
    from store.disk import storage

    # As a signal can: the first half of the first batch written, the rest not.
    real_write, cut = os.write, []

    def cut_once(fd, data):
        if not cut:
            cut.append(len(data))
            return real_write(fd, bytes(data)[: len(data) // 2])
        return real_write(fd, data)

    monkeypatch.setattr(storage.os, "write", cut_once)
    docs = [{"id": f"p{n}", "abstract": "words " * n} for n in range(1200)]
    name = storage.write_named_by_content(tmp_path, "store.json.details", parts.lines("details", docs))
    monkeypatch.undo()
    assert cut and cut[0] > 1
    again = storage.write_named_by_content(tmp_path / "again", "store.json.details", parts.lines("details", docs))
    assert name == again
    assert (tmp_path / name).read_bytes() == (tmp_path / "again" / again).read_bytes()
    assert parts.read_all(tmp_path / name, "details") == docs


def test_a_large_part_is_synced_as_it_is_written_and_comes_out_whole(tmp_path, monkeypatch):
    from store.disk import storage

    monkeypatch.setattr(storage._EarlySync, "EVERY", 1000)
    synced = []
    real_fdatasync = os.fdatasync
    monkeypatch.setattr(storage.os, "fdatasync", lambda fd: (synced.append(fd), real_fdatasync(fd)))
    docs = [{"id": f"p{n}", "abstract": "words " * 100} for n in range(300)]
    name = storage.write_named_by_content(tmp_path, "store.json.details", parts.lines("details", docs))
    assert parts.read_all(tmp_path / name, "details") == docs
    assert synced  # while writing: the syncs before the last fsync


def _read(path, table):
    """The documents read, and the message of the error that stopped the reading (or None)."""
    got = []
    try:
        with parts.PartFile(path, table) as part:
            for doc in part.docs():
                got.append(doc)
    except parts.PartDamaged as error:
        return got, str(error)
    return got, None


def _read_by_lines(path, table):
    """As _read, a line at a time (a file not written a document per line is read whole)."""
    got = []
    try:
        with parts.PartFile(path, table) as part:
            for doc, _ in [] if part.one_line else part.docs_and_spans():
                got.append(doc)
            got += part._whole() if part.one_line else []
    except parts.PartDamaged as error:
        return got, str(error)
    return got, None


# What damage or odd writing could do to a part file: bytes put in, or the file cut short.
EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(
    [b"", b"\n", b"x", b",", b"}}\n", b"x\n", b'"7":{"id":"dup"},\n', b'\n"1":{"id":"p1"},', b"{", b"\x00"])),
    max_size=3)


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=DOCS, edits=EDITS, cut=st.one_of(st.none(), st.integers(0, 10_000)),
       block=st.sampled_from([16, 64, 1 << 20]))
def test_documents_read_a_block_at_a_time_are_those_read_line_by_line(tmp_path, monkeypatch, docs, edits, cut, block):
    """Whatever the file holds, docs() (a block of lines parsed at once) yields the same
    documents, and stops with the same message, as reading it a line at a time."""
    monkeypatch.setattr(parts, "_BLOCK", block)
    data = write(tmp_path, "papers", docs).read_bytes()
    for at, text in edits:
        at = len(b'{"papers":{\n') + at % (len(data) - len(b'{"papers":{\n') + 1)  # the end too
        data = data[:at] + text + data[at:]
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    (tmp_path / "part").write_bytes(data)
    assert _read(tmp_path / "part", "papers") == _read_by_lines(tmp_path / "part", "papers")


@pytest.mark.parametrize("tail", [b"x\n", b"\n", b"}}\n", b""])
def test_text_after_the_table_end_is_found_wherever_a_block_ends(tmp_path, monkeypatch, tail):
    data = write(tmp_path, "papers", [{"id": f"p{n}", "title": "t" * n} for n in range(12)]).read_bytes() + tail
    (tmp_path / "part").write_bytes(data)
    expected = _read_by_lines(tmp_path / "part", "papers")
    assert expected[1] == (None if not tail else "text after the table's end")
    for block in range(1, len(data) + 1):
        monkeypatch.setattr(parts, "_BLOCK", block)
        assert _read(tmp_path / "part", "papers") == expected
