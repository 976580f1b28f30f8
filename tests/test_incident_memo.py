"""The extractor keeps what it read from a clause's words alone: a sentence seen before, at another
offset or in another item, must give what a first reading gives."""

from bot import incidents

REPEATED = "Militants claimed the attack that killed three soldiers and wounded five others."
ITEMS = [
    ("Gunmen attack a checkpoint in Bannu", f"The checkpoint came under fire overnight. {REPEATED}"),
    ("Bannu checkpoint attacked", f"Officials in Bannu said the assault began at dawn and lasted an hour. {REPEATED}"),
    ("Attack on checkpoint", REPEATED),
    (REPEATED, "Police said the attackers fled."),
]


def _fresh() -> None:
    for value in vars(incidents).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


def _read(title: str, summary: str) -> list[tuple]:
    return [(i.type, i.actor, i.claimed, i.place, i.region, i.killed, i.injured, sorted(i.spans.items()))
            for i in incidents.extract(title, summary)]


def test_a_repeated_sentence_reads_the_same_at_every_offset():
    first_readings = []
    for title, summary in ITEMS:
        _fresh()
        first_readings.append(_read(title, summary))
    _fresh()
    again = [_read(title, summary) for title, summary in ITEMS]  # later items reuse the earlier readings
    assert again == first_readings
    assert all(reading and reading[0][5] == 3 and reading[0][6] == 5 for reading in first_readings)
    # each span points at its words, wherever the sentence stands
    for (title, summary), reading in zip(ITEMS, again):
        text, spans = f"{title}\n{summary}", dict(reading[0][7])
        assert text[slice(*spans["claimed"])] == "claimed"
        assert text[slice(*spans["killed"])].startswith("three soldiers")
        assert text[slice(*spans["injured"])].startswith("five")
