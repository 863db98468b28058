"""The detector used by the hostile-names walk: it finds every live link or image, and nothing in
text that went through components.text.literal."""

from __future__ import annotations

import pytest

from components.text import literal
from tests.hostile import HOSTILE_NAMES
from tests.markdown_detector import live_markup

LIVE = [
    ("Eve [Reset your password](https://evil.example/login)", "inline or reference link"),
    ("![x](https://evil.example/p.png)", "image"),
    ("see [docs][1]", "inline or reference link"),
    ("[1]: https://evil.example", "shortcut reference link"),
    ("https://evil.example", "bare url"),
    ("HTTP://EVIL.EXAMPLE", "bare url"),
    ("go to www.evil.example now", "bare www"),
    ("mail a@evil.example", "bare e-mail"),
    ("<https://evil.example>", "angle autolink"),
    ("<a@evil.example>", "angle e-mail autolink"),
    ("<img src=x onerror=alert(1)>", "html element"),
    ("<a href='https://evil.example'>x</a>", "html element"),
    ("< IMG src=x>", "html element"),
    ("\\\\[x](y)", "inline or reference link"),  # an escaped backslash leaves the bracket live
    ("\\!![x](y)", "image"),
]
INERT = [
    "Plain words: a sentence, with punctuation!",
    "\\[x\\]\\(https\\:\u2060//evil.example\\)",
    "\\!\\[x\\]\\(y\\)",
    "h\u2060ttps://evil.example",
    "w\u2060ww.evil.example",
    "a@\u2060evil.example",
    "\\<img src=x\\>",
    "a < b and c > d",
    "**bold** and :material/warning: are formatting, not links",
    "score 9/10 · 12 Nov 2026",
]


@pytest.mark.parametrize("source, kind", LIVE)
def test_detects_live_links_and_images(source, kind):
    found = live_markup(source)
    assert any(f.startswith(kind + ":") for f in found), found


@pytest.mark.parametrize("source", INERT)
def test_ignores_inert_text(source):
    assert live_markup(source) == []


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_literal_output_is_always_inert(name):
    assert live_markup(literal(name)) == []
    assert live_markup(f"**{literal(name)}** · {literal(name)}") == []


def test_raw_hostile_names_are_mostly_live():
    live = [name for name in HOSTILE_NAMES if live_markup(name)]
    assert len(live) >= 9, live  # links, images, urls, e-mail, html: the detector sees them raw
