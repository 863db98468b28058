"""Serve the real app (`streamlit run app.py`) on a free loopback port: for the benchmark and browser tests."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from data_access import config


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base_url: str, proc: subprocess.Popen, log_path: Path, timeout: float,
                  what: str = "streamlit") -> None:
    """Wait until `base_url` answers Streamlit's health check (directly or through a proxy);
    raise with the tail of `what`'s log when the process exits or `timeout` seconds pass."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not become healthy in {timeout} s:\n{log_path.read_text()[-3000:]}")


@contextmanager
def running(cmd: list[str], log_path: Path, base_url: str, *, timeout: float, what: str = "streamlit",
            stop_seconds: float = 15, **popen) -> Iterator[subprocess.Popen]:
    """Start `cmd` with its output in `log_path`, wait until `base_url` is healthy, yield the
    process, then stop it (terminate, and kill it after `stop_seconds`): the app and the proxy alike."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **popen)
    try:
        _wait_healthy(base_url, proc, log_path, timeout, what=what)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextmanager
def serve_app(database_url: str, data_dir: Path, *, today: str, timeout: float = 120,
              **extra_env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the app against `database_url` with "today" pinned; yield (base URL, process), then stop it."""
    port = free_port()
    log_path = data_dir / "streamlit.log"
    env = dict(os.environ,
               SERVICE_PULSE_DATABASE_URL=database_url,
               SERVICE_PULSE_TODAY=today,
               SERVICE_PULSE_DATA_DIR=str(data_dir),
               SERVICE_PULSE_COOKIE_KEY=secrets.token_urlsafe(48),
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    env.update(extra_env)  # e.g. one cookie key shared by several processes behind a proxy
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1",
           "--server.fileWatcherType", "none"]
    base_url = f"http://127.0.0.1:{port}"
    with running(cmd, log_path, base_url, timeout=timeout, cwd=config.PROJECT_ROOT, env=env) as proc:
        yield base_url, proc
