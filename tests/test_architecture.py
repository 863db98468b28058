"""Rules of the code base that a reviewer could miss: checked over every source file.

- No Python callback inside polars (`map_elements`, `map_batches`, `map_rows`, `map_groups`,
  `apply`): such a callback runs on polars' small thread pool and needs the GIL, while other
  sessions' threads hold the GIL waiting for that pool — with several people at once, the app hangs.
- One-way layers: `data_access` (SQL) imports neither Streamlit nor the UI layers (components,
  views, pages); `metrics` (pure formulas) imports nothing of the app.
"""

from __future__ import annotations

import ast
import subprocess
import sys
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
    """Every top-level folder of the app is scanned, the benchmark, e-mail and command line too."""
    files = {p.relative_to(ROOT).as_posix() for p in source_files()}
    assert {"app.py", "metrics/intervals.py", "components/coaching.py", "data_access/coaching.py",
            "bench/run.py", "notify/alerts.py", "cli/main.py", "reports/brief.py", "views/culture.py",
            "pages/coaching.py"} <= files
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    folders = {Path(f).parts[0] for f in tracked if len(Path(f).parts) > 1} - SKIPPED_DIRS
    assert folders and folders <= {Path(f).parts[0] for f in files}  # no folder of the app is passed over
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


# ---------------------------------------------------------------- import contracts

APP_PACKAGES = {"app", "cli", "components", "data_access", "metrics", "notify", "pages", "reports", "views",
                "bench"}


def imported_modules(path: Path) -> set[str]:
    """Every module name a file imports (top-level and inside functions), absolute form."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _violations(package: str, banned: set[str]) -> list[str]:
    return [f"{path.relative_to(ROOT).as_posix()} imports {name}"
            for path in source_files() if path.relative_to(ROOT).parts[0] == package
            for name in sorted(imported_modules(path)) if name.split(".")[0] in banned]


def test_data_access_imports_neither_streamlit_nor_the_ui_layers() -> None:
    assert _violations("data_access", {"streamlit", "streamlit_authenticator", "components", "pages",
                                       "views", "app"}) == []


def test_data_access_imports_no_layer_above_it() -> None:
    """Notify, reports and the command line sit above data_access; only the `python -m
    data_access` entry point (data_access/__main__.py) hands over to the cli package."""
    found = _violations("data_access", {"notify", "reports", "cli", "bench"})
    assert found == ["data_access/__main__.py imports cli.main", "data_access/__main__.py imports cli.main.main"]


def test_nothing_imports_the_command_line() -> None:
    users = [f"{path.relative_to(ROOT).as_posix()} imports {name}" for path in source_files()
             if path.relative_to(ROOT).parts[0] != "cli" and path.name != "__main__.py"
             for name in sorted(imported_modules(path)) if name.split(".")[0] == "cli"]
    assert users == []


def test_pages_import_only_components_and_views() -> None:
    """A page reads its filters, asks a read model and hands the result to components: it names
    no reader, writer, setting or formula of the layers below (docs/ARCHITECTURE.md)."""
    found = _violations("pages", APP_PACKAGES - {"components", "views"})
    assert found == []


def test_metrics_imports_nothing_of_the_app() -> None:
    assert _violations("metrics", (APP_PACKAGES - {"metrics"}) | {"streamlit", "sqlalchemy"}) == []


def test_importing_every_data_access_module_loads_no_streamlit() -> None:
    # a fresh interpreter: other tests in this process have imported streamlit long ago
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                     for p in source_files() if p.relative_to(ROOT).parts[0] == "data_access"
                     and p.name != "__main__.py")
    check = (f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
             "bad = [m for m in ('streamlit', 'components', 'views') if m in sys.modules]\n"
             "sys.exit(str(bad) if bad else 0)")
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr or done.stdout
    assert len(modules) > 20  # the scan really saw the package


def test_the_import_scan_sees_function_level_imports(tmp_path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import streamlit as st\n    from components import x\n")
    assert {"streamlit", "components", "components.x"} <= imported_modules(sample)


# Not readers: who is looking, the filter value, the clock, settings, writes and the error tuple.
COMPONENT_DATA_ACCESS = ("data_access.scope", "data_access.filters", "data_access.clock", "data_access.config",
                         "data_access.writes", "data_access.engine")


def test_coaching_components_read_figures_only_through_views() -> None:
    """components/coaching*.py render what `views.coaching` computed: they import no data_access
    reader (coaching, coaching_analyst, stats, self_assessments, …), and their cached reads are
    the read model's."""
    from views import cache

    files = sorted((ROOT / "components").glob("coaching*.py"))
    assert len(files) >= 4
    readers = [f"{path.relative_to(ROOT).as_posix()} imports {name}" for path in files
               for name in sorted(imported_modules(path))
               if name.split(".")[0] == "data_access" and name != "data_access"
               and name not in COMPONENT_DATA_ACCESS
               and not name.startswith(tuple(f"{m}." for m in COMPONENT_DATA_ACCESS))]
    assert readers == []
    assert cache.coaching._module.__name__ == "views.coaching"


# ---------------------------------------------------------------- one reader of the settings

ENVIRONMENT_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv"}
SETTINGS_MODULE = "data_access/settings.py"


def environment_reads(source: str) -> list[tuple[int, str]]:
    """(line, name) of every use of the process environment: `os.environ`, `os.getenv`, however
    imported or aliased (any attribute of that name counts, and any `from os import` of one)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_NAMES:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found.extend((node.lineno, a.name) for a in node.names if a.name in ENVIRONMENT_NAMES)
    return sorted(found)


def test_the_environment_scan_finds_every_spelling() -> None:
    sample = ("import os\nx = os.environ.get('A')\ny = os.getenv('B')\n"
              "from os import environ as e, path\nimport os as o\nz = o.environ['C']\n"
              "# os.environ in a comment is fine\ns = 'os.getenv'\n")
    assert environment_reads(sample) == [(2, "environ"), (3, "getenv"), (4, "environ"), (6, "environ")]


def test_only_the_settings_module_reads_the_environment() -> None:
    """Every variable is read, checked and typed in data_access/settings.py (tests and the
    benchmark, which set variables for the processes they start, are not the app)."""
    offenders = [f"{rel}:{line} {name}"
                 for path in source_files()
                 if (rel := path.relative_to(ROOT).as_posix()) != SETTINGS_MODULE and not rel.startswith("bench/")
                 for line, name in environment_reads(path.read_text(encoding="utf-8"))]
    assert offenders == []
    assert environment_reads((ROOT / SETTINGS_MODULE).read_text(encoding="utf-8"))  # the scan sees the reader


def test_nothing_reads_streamlit_secrets() -> None:
    """st.secrets would be a second reader of secrets.toml, with its own rules."""
    found = [f"{path.relative_to(ROOT).as_posix()}:{node.lineno}" for path in source_files()
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute) and node.attr == "secrets"
             and isinstance(node.value, ast.Name) and node.value.id == "st"]
    assert found == []


# ---------------------------------------------------------------- sizes a reader can take in

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[int, str, int]]:
    """(line, name, length) of every function or method longer than `limit` lines, counted from
    its first decorator to its last line (nested functions count inside their parent too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if (length := node.end_lineno - first + 1) > limit:
                found.append((node.lineno, node.name, length))
    return sorted(found)


def test_the_length_scan_counts_from_the_decorator_to_the_last_line() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(58))
    sample = f"@cache\ndef long():\n{body}    return 0\n\ndef short():\n{body}\n"
    assert long_functions(sample) == [(2, "long", 61)]
    assert long_functions(sample, limit=61) == []


def test_no_file_outside_tests_is_over_400_lines() -> None:
    sizes = {path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for path in source_files()}
    assert len(sizes) > 150  # the scan really saw the tree
    assert {f: n for f, n in sizes.items() if n > MAX_FILE_LINES} == {}


def test_no_function_is_over_60_lines() -> None:
    offenders = [f"{path.relative_to(ROOT).as_posix()}:{line} {name} ({length} lines)"
                 for path in source_files()
                 for line, name, length in long_functions(path.read_text(encoding="utf-8"))]
    assert offenders == [], "split these by responsibility:\n" + "\n".join(offenders)


# ---------------------------------------------------------------- one home for a name

def test_views_use_no_component_but_the_plain_formats() -> None:
    """Read models sit below the components: the one thing they take from there is the plain
    format module (no Streamlit, nothing of the app), for the names figures are labelled with."""
    found = [f"{path.relative_to(ROOT).as_posix()} imports {name}" for path in source_files()
             if path.relative_to(ROOT).parts[0] == "views"
             for name in sorted(imported_modules(path))
             if name.split(".")[0] == "components" and not name.startswith("components.formats")]
    assert found == []


def assigned_names(source: str) -> set[str]:
    """Every module-level name a file binds by assignment."""
    names = set()
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, ast.AnnAssign) else []
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_channel_names_have_one_home() -> None:
    """On screen, in the PDFs and in the e-mails a channel reads the same: its name is written
    once, in components/formats.py, for every channel the schema allows."""
    from components import formats
    from data_access.schema import CHANNELS

    homes = [path.relative_to(ROOT).as_posix() for path in source_files()
             if "CHANNEL_LABELS" in assigned_names(path.read_text(encoding="utf-8"))]
    assert homes == ["components/formats.py"]
    assert set(formats.CHANNEL_LABELS) == set(CHANNELS)
    assert [formats.channel(c) for c in ("walk_in", "social", "phone")] == ["Walk-in", "Social media", "Phone"]
