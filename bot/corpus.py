"""Background documents: import a folder as searchable items, and find names the catalog lacks.

`watchdesk import DIR` reads .txt, .md, .html and .htm files (see `bot.documents` for the limits,
encodings and titles): each becomes an item of source "corpus" (feed `corpus`), normalised,
matched and indexed like a feed item. Importing the same file again changes nothing.
`watchdesk catalog suggest DIR` counts capitalised names in the documents that the catalog does
not know, with an example sentence for each.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from bot.clock import utc_now
from bot.documents import Document, Skipped, folder_files, printable_name, read_document, scan_folder
from bot.models import Feed, Item

CORPUS_FEED = Feed(id="corpus", url="file:///corpus", name="Corpus import", interval=86400, timeout=1,
                   max_bytes=1, enabled=False)
_NAME = re.compile(r"\b(?:[A-Z][\w'’-]+)(?:\s+(?:(?:al|bin|ul|ur|e|i|of)[-\s]+)?[A-Z][\w'’-]+){0,3}")
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_COMMON_STARTS = {"The", "A", "An", "In", "On", "At", "For", "But", "And", "If", "As", "It", "This", "That", "He",
                  "She", "They", "We", "I", "Read", "Leave", "Reply", "Comments", "Click", "More", "However",
                  "Meanwhile", "Despite", "According", "After", "During", "Following", "Since", "While", "Some",
                  "Many", "Both", "Now", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
                  "Nov", "Dec", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}


def read_documents(directory: Path, on_skip: Callable[[str, str], None] | None = None) -> Iterator[Document]:
    """Yield the readable documents of a folder (recursively), in name order; report the others."""
    for entry in scan_folder(directory):
        if isinstance(entry, Skipped):
            if on_skip:
                on_skip(entry.name, entry.reason)
        else:
            yield entry


def import_directory(db, directory: Path, matcher, *, now: datetime | None = None,
                     progress: Callable[[int, int, str], None] | None = None,
                     on_skip: Callable[[str, str], None] | None = None) -> tuple[int, int]:
    """Store every document as an item with its matches; return (imported, already there).

    A document is keyed by its resolved path and the SHA-256 of its bytes: the same file
    imported again changes nothing, an edited file is a new item, and two files with the same
    name and text in different folders are two items. Files read one at a time, so memory
    holds one document; `on_skip(name, reason)` hears of every file that is not imported.
    """
    from store.feeds import disable_feed, feed_exists, sync_feeds
    from store.items import insert_item, known_keys
    from store.matches import save_matches

    now = now or utc_now()
    root = Path(directory).resolve()
    paths = folder_files(root)
    if not feed_exists(db, CORPUS_FEED.id):
        sync_feeds(db, (CORPUS_FEED,), now)
        with db.conn:
            disable_feed(db, CORPUS_FEED.id)
    imported = skipped = 0
    for number, path in enumerate(paths, 1):
        name = printable_name(path.relative_to(root))
        try:
            document = read_document(root, path, name)
        except OSError as exc:
            document = Skipped(name, f"cannot be read ({exc.strerror or exc})")
        if isinstance(document, Skipped):
            if on_skip:
                on_skip(document.name, document.reason)
        else:
            key = hashlib.sha256(os.fsencode(document.path) + b"\x00" + document.content_hash.encode()).hexdigest()
            item = Item(feed_id="corpus", dedup_key=key, guid=None, link=document.path.as_uri(),
                        title=document.title, summary=document.text,
                        published_at=datetime.fromtimestamp(document.path.stat().st_mtime, timezone.utc),
                        fetched_at=now, source="corpus")
            with db.conn:
                if known_keys(db, "corpus", [key]):
                    skipped += 1
                else:
                    insert_item(db, item, baseline=True)
                    save_matches(db, item.id, matcher.match(item.title, item.summary))
                    imported += 1
        if progress:
            progress(number, len(paths), name)
    return imported, skipped


def suggest_names(directory: Path, matcher, *, limit: int = 30) -> list[tuple[str, int, str]]:
    """Frequent capitalised names the catalog does not match: (name, count, example sentence)."""
    counts: Counter = Counter()
    examples: dict[str, str] = {}
    mid_sentence: set[str] = set()
    for document in read_documents(directory):
        for sentence in _SENTENCES.split(f"{document.title}. {document.text}"):
            for found in _NAME.finditer(sentence):
                words = found.group().strip(" '’-").split()
                at_start = found.start() == 0
                while words and (words[0] in _COMMON_STARTS or words[0][0].islower()):
                    words, at_start = words[1:], False
                while words and words[-1].lower() in ("the", "of", "and", "al", "e", "i"):
                    words = words[:-1]
                name = " ".join(words)
                if len(name) < 3:
                    continue
                counts[name] += 1
                examples.setdefault(name, sentence.strip()[:200])
                if not at_start:
                    mid_sentence.add(name)
    known = {rule.key for rule in matcher.catalog.rules}
    suggestions = []
    for name, count in counts.most_common():
        if len(suggestions) >= limit:
            break
        if name not in mid_sentence or name.lower() in known:
            continue  # capitalised only because a sentence starts with it, or already a name
        covered = sum(m.end - m.start for m in matcher.find(name))
        if covered >= len(name) * 0.6:
            continue
        suggestions.append((name, count, examples[name]))
    return suggestions
