"""User-originated text shown as text: the one way names, comments, notes, file names and
imported values reach a Markdown-rendering Streamlit element (captions, info boxes, expander and
tab labels, metric labels)."""

from __future__ import annotations

import re

# Every ASCII punctuation character can be backslash-escaped in CommonMark; escaping them all
# means no emphasis, link, image, heading, list, table, HTML tag, math or colour directive can form.
_PUNCTUATION = set("\\`*_{}[]()#+-.!|<>~$:&\"'=/?@%^;,")
# Escaping does not stop GitHub-style autolinks (bare "https://…", "www.…", "name@host.tld"):
# they are recognised in the text after escapes are resolved. An invisible WORD JOINER (U+2060)
# after the scheme's first letter, inside "www" and right after "@" keeps them readable but inert.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www|xmpp)")
_WORD_JOINER = "\u2060"
# Four leading spaces would start an indented code block; non-breaking spaces look the same.
_LEADING_SPACE = re.compile(r"^[ \t]+")


def literal(value: object) -> str:
    """`value` as Markdown source that renders exactly as the characters it holds, never as a
    link, image, HTML or formatting. None shows as an em dash."""
    if value is None:
        return "—"
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = _LEADING_SPACE.sub(lambda m: "\u00a0" * len(m.group(0)), text)
    text = _AUTOLINK.sub(lambda m: m.group(0)[0] + _WORD_JOINER + m.group(0)[1:], text)
    text = text.replace("@", "@" + _WORD_JOINER)
    # A line break inside a label must not start a new Markdown block (heading, list, quote): the
    # breaks are folded into spaces above, before anything else.
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)
