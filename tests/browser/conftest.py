"""Browser fixtures: serve the real app on a small demo warehouse and drive it with headless Chromium."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from data_access import demo
from data_access.engine import get_engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BROWSER_DEMO_RESPONSES = 20_000
BROWSER_DEMO_END = dt.date(2026, 11, 20)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base_url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy in {timeout} s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def browser_demo_url(tmp_path_factory) -> str:
    """A SQLite demo warehouse for the browser session (20,000 responses, seed 7, ends 2026-11-20)."""
    path = tmp_path_factory.mktemp("browser-demo") / "demo.sqlite"
    url = f"sqlite:///{path}"
    demo.generate(get_engine(url), responses=BROWSER_DEMO_RESPONSES, seed=7, end=BROWSER_DEMO_END)
    return url


@contextlib.contextmanager
def serve_app(database_url: str, data_dir: Path, **extra_env: str) -> Iterator[str]:
    """Run `streamlit run app.py` on a free loopback port against `database_url`; yield its base URL."""
    port = _free_port()
    log_path = data_dir / "streamlit.log"
    env = dict(os.environ,
               SERVICE_PULSE_DATABASE_URL=database_url,
               SERVICE_PULSE_TODAY=BROWSER_DEMO_END.isoformat(),
               SERVICE_PULSE_DATA_DIR=str(data_dir),
               SERVICE_PULSE_COOKIE_KEY=secrets.token_urlsafe(48),
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               **extra_env)
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1",
           "--server.fileWatcherType", "none"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, proc, log_path)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def app_url(browser_demo_url, tmp_path_factory):
    """Base URL of `streamlit run app.py` serving the browser demo warehouse; stopped at the end."""
    with serve_app(browser_demo_url, tmp_path_factory.mktemp("browser-data")) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session (never downloads a browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page (own cookies) at 1280×800."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
