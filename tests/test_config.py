"""feeds.yml validation: every mistake names the file, the line and the key; the CLI exits 2."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]

BROKEN = [
    ('feeds:\n  - {id: dawn, url: "https://a.org/f"}\n  - {id: dawn, url: "https://b.org/f"}\n',
     "{file}:3: feeds[1].id: duplicate feed id 'dawn' (first used on line 2)"),
    ('feeds:\n  - {id: a, url: "ftp://x.org"}\n',
     "{file}:2: feeds[0].url: is not an http(s) URL: 'ftp://x.org'"),
    ("feeds:\n  - id: a\n    url: https://x.org/f\n    interval: fast\n",
     "{file}:4: feeds[0].interval: is not a duration: 'fast' (use e.g. 30s, 10m, 2h)"),
    ("defaults: {interval: 10s}\nfeeds: []\n",
     "{file}:1: defaults.interval: '10s' is out of range (1m to 7d)"),
    ("feeds:\n  - id: a\n    url: https://x.org/f\n    intervall: 5m\n",
     "{file}:4: feeds[0].intervall: unknown key (did you mean 'interval'?); allowed: enabled, id, "
     "interval, max_bytes, name, tags, timeout, url"),
    ("feeds:\n  - id: a\n    url: https://x.org/f\n    tags: pakistan\n",
     "{file}:4: feeds[0].tags: must be a list, not text ('pakistan')"),
    ("feeds:\n  - id: Bad Id\n    url: https://x.org/f\n",
     "{file}:2: feeds[0].id: 'Bad Id' must be lowercase letters, digits, '-' or '_'"),
    ("feeds: [\n  - a\n", "{file}:2: not valid YAML: expected the node content, but found '-'"),
    ("feeds:\n  - {url: https://x.org/f}\n", "{file}:2: feeds[0].id: is required"),
    ("platforms:\n  discord:\n    token_env: abc123token\n",
     "{file}:3: platforms.discord.token_env: must name an environment variable (like DISCORD_TOKEN), "
     "not a value"),
    ("digest:\n  - {platform: slack, channel: C1, timezone: Mars/Olympus}\n",
     "{file}:2: digest[0].timezone: unknown time zone 'Mars/Olympus' (use e.g. Asia/Karachi)"),
    ("digest:\n  - {platform: teams, channel: C1}\n",
     "{file}:2: digest[0].platform: must be one of discord, slack, console, not 'teams'"),
    ("alerts:\n  - {platform: slack, channel: C1}\n",
     "{file}:2: alerts[0]: an alert rule needs at least one of entities, themes, incident_types, regions or "
     "min_tier"),
    ("store: a.db\nstore: b.db\n", "{file}:2: store: duplicate key 'store'"),
    ("feeds: {id: a}\n", "{file}:1: feeds: must be a list, not a mapping ({{'id': 'a'}})"),
    ("fetch: {concurrency: 0}\n", "{file}:1: fetch.concurrency: must be between 1 and 500"),
    ("defaults: {max_bytes: huge}\n", "{file}:1: defaults.max_bytes: is not a size: 'huge' (use e.g. 500KB, 10MB)"),
    ("feed: []\n", "{file}:1: feed: unknown key (did you mean 'feeds'?); allowed: admin, alert_limits, "
     "alerts, defaults, digest, feeds, fetch, incident_tiers, metrics, platforms, store, timezone, "
     "urgency, user_agent_contact, watch"),
    ("timezone: Mars/Olympus\n", "{file}:1: timezone: unknown time zone 'Mars/Olympus' (use e.g. Asia/Karachi)"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_broken_config_is_located(tmp_path, text, message):
    path = tmp_path / "feeds.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert str(caught.value) == message.format(file=path)


def test_shipped_feeds_yml_is_valid_and_lists_the_desks_feeds():
    settings = load_settings(REPO / "feeds.yml", environ={})
    assert 10 <= len(settings.feeds) <= 20
    assert {"dawn", "tolonews", "khaama", "aljazeera"} <= {feed.id for feed in settings.feeds}
    assert settings.discord is None and settings.slack is None


def test_values_and_defaults(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text("defaults: {interval: 15m, timeout: 5s, max_bytes: 2MB}\n"
                    "feeds:\n  - {id: a, url: 'https://x.org/f', interval: 1h, tags: [kp]}\n"
                    "  - {id: b, url: 'https://y.org/f'}\n")
    settings = load_settings(path, environ={}, store_override=tmp_path / "x.db")
    first, second = settings.feeds
    assert (first.interval, first.timeout, first.max_bytes, first.tags) == (3600, 5, 2_000_000, ("kp",))
    assert (second.interval, second.name) == (900, "b")
    assert settings.store == tmp_path / "x.db"


def test_tokens_come_from_the_environment(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text("platforms:\n  discord: {token_env: MY_DISCORD}\n"
                    "  slack: {bot_token_env: MY_BOT, app_token_env: MY_APP}\n")
    settings = load_settings(path, environ={"MY_DISCORD": "d-token", "MY_BOT": "xoxb", "MY_APP": "xapp"})
    assert settings.discord.token == "d-token"
    assert (settings.slack.bot_token, settings.slack.app_token, settings.slack.mode) == ("xoxb", "xapp", "socket")
    assert load_settings(path, environ={}).discord is None


def test_slack_socket_mode_without_app_token_is_explained(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text("platforms:\n  slack: {bot_token_env: MY_BOT}\n")
    with pytest.raises(ConfigError, match="socket mode needs an app token"):
        load_settings(path, environ={"MY_BOT": "xoxb"})


def test_cli_exits_2_with_the_located_error_and_no_traceback(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text("feeds:\n  - {id: a, url: 'nope'}\n")
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(path), "feeds"],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2
    assert f"{path}:2: feeds[0].url: is not an http(s) URL: 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def _alias_bomb(levels: int = 9) -> str:
    lines = ["x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        lines.append(f"x{level}: &x{level} [" + ", ".join([f"*x{level - 1}"] * 9) + "]")
    return "watch:\n" + "".join(f"  {line}\n" for line in lines)


def test_a_yaml_alias_bomb_is_refused_before_expansion_with_memory_bounded(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text(_alias_bomb())  # 9**9 values once expanded
    probe = ("import sys, tracemalloc\n"
             "from bot.config import load_settings\n"
             "from bot.errors import ConfigError\n"
             "tracemalloc.start()\n"
             "try:\n"
             "    load_settings(sys.argv[1], environ={})\n"
             "except ConfigError as exc:\n"
             "    print(exc)\n"
             "print(tracemalloc.get_traced_memory()[1])\n")
    result = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    message, peak = result.stdout.strip().splitlines()
    assert message.startswith(f"{path}:") and "aliases are expanded" in message
    assert int(peak) < 20_000_000


def test_deep_nesting_is_a_located_error_with_exit_2_not_a_recursion_error(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text("watch: " + "[" * 50_000 + "]" * 50_000 + "\n")
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(path), "feeds"],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2
    assert f"{path}:1: nested deeper than 100 levels" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_value_that_contains_its_own_alias_is_refused(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text("watch: &loop [*loop]\n")
    with pytest.raises(ConfigError, match="refers to a value that contains it"):
        load_settings(path, environ={})


def test_desk_timezone_defaults_to_utc_and_is_the_digest_targets_default(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text("digest:\n  - {id: a, platform: console, channel: c}\n")
    assert load_settings(path, environ={}).timezone == "UTC"
    path.write_text("timezone: Asia/Karachi\ndigest:\n  - {id: a, platform: console, channel: c}\n"
                    "  - {id: b, platform: console, channel: c, timezone: Asia/Kabul}\n")
    settings = load_settings(path, environ={})
    assert settings.timezone == "Asia/Karachi"
    assert [target.timezone for target in settings.digests] == ["Asia/Karachi", "Asia/Kabul"]
