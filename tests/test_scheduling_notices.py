"""The scheduler's jobs (poll interval, a digest cron per target) and feed-state notices."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from bot.config import DigestTarget
from bot.feeds.notices import enqueue_feed_notices
from bot.models import Feed, reply_from_dict
from bot.scheduler import JobRunner, build_scheduler
from store.feeds import record_failure, sync_feeds

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


async def test_scheduler_has_a_poll_job_and_a_cron_per_digest_target():
    async def nothing():
        return None

    target = DigestTarget(id="morning", time="08:30", timezone="Asia/Karachi", platform="console", channel="#d")
    scheduler = build_scheduler(JobRunner(), poll=nothing, tick=60, digests=[(target, nothing)])
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"poll", "digest:morning"}
    assert jobs["poll"].coalesce and jobs["poll"].max_instances == 1
    fire = jobs["digest:morning"].trigger.get_next_fire_time(None, NOW)
    assert fire.astimezone(timezone.utc) == datetime(2026, 11, 21, 3, 30, tzinfo=timezone.utc)  # 08:30 PKT


async def test_runner_logs_a_failing_job_and_goes_on(caplog):
    async def broken():
        raise RuntimeError("boom")

    await JobRunner().wrap("poll", broken)()
    assert "job poll failed" in caplog.text


def test_feed_state_changes_reach_the_admin_channels_once(db):
    sync_feeds(db, (Feed(id="dawn", url="https://www.dawn.com/feeds/home", name="Dawn", interval=300, timeout=5,
                         max_bytes=10**6),), NOW)
    with db.conn:
        record_failure(db, "dawn", now=NOW, error="HTTP 503 Service Unavailable", next_check_at=NOW,
                       state="failing")
        queued = enqueue_feed_notices(db, [("dawn", "ok", "failing")], [("console", "#admin"), ("slack", "C1")],
                                      now=NOW)
        again = enqueue_feed_notices(db, [("dawn", "ok", "failing")], [("console", "#admin")], now=NOW)
    assert (queued, again) == (2, 0)
    payload = json.loads(db.execute("SELECT payload FROM outbox WHERE channel_id = '#admin'").fetchone()[0])
    reply = reply_from_dict(payload)
    assert reply.title == "Feed Dawn is failing"
    assert {f.name: f.value for f in reply.sections[0].fields}["Last error"] == "HTTP 503 Service Unavailable"
