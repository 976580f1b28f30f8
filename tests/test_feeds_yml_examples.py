"""The commented examples in the shipped feeds.yml are valid when uncommented."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from bot.matching.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("watch:", "platforms:", "alerts:", "alert_limits:", "digest:", "admin:", "metrics:")


def uncommented(text: str) -> str:
    """Turn `# section:` blocks (and their indented lines) back into YAML."""
    lines, inside = [], False
    for line in text.splitlines():
        body = line[2:] if line.startswith("# ") else None
        if body is not None and body.startswith(SECTIONS):
            inside = True
            lines.append(body)
        elif inside and body is not None and body.startswith(("  ", "-")):
            lines.append(body)
        else:
            inside = False
            lines.append(line)
    return "\n".join(lines) + "\n"


def test_commented_examples_validate(tmp_path):
    config = tmp_path / "feeds.yml"
    config.write_text(uncommented((ROOT / "feeds.yml").read_text(encoding="utf-8")), encoding="utf-8")
    environ = {"DISCORD_TOKEN": "t", "SLACK_BOT_TOKEN": "xoxb-t", "SLACK_APP_TOKEN": "xapp-t"}
    settings = load_settings(config, environ=environ)
    assert settings.discord and settings.discord.guild_ids and settings.slack
    assert settings.alerts and settings.digests and settings.admin_channels and settings.metrics.enabled
    catalog = load_catalog(settings.watch)
    known = set(catalog.entities) | set(catalog.themes)
    assert all(set(rule.entities) | set(rule.themes) <= known for rule in settings.alerts)
    assert "lashkar-e-islam" in catalog.entities and "polio-campaigns" in catalog.themes
