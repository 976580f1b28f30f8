"""The matcher's command-line face: `match` (JSONL in, JSONL out) and `why`.

`watchdesk match` needs no config file and no database: it reads items
`{"id", "title", "summary"}` on stdin and writes one line per item:
`{"id", "entities": [...], "themes": [...], "matches": [{"entity", "alias", "start", "end"}]}`.
"""

from __future__ import annotations

import json
import logging
import sys

from bot.incidents import item_incidents
from bot.matching.loader import load_matcher
from bot.matching.matcher import Matcher

log = logging.getLogger(__name__)


def match_line(matcher: Matcher, item: dict) -> dict:
    """The output record of `watchdesk match` for one input item."""
    result = matcher.match(str(item.get("title") or ""), str(item.get("summary") or ""))
    return {
        "id": item.get("id"),
        "entities": list(result.entities),
        "themes": list(result.theme_ids),
        "matches": [{"entity": m.entity, "alias": m.alias, "start": m.start, "end": m.end}
                    for m in result.matches],
        "events": [incident.record() for incident in item_incidents(matcher, item, result)],
    }


def run_match(stdin=None, stdout=None, stderr=None, watch: dict | None = None) -> int:
    """Match JSONL items from stdin to stdout; a bad line is reported on stderr and skipped."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    matcher = load_matcher(watch)
    failures = 0
    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("each line must be a JSON object")
        except ValueError as exc:
            failures += 1
            print(f"watchdesk match: line {number}: {exc}", file=stderr)
            continue
        stdout.write(json.dumps(match_line(matcher, item), ensure_ascii=False) + "\n")
    stdout.flush()
    return 1 if failures else 0


def explain(matcher: Matcher, title: str, summary: str = "") -> str:
    """Explain every match and every theme score of a text, for `watchdesk why`."""
    result = matcher.match(title, summary)
    text = f"{title}\n{summary}" if summary else title
    lines = ["entities:"]
    if not result.matches:
        lines.append("  (none)")
    for match in result.matches:
        entity = matcher.catalog.entities[match.entity]
        context = text[max(0, match.start - 25):match.end + 25].replace("\n", " ")
        lines.append(f"  {match.entity:22} {match.alias!r} at {match.start}-{match.end}, rule {match.rule}"
                     f"  ({entity.name}) ...{context}...")
    implied = [e for e in result.entities if e not in {m.entity for m in result.matches}]
    for entity_id in implied:
        lines.append(f"  {entity_id:22} implied by a named entity")
    lines.append("themes:")
    scorer = matcher.theme_scorer
    from bot.matching.normalize import fold_phrase

    title_text, body_text = fold_phrase(title), fold_phrase(summary)
    kept = {score.theme: score for score in result.themes}
    for theme in matcher.catalog.themes.values():
        total, hits, blocked = scorer.theme_score(theme, title_text, body_text, result.entities)
        if not hits and not blocked:
            continue
        verdict = "KEPT" if theme.id in kept else "no"
        cues = ", ".join(f"{hit.words!r}+{hit.weight:g}{' (headline)' if hit.in_title else ''}" for hit in hits)
        reason = blocked or f"score {kept[theme.id].score if theme.id in kept else round(total, 2)} / threshold {theme.threshold:g}"
        lines.append(f"  {verdict:4} {theme.id:30} {reason}{'; cues: ' + cues if cues else ''}")
    return "\n".join(lines)
