"""The real server with the CIO's landing view kept warm (the tests switch it off elsewhere): the
keeper's thread works inside Streamlit's runtime without a word in the log, and the CIO lands on the
same figures as on a server without it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serve_app
from tests.browser.helpers import login, wait_for_app

pytestmark = pytest.mark.browser

FIRST_CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'


def _cio_headline(base_url: str, page) -> list[str]:
    page.goto(base_url)
    page.locator('[data-testid="stForm"]').filter(has_text="Sign in").wait_for(timeout=60_000)
    page.wait_for_timeout(3_000)  # the person types; the keeper works
    login(page, "cio")
    page.locator(FIRST_CHART).first.wait_for(timeout=60_000)
    wait_for_app(page)
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()[:4]


def test_the_cio_lands_on_the_same_figures_with_the_view_kept_warm(browser_demo_url, tmp_path, browser):
    shown, logs = {}, {}
    for mode in ("on", "off"):
        data_dir = tmp_path / mode
        data_dir.mkdir()
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            with serve_app(browser_demo_url, data_dir, SERVICE_PULSE_WARM_LANDING=mode) as base_url:
                shown[mode] = _cio_headline(base_url, context.new_page())
        finally:
            context.close()
        logs[mode] = (data_dir / "streamlit.log").read_text(encoding="utf-8")
    assert len(shown["on"]) == 4 and shown["on"] == shown["off"]
    for word in ("Traceback", "Could not prepare", "ScriptRunContext", "partially initialized"):
        assert word not in logs["on"]
