"""Digest queries: how often entities were named in a window, counted in stories."""

from __future__ import annotations


def entity_story_counts(db, entity_ids, start: str, end: str) -> dict[str, int]:
    """Stories (not items) naming each entity among feed items published in [start, end).

    Imported documents (source `corpus`) are background, not news: they never count.
    """
    ids = list(entity_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return dict(db.execute(
        f"""SELECT item_entities.entity_id, count(DISTINCT coalesce(items.story_id, items.id)) FROM items
            JOIN item_entities ON item_entities.item_id = items.id AND item_entities.entity_id IN ({marks})
            WHERE items.published_at >= ? AND items.published_at < ? AND items.source != 'corpus'
            GROUP BY item_entities.entity_id""", [*ids, start, end]).fetchall())
