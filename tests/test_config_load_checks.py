"""Config mistakes caught when feeds.yml is loaded, each with its file and line, and exit code 2."""

from __future__ import annotations

import pytest

from bot import cli
from bot.config import load_settings
from bot.errors import ConfigError


def _error(tmp_path, text: str, name: str = "desk.yml") -> str:
    config = tmp_path / name
    config.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    return str(caught.value).replace(str(config), name)


@pytest.mark.parametrize("text, message", [
    ("feeds: []\nalerts:\n  - platform: console\n    channel: desk\n    entities: [ttp, tpp]\n",
     "desk.yml:5: alerts[0].entities: unknown entity id 'tpp' (did you mean 'ttp'?)"),
    ("feeds: []\nalerts:\n  - platform: console\n    channel: desk\n    themes:\n      - no-such-theme\n",
     "desk.yml:6: alerts[0].themes: unknown theme id 'no-such-theme'"),
    ("feeds: []\nalerts:\n  - {platform: console, channel: desk, themes: [ttp]}\n",
     "desk.yml:3: alerts[0].themes: 'ttp' is an entity id: list it under entities"),
    ("feeds: []\ndigest:\n  - platform: console\n    channel: desk\n    entities:\n      - ttp\n      - lashkar-e-jhangv\n",
     "desk.yml:7: digest[0].entities: unknown entity id 'lashkar-e-jhangv' (did you mean 'lashkar-e-jhangvi'?)"),
])
def test_unknown_ids_in_alert_rules_and_digest_targets(tmp_path, text, message):
    assert _error(tmp_path, text) == message


def test_a_watch_alias_another_entity_has_is_an_error_at_its_line(tmp_path):
    text = "feeds: []\nwatch:\n  aliases:\n    ttp:\n      - Fitna al-Khawarij\n      - Chaman\n"
    assert _error(tmp_path, text) == ("desk.yml:6: watch.aliases.ttp[1]: 'Chaman' is already a name of 'chaman' "
                                      "(as 'Chaman'); make one of them ambiguous with a rule")


def test_catalog_extension_errors_name_the_real_file_and_line(tmp_path):
    text = ("feeds: []\nwatch:\n  entities:\n    hizb-ul-ahrar:\n      type: group\n      name: Hizb-ul-Ahrar\n"
            "      aliases: [Hizb-ul-Ahrar]\n      relations:\n        part-of: [no-such-group]\n")
    assert _error(tmp_path, text, "other.yml") == (
        "other.yml:9: watch.entities.hizb-ul-ahrar.relations.part-of: unknown entity id 'no-such-group'")
    assert _error(tmp_path, "feeds: []\nwatch:\n  aliases:\n    nobody: [Zed]\n") == (
        "desk.yml:4: watch.aliases.nobody: unknown entity id 'nobody'")


def test_the_same_url_under_two_feed_ids(tmp_path):
    text = ("feeds:\n  - {id: dawn, url: 'https://www.dawn.com/feeds/home'}\n"
            "  - {id: dawn-again, url: 'HTTPS://WWW.DAWN.COM/feeds/home/'}\n")
    assert _error(tmp_path, text) == "desk.yml:3: feeds[1].url: the same URL as feed 'dawn' (line 2)"


def test_an_empty_file(tmp_path):
    assert _error(tmp_path, "# nothing yet\n") == (
        "desk.yml: the file is empty; it needs at least a `feeds:` list (see the shipped feeds.yml)")


def test_a_top_level_list_says_so_in_plain_words(tmp_path):
    got = _error(tmp_path, "- id: dawn\n  url: https://www.dawn.com/feeds/home\n")
    assert got == "desk.yml:1: must be a mapping of keys, not a list"
    assert "Located" not in _error(tmp_path, "feeds:\n  - [dawn]\n")


def test_a_store_in_a_missing_folder_is_an_error_and_nothing_is_created(tmp_path, capsys):
    missing = tmp_path / "no" / "such"
    config = tmp_path / "desk.yml"
    config.write_text(f"store: {missing / 'desk.db'}\nfeeds: []\n")
    assert cli.main(["--config", str(config), "feeds"]) == 2
    assert capsys.readouterr().err == (f"watchdesk: {config}:1: store: the folder {missing} does not exist; "
                                       "create it first\n")
    assert cli.main(["--config", str(config), "--db", str(missing / "other.db"), "status"]) == 2
    assert capsys.readouterr().err == (f"watchdesk: --db {missing / 'other.db'}: the folder {missing} does not "
                                       "exist; create it first\n")
    assert not (tmp_path / "no").exists()
