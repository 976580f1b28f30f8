"""Tell the admin channels when a feed changes state (failing, failed, recovered)."""

from __future__ import annotations

from datetime import datetime

from bot.models import Field, Reply, Section, reply_to_dict
from store import outbox
from bot.clock import iso

_WORDS = {"failing": "is failing", "failed": "has failed repeatedly (still retried, with backoff)",
          "ok": "has recovered"}


def enqueue_feed_notices(db, state_changes, admin_channels, *, now: datetime) -> int:
    """Queue one notice per state change and admin channel; return how many were queued."""
    queued = 0
    for feed_id, before, after in state_changes:
        row = db.execute("SELECT name, url, last_error, error_count, next_check_at FROM feeds WHERE id = ?",
                         [feed_id]).fetchone()
        if row is None:
            continue
        name, url, last_error, errors, next_check = row
        fields = [Field("Was", before, True), Field("Now", after, True)]
        if after != "ok":
            fields += [Field("Errors in a row", str(errors), True), Field("Last error", (last_error or "-")[:900]),
                       Field("Next check", (next_check or "-").replace("T", " "))]
        reply = Reply(title=f"Feed {name} {_WORDS.get(after, 'changed state')}",
                      sections=(Section(text=url, fields=tuple(fields)),), footer=f"feed id {feed_id}")
        for platform, channel in admin_channels:
            queued += outbox.enqueue(db, idem_key=f"notice:{platform}:{channel}:{feed_id}:{after}:{iso(now)}",
                                     kind="notice", platform=platform, channel_id=channel,
                                     payload=reply_to_dict(reply), now=now)
    return queued
