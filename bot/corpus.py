"""Background documents: import a folder as searchable items, and find names the catalog lacks.

`watchdesk import DIR` reads .txt, .md, .html and .htm files (see `bot.documents` for the limits,
encodings and titles): each becomes an item of source "corpus" (feed `corpus`), normalised,
matched and indexed like a feed item. Importing the same file again changes nothing.
`watchdesk catalog suggest DIR` counts capitalised names in the documents that the catalog does
not know, with an example sentence for each (binary and other non-text files are skipped and
counted; Headline Case lines never make a name), and with `--watch` prints them as a `watch:`
block to paste into feeds.yml.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.clock import utc_now
from bot.matching.catalog import HONORIFICS
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


@dataclass(frozen=True)
class Suggestion:
    """A frequent name the catalog lacks: how often it was seen, an example sentence, a guessed type."""

    name: str
    count: int
    example: str
    type: str


def suggest_names(directory: Path, matcher, *, limit: int = 30,
                  on_skip: Callable[[str, str], None] | None = None) -> list[Suggestion]:
    """Frequent capitalised names the catalog does not match, most frequent first.

    Only text files are read (`on_skip(name, reason)` hears of the others: binary files, other
    kinds, links out of the folder). A phrase counts as a name only when it is capitalised in the
    middle of an ordinary sentence: in a Headline Case line every word is, so those lines add to a
    name's count but never make one; words the documents also write in lower case ("Talks",
    "Says", "Border") are trimmed from a phrase's ends, and a phrase of nothing else is dropped.
    """
    counts: Counter = Counter()
    examples: dict[str, str] = {}
    evidence: set[str] = set()  # seen capitalised mid-sentence in ordinary (not Headline Case) text
    lower_words: Counter = Counter()
    for document in read_documents(directory, on_skip):
        for line in f"{document.title}\n{document.text}".splitlines():
            for sentence in _SENTENCES.split(line):
                headline = _is_headline_case(sentence)
                if not headline:
                    lower_words.update(word for word in _WORD.findall(sentence) if word.islower())
                for name, at_start in _names_in(sentence):
                    counts[name] += 1
                    examples.setdefault(name, sentence.strip()[:200])
                    if not at_start and not headline:
                        evidence.add(name)
    known = {rule.key for rule in matcher.catalog.rules}
    merged: Counter = Counter()  # trimmed name -> occurrences of every phrase that trims to it
    shown: dict[str, str] = {}
    named: set[str] = set()
    for phrase, count in counts.most_common():
        name = _trim_common_words(phrase, lower_words)
        if len(name) < 3:
            continue
        merged[name] += count
        shown.setdefault(name, examples[phrase])
        if phrase in evidence:
            named.add(name)
    suggestions = []
    for name, count in sorted(merged.items(), key=lambda pair: (-pair[1], pair[0])):
        if len(suggestions) >= limit:
            break
        if name not in named or name.lower() in known:
            continue  # capitalised only because a sentence or a headline is, or already a name
        covered = sum(m.end - m.start for m in matcher.find(name))
        if covered >= len(name) * 0.6:
            continue
        suggestions.append(Suggestion(name, count, shown[name], guess_type(name)))
    return suggestions


_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_CONNECTORS = {"al", "bin", "ul", "ur", "e", "i", "of", "the", "and", "de", "ud", "din"}
# Words a headline capitalises that are never names on their own.
_HEADLINE_WORDS = {"Says", "Said", "Say", "Will", "Would", "Could", "Should", "Has", "Have", "Had", "Is", "Are", "Was",
                   "Were", "With", "To", "From", "Over", "After", "Amid", "Against", "Into", "By", "Up", "Out", "New",
                   "More", "Not", "No", "Its", "His", "Her", "Their", "Who", "What", "How", "Why", "Calls", "Vows",
                   "Warns", "Urges", "Seeks", "Meets", "Talks", "Kills", "Killed", "Attack", "Attacks", "Claims",
                   "Report", "Reports", "Ahead", "Behind", "Back", "Off", "Down", "Near"}


def _names_in(sentence: str):
    """Capitalised phrases of a sentence, trimmed of common sentence openers, with whether one opens it."""
    for found in _NAME.finditer(sentence):
        words = found.group().strip(" '’-").split()
        follower = _FOLLOWER.match(sentence, found.end())
        if follower:  # "the Tariq Gidar group"
            words.append(follower.group(1))
        at_start = found.start() == len(sentence) - len(sentence.lstrip())
        while words and (words[0] in _COMMON_STARTS or words[0] in _HEADLINE_WORDS or words[0][0].islower()):
            words, at_start = words[1:], False
        while words and (words[-1].lower() in _CONNECTORS or words[-1] in _HEADLINE_WORDS):
            words = words[:-1]
        name = " ".join(words)
        if len(name) >= 3:
            yield name, at_start


_FOLLOWER = re.compile(r"\s+(group|faction|network|militia|district|valley|tehsil|province)\b")


def _is_headline_case(sentence: str) -> bool:
    """Whether most words of a line are capitalised ("Taliban Say Talks With Islamabad Failed")."""
    words = [word for word in _WORD.findall(sentence) if word.lower() not in _CONNECTORS]
    return len(words) >= 4 and sum(word[0].isupper() for word in words) >= 0.7 * len(words)


def _trim_common_words(name: str, lower_words: Counter) -> str:
    """Drop the words at a phrase's ends that the documents also write in lower case ("Border Police")."""
    words = name.split()

    def common(word: str) -> bool:
        return lower_words[word.lower()] > 0 or word in _HEADLINE_WORDS

    while words and (common(words[0]) or words[0].lower().rstrip(".") in HONORIFICS):
        words = words[1:]
    while words and (common(words[-1]) or words[-1].lower() in _CONNECTORS) and len(words) > 1:
        if words[-1].lower() in _GROUP_WORDS | _PLACE_WORDS | _ORGANIZATION_WORDS:
            break  # "Tariq Gidar group" keeps its last word
        words = words[:-1]
    if len(words) == 1 and common(words[0]):
        return ""
    return " ".join(words)


_GROUP_WORDS = {"group", "faction", "front", "army", "movement", "brigade", "lashkar", "jaish", "tehreek", "tehrik",
                "militia", "network", "battalion", "division"}
_PLACE_WORDS = {"district", "province", "valley", "tehsil", "village", "town", "city", "camp", "pass", "bazaar",
                "road", "border", "crossing"}
_PLACE_ENDINGS = ("khel", "abad", "pur", "garh", "kot", "shahr", "qala", "stan")
_ORGANIZATION_WORDS = {"ministry", "council", "office", "agency", "bank", "university", "institute", "committee",
                       "commission", "authority", "court", "police", "force", "forces", "corps", "department",
                       "party", "association", "foundation", "news", "times", "post", "tribune", "radio", "tv"}


def guess_type(name: str) -> str:
    """A first guess at a suggested name's catalog type, from its last word; a person otherwise."""
    last = name.split()[-1].lower()
    if last in _GROUP_WORDS:
        return "group"
    if last in _PLACE_WORDS or last.endswith(_PLACE_ENDINGS):
        return "place"
    if last in _ORGANIZATION_WORDS:
        return "organization"
    return "person" if 2 <= len(name.split()) <= 4 else "place"


def watch_block(suggestions: list[Suggestion], taken=()) -> str:
    """The suggestions as a `watch:` block for feeds.yml: one entity each, its type a guess to check.

    Ids are made from the names, never one of `taken` (the catalog's).
    """
    lines = ["watch:", "  entities:"]
    used: set[str] = set(taken)
    for suggestion in suggestions:
        base = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", suggestion.name).encode("ascii", "ignore")
                      .decode().lower()).strip("-") or "name"
        entity_id, number = base, 2
        while entity_id in used:
            entity_id, number = f"{base}-{number}", number + 1
        used.add(entity_id)
        example = suggestion.example.replace("\\", " ").replace('"', "'")
        times = "once" if suggestion.count == 1 else f"{suggestion.count} times"
        lines += [f"    {entity_id}:  # seen {times}, e.g. \"{example[:120]}\"",
                  f"      type: {suggestion.type}  # a guess: group, person, place, organization, party or agreement",
                  f"      name: {_yaml_string(suggestion.name)}",
                  '      description: ""',
                  f"      aliases: [{_yaml_string(suggestion.name)}]"]
    return "\n".join(lines) + "\n"


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
