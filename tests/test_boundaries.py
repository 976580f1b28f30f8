"""The architecture's import rules (DESIGN.md): each outside library is imported in one place."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = {  # library -> the only places allowed to import it
    "discord": ("bot/platforms/",),
    "slack_bolt": ("bot/platforms/",),
    "slack_sdk": ("bot/platforms/",),
    "apscheduler": ("bot/scheduler.py",),
    "feedparser": ("bot/feeds/parse.py",),
    "fastfeedparser": ("bot/feeds/parse.py",),
    "sqlite_utils": ("store/",),
}


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_each_library_is_imported_only_where_the_design_allows():
    offences = []
    for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("store/**/*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        for module in imported_modules(path):
            allowed = RULES.get(module)
            if allowed and not relative.startswith(allowed):
                offences.append(f"{relative} imports {module}")
    assert offences == []


def test_the_core_never_imports_the_platform_adapters():
    offences = [path.relative_to(ROOT).as_posix() for path in ROOT.glob("store/**/*.py")
                if any(module == "bot" for module in imported_modules(path))
                and "bot.platforms" in path.read_text(encoding="utf-8")]
    assert offences == []
