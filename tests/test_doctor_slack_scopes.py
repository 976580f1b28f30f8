"""`watchdesk doctor` says when the Slack token cannot read the history the re-send check needs."""

from __future__ import annotations

import io

import pytest

from bot.doctor import run_doctor
from tests.fakes.slack_fake import APP_TOKEN, BOT_TOKEN, FakeSlack

ENVIRON = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}


@pytest.fixture
async def fake(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


async def doctor(fake: FakeSlack, tmp_path) -> tuple[int, str]:
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\nplatforms:\n  slack:\n"
                      f"    api_base: {fake.api_base}\n")
    out = io.StringIO()
    code = await run_doctor(str(config), None, out=out, environ=ENVIRON)
    return code, out.getvalue()


async def test_a_token_without_history_scopes_is_flagged(fake, tmp_path):
    fake.scopes = ("commands", "chat:write", "files:write", "users:read")
    code, out = await doctor(fake, tmp_path)
    assert "ok    Slack API answers and accepts the token" in out
    assert "note  Slack token lacks channels:history, groups:history" in out
    assert "may post it twice" in out
    assert code == 0  # the bot still works; only the re-send check is blind


async def test_a_token_with_them_is_not(fake, tmp_path):
    code, out = await doctor(fake, tmp_path)
    assert code == 0
    assert "ok    Slack API answers and accepts the token" in out
    assert "lacks" not in out


async def test_only_the_private_channel_scope_missing_names_it(fake, tmp_path):
    fake.scopes = tuple(scope for scope in fake.scopes if scope != "groups:history")
    _, out = await doctor(fake, tmp_path)
    assert "note  Slack token lacks groups:history:" in out
