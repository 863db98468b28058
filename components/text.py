"""User-originated text shown as text: the one way names, comments, notes, file names and
imported values reach a Markdown-rendering Streamlit element (captions, info boxes, expander and
tab labels, metric labels)."""

from __future__ import annotations

import re

# Every ASCII punctuation character can be backslash-escaped in CommonMark; escaping them all
# means no emphasis, link, image, heading, list, table, HTML tag, math or colour directive can form.
_PUNCTUATION = set("\\`*_{}[]()#+-.!|<>~$:&\"'=/?@%^;,")
# Bare web addresses and e-mail addresses would still be auto-linked; a zero-width joiner after
# the scheme or "www" keeps them readable but inert.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www)")
_ZWJ = "\u2060"


def literal(value: object) -> str:
    """`value` as Markdown source that renders exactly as the characters it holds, never as a
    link, image, HTML or formatting. None shows as an em dash."""
    if value is None:
        return "—"
    text = _AUTOLINK.sub(lambda m: m.group(0)[0] + _ZWJ + m.group(0)[1:], str(value))
    escaped = "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)
    # A line break inside a label must not start a new Markdown block (heading, list, quote).
    return escaped.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
