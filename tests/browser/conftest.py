"""Browser fixtures: serve the real app on a small demo warehouse and drive it with headless Chromium."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Iterator

import pytest

from bench import app_server
from data_access import demo
from data_access.engine import get_engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BROWSER_DEMO_RESPONSES = 100_000
BROWSER_DEMO_END = dt.date(2026, 11, 20)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser_demo_url(tmp_path_factory) -> str:
    """A SQLite demo warehouse for the browser session (100,000 responses, seed 7, ends 2026-11-20)."""
    path = tmp_path_factory.mktemp("browser-demo") / "demo.sqlite"
    url = f"sqlite:///{path}"
    demo.generate(get_engine(url), responses=BROWSER_DEMO_RESPONSES, seed=7, end=BROWSER_DEMO_END)
    return url


@contextlib.contextmanager
def serve_app(database_url: str, data_dir: Path, **extra_env: str) -> Iterator[str]:
    """The app served against `database_url` with the browser demo's "today"; yields its base URL."""
    with app_server.serve_app(database_url, data_dir, today=BROWSER_DEMO_END.isoformat(), timeout=90,
                              **extra_env) as (base_url, _proc):
        yield base_url


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
