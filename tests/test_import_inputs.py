"""`import` on a hostile folder: links out, odd file names, huge and binary files, encodings, titles.

Also the period values that reach date arithmetic: each is range-checked first, with exit 2.
"""

from __future__ import annotations

import os
import sys
import resource

import pytest

from bot import cli
from bot.corpus import import_directory
from bot.documents import html_title_and_text, scan_folder
from bot.feeds.fetch import MAX_RETRY_AFTER, parse_max_age, parse_retry_after


def _import(db, folder, matcher, **kwargs):
    skipped = []
    counts = import_directory(db, folder, matcher, on_skip=lambda name, why: skipped.append((name, why)), **kwargs)
    return counts, skipped


def test_links_out_of_the_folder_are_not_followed(db, tmp_path, matcher):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret note\nthe TTP payroll\n")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "kept.txt").write_text("Kept note\nTorkham is open\n")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "private").symlink_to(outside, target_is_directory=True)
    (folder / "again.txt").symlink_to(folder / "kept.txt")
    counts, skipped = _import(db, folder, matcher)
    assert counts == (1, 1)  # the link inside the folder is the same document as its target
    assert skipped == [("private", "a link to outside the folder"), ("secret.txt", "a link to outside the folder")]
    assert [row[0] for row in db.execute("SELECT title FROM items")] == ["Kept note"]


def test_any_file_name_is_imported_and_printed_readably(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # the progress line shows on a terminal only
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / os.fsdecode(b"bad\xffname.txt")).write_text("Undecodable name\nChaman\n")
    (folder / "new\nline.txt").write_text("")
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02")
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\n")
    assert cli.main(["--config", str(config), "import", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert out == f"imported 2 documents from {folder} (0 already in the store, 1 files skipped)\n"
    assert "skipped blob.txt: binary file\n" in err
    assert "bad\\xffname.txt" in err and "new\\nline.txt" in err  # the progress bar, escaped
    from store import open_db
    db = open_db(tmp_path / "desk.db")
    try:
        rows = sorted(db.execute("SELECT title, link FROM items").fetchall())
    finally:
        db.close()
    assert rows == [("Undecodable name", (folder / os.fsdecode(b"bad\xffname.txt")).as_uri()),
                    ("new\\nline", (folder / "new\nline.txt").as_uri())]
    assert rows[0][1].endswith("/bad%FFname.txt")


def test_documents_are_keyed_by_path_and_content(db, tmp_path, matcher):
    folder = tmp_path / "docs"
    for part in ("north", "south"):
        (folder / part).mkdir(parents=True)
        (folder / part / "report.md").write_text("# Weekly report\n\nQuiet week in Bajaur.\n")
    assert _import(db, folder, matcher) == ((2, 0), [])
    assert _import(db, folder, matcher) == ((0, 2), [])
    (folder / "north" / "report.md").write_text("# Weekly report\n\nA raid in Bajaur.\n")
    assert _import(db, folder, matcher) == ((1, 1), [])
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 3


def test_a_huge_file_is_skipped_with_its_size_and_memory_stays_bounded(db, tmp_path, matcher):
    folder = tmp_path / "docs"
    folder.mkdir()
    with open(folder / "dump.txt", "wb") as handle:  # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    (folder / "small.txt").write_text("Small\n" + "Peshawar news. " * 1000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counts, skipped = _import(db, folder, matcher)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert counts == (1, 0)
    assert skipped == [("dump.txt", "200 MB, over the 16 MB limit")]
    assert grown_kb < 50 * 1024


def test_a_file_read_in_chunks_stops_at_the_cap(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "long.txt").write_text("Long\n" + "x" * 5000)
    (folder / "short.txt").write_text("Short\nok\n")
    entries = list(scan_folder(folder, max_bytes=4096))
    assert [(type(entry).__name__, entry.name) for entry in entries] == [("Skipped", "long.txt"),
                                                                         ("Document", "short.txt")]
    assert entries[0].reason == "4.9 KB, over the 4 KB limit"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_does_not_stall_the_import(db, tmp_path, matcher):
    folder = tmp_path / "docs"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    assert _import(db, folder, matcher) == ((0, 0), [("pipe.txt", "not a regular file")])


def test_binary_files_are_skipped_and_said_whatever_their_suffix(db, tmp_path, matcher):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\x00\x00binary")
    (folder / "notes.txt").write_bytes(b"Notes\x00\x00\x01")
    (folder / "data.csv").write_text("a,b\n1,2\n")
    (folder / "page.htm").write_text("<title>Kurram</title><p>Parachinar road closed.</p>")
    assert _import(db, folder, matcher) == ((1, 0), [
        ("data.csv", "not a text, Markdown or HTML file"), ("notes.txt", "binary file"), ("scan.pdf", "binary file")])


def test_latin_1_and_declared_encodings_are_decoded(db, tmp_path, matcher):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "latin.txt").write_bytes("Café in Quetta\nthe “market” reopened\n".encode("cp1252"))
    (folder / "declared.html").write_bytes(
        '<html><head><meta charset="iso-8859-15"><title>Naïve €</title></head><body>ok</body></html>'
        .encode("iso-8859-15"))
    (folder / "utf16.txt").write_bytes("Kabul Ñews\nbody\n".encode("utf-16"))
    (folder / "xml.htm").write_bytes('<?xml version="1.0" encoding="koi8-r"?><title>Кабул</title>'.encode("koi8-r"))
    assert _import(db, folder, matcher) == ((4, 0), [])
    titles = sorted(row[0] for row in db.execute("SELECT title FROM items"))
    assert titles == ["Café in Quetta", "Kabul Ñews", "Naïve €", "Кабул"]
    summaries = {row[0] for row in db.execute("SELECT summary FROM items")}
    assert "the “market” reopened" in summaries


def test_an_html_title_comes_from_title_or_h1_not_the_skip_link():
    page = ('<html><body><a class="skip" href="#main">Skip to content</a><nav><a href="/">Home</a></nav>'
            '<svg><title>Search icon</title></svg><h1>Blast in <b>Quetta</b></h1><p>Five hurt.</p></body></html>')
    assert html_title_and_text(page) == ("Blast in Quetta", "Blast in Quetta Five hurt.")
    assert html_title_and_text("<head><title> Dawn | Chaman </title></head><h1>Other</h1>")[0] == "Dawn | Chaman"
    assert html_title_and_text("<title>Skip to content</title><h1>Real</h1>")[0] == "Real"


def test_a_saved_page_as_text_does_not_take_skip_to_content_as_title(db, tmp_path, matcher):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "saved.txt").write_text("Skip to content\n\nTorkham trade resumes\nTrucks crossed.\n")
    assert _import(db, folder, matcher) == ((1, 0), [])
    assert db.execute("SELECT title FROM items").fetchone()[0] == "Torkham trade resumes"


def test_import_of_a_missing_folder_is_exit_2(tmp_path, capsys):
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\n")
    assert cli.main(["--config", str(config), "import", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err == f"watchdesk import: {tmp_path / 'nope'} is not a folder\n"


@pytest.mark.parametrize("argv, message", [
    (["digest", "--print", "--since", "0001-01-01"], "watchdesk: '0001-01-01' is out of range (at most 35d ago)\n"),
    (["search", "ttp", "--since", "1000-06-01"], "watchdesk search: '1000-06-01' is out of range (at most 3650d ago)\n"),
    (["digest", "--print", "--since", "99999999999999999999h"],
     "watchdesk: '99999999999999999999h' is out of range (1m to 35d)\n"),
])
def test_periods_are_range_checked_before_arithmetic(tmp_path, capsys, argv, message):
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\n")
    assert cli.main(["--config", str(config), *argv]) == 2
    assert capsys.readouterr().err == message


def test_trend_days_are_range_checked(tmp_path, capsys):
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\n")
    assert cli.main(["--config", str(config), "trend", "ttp", "--days", "99999999999999999999"]) == 2
    assert capsys.readouterr().err == "watchdesk trend: days must be a number from 2 to 365, not '99999999999999999999'\n"


def test_retry_after_and_max_age_are_capped_and_ascii():
    assert parse_retry_after("99999999999999999999999") == MAX_RETRY_AFTER
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT") == MAX_RETRY_AFTER
    assert parse_retry_after("²") is None
    assert parse_retry_after("120") == 120.0
    assert parse_max_age("max-age=99999999999999999999999") == MAX_RETRY_AFTER
    assert parse_max_age("max-age=³") is None



def test_a_folder_name_that_is_not_utf_8_is_printed_escaped(tmp_path, capsys):
    folder = tmp_path / os.fsdecode(b"dir\xff")
    folder.mkdir()
    (folder / "a.txt").write_text("Title\nbody\n")
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\n")
    assert cli.main(["--config", str(config), "import", str(folder)]) == 0
    assert capsys.readouterr().out == f"imported 1 documents from {tmp_path}/dir\\xff (0 already in the store)\n"


def test_catalog_suggest_limit_is_range_checked(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["catalog", "suggest", str(tmp_path), "--limit", "-1"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith(
        "watchdesk catalog suggest: error: argument --limit: must be a number from 1 to 1000, not '-1'\n")
