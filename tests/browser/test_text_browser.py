"""Text is text, in headless Chromium: hostile names rendered through components.text.literal in
every kind of Markdown element show literally, with no link, image or formatting in the DOM and no
request to the hostile host."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from bench.app_server import _wait_healthy, free_port
from tests.browser.conftest import PROJECT_ROOT
from tests.browser.helpers import screenshot, scroll_to, wait_for_app
from tests.hostile import EVIL_HOST, HOSTILE_NAMES

pytestmark = pytest.mark.browser
PROBE = PROJECT_ROOT / "tests" / "browser" / "literal_probe_app.py"
MAIN = '[data-testid="stMain"]'
# Tags that would mean some Markdown or HTML came alive (expanders draw their own arrow icon).
FORMATTING = ["a", "img", "strong", "em", "h1", "h2", "h3", "code", "pre", "del", "ol", "ul", "li",
              "blockquote", "span.katex", "iframe", "script"]


@pytest.fixture(scope="module")
def probe_url(tmp_path_factory):
    log_path = tmp_path_factory.mktemp("literal-probe") / "streamlit.log"
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROBE), "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log_path, 90)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_hostile_names_render_literally_in_every_markdown_element(probe_url, page):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(probe_url)
    page.locator('[data-testid="stAlertContentSuccess"]').wait_for(timeout=60_000)
    wait_for_app(page)
    main = page.locator(MAIN)
    for expander in main.locator('[data-testid="stExpander"] summary').all():
        expander.click()
    wait_for_app(page)
    screenshot(page, "literal-probe")
    assert main.locator('[data-testid="stIconMaterial"]').count() == len(HOSTILE_NAMES)  # expander arrows only
    found = {tag: main.locator(tag).evaluate_all("els => els.map(e => e.outerHTML)") for tag in FORMATTING}
    assert {tag: html for tag, html in found.items() if html} == {}
    assert [u for u in requests if EVIL_HOST in u] == []
    # Compare with runs of spaces collapsed: leading spaces of a name are kept as no-break spaces.
    # On a busy machine the expanders' rerun can still be drawing an element: read again a while.
    wanted = [p + re.sub(r" +", " ", n.strip()) for n in HOSTILE_NAMES for p in ("M ", "I ", "E ", "W ", "Metric ", "T ")]
    for _ in range(40):
        text = re.sub(r"[ \u00a0]+", " ", main.inner_text().replace("\u2060", ""))
        if all(w in text for w in wanted):
            break
        page.wait_for_timeout(500)
    for name in HOSTILE_NAMES:
        shown = re.sub(r" +", " ", name.strip())
        for prefix in ("M ", "I ", "E ", "W ", "Metric ", "T "):
            assert prefix + shown in text, (prefix, name)
        assert f"C {shown} · " in text, name


def test_altair_titles_and_tooltips_are_text(probe_url, page):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(probe_url)
    page.locator('[data-testid="stAlertContentSuccess"]').wait_for(timeout=60_000)
    wait_for_app(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    scroll_to(page, chart)
    box = chart.locator("svg, canvas").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.35)  # on the bar
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=10_000)
    screenshot(page, "literal-probe-tooltip", full_page=False)
    assert "<img src='https://evil.example/t.png'>" in tooltip.inner_text()
    assert tooltip.locator("img, a").count() == 0
    assert chart.locator("a, img").count() == 0
    assert HOSTILE_NAMES[0] in chart.inner_text() or chart.locator("svg").count() == 0  # title as text
    assert [u for u in requests if EVIL_HOST in u] == []
