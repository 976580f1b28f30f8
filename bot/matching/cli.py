"""The matcher's entry point under its older import path, kept for scripts that use it.

`from bot.matching.cli import load_matcher` is what benchmarks and desk scripts outside this
package call; the builder itself lives in `bot.matching.loader`.
"""

from bot.matching.loader import load_matcher

__all__ = ["load_matcher"]
