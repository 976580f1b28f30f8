"""Turn a fetched body into Items. The only module that imports a feed parser.

feedparser is the reference (it survives almost anything, but is slow: see the README's
Performance section); fastfeedparser is tried first on bodies it reads safely — UTF-8 or a
declared encoding, no charset conflict — and feedparser takes over whenever the fast path raises,
finds nothing, or produces replacement characters. Parsing is CPU work: callers run
`parse_feed` in a thread, never on the event loop.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

import feedparser

try:  # the fast path is optional: feedparser alone is correct, only slower
    import fastfeedparser
except ImportError:  # pragma: no cover - exercised when the package is absent
    fastfeedparser = None

from bot.clock import as_utc
from bot.errors import ParseError
from bot.models import Item
from bot.text import clean_text

log = logging.getLogger(__name__)

MAX_SUMMARY_CHARS = 4000
MAX_TITLE_CHARS = 500


@dataclass(frozen=True)
class ParsedFeed:
    """What a body held: the feed's title, its items, and whether its GUIDs are reused."""

    title: str
    items: tuple[Item, ...]
    dropped: int  # entries with neither link nor guid
    guid_reuse: bool
    warning: str | None  # a recoverable problem feedparser reported (bozo)


def _title_hash(title: str, published: datetime) -> str:
    return "h:" + hashlib.sha1(f"{title}\x00{published.isoformat()}".encode()).hexdigest()[:20]


def _reused_guids(entries) -> set[str]:
    """GUIDs that several different entries of one document share."""
    seen: dict[str, set] = {}
    for entry in entries:
        guid = entry.get("id")
        if guid:
            seen.setdefault(guid, set()).add((entry.get("link"), entry.get("title")))
    return {guid for guid, variants in seen.items() if len(variants) > 1}


def dedup_key(guid: str | None, link: str | None, title: str, published: datetime,
              *, guid_unreliable: bool = False) -> str:
    """Key an item within its feed: guid, else link, else a hash of title and date."""
    if guid and not guid_unreliable and guid != link:
        return "g:" + guid
    if link:
        return "l:" + link
    return _title_hash(title, published)


def parse_feed(body: bytes, *, feed_id: str, fetched_at: datetime, content_type: str | None = None,
               base_url: str | None = None, known_guid_reuse: bool = False) -> ParsedFeed:
    """Parse a feed body into Items; raise ParseError when it is not a feed at all."""
    parsed = _parse_fast(body, content_type) or _parse_reference(body, content_type, base_url)
    entries = parsed.entries
    reused = _reused_guids(entries)
    guid_reuse = known_guid_reuse or bool(reused)
    items, dropped, keys = [], 0, Counter()
    for entry in entries:
        item = _to_item(entry, feed_id=feed_id, fetched_at=fetched_at, guid_unreliable=guid_reuse)
        if item is None:
            dropped += 1
            continue
        keys[item.dedup_key] += 1
        if keys[item.dedup_key] == 1:
            items.append(item)
    if not items and parsed.warning:
        raise ParseError(f"no usable entries: {parsed.warning}")
    if guid_reuse and not known_guid_reuse:
        log.info("feed %s reuses GUIDs for different entries; keying its items by link", feed_id)
    return ParsedFeed(title=clean_text(parsed.title)[:MAX_TITLE_CHARS], items=tuple(items),
                      dropped=dropped, guid_reuse=guid_reuse, warning=parsed.warning)


@dataclass(frozen=True)
class _Document:
    title: str
    entries: list  # dicts with id, link, title, summary, published (datetime | None), author
    warning: str | None = None


def _fast_path_is_safe(body: bytes, content_type: str | None) -> bool:
    charset = (content_type or "").lower().partition("charset=")[2].strip(' "\'')
    if charset and charset not in ("utf-8", "utf8"):
        return False
    head = body[:200].lower()
    if b"encoding=" in head and b"utf-8" not in head:
        return True  # a declared encoding: lxml honours it
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse_fast(body: bytes, content_type: str | None) -> _Document | None:
    if fastfeedparser is None or not _fast_path_is_safe(body, content_type):
        return None
    try:
        parsed = fastfeedparser.parse(body, include_media=False, include_enclosures=False,
                                      include_tags=False)
        entries = [_fast_entry(entry) for entry in parsed.get("entries") or []]
    except Exception:  # noqa: BLE001 - any failure hands over to the reference parser
        return None
    if not any(entry["id"] or entry["link"] for entry in entries):
        return None  # nothing usable: let the reference parser judge the body
    if any("\ufffd" in (entry["title"] + entry["summary"]) for entry in entries):
        return None
    return _Document(title=(parsed.get("feed") or {}).get("title") or "", entries=entries)


def _fast_entry(entry) -> dict:
    summary = entry.get("description") or entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    return {"id": entry.get("id"), "link": entry.get("link"), "title": entry.get("title") or "",
            "summary": summary, "published": _iso_time(entry.get("published") or entry.get("updated")),
            "author": entry.get("author")}


EARLIEST_DATE = datetime(1970, 1, 2, tzinfo=timezone.utc)  # before this a date is a placeholder


def _plausible(moment: datetime | None) -> datetime | None:
    """A date a news item can carry, or None: year 1 (a zero date) or a negative epoch is no date.

    Dropping it here, per item, keeps the story-window arithmetic in store/items.py in range.
    """
    if moment is None or moment < EARLIEST_DATE:
        return None
    return moment


def _iso_time(value) -> datetime | None:
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # year 0, year 10000, or an offset that leaves the range
        return None


def _parse_reference(body: bytes, content_type: str | None, base_url: str | None) -> _Document:
    headers = {"content-type": content_type} if content_type else {}
    if base_url:
        headers["content-location"] = base_url
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False,
                                  resolve_relative_uris=bool(base_url))
    except Exception as exc:  # a hostile body must not crash a poll
        raise ParseError(f"feed could not be parsed: {exc}") from exc
    entries = parsed.get("entries") or []
    warning = _describe(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    if not entries and warning:
        raise ParseError(f"not a feed: {warning}")
    if not entries and not parsed.get("version"):
        raise ParseError("not a feed: no RSS, Atom or RDF document found")
    return _Document(title=parsed.get("feed", {}).get("title", ""),
                     entries=[_reference_entry(entry) for entry in entries], warning=warning)


def _reference_entry(entry) -> dict:
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    published = None
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        if entry.get(key):
            try:
                published = datetime.fromtimestamp(calendar.timegm(entry[key]), tz=timezone.utc)
                break
            except (OverflowError, ValueError, TypeError):
                continue
    return {"id": entry.get("id"), "link": entry.get("link"), "title": entry.get("title") or "",
            "summary": summary, "published": published, "author": entry.get("author")}


def _to_item(entry: dict, *, feed_id: str, fetched_at: datetime, guid_unreliable: bool) -> Item | None:
    guid = (entry["id"] or "").strip() or None
    link = (entry["link"] or "").strip() or None
    if not guid and not link:
        return None
    title = clean_text(entry["title"])[:MAX_TITLE_CHARS]
    summary = clean_text(entry["summary"])
    if len(summary) > MAX_SUMMARY_CHARS:
        summary = summary[:MAX_SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    if not title:
        title = summary[:120].rsplit(" ", 1)[0] if summary else (link or guid or "")
    # No date means "now"; a date in the future is a broken clock on the publisher's side.
    published = min(_plausible(entry["published"]) or fetched_at, fetched_at)
    return Item(
        feed_id=feed_id,
        dedup_key=dedup_key(guid, link, title, published, guid_unreliable=guid_unreliable),
        guid=guid, link=link, title=title, summary=summary, published_at=published,
        fetched_at=fetched_at, author=clean_text(entry["author"] or "") or None,
    )


def _describe(exception) -> str:
    if exception is None:
        return "malformed feed"
    text = str(exception).strip() or type(exception).__name__
    return text.splitlines()[0][:200]
