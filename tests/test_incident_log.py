"""Incidents stored with their items, and reports of one incident from several outlets joined."""

from datetime import datetime, timedelta, timezone

from bot.feeds.fetch import Fetcher
from bot.feeds.refresh import Refresher
from bot.incident_log import file_incidents
from bot.incidents import item_incidents
from bot.matching.loader import load_matcher
from bot.models import Feed, Item
from store import incidents as incident_store
from store.feeds import sync_feeds
from store.items import insert_item
from tests.feedserver import FeedServer

START = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)

# One overnight attack in Lakki Marwat, as five outlets wrote it, hours apart, its toll rising.
FIVE_REPORTS = [
    ("Four policemen martyred in attack on Lakki Marwat checkpoint",
     "Four policemen were martyred when terrorists attacked a police checkpoint in Lakki Marwat district "
     "late on Monday, officials said."),
    ("TTP claims overnight assault on police post in Lakki Marwat",
     "The Tehreek-i-Taliban Pakistan claimed responsibility for an overnight attack on a police checkpoint in "
     "Lakki Marwat that killed four officers, police said."),
    ("Militants kill five police officers in northwest Pakistan",
     "Militants attacked a police checkpoint in Lakki Marwat district of Khyber Pakhtunkhwa overnight, killing "
     "at least five officers and wounding two, officials said."),
    ("Lakki Marwat checkpoint attack: toll rises to six",
     "The death toll from the attack on a police checkpoint in Lakki Marwat rose to six on Tuesday after two "
     "wounded officers died in hospital, police said."),
    ("Six cops martyred as terrorists storm Lakki Marwat police post",
     "Six policemen were martyred and two injured after heavily armed terrorists stormed a police post in "
     "Lakki Marwat, the district police officer said."),
]


def _file(db, matcher, number, title, summary, when):
    """Store an item (a real row, its story) and file its incidents in one transaction."""
    sync_feeds(db, [Feed(id="wire", url="http://127.0.0.1/wire", name="Wire", interval=600, timeout=2,
                         max_bytes=1_000_000)], START)
    moment = datetime.fromisoformat(when)
    item = Item(feed_id="wire", dedup_key=f"item-{number}", guid=None, link=f"https://example.org/{number}",
                title=title, summary=summary, published_at=moment, fetched_at=moment)
    with db.conn:
        if not incident_store.reported(db, item.id):
            insert_item(db, item, baseline=False)
        return file_incidents(db, item.id, when, item_incidents(matcher, {"title": title, "summary": summary}))


def test_five_reports_of_one_attack_are_one_incident_with_the_highest_firm_toll(db):
    matcher = load_matcher()
    filed = []
    for number, (title, summary) in enumerate(FIVE_REPORTS):
        when = (START + timedelta(hours=2 * number)).isoformat()
        filed.extend(_file(db, matcher, number, title, summary, when))
    assert len(filed) == 5 and len({f.incident_id for f in filed}) == 1
    assert [f.created for f in filed] == [True, False, False, False, False]
    (stored,) = incident_store.recent(db, (START - timedelta(days=1)).isoformat())
    assert (stored["type"], stored["place"], stored["region"]) == ("armed-attack", "Lakki Marwat", "khyber-pakhtunkhwa")
    assert (stored["killed"], stored["injured"], stored["actor"], stored["claimed"]) == (6, 2, "ttp", True)
    assert stored["reports"] == 5
    reports = incident_store.reports(db, stored["id"])
    assert [r["title"] for r in reports] == [title for title, _ in FIVE_REPORTS]
    assert [r["killed"] for r in reports] == [4, 4, 5, 6, 6]
    title, summary = FIVE_REPORTS[3]
    start, end = reports[3]["spans"]["killed"]
    assert "six" in f"{title}\n{summary}"[start:end]
    assert [f.raised for f in filed] == [False, False, True, True, False]


def test_two_attacks_on_one_day_in_one_district_stay_two(db):
    matcher = load_matcher()
    when = START.isoformat()
    first = _file(db, matcher, 1, "Militants attack police station in Bannu's Domel, killing four",
                  "Four policemen were killed when militants attacked a police station in Bannu's Domel area.", when)
    later = (START + timedelta(hours=5)).isoformat()
    second = _file(db, matcher, 2, "Gunmen kill two policemen at checkpoint in Bannu's Miryan",
                   "Gunmen attacked a police checkpoint in Bannu's Miryan area, killing two policemen.", later)
    third = _file(db, matcher, 3, "Hafiz Gul Bahadur group claims attack on police station in Bannu's Domel",
                  "The Hafiz Gul Bahadur group claimed responsibility for an attack on a police station in Bannu's "
                  "Domel area that killed four policemen.", later)
    assert first[0].incident_id != second[0].incident_id
    assert third[0].incident_id == first[0].incident_id
    assert len(incident_store.recent(db, (START - timedelta(days=1)).isoformat())) == 2


def test_a_report_days_later_or_of_another_type_starts_another_incident(db):
    matcher = load_matcher()
    title, summary = FIVE_REPORTS[0]
    one = _file(db, matcher, 1, title, summary, START.isoformat())
    two = _file(db, matcher, 2, title.replace("Four", "Three"), summary.replace("Four", "Three"),
                (START + timedelta(days=3)).isoformat())
    three = _file(db, matcher, 3, "Gunmen abduct four policemen from Lakki Marwat checkpoint",
                  "Armed men kidnapped four policemen from a checkpoint in Lakki Marwat.", START.isoformat())
    assert len({one[0].incident_id, two[0].incident_id, three[0].incident_id}) == 3
    assert _file(db, matcher, 1, title, summary, START.isoformat()) == []  # filed once per item


def rss(*entries):
    items = "".join(f"<item><title>{title}</title><description>{summary}</description>"
                    f"<link>https://{host}/{slug}</link><guid>{host}-{slug}</guid>"
                    f"<pubDate>Fri, 20 Nov 2026 07:00:00 GMT</pubDate></item>" for host, slug, title, summary in entries)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


async def test_a_poll_stores_incidents_with_the_items_across_outlets(db):
    clock = [START]
    async with FeedServer() as server, Fetcher(user_agent="t/1", allow_private=True, host_spacing=0) as fetcher:
        refresher = Refresher(db, fetcher, matcher=load_matcher(), now=lambda: clock[0], jitter=lambda: 1.0)
        feeds = [Feed(id=name, url=server.url(f"/{name}"), name=name, interval=600, timeout=2, max_bytes=1_000_000)
                 for name in ("dawn", "tribune", "wire")]
        sync_feeds(db, feeds, START)
        for feed in feeds:
            server.feed(f"/{feed.id}", rss((f"{feed.id}.org", "old", "Cabinet meets on budget", "Ministers met.")))
        await refresher.poll(feeds, force=True)  # baseline
        for number, feed in enumerate(feeds):
            title, summary = FIVE_REPORTS[number]
            server.feed(f"/{feed.id}", rss((f"{feed.id}.org", "old", "Cabinet meets on budget", "Ministers met."),
                                           (f"{feed.id}.org", "new", title, summary)))
        clock[0] += timedelta(minutes=10)
        summary = await refresher.poll(feeds, force=True)
        new_ids = [item_id for result in summary.results for item_id in result.new_item_ids]
        assert len(new_ids) == 3
        (stored,) = incident_store.recent(db, (START - timedelta(days=1)).isoformat())
        assert stored["reports"] == 3 and stored["killed"] == 5 and stored["actor"] == "ttp"
        assert sorted(r["feed_id"] for r in incident_store.reports(db, stored["id"])) == ["dawn", "tribune", "wire"]
        refresher.close()
