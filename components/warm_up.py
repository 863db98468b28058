"""Load the pages' code in the background while the first person signs in.

A fresh server has imported only what the sign-in page needs; the first landing page would then
spend a third of a second importing its modules (charts, read models, polars expressions) before
drawing anything. The first time the app runs, a daemon thread imports every module the page
scripts import — read from the scripts themselves, so the list cannot go stale — while the person
is still typing. It touches no data and no session; Python's import lock makes a page that needs a
module at the same moment wait for it rather than load it twice.
"""

from __future__ import annotations

import ast
import importlib
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES_DIR = ROOT / "pages"
APP_PACKAGES = ("components", "views", "metrics", "data_access")
_lock = threading.Lock()
_thread: list[threading.Thread] = []  # the one warm-up thread of this process, once started


def page_modules(pages_dir: Path = PAGES_DIR) -> list[str]:
    """The app's own modules the page scripts import (sorted; third-party ones come with them)."""
    names: set[str] = set()
    for script in sorted(pages_dir.glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                folder = ROOT / node.module.replace(".", "/")
                names.add(node.module)  # `from components import coaching`: the submodule too
                names.update(f"{node.module}.{a.name}" for a in node.names if (folder / f"{a.name}.py").exists())
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return sorted(n for n in names if n.split(".")[0] in APP_PACKAGES)


def _import_all(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 — the page that needs it reports its own import error
            continue


def start() -> threading.Thread:
    """Start the background import once per process; later calls return the same thread at once."""
    with _lock:
        if not _thread:
            _thread.append(threading.Thread(target=_import_all, args=(page_modules(),), name="pulse-warm-up",
                                            daemon=True))
            _thread[0].start()
        return _thread[0]
