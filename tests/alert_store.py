"""A real store holding matched items, and the alerts they raise, for the alert-button tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.alerts import alert_reply, load_alert_item
from bot.commands import Commands, Deps
from bot.models import Feed, Item
from store.catalog import sync_catalog
from store.feeds import sync_feeds
from store.items import insert_item
from store.matches import save_matches

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
ITEMS = {
    "attack": ("TTP fighters attack a police post in Bannu",
               "Tehrik-e-Taliban Pakistan claimed the raid; two policemen were killed."),
    "kabul": ("ISKP claims bombing at a Kabul market",
              "Islamic State Khorasan Province said it carried out the blast, which killed six people."),
}


class Clock:
    """A clock the test moves."""

    def __init__(self, moment: datetime = NOW):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def add_item(db, matcher, key: str, *, title: str | None = None, summary: str | None = None,
             published: datetime = NOW - timedelta(hours=1)) -> str:
    """Store and match one item of the Dawn feed; return its id."""
    title, summary = title or ITEMS[key][0], summary or ITEMS[key][1]
    item = Item(feed_id="dawn", dedup_key=key, guid=None, link=f"https://dawn.example/{key}", title=title,
                summary=summary, published_at=published, fetched_at=published)
    with db.conn:
        insert_item(db, item, baseline=False)
        save_matches(db, item.id, matcher.match(title, summary))
    return item.id


def build(db, matcher, clock: Clock | None = None) -> tuple[Commands, dict[str, str]]:
    """A runner on a store with the ITEMS stored and matched; returns (runner, {key: item id})."""
    sync_feeds(db, (Feed(id="dawn", url="http://127.0.0.1/dawn", name="Dawn", interval=600, timeout=5,
                         max_bytes=10**6),), NOW)
    with db.conn:
        sync_catalog(db, matcher.catalog)
    ids = {key: add_item(db, matcher, key) for key in ITEMS}
    deps = Deps(db=db, now=clock or Clock(), started_at=NOW - timedelta(hours=3), chart_dir=db_dir(db),
                catalog=matcher.catalog)
    return Commands(deps), ids


def db_dir(db):
    """The folder of the store file (for charts)."""
    from pathlib import Path

    return Path(db.execute("PRAGMA database_list").fetchone()[2]).parent


def the_alert(db, item_id: str):
    """The alert Reply the outbox would hold for this item."""
    return alert_reply(load_alert_item(db, item_id), ())
