"""Load the pages' code in the background while the first person signs in.

A fresh server has imported only what the sign-in page needs; the first landing page would then
spend a third of a second importing its modules (charts, read models, polars expressions) before
drawing anything. The first time the app runs, a daemon thread imports every module the page
scripts import — read from the scripts themselves, so the list cannot go stale — while the person
is still typing. It touches no data and no session; a page run waits until it has loaded them
(`wait_for_imports`): two threads loading modules that import each other can get one of them a
module that is still half loaded.

Then it takes what the process has built so far out of the garbage collector's sight
(`gc.freeze`). Streamlit collects garbage in full after every script run (`runner.postScriptGC`)
and Python now and then during one; with the pages loaded each collection walks some 200,000
long-lived objects (modules, classes, Altair's schema) for 0.15–0.45 s, holding the GIL for every
session. Measured on a 1M warehouse, that was a sign-in's largest cost after the password check.
"""

from __future__ import annotations

import ast
import gc
import importlib
import threading
from pathlib import Path

from components.navigation import LANDING

ROOT = Path(__file__).resolve().parent.parent
PAGES_DIR = ROOT / "pages"
APP_PACKAGES = ("components", "views", "metrics", "data_access")
_lock = threading.Lock()
_thread: list[threading.Thread] = []  # the one warm-up thread of this process, once started
_imported = threading.Event()  # set once the warm-up's imports are done


def _scripts(pages_dir: Path) -> list[Path]:
    """The landing pages first, in `navigation.LANDING` order, then the other scripts: the first
    person to sign in lands on one of them, and Coaching's modules (the brief's PDF fonts, pandas)
    take longer to load than Culture trends' — a CIO signing in early should not wait behind them."""
    landing = [pages_dir / Path(path).name for _, path in LANDING]
    return list(dict.fromkeys([p for p in landing if p.exists()] + sorted(pages_dir.glob("*.py"))))


def _imported_by(script: Path) -> set[str]:
    """What one script imports, read from its source (running it would draw a page)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            folder = ROOT / node.module.replace(".", "/")
            names.add(node.module)  # `from components import coaching`: the submodule too
            names.update(f"{node.module}.{a.name}" for a in node.names if (folder / f"{a.name}.py").exists())
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def page_modules(pages_dir: Path = PAGES_DIR) -> list[str]:
    """The app's own modules the page scripts import (third-party ones come with them), script by
    script in `_scripts` order, each script's sorted, each module once."""
    ordered = [name for script in _scripts(pages_dir) for name in sorted(_imported_by(script))]
    return list(dict.fromkeys(n for n in ordered if n.split(".")[0] in APP_PACKAGES))


def _import_all(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 — the page that needs it reports its own import error
            continue


def freeze_long_lived() -> None:
    """Collect once, then leave every object alive now out of later collections.

    What is alive after the imports lives as long as the process, so walking it again after each
    script run only costs time. Reference counting still frees frozen objects; at worst a cycle
    among them that becomes garbage later stays in memory — once per process, bounded.
    """
    gc.collect()
    gc.freeze()


def _warm(names: list[str]) -> None:
    try:
        _import_all(names)
    finally:
        _imported.set()
    freeze_long_lived()


def wait_for_imports(timeout: float = 60.0) -> None:
    """Wait until the warm-up has loaded the pages' modules (at once when it never started).

    Two threads loading modules that import each other (pandas does) can hand one of them a module
    still half loaded — Python's way out of a deadlock between their import locks. So nothing
    imports alongside the warm-up: a page run and the landing keeper wait for it first. A page
    would load the same modules itself, so the wait costs it nothing. A warm-up that could not be
    started is not listed (`start`), so nobody waits for it."""
    if _thread:
        _imported.wait(timeout)


def start() -> threading.Thread:
    """Start the background imports and freeze once per process; later calls return that thread."""
    with _lock:
        if not _thread:
            # Listed before it starts, so a page run at that moment waits for it; taken off the list
            # when it cannot start (no thread left), so no page run waits for imports never made.
            _thread.append(threading.Thread(target=_warm, args=(page_modules(),), name="pulse-warm-up",
                                            daemon=True))
            try:
                _thread[0].start()
            except RuntimeError:
                _thread.clear()
                raise
        return _thread[0]
