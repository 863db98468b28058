"""Peak memory (VmHWM) of a process serving the pages, and the served app the browser step uses.

Two ways to load a process with every page: `streamlit run app.py` driven by the browser step
(the real server), or — when no browser is wanted — a child Python process that renders each
page through AppTest as its role. Either way the peak resident set is read from /proc.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from bench import app_server
from bench.warehouses import TODAY
from data_access import config

PROJECT_ROOT = config.PROJECT_ROOT


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """Peak resident set size of a live process in MiB (VmHWM), or None when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def release_engines(*urls: str) -> None:
    """Close this process's pooled connections so another process may open a DuckDB file."""
    from data_access.engine import clear_engines, get_engine

    for url in urls:
        get_engine(url).dispose()
    clear_engines()


@contextmanager
def serve_app(url: str, *, timeout: float = 120):
    """`streamlit run app.py` on a free port against `url`; yields (base_url, process)."""
    with tempfile.TemporaryDirectory(prefix="sp-bench-serve-") as data_dir, \
            app_server.serve_app(url, Path(data_dir), today=TODAY, timeout=timeout) as served:
        yield served


def apptest_peak(url: str, timeout: float = 900) -> dict:
    """Peak RSS of a fresh child process that renders every available page as its role (AppTest)."""
    out = subprocess.run([sys.executable, "-m", "bench.memory", url], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=timeout)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"error": (out.stderr or out.stdout)[-500:]}


def _child(url: str) -> None:
    import logging

    from bench import pages

    logging.disable(logging.WARNING)
    viewers = pages.bench_viewers(url)
    rendered = []
    with pages.pinned_env(url):
        for spec in pages.PAGES:
            if spec.path.exists():
                pages.clear_caches()
                pages.render_once(pages.new_session(spec, viewers[spec.role]))
                rendered.append(spec.name)
    print(json.dumps({"peak_rss_mb": peak_rss_mb(), "pages": rendered, "how": "AppTest child process"}))


if __name__ == "__main__":
    _child(sys.argv[1])


def import_while_serving(url: str, workdir: Path, rows: int = 2_000) -> dict:
    """Does a command-line import into the warehouse work while `streamlit run app.py` serves it?

    DuckDB lets one process hold a file for writing; the check serves a copy of the tier (never the
    cached file), signs nobody in, and runs `python -m data_access import tickets` against it.
    """
    import shutil

    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "duckdb":
        return {"status": "not applicable (not an embedded DuckDB file)"}
    try:
        from bench.import_speed import write_tickets_csv
    except ImportError:
        return {"status": "not available yet (bench/import_speed.py missing)"}
    copy = workdir / "serving-copy.duckdb"
    shutil.copyfile(parsed.database, copy)
    csv_path = workdir / "concurrent-tickets.csv"
    write_tickets_csv(csv_path, rows)
    copy_url = f"duckdb:///{copy.as_posix()}"
    from playwright.sync_api import sync_playwright

    from bench.browser import CHROMIUM, CHROMIUM_ARGS, SIGN_IN_FORM

    with serve_app(copy_url) as (base_url, _proc), sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = chromium.new_page()
            page.goto(base_url)  # a session runs app.py, which opens the warehouse
            page.locator(SIGN_IN_FORM).first.wait_for(timeout=60_000)
            out = subprocess.run([sys.executable, "-m", "data_access", "import", "tickets", str(csv_path),
                                  "--preset", "generic", "--url", copy_url], cwd=PROJECT_ROOT,
                                 capture_output=True, text=True, timeout=600)
            page.reload()  # and the app must still open it afterwards
            page.locator(SIGN_IN_FORM).first.wait_for(timeout=60_000)
            app_after = page.locator('[data-testid="stMain"]').inner_text()[:300]
        finally:
            chromium.close()
    text = [line for line in (out.stdout + out.stderr).strip().splitlines() if line.strip()]
    lock = any("lock" in line.lower() or "in use" in line.lower() for line in text)
    return {"works": out.returncode == 0, "returncode": out.returncode, "rows": rows,
            "lock_conflict": lock, "message": next((t for t in text if "lock" in t.lower() or "in use" in t.lower()),
                            text[-1] if text else "")[:300],
            "app_after": app_after.replace("\n", " ")[:200]}
