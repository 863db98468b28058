"""Two `streamlit run` processes on one PostgreSQL warehouse behind HAProxy with sticky sessions.

Proves, through the proxy: new browsers are spread over both processes; every request of one
browser — page, static files and the websocket Streamlit keeps its session on — reaches the same
process; and a person signs in and gets their page on either process.
"""

from __future__ import annotations

import urllib.request

import pytest

from bench import proxy
from data_access import demo
from data_access.engine import get_engine
from tests.browser.conftest import BROWSER_DEMO_END, VIEWPORT
from tests.browser.helpers import login, wait_for_app
from tests.conftest import _fresh_pg_database

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(proxy.haproxy_binary() is None, reason="haproxy not installed (test.sh installs it)")]

FIRST_CONTENT = ('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg, '
                 '[data-testid="stDataFrame"] canvas, [data-testid="stTable"] table')


@pytest.fixture(scope="module")
def cluster(postgres_server_url, tmp_path_factory):
    """Two app processes on a small PostgreSQL demo (4,000 responses) behind HAProxy."""
    url = _fresh_pg_database(postgres_server_url)
    demo.generate(get_engine(url), responses=4_000, seed=7, end=BROWSER_DEMO_END)
    get_engine(url).dispose()
    with proxy.serve_cluster(url, 2, tmp_path_factory.mktemp("cluster"),
                             today=BROWSER_DEMO_END.isoformat(), timeout=120) as (proxy_url, procs):
        yield proxy_url, procs


def _first_response(proxy_url: str, cookie: str | None = None) -> tuple[str, str]:
    """(node that answered, node named by the Set-Cookie) for a GET of the app's page."""
    request = urllib.request.Request(proxy_url + "/")
    if cookie:
        request.add_header("Cookie", f"{proxy.STICKY_COOKIE}={cookie}")
    with urllib.request.urlopen(request, timeout=30) as resp:
        set_cookie = resp.headers.get("Set-Cookie") or ""
        named = set_cookie.split(";")[0].split("=", 1)[1] if set_cookie.startswith(proxy.STICKY_COOKIE) else ""
        return resp.headers[proxy.NODE_HEADER], named


def _websocket_node(proxy_url: str, cookie: str) -> str:
    """Open Streamlit's session websocket through the proxy with a sticky cookie; the node that took it."""
    from websockets.sync.client import connect

    with connect(proxy_url.replace("http://", "ws://") + "/_stcore/stream", open_timeout=30,
                 additional_headers={"Cookie": f"{proxy.STICKY_COOKIE}={cookie}", "Origin": proxy_url}) as ws:
        return ws.response.headers[proxy.NODE_HEADER]


def test_new_browsers_are_spread_and_each_stays_on_its_process(cluster):
    proxy_url, procs = cluster
    assert [name for name, _ in procs] == ["app1", "app2"]
    first, second = _first_response(proxy_url), _first_response(proxy_url)
    # Round robin: two browsers without a cookie land on different processes, each told where.
    assert {first[0], second[0]} == {"app1", "app2"}
    assert first[0] == first[1] and second[0] == second[1]
    for node in ("app1", "app2", "app1", "app2"):
        assert _first_response(proxy_url, node) == (node, "")  # sticky; no new cookie once set
        assert _websocket_node(proxy_url, node) == node        # the session's websocket too


def _open_signed_in(browser, proxy_url: str, username: str):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(60_000)
    nodes: list[str] = []
    page.on("response", lambda r: nodes.append(r.headers.get(proxy.NODE_HEADER.lower(), "")))
    login(page, username, base_url=proxy_url, timeout=90_000)
    page.locator(FIRST_CONTENT).first.wait_for(timeout=90_000)
    return context, page, nodes


def test_two_people_sign_in_through_the_proxy_each_on_one_process(cluster, browser):
    proxy_url, _procs = cluster
    opened = [_open_signed_in(browser, proxy_url, user) for user in ("cio", "ivan.schmidt")]
    try:
        sticky = []
        for context, page, nodes in opened:
            cookie = {c["name"]: c["value"] for c in context.cookies()}[proxy.STICKY_COOKIE]
            sticky.append(cookie)
            # Every HTTP answer this browser got (page, scripts, health) came from its one process.
            assert nodes and set(nodes) == {cookie}
            page.reload()  # a reload keeps the process and the sign-in
            wait_for_app(page, 90_000)
            page.locator(FIRST_CONTENT).first.wait_for(timeout=90_000)
            assert set(nodes) == {cookie}
        assert sorted(sticky) == ["app1", "app2"]  # the two people were served by different processes
        titles = [page.locator('[data-testid="stMain"] h1').first.inner_text() for _, page, _ in opened]
        assert titles == ["Culture trends", "Coaching"]
    finally:
        for context, _, _ in opened:
            context.close()
