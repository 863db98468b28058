"""Peak memory (VmHWM) of a process serving the pages, and the served app the browser step uses.

Two ways to load a process with every page: `streamlit run app.py` driven by the browser step
(the real server), or — when no browser is wanted — a child Python process that renders each
page through AppTest as its role. Either way the peak resident set is read from /proc.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def release_engines(*urls: str) -> None:
    """Close this process's pooled connections so another process may open a DuckDB file."""
    from data_access.engine import get_engine

    for url in urls:
        get_engine(url).dispose()
    get_engine.cache_clear()


@contextmanager
def serve_app(url: str, *, timeout: float = 120):
    """`streamlit run app.py` on a free port against `url`; yields (base_url, process)."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="sp-bench-serve-") as data_dir:
        log_path = Path(data_dir) / "streamlit.log"
        env = dict(os.environ, SERVICE_PULSE_DATABASE_URL=url, SERVICE_PULSE_TODAY=TODAY,
                   SERVICE_PULSE_DATA_DIR=data_dir, SERVICE_PULSE_COOKIE_KEY=secrets.token_urlsafe(48),
                   STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.headless", "true", "--server.address", "127.0.0.1",
               "--server.fileWatcherType", "none"]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited early: {log_path.read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if time.time() > deadline:
                    raise RuntimeError("streamlit did not become healthy in time")
                time.sleep(0.3)
            yield base_url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


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
