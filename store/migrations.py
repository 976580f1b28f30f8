"""Append-only schema changes. Never edit a migration that has shipped; add a new one.

The schema, table by table (times are ISO 8601 UTC text, e.g. 2026-11-25T03:00:00+00:00):

feeds           one row per feed in feeds.yml: health (state ok/failing/failed, error_count,
                last_error), HTTP cache validators (etag, last_modified, body_hash), scheduling
                (next_check_at, retry_after_until), baseline flag, guid_reuse flag.
fetches         a log of every poll: feed, time, HTTP status, bytes, duration, outcome, error.
items           one row per entry: feed, dedup key, link, canonical URL, cleaned title and
                summary, published/fetched times, story, baseline flag, source (feed/corpus).
items_fts       FTS5 index over items.title and items.summary: the write path adds new items
                (store.items.index_items), triggers follow edits and deletions.
stories         one row per story; items from several outlets share a story_id.
story_tokens    the indexed title words of each story (joins near-identical titles);
                stories.title_tokens holds all its significant title words, space-separated.
entities        the catalog's tracked groups, people, places, organisations, agreements.
aliases         every name an entity is known by (alias, lang, case_sensitive).
relations       entity -> relation -> entity (leader-of, part-of, located-in, ...).
themes          the catalog's themes (id, name, description).
item_entities   which entity an item mentions: alias, span (start, end), rule, and the item's
                published_at (written with the row, so lookups read one index). WITHOUT ROWID.
entity_days     mentions (distinct items) of each entity per UTC day: added per batch by the write
                path (store.matches.write_matches), taken back by a trigger on deletion.
item_themes     which theme an item is about: score and the cues that fired. WITHOUT ROWID.
match_queue     items stored but not yet matched (a new feed's baseline is matched after the
                poll that stored it); emptied as the matcher catches up.
subscriptions   per-channel tracking made with /watch track.
outbox          every alert and digest before it is a message: idempotency key, status,
                attempts, next attempt, platform message id, error.
digests         one row per digest target and period that has been built.
outages         passes where nearly every feed failed at once (network down).
feedback        "Not relevant" from an alert's button: item, story, channel, user, time, and the
                entity or theme it names (none: the whole alert).
connections     each chat platform's connection state (connecting, connected, reconnecting, down),
                since when, failed attempts in a row, the last error, the next attempt.
mutes           a story or entity muted in a channel (an alert's "Mute 24h"), until a time.
meta            key/value facts about the store (started_at, last_poll_at, ...).
incidents       one row per incident (bot/incidents.py): type, actor, claimed, place, region, the
                highest firm killed and injured figures its reports gave, first and last report
                times, its first item and how many reports (items) joined it.
incident_reports each item's reading of an incident: the item and its ordinal in the item, the
                incident it joined, its own fields, the spans they came from (JSON) and its time;
                (item_id, ordinal) is UNIQUE (a rowid table since m014).
quiet_hours     a quiet window set from chat for a channel, or for a person ("@<user id>": their
                personal watchlist): from, to (HH:MM), time zone, who set it and when.

Indexes, each with the queries that read it (primary keys and UNIQUE constraints not listed;
found by EXPLAIN QUERY PLAN over every statement the test suite runs):

items_published            items(published_at): items of a period (store.digests
                           period_entities and period items, search newest first), the first
                           rowid after a time.
items_canonical_url        items(canonical_url): the story holding a URL (store.items
                           _stories_by_url) and a feed's re-posts (store.items.reposts).
items_id_published         items(id, published_at): joins from item_entities / item_themes to
                           items that need only the time (theme trends, digest entity counts).
items_story_feed           items(story_id, feed_id): whether a feed is new to a story (store.items
                           _new_outlets), the outlets that also reported a story (alerts).
stories_first_seen         stories(first_seen_at): the writer's recent stories at start-up.
item_entities_entity_time  item_entities(entity_id, published_at, item_id): an entity's
                           mentions, newest first or in a window (store.lookup, store.digests).
item_themes_theme          item_themes(theme_id, item_id): a theme's items by day (trends).
aliases_entity             aliases(entity_id): an entity's names (lookup, incident places).
incidents_type_time        incidents(type, first_seen_at): the incidents a report may join.
incidents_time             incidents(first_seen_at): incidents of a period (/watch incidents, export).
incident_reports_incident  incident_reports(incident_id): an incident's reports.
outbox_due                 outbox(status, next_attempt_at): the delivery worker's next rows.
feedback_time              feedback(created_at): feedback since a time and the newest feedback.
"""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("watchdesk")


@MIGRATIONS()
def m001_initial(db):
    """Create the first schema."""
    db.executescript(
        """
        CREATE TABLE feeds (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            name TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            enabled INTEGER NOT NULL DEFAULT 1,
            state TEXT NOT NULL DEFAULT 'new',
            error_count INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_error_at TEXT,
            last_success_at TEXT,
            last_polled_at TEXT,
            next_check_at TEXT,
            retry_after_until TEXT,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            baseline_done INTEGER NOT NULL DEFAULT 0,
            guid_reuse INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            feed_id TEXT NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            started_at TEXT NOT NULL,
            duration_ms INTEGER NOT NULL DEFAULT 0,
            http_status INTEGER,
            bytes INTEGER NOT NULL DEFAULT 0,
            outcome TEXT NOT NULL,
            error TEXT,
            new_items INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX fetches_feed_time ON fetches(feed_id, started_at);
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            canonical_url TEXT,
            first_item_id TEXT,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            outlet_count INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX stories_canonical_url ON stories(canonical_url);
        CREATE INDEX stories_first_seen ON stories(first_seen_at);
        CREATE TABLE items (
            id TEXT PRIMARY KEY,
            feed_id TEXT NOT NULL,
            dedup_key TEXT NOT NULL,
            guid TEXT,
            link TEXT,
            canonical_url TEXT,
            title TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            author TEXT,
            published_at TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            story_id TEXT REFERENCES stories(id),
            is_baseline INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT 'feed',
            UNIQUE (feed_id, dedup_key)
        );
        CREATE INDEX items_published ON items(published_at);
        CREATE INDEX items_story ON items(story_id);
        CREATE INDEX items_canonical_url ON items(canonical_url);
        CREATE VIRTUAL TABLE items_fts USING fts5(
            title, summary, content='items', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
            INSERT INTO items_fts(rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
        END;
        CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, summary)
                VALUES ('delete', old.rowid, old.title, old.summary);
        END;
        CREATE TRIGGER items_au AFTER UPDATE OF title, summary ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, summary)
                VALUES ('delete', old.rowid, old.title, old.summary);
            INSERT INTO items_fts(rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
        END;
        CREATE TABLE entities (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE aliases (
            alias TEXT NOT NULL,
            entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            lang TEXT NOT NULL DEFAULT 'en',
            case_sensitive INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (alias, entity_id)
        );
        CREATE INDEX aliases_entity ON aliases(entity_id);
        CREATE TABLE relations (
            entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            relation TEXT NOT NULL,
            target_id TEXT NOT NULL,
            PRIMARY KEY (entity_id, relation, target_id)
        );
        CREATE TABLE themes (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE item_entities (
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            entity_id TEXT NOT NULL,
            alias TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            rule TEXT NOT NULL DEFAULT 'alias',
            PRIMARY KEY (item_id, entity_id, start)
        );
        CREATE INDEX item_entities_entity ON item_entities(entity_id, item_id);
        CREATE TABLE item_themes (
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            theme_id TEXT NOT NULL,
            score REAL NOT NULL,
            cues TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (item_id, theme_id)
        );
        CREATE INDEX item_themes_theme ON item_themes(theme_id, item_id);
        CREATE TABLE subscriptions (
            platform TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            target_type TEXT NOT NULL,
            target_id TEXT NOT NULL,
            created_by TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (platform, channel_id, target_id)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            idem_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            platform TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            story_id TEXT,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            message_id TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        CREATE TABLE digests (
            target_id TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            created_at TEXT NOT NULL,
            story_count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (target_id, period_end)
        );
        CREATE TABLE outages (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            feeds_failed INTEGER NOT NULL,
            feeds_total INTEGER NOT NULL,
            error TEXT
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        """
    )


@MIGRATIONS()
def m002_story_tokens(db):
    """Index the significant title words of each story, for near-identical title joins."""
    db.executescript(
        """
        CREATE TABLE story_tokens (
            token TEXT NOT NULL,
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            first_seen_at TEXT NOT NULL,
            PRIMARY KEY (token, story_id)
        ) WITHOUT ROWID;
        CREATE INDEX story_tokens_window ON story_tokens(token, first_seen_at);
        ALTER TABLE stories ADD COLUMN title_tokens TEXT NOT NULL DEFAULT '';
        """
    )


@MIGRATIONS()
def m003_mention_times(db):
    """Keep each mention's item time beside it, so lookups count and list mentions from one index."""
    db.executescript(
        """
        ALTER TABLE item_entities ADD COLUMN published_at TEXT;
        UPDATE item_entities SET published_at =
            (SELECT items.published_at FROM items WHERE items.id = item_entities.item_id);
        CREATE INDEX item_entities_entity_time ON item_entities(entity_id, published_at, item_id);
        CREATE INDEX IF NOT EXISTS items_id_published ON items(id, published_at);
        CREATE TRIGGER item_entities_time AFTER INSERT ON item_entities
            WHEN NEW.published_at IS NULL BEGIN
            UPDATE item_entities SET published_at =
                (SELECT items.published_at FROM items WHERE items.id = NEW.item_id)
            WHERE rowid = NEW.rowid;
        END;
        """
    )


@MIGRATIONS()
def m004_entity_days(db):
    """Count each entity's mentions per UTC day as they are stored, for instant counts and trends."""
    db.executescript(
        """
        CREATE TABLE entity_days (
            entity_id TEXT NOT NULL,
            day TEXT NOT NULL,
            mentions INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (entity_id, day)
        ) WITHOUT ROWID;
        INSERT INTO entity_days (entity_id, day, mentions)
            SELECT entity_id, substr(published_at, 1, 10), count(DISTINCT item_id) FROM item_entities
            WHERE published_at IS NOT NULL GROUP BY 1, 2;
        CREATE TRIGGER entity_days_add AFTER INSERT ON item_entities
            WHEN NOT EXISTS (SELECT 1 FROM item_entities WHERE item_id = NEW.item_id
                             AND entity_id = NEW.entity_id AND rowid != NEW.rowid) BEGIN
            INSERT INTO entity_days (entity_id, day, mentions) VALUES (NEW.entity_id, substr(coalesce(
                NEW.published_at, (SELECT published_at FROM items WHERE id = NEW.item_id)), 1, 10), 1)
            ON CONFLICT (entity_id, day) DO UPDATE SET mentions = mentions + 1;
        END;
        CREATE TRIGGER entity_days_remove AFTER DELETE ON item_entities
            WHEN NOT EXISTS (SELECT 1 FROM item_entities WHERE item_id = OLD.item_id
                             AND entity_id = OLD.entity_id) BEGIN
            UPDATE entity_days SET mentions = mentions - 1 WHERE entity_id = OLD.entity_id
                AND day = substr(coalesce(OLD.published_at,
                                          (SELECT published_at FROM items WHERE id = OLD.item_id)), 1, 10);
        END;
        """
    )


@MIGRATIONS()
def m005_batched_writes(db):
    """Index item text from the write path, and queue the items that still need matching.

    A trigger per inserted row flushed FTS5's pending terms on every row; the write path now adds
    a whole batch to items_fts in one statement (store.items.index_items). Items stored before
    they are matched (a new feed's baseline, or any item stored without a matcher) wait in
    match_queue until the matcher catches up. story_tokens becomes one B-tree, keyed the way it is
    probed (word, then time); nothing reads stories by canonical URL (items are), so that index goes.
    """
    db.executescript(
        """
        DROP TRIGGER items_ai;
        CREATE TABLE story_tokens_by_time (
            token TEXT NOT NULL,
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            first_seen_at TEXT NOT NULL,
            PRIMARY KEY (token, first_seen_at, story_id)
        ) WITHOUT ROWID;
        INSERT INTO story_tokens_by_time (token, story_id, first_seen_at)
            SELECT token, story_id, first_seen_at FROM story_tokens;
        DROP TABLE story_tokens;
        ALTER TABLE story_tokens_by_time RENAME TO story_tokens;
        DROP INDEX stories_canonical_url;
        CREATE TABLE match_queue (
            item_id TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE
        ) WITHOUT ROWID;
        """
    )


@MIGRATIONS()
def m006_deliver_alert_queue(db):
    """Items stored as new and not yet turned into alerts.

    The write path adds each new (non-baseline) item here in the transaction that stores it; the
    alert step queues the outbox rows and removes the items in one transaction. A crash between the
    two leaves the items here, and the next pass (or start-up) alerts them.
    """
    db.executescript(
        """
        CREATE TABLE alert_queue (
            item_id TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE
        ) WITHOUT ROWID;
        """
    )


@MIGRATIONS()
def m007_alert_feedback_and_mutes(db):
    """What analysts say with an alert's buttons: "Not relevant" feedback, and 24-hour mutes.

    feedback: one row per user, channel and item; target_type/target_id name the entity or theme
    the user said misfired (NULL: the alert as a whole, counted against each of its matches).
    mutes: a story or an entity that raises no alert in a channel until `until`.
    """
    db.executescript(
        """
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            item_id TEXT NOT NULL,
            story_id TEXT,
            platform TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            verdict TEXT NOT NULL DEFAULT 'not-relevant',
            target_type TEXT,
            target_id TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (item_id, platform, channel_id, user_id)
        );
        CREATE INDEX feedback_time ON feedback(created_at);
        CREATE TABLE mutes (
            platform TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            target_type TEXT NOT NULL,
            target_id TEXT NOT NULL,
            until TEXT NOT NULL,
            created_by TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (platform, channel_id, target_type, target_id)
        ) WITHOUT ROWID;
        """
    )


@MIGRATIONS()
def m008_platform_connections(db):
    """Each chat platform's connection as the running service last saw it.

    state is connecting, connected, reconnecting or down; since is when it entered that state;
    attempts counts failed connection attempts in a row; last_error is the latest failure.
    """
    db.executescript(
        """
        CREATE TABLE connections (
            platform TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            since TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_attempt_at TEXT,
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """
    )


@MIGRATIONS()
def m009_incidents(db):
    """Incidents items report, and each item's report of one, joined across outlets.

    An item's incidents are written in the transaction that stores its matches. A report joins an
    incident of the same type, day and place or region whose perpetrator and casualties agree
    (bot/incident_log.py); the incident keeps the highest firm toll and every report.
    """
    db.executescript(
        """
        CREATE TABLE incidents (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            actor TEXT,
            claimed INTEGER NOT NULL DEFAULT 0,
            place TEXT,
            region TEXT,
            killed INTEGER,
            injured INTEGER,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            first_item_id TEXT NOT NULL,
            reports INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX incidents_type_time ON incidents(type, first_seen_at);
        CREATE INDEX incidents_time ON incidents(first_seen_at);
        CREATE TABLE incident_reports (
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            actor TEXT,
            claimed INTEGER NOT NULL DEFAULT 0,
            place TEXT,
            region TEXT,
            killed INTEGER,
            injured INTEGER,
            spans TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (item_id, ordinal)
        ) WITHOUT ROWID;
        CREATE INDEX incident_reports_incident ON incident_reports(incident_id);
        """
    )


@MIGRATIONS()
def m010_quiet_hours(db):
    """Quiet windows set from chat (`/watch quiet`), per channel or per person.

    channel_id is a channel's id, or "@<user id>" for a person's personal watchlist; start and
    end are local HH:MM in `timezone`. A window in feeds.yml (an alert rule's `quiet:`) is not
    stored here: the one set from chat takes precedence for its channel.
    """
    db.executescript(
        """
        CREATE TABLE quiet_hours (
            platform TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            start TEXT NOT NULL,
            end TEXT NOT NULL,
            timezone TEXT NOT NULL,
            set_by TEXT,
            set_at TEXT NOT NULL,
            PRIMARY KEY (platform, channel_id)
        ) WITHOUT ROWID;
        """
    )


@MIGRATIONS()
def m011_batched_mention_counts(db):
    """The write path sets mentions' times, per-day counts and outlet counts a batch at a time.

    A trigger per item_entities row looked the item's time up and upserted entity_days, one row
    at a time; store.matches.write_matches now does both for a whole batch, with the same result
    (each item counted once per entity and UTC day). Deletions still go through entity_days_remove.
    A story's outlets are counted up as items join it (is this feed new to the story?), not
    recounted over all its items: items_story becomes (story_id, feed_id).
    """
    db.executescript(
        """
        DROP TRIGGER item_entities_time;
        DROP TRIGGER entity_days_add;
        CREATE INDEX items_story_feed ON items(story_id, feed_id);
        DROP INDEX items_story;
        """
    )


@MIGRATIONS()
def m012_unused_indexes(db):
    """Drop the indexes no query reads (see "Indexes" in this module's docstring).

    item_entities_entity (entity_id, item_id): every lookup by entity also bounds or orders by
    time and reads item_entities_entity_time, which starts with entity_id too; lookups by item
    read the primary key. fetches_feed_time: the fetch log is written, never searched.
    """
    db.executescript(
        """
        DROP INDEX item_entities_entity;
        DROP INDEX fetches_feed_time;
        """
    )


@MIGRATIONS()
def m013_match_tables_without_rowid(db):
    """item_entities and item_themes become WITHOUT ROWID tables: the rows live in their primary
    key's B-tree, one B-tree fewer to write per row. The write path no longer reads the mentions
    it has just inserted by rowid (store.matches.write_matches counts the per-day mentions from
    the rows it writes)."""
    db.executescript(
        """
        CREATE TABLE item_entities_new (
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            entity_id TEXT NOT NULL,
            alias TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            rule TEXT NOT NULL DEFAULT 'alias',
            published_at TEXT,
            PRIMARY KEY (item_id, entity_id, start)
        ) WITHOUT ROWID;
        INSERT INTO item_entities_new (item_id, entity_id, alias, start, "end", rule, published_at)
            SELECT item_id, entity_id, alias, start, "end", rule, published_at FROM item_entities;
        DROP TABLE item_entities;
        ALTER TABLE item_entities_new RENAME TO item_entities;
        CREATE INDEX item_entities_entity_time ON item_entities(entity_id, published_at, item_id);
        CREATE TRIGGER entity_days_remove AFTER DELETE ON item_entities
            WHEN NOT EXISTS (SELECT 1 FROM item_entities WHERE item_id = OLD.item_id
                             AND entity_id = OLD.entity_id) BEGIN
            UPDATE entity_days SET mentions = mentions - 1 WHERE entity_id = OLD.entity_id
                AND day = substr(coalesce(OLD.published_at,
                                          (SELECT published_at FROM items WHERE id = OLD.item_id)), 1, 10);
        END;
        CREATE TABLE item_themes_new (
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            theme_id TEXT NOT NULL,
            score REAL NOT NULL,
            cues TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (item_id, theme_id)
        ) WITHOUT ROWID;
        INSERT INTO item_themes_new (item_id, theme_id, score, cues)
            SELECT item_id, theme_id, score, cues FROM item_themes;
        DROP TABLE item_themes;
        ALTER TABLE item_themes_new RENAME TO item_themes;
        CREATE INDEX item_themes_theme ON item_themes(theme_id, item_id);
        """
    )


@MIGRATIONS()
def m014_incident_reports_with_rowid(db):
    """incident_reports gets a rowid again, with its key (item_id, ordinal) kept UNIQUE: a report
    row (its fields and spans, ~200 bytes) is appended to the table's B-tree, and only the narrow
    key goes into a B-tree ordered by item id. As a WITHOUT ROWID table every row went into
    that random order itself, splitting wide pages: storing a report cost about 23 us of SQL,
    now about 10 (thread CPU, 25,000 reports, bench reference bodies)."""
    db.executescript(
        """
        CREATE TABLE incident_reports_new (
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            actor TEXT,
            claimed INTEGER NOT NULL DEFAULT 0,
            place TEXT,
            region TEXT,
            killed INTEGER,
            injured INTEGER,
            spans TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            UNIQUE (item_id, ordinal)
        );
        INSERT INTO incident_reports_new (item_id, ordinal, incident_id, type, actor, claimed, place, region,
                                          killed, injured, spans, seen_at)
            SELECT item_id, ordinal, incident_id, type, actor, claimed, place, region, killed, injured, spans,
                   seen_at FROM incident_reports ORDER BY seen_at, item_id, ordinal;
        DROP TABLE incident_reports;
        ALTER TABLE incident_reports_new RENAME TO incident_reports;
        CREATE INDEX incident_reports_incident ON incident_reports(incident_id);
        """
    )
