"""`watchdesk eval --labels`: only the ids of the given labels file are judged."""

from __future__ import annotations

import json

from bot.cli import main


def write_items(path, items):
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")


def test_labels_option_limits_the_judged_ids(tmp_path, capsys):
    items = tmp_path / "items.jsonl"
    # Peshawar is a catalog entity; the labels below do not list it, so finding it is no mistake.
    write_items(items, [{"id": "one", "title": "Pakistan police in Peshawar", "summary": "",
                         "entities": ["pakistan"], "themes": []}])
    labels = tmp_path / "elsewhere" / "labels.yml"
    labels.parent.mkdir()
    labels.write_text("entities:\n  pakistan: {type: place}\nthemes:\n  militant-attacks: x\n", encoding="utf-8")
    assert main(["eval", str(items), "--labels", str(labels)]) == 0
    judged = capsys.readouterr().out
    assert f"judged on the 2 ids of {labels}" in judged
    assert "entities  precision 1.000  recall 1.000" in judged
    assert main(["eval", str(items)]) == 0
    unjudged = capsys.readouterr().out
    assert "judged on" not in unjudged and "worst false positives (entities): peshawar x1" in unjudged


def test_missing_labels_file_is_a_usage_error(tmp_path, capsys):
    items = tmp_path / "items.jsonl"
    write_items(items, [{"id": "one", "title": "x", "entities": [], "themes": []}])
    assert main(["eval", str(items), "--labels", str(tmp_path / "none.yml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_an_events_only_file_judges_events_and_says_the_rest_is_not_labelled(tmp_path, capsys):
    items = tmp_path / "events.jsonl"
    write_items(items, [{"id": "one", "title": "Gunmen kill three policemen in Bannu",
                         "summary": "Gunmen killed three policemen at a checkpoint in Bannu on Monday.",
                         "events": [{"type": "armed-attack", "actor": None, "claimed": False, "place": "Bannu",
                                     "region": "khyber-pakhtunkhwa", "killed": 3, "injured": None}]}])
    assert main(["eval", str(items)]) == 0
    out = capsys.readouterr().out
    assert "entities  not labelled in this file" in out and "themes    not labelled in this file" in out
    assert "events    precision 1.000  recall 1.000" in out
    assert "worst false positives" not in out  # Bannu and Khyber Pakhtunkhwa are found, and no mistake
