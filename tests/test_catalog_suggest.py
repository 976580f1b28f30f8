"""`watchdesk catalog suggest`: text files only, names not headline words, and a `watch:` block to paste."""

from __future__ import annotations

import yaml

from bot import cli
from bot.corpus import guess_type, suggest_names
from bot.matching.catalog import load_catalog
from bot.matching.loader import load_matcher


def write_folder(folder):
    folder.mkdir()
    (folder / "one.md").write_text(
        "# Taliban Say Talks With Islamabad Failed After Border Clash\n\n"
        "The Tehreek-e-Taliban Pakistan and the Tariq Gidar group met near Torkham. Later the Tariq Gidar group "
        "denied it.\nElders from Datta Khel met Commander Sadiqullah Dawar in Miranshah. The elders said "
        "Sadiqullah Dawar had promised calm.\n", encoding="utf-8")
    (folder / "two.html").write_text(
        "<html><head><title>Chaman Traders Protest New Passport Rule At Crossing</title></head><body><p>Traders "
        "in Chaman said the Tariq Gidar group was not involved. A jirga in Datta Khel ended.</p></body></html>",
        encoding="utf-8")
    (folder / "logo.gif").write_bytes(b"GIF89a\x00\x01\x02")
    (folder / "notes.txt").write_bytes(b"Tariq Gidar group\x00\x01")  # binary, whatever its name says


def test_suggestions_skip_binary_files_and_headline_case_phrases(tmp_path):
    write_folder(tmp_path / "docs")
    skipped = []
    suggestions = suggest_names(tmp_path / "docs", load_matcher(semantic=False),
                                on_skip=lambda name, why: skipped.append((name, why)))
    assert sorted(skipped) == [("logo.gif", "binary file"), ("notes.txt", "binary file")]
    found = {s.name: s for s in suggestions}
    assert set(found) == {"Tariq Gidar group", "Datta Khel", "Sadiqullah Dawar"}
    assert found["Tariq Gidar group"].count == 3  # the binary file's copy is not read
    assert found["Sadiqullah Dawar"].count == 2  # "Commander Sadiqullah Dawar" is the same name
    assert (found["Tariq Gidar group"].type, found["Datta Khel"].type, found["Sadiqullah Dawar"].type) == \
        ("group", "place", "person")


def test_guessed_types():
    assert guess_type("Frontier Corps") == "organization"
    assert guess_type("Sadiqabad") == "place"


def test_the_cli_counts_skipped_files_and_prints_a_watch_block_that_loads(tmp_path, capsys):
    write_folder(tmp_path / "docs")
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\n")
    assert cli.main(["--config", str(config), "catalog", "suggest", str(tmp_path / "docs"), "--watch"]) == 0
    out, err = capsys.readouterr()
    assert "skipped 2 files that are not text: binary file (2)" in err
    watch = yaml.safe_load(out)["watch"]
    assert set(watch["entities"]) == {"tariq-gidar-group", "datta-khel", "sadiqullah-dawar"}
    catalog = load_catalog(watch)
    assert catalog.entities["tariq-gidar-group"].type == "group"
    assert "tariq-gidar-group" in load_matcher(watch, semantic=False).match("Tariq Gidar group claims attack").entities
    assert cli.main(["--config", str(config), "catalog", "suggest", str(tmp_path / "docs")]) == 0
    listed = capsys.readouterr().out
    assert "   3  Tariq Gidar group  (group?)" in listed and "Say Talks" not in listed
