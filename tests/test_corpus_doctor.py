"""Corpus import and catalog suggestions on a folder of documents; `watchdesk doctor` on fakes."""

from __future__ import annotations

import io

from bot.corpus import import_directory, suggest_names
from bot.doctor import run_doctor
from bot.matching.loader import load_matcher
from store.search import search_items
from tests.fakes.discord_fake import FakeDiscord


def write_documents(folder):
    folder.mkdir()
    (folder / "one.md").write_text("# Torkham talks\n\nThe Tehreek-e-Taliban Pakistan and the Tariq Gidar group "
                                   "met near Torkham. Later the Tariq Gidar group denied it.\n")
    (folder / "two.html").write_text("<html><head><title>Chaman&nbsp;trade</title></head><body><p>Traders in "
                                     "Chaman said the Tariq Gidar group was not involved.</p></body></html>")
    (folder / "skip.bin").write_bytes(b"\x00\x01")


def test_import_is_matched_searchable_and_idempotent(db, tmp_path):
    folder = tmp_path / "docs"
    write_documents(folder)
    matcher = load_matcher(semantic=False)
    seen = []
    assert import_directory(db, folder, matcher, progress=lambda done, total, name: seen.append((done, total))) \
        == (2, 0)
    assert seen == [(1, 3), (2, 3), (3, 3)]  # every file, skip.bin included
    assert import_directory(db, folder, matcher) == (0, 2)
    rows = search_items(db, "chaman")
    assert [row["title"] for row in rows] == ["Chaman trade"]
    entities = {row[0] for row in db.execute("SELECT entity_id FROM item_entities")}
    assert {"ttp", "torkham", "chaman"} <= entities
    assert db.execute("SELECT DISTINCT source FROM items").fetchall() == [("corpus",)]


def test_suggest_lists_unknown_names_with_counts_and_examples(tmp_path):
    folder = tmp_path / "docs"
    write_documents(folder)
    suggestions = suggest_names(folder, load_matcher(semantic=False))
    names = {s.name: (s.count, s.example) for s in suggestions}
    assert names["Tariq Gidar group"][0] == 3
    assert "Tariq Gidar" in names["Tariq Gidar group"][1]
    assert not any("Torkham" in name or "Chaman" == name for name in names)


async def test_doctor_checks_the_chat_api_and_the_token(tmp_path):
    async with FakeDiscord() as fake:
        config = tmp_path / "feeds.yml"
        config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\nplatforms:\n  discord:\n"
                          f"    api_base: {fake.api_base}\n")
        out = io.StringIO()
        assert await run_doctor(str(config), None, out=out, environ={"DISCORD_TOKEN": fake.token}) == 0
        assert "ok    Discord API answers and accepts the token" in out.getvalue()
        out = io.StringIO()
        assert await run_doctor(str(config), None, out=out, environ={"DISCORD_TOKEN": "wrong"}) == 1
        assert "FAIL  Discord: HTTP 401" in out.getvalue()
    bad = tmp_path / "bad.yml"
    bad.write_text("feeds:\n  - {id: x, url: notaurl, name: X}\n")
    out = io.StringIO()
    assert await run_doctor(str(bad), None, out=out, environ={}) == 1
    assert "bad.yml:2" in out.getvalue()


async def test_doctor_passes_a_healthy_store_with_stories_and_flags_an_outage(tmp_path):
    from store import open_db

    store_path = tmp_path / "desk.db"
    from tests.test_stories import item
    from store.items import insert_item

    database = open_db(store_path)
    with database.conn:
        story, _ = insert_item(database, item("a", "1", "Pakistani and Afghan border forces exchange fire near Chaman",
                                              "https://a.org/1"), baseline=False)
        assert insert_item(database, item("b", "2", "Pakistani, Afghan border forces exchange fire near Chaman crossing",
                                          "https://b.org/9", hours=3), baseline=False) == (story, True)
    assert database.execute("SELECT COUNT(*) FROM story_tokens").fetchone()[0] > 0
    database.close()
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {store_path}\nfeeds: []\n")
    out = io.StringIO()
    assert await run_doctor(str(config), None, out=out, environ={}) == 0
    text = out.getvalue()
    assert f"  ok    store {store_path}: 2 items\n" in text
    assert "FAIL" not in text
    assert "  note  no alert rules: nothing is ever posted as an alert\n" in text
    assert text.endswith(" note(s) to read\n")
    assert "all good" not in text

    database = open_db(store_path)
    database.execute("INSERT INTO feeds (id, url, name, state, last_error, created_at) VALUES "
                     "('a', 'http://127.0.0.1:9/a', 'A', 'error', 'connection refused', '2026-01-01T00:00:00Z')")
    database.commit()
    database.close()
    out = io.StringIO()
    assert await run_doctor(str(config), None, out=out, environ={}) == 1
    assert "  FAIL  every feed (1) is failing\n" in out.getvalue()
