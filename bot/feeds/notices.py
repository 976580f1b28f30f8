"""Tell the admin channels when a feed changes state (failing, failed, recovered)."""

from __future__ import annotations

from datetime import datetime

from bot.models import Field, Reply, Section, reply_to_dict
from store import outbox
from bot.clock import iso
from store.feeds import feed_row

_WORDS = {"failing": "is failing", "failed": "has failed repeatedly (still retried, with backoff)",
          "ok": "has recovered"}


def enqueue_feed_notices(db, state_changes, admin_channels, *, now: datetime) -> int:
    """Queue one notice per state change and admin channel; return how many were queued."""
    queued = 0
    for feed_id, before, after in state_changes:
        row = feed_row(db, feed_id)
        if not row:
            continue
        name, url, last_error, errors, next_check = (row["name"], row["url"], row["last_error"],
                                                     row["error_count"], row["next_check_at"])
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
