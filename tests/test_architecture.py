"""Rules of the code base that a reviewer could miss: checked over every source file.

- No Python callback inside polars (`map_elements`, `map_batches`, `map_rows`, `map_groups`,
  `apply`): such a callback runs on polars' small thread pool and needs the GIL, while other
  sessions' threads hold the GIL waiting for that pool — with several people at once, the app hangs.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLBACK_METHODS = {"map_elements", "map_batches", "map_rows", "map_groups", "apply"}
SKIPPED_DIRS = {"tests", ".venv", "venv", "node_modules", "__pycache__", ".git"}


def source_files() -> list[Path]:
    """Every Python file of the app (tests and virtual environments left out)."""
    return sorted(p for p in ROOT.rglob("*.py")
                  if not SKIPPED_DIRS.intersection(p.relative_to(ROOT).parts[:-1]))


def callback_calls(source: str) -> list[tuple[int, str]]:
    """(line, method) of every call of a callback-taking method, found in the syntax tree."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in CALLBACK_METHODS:
            found.append((node.lineno, node.func.attr))
    return sorted(found)


def test_the_scan_sees_the_source_tree() -> None:
    files = {p.relative_to(ROOT).as_posix() for p in source_files()}
    assert {"app.py", "metrics/intervals.py", "components/coaching.py", "data_access/coaching.py"} <= files
    assert not any(f.startswith("tests/") for f in files)


def test_the_scan_finds_callbacks_however_they_are_written() -> None:
    sample = ("frame.sort(pl.col('name').map_elements(key))\n"
              "x = (pl.col('n')\n   .map_batches(f))\n"
              "styled = df.style.apply(f, axis=1)\n"
              "# map_elements in a comment is fine\n"
              "y = pl.col('n').replace_strict([1], [2])\n")
    assert callback_calls(sample) == [(1, "map_elements"), (2, "map_batches"), (4, "apply")]


def test_no_python_callbacks_inside_polars() -> None:
    offenders = [f"{path.relative_to(ROOT).as_posix()}:{line} .{method}(…)"
                 for path in source_files()
                 for line, method in callback_calls(path.read_text(encoding="utf-8"))]
    assert offenders == [], "Python callbacks found (use native expressions):\n" + "\n".join(offenders)
