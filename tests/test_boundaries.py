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


# The composition root and the programs it runs wire adapters in; nothing else may.
WIRING = ("bot/app.py", "bot/service.py", "bot/demo.py", "bot/cli/", "bot/platforms/")
# What store/ may take from bot/: plain models and pure helpers, nothing that reaches back.
STORE_MAY_IMPORT = {"bot.models", "bot.clock", "bot.stories"}
SQL_CALLS = {"execute", "executemany", "executescript", "query"}


def bot_imports(path: Path):
    """The bot.* modules a file imports, by full dotted name."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.split(".")[0] == "bot")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "bot":
                yield from (f"bot.{alias.name}" for alias in node.names)
            elif node.module.startswith("bot."):
                yield node.module


def sql_calls(path: Path):
    """(line, name) of every `.execute(`, `.executemany(`, `.executescript(` or `.query(` call."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
            yield node.lineno, node.func.attr


def core_modules():
    return [path for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("store/**/*.py")])
            if not path.relative_to(ROOT).as_posix().startswith(WIRING)]


def test_the_core_never_imports_the_platform_adapters():
    offences = [f"{path.relative_to(ROOT).as_posix()} imports {module}" for path in core_modules()
                for module in bot_imports(path) if module == "bot.platforms" or module.startswith("bot.platforms.")]
    assert offences == []


def test_only_the_store_speaks_sql():
    offences = [f"{path.relative_to(ROOT).as_posix()}:{line} calls .{name}()"
                for path in sorted(ROOT.glob("bot/**/*.py")) for line, name in sql_calls(path)]
    assert offences == []


def test_the_store_takes_only_plain_models_and_helpers_from_bot():
    offences = [f"{path.relative_to(ROOT).as_posix()} imports {module}" for path in sorted(ROOT.glob("store/**/*.py"))
                for module in bot_imports(path) if module not in STORE_MAY_IMPORT]
    assert offences == []


def test_the_boundary_checks_see_what_they_look_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from bot.platforms.console import ConsoleAdapter\nfrom bot import alerts\n"
                      "def f(db):\n    db.execute('SELECT 1')\n    return list(db.query('SELECT 2'))\n")
    assert list(bot_imports(sample)) == ["bot.platforms.console", "bot.alerts"]
    assert sorted(sql_calls(sample)) == [(4, "execute"), (5, "query")]


def clock_reads(path: Path):
    """(line, call) of every `datetime.now(`, `datetime.utcnow(` or `datetime.today(` call."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"now", "utcnow", "today"}
                and isinstance(node.func.value, ast.Name) and node.func.value.id in {"datetime", "date"}):
            yield node.lineno, f"{node.func.value.id}.{node.func.attr}"


def test_bot_clock_is_the_only_source_of_now():
    offences = [f"{path.relative_to(ROOT).as_posix()}:{line} calls {call}()"
                for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("store/**/*.py")])
                if path.relative_to(ROOT).as_posix() != "bot/clock.py" for line, call in clock_reads(path)]
    assert offences == []


def test_the_clock_check_sees_a_clock_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from datetime import datetime, timezone\nstarted = datetime.now(timezone.utc)\n")
    assert list(clock_reads(sample)) == [(2, "datetime.now")]
