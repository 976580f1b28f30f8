"""Build the matcher: the catalog (extended by `watch:`), its theme scorer and the optional semantic scorer."""

from __future__ import annotations

import logging
import os
from functools import lru_cache

from bot.matching.catalog import load_catalog
from bot.matching.matcher import Matcher
from bot.matching.themes import ThemeScorer

log = logging.getLogger(__name__)

SEMANTIC_ENV = "WATCHDESK_SEMANTIC"  # "0" turns the semantic scorer off even when installed


def load_semantic(enabled: bool | None = None):
    """The optional semantic scorer, or None when it is not installed or turned off."""
    if enabled is None:
        enabled = os.environ.get(SEMANTIC_ENV, "1") not in ("0", "false", "no", "off")
    if not enabled:
        return None
    try:
        from bot.matching.semantic import SemanticScorer
    except ImportError:
        return None
    return SemanticScorer.load()


def load_matcher(watch: dict | None = None, *, semantic: bool | None = None) -> Matcher:
    """Load the catalog (extended by `watch:`), compile the matcher and its theme scorer."""
    if watch is None and semantic is None:
        return _default_matcher()
    catalog = load_catalog(watch)
    return Matcher(catalog, ThemeScorer(catalog, semantic=load_semantic(semantic)))


@lru_cache(maxsize=1)
def _default_matcher() -> Matcher:
    catalog = load_catalog()
    return Matcher(catalog, ThemeScorer(catalog, semantic=load_semantic()))
