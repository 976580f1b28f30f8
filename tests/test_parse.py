"""Parsing: RSS 2.0, Atom and RSS 1.0 samples, dates in UTC, dedup keys, reused GUIDs, bad bodies."""

from datetime import datetime, timezone

import pytest

from bot.errors import ParseError
from bot.feeds.parse import parse_feed
from bot.samples import SAMPLE_FEEDS, sample_body

FETCHED = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def rss(items: str, encoding: str = "utf-8") -> bytes:
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>T</title>'
            f"{items}</channel></rss>").encode(encoding)


@pytest.mark.parametrize("feed_id", sorted(SAMPLE_FEEDS))
def test_every_sample_format_parses_with_utc_dates(feed_id):
    parsed = parse_feed(sample_body(feed_id), feed_id=feed_id, fetched_at=FETCHED)
    assert len(parsed.items) >= 3
    for item in parsed.items:
        assert item.published_at.tzinfo == timezone.utc
        assert item.published_at <= FETCHED
        assert item.link.startswith("https://")
        assert "<" not in item.summary and "&#" not in item.summary and "\u00ad" not in item.summary


def test_first_edition_leaves_out_the_newest_entries():
    first = parse_feed(sample_body("kabul-ledger", 1), feed_id="k", fetched_at=FETCHED)
    second = parse_feed(sample_body("kabul-ledger", 2), feed_id="k", fetched_at=FETCHED)
    assert {item.dedup_key for item in first.items} < {item.dedup_key for item in second.items}
    assert len(second.items) - len(first.items) == 2


def test_offset_dates_become_utc():
    body = rss("<item><title>a</title><link>https://x.org/a</link>"
               "<pubDate>Fri, 20 Nov 2026 09:40:00 +0500</pubDate></item>")
    (item,) = parse_feed(body, feed_id="f", fetched_at=FETCHED).items
    assert item.published_at == datetime(2026, 11, 20, 4, 40, tzinfo=timezone.utc)


def test_missing_date_falls_back_to_fetch_time_and_future_dates_are_clamped():
    body = rss("<item><title>no date</title><link>https://x.org/a</link></item>"
               "<item><title>future</title><link>https://x.org/b</link>"
               "<pubDate>Mon, 01 Jan 2035 00:00:00 GMT</pubDate></item>")
    items = parse_feed(body, feed_id="f", fetched_at=FETCHED).items
    assert [item.published_at for item in items] == [FETCHED, FETCHED]


def test_entries_without_link_or_guid_are_dropped():
    body = rss("<item><title>orphan</title><description>no link</description></item>"
               "<item><title>kept</title><guid isPermaLink='false'>id-1</guid></item>")
    parsed = parse_feed(body, feed_id="f", fetched_at=FETCHED)
    assert [item.title for item in parsed.items] == ["kept"]
    assert parsed.dropped == 1


def test_dedup_key_prefers_guid_then_link_then_title_hash():
    body = rss("<item><title>a</title><guid>g-1</guid><link>https://x.org/a</link></item>"
               "<item><title>b</title><link>https://x.org/b</link></item>")
    keys = [item.dedup_key for item in parse_feed(body, feed_id="f", fetched_at=FETCHED).items]
    assert keys == ["g:g-1", "l:https://x.org/b"]


def test_a_feed_reusing_one_guid_is_detected_and_keyed_by_link():
    body = rss("".join(f"<item><title>story {n}</title><guid>same</guid><link>https://x.org/{n}</link>"
                       "</item>" for n in range(3)))
    parsed = parse_feed(body, feed_id="f", fetched_at=FETCHED)
    assert parsed.guid_reuse
    assert [item.dedup_key for item in parsed.items] == [f"l:https://x.org/{n}" for n in range(3)]


def test_soft_hyphens_entities_and_html_are_cleaned():
    body = rss("<item><title>Palest\u00adinian &amp;amp; Afghan talks</title><link>https://x.org/a</link>"
               "<description>&lt;p&gt;For\u00adeign&amp;nbsp;minister &lt;b&gt;met&lt;/b&gt;&lt;/p&gt;"
               "</description></item>")
    (item,) = parse_feed(body, feed_id="f", fetched_at=FETCHED).items
    assert item.title == "Palestinian & Afghan talks"
    assert item.summary == "Foreign minister met"


def test_undeclared_latin1_is_decoded_not_mangled():
    body = rss("<item><title>Not\u00edcias de S\u00e3o Paulo</title><link>https://x.org/a</link></item>",
               encoding="latin-1").replace(b' encoding="latin-1"', b"")
    (item,) = parse_feed(body, feed_id="f", fetched_at=FETCHED,
                         content_type="text/xml; charset=iso-8859-1").items
    assert item.title == "Not\u00edcias de S\u00e3o Paulo"


def test_windows_1251_declared_encoding():
    body = rss("<item><title>\u0412 \u0411\u0443\u0437\u0443\u043b\u0443\u043a\u0435</title>"
               "<link>https://x.org/a</link></item>", encoding="windows-1251")
    (item,) = parse_feed(body, feed_id="f", fetched_at=FETCHED).items
    assert item.title == "\u0412 \u0411\u0443\u0437\u0443\u043b\u0443\u043a\u0435"


@pytest.mark.parametrize(("body", "reason"), [
    (b"<html><body>Not found</body></html>", "not a feed"),
    (b"", "not a feed"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a feed"),
    (b'<?xml version="1.0"?><rss><channel><item><title>x</', "no usable entries"),
])
def test_bodies_that_are_not_feeds_raise_a_clear_error(body, reason):
    with pytest.raises(ParseError, match=reason):
        parse_feed(body, feed_id="f", fetched_at=FETCHED)
