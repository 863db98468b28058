"""Text is text on every page: a warehouse whose team, analyst, service, user and ticket names,
comments, notes and import file names are hostile (links, images, bare URLs, HTML, formatting)
is shown on every page, every tab, for every role, and no element's Markdown may hold a live link
or image (tests/markdown_detector.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data_access import demo, schema
from data_access.engine import get_engine
from tests.hostile import EVIL_HOST, make_hostile
from tests.markdown_detector import live_markup
from tests.pages.roles import PAGE_ROLES, TITLES, page_app, viewer_as

TODAY = dt.date(2026, 11, 20)
# Element types whose text is not Markdown (shown verbatim, or HTML built with escaping).
NOT_MARKDOWN = {"text", "code", "json", "iframe", "dataframe", "arrow_data_frame", "table"}
MARKDOWN_FIELDS = ("body", "label", "help")
# Tabs of the pages that draw one tab per run (their session-state key and tab names).
TABBED = {"pages/coaching.py": ("coaching_tab", ("Overview", "Analyst", "Recovery queue", "Notes")),
          "pages/my_feedback.py": ("my_tab", ("My figures", "Self vs customers", "Self-assessment",
                                              "What customers say"))}


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=1500, seed=7, end=TODAY)
    make_hostile(url)
    return url


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element type, Markdown source) of every Markdown-rendered string on the page (the app's
    own fixed style sheets left out: CSS attribute selectors look like reference links)."""
    from components.culture_first_screen import TILES_CSS
    from components.filter_fold import FOLD_CSS

    app_css = {TILES_CSS, FOLD_CSS}
    out = []
    for node in _walk(at._tree):
        kind, proto = getattr(node, "type", None), getattr(node, "proto", None)
        if proto is None or kind in NOT_MARKDOWN:
            continue
        for name in MARKDOWN_FIELDS:
            if name == "body" and kind == "metric":
                continue  # a metric's value is plain text
            value = getattr(proto, name, None)
            if isinstance(value, str) and value and value not in app_css:
                out.append((kind, value))
    return out


def _live(at: AppTest) -> list[str]:
    return [f"{kind}: {found} in {text[:90]!r}" for kind, text in markdown_texts(at) for found in live_markup(text)]


def _runs(page: str):
    key, tabs = TABBED.get(page, (None, (None,)))
    return [(key, tab) for tab in tabs]


@pytest.mark.slow
@pytest.mark.parametrize("page, role", PAGE_ROLES)
def test_no_live_link_or_image_on_any_page_for_any_role(hostile_url, monkeypatch, page, role):
    viewer = viewer_as(hostile_url, role)
    shown_hostile = 0
    for key, tab in _runs(page):
        at = page_app(hostile_url, monkeypatch, page, viewer, state={key: tab} if key else None)
        assert not at.exception, [e.value for e in at.exception]
        assert [t.value for t in at.title][:1] == [TITLES[page]]
        assert _live(at) == [], (page, role, tab)
        texts = " ".join(t for _, t in markdown_texts(at))
        shown_hostile += sum(1 for name in ("evil", "img src", "bold", "heading") if name in texts)
    if page == "pages/coaching.py":  # names reach its captions, labels and help texts
        assert shown_hostile, "the hostile names were expected on this page"


def test_sidebar_identity_shows_hostile_names_as_text():
    def sidebar():
        from components.sidebar import identity
        from components.viewer import Viewer as V

        identity(V(1, "eve", "Eve [Reset](https://evil.example/login)", ("lead",), lead_team_ids=(1,),
                   team_name="![x](https://evil.example/p.png)"), data_origin="demo")

    at = AppTest.from_function(sidebar)
    at.run()
    assert not at.exception
    assert _live(at) == []
    shown = [t.value for t in at.sidebar.text]
    assert "Eve [Reset](https://evil.example/login)" in shown
    assert "Team: ![x](https://evil.example/p.png)" in shown


def test_the_hostile_warehouse_really_is_hostile(hostile_url):
    with get_engine(hostile_url).connect() as conn:
        names = conn.execute(sa.select(schema.analysts.c.name)).scalars().all()
    assert any(EVIL_HOST in n for n in names) and any(live_markup(n) for n in names)
