"""User-originated text shown as text: the one way names, comments, notes, file names and
imported values reach a Markdown-rendering Streamlit element (captions, info boxes, expander and
tab labels, metric labels, toasts)."""

from __future__ import annotations

import re

from components.formats import NO_VALUE

_WORD_JOINER = "\u2060"  # invisible, no width, and never a word boundary

# Characters that can open Markdown, HTML, math or Streamlit syntax anywhere in a line: emphasis,
# code, links and images, tables, HTML tags and entities, strikethrough, math. CommonMark lets
# every ASCII punctuation character be backslash-escaped, so escaping them is always safe.
_ALWAYS = set("\\`*_{}[]()#!|<>~$&")
# ":red[x]", ":material/warning:" and ":smile:" need a colon followed by a letter; "a: b" is plain.
# Streamlit finds ":material/…:" icons even behind an escaped colon, so a word joiner follows it.
_DIRECTIVE_COLON = re.compile(r":(?=\S)")
# Line-start constructs: "- item", "+ item", "= heading", "> quote", "1. item", "1) item".
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)](?=\s|$))")
# Escaping does not stop GitHub-style autolinks (bare "https://…", "www.…", "name@host.tld"):
# they are recognised in the text after escapes are resolved. An invisible WORD JOINER (U+2060)
# after the scheme's first letter, inside "www" and right after "@" keeps them readable but inert.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www|xmpp)")
# Four leading spaces would start an indented code block; non-breaking spaces look the same.
_LEADING_SPACE = re.compile(r"^[ \t]+")


def _escape_line_start(match: re.Match) -> str:
    marker = match.group(2)
    return match.group(1) + marker[:-1] + "\\" + marker[-1]


def inert_links(value: object) -> str:
    """`value` as plain text in which no reader finds a web or mail address to link: a PDF viewer,
    a mail client or a Markdown renderer. The text reads the same (the joiner has no width)."""
    text = _AUTOLINK.sub(lambda m: m.group(0)[0] + _WORD_JOINER + m.group(0)[1:], "" if value is None else str(value))
    return text.replace("@", "@" + _WORD_JOINER)


def literal(value: object) -> str:
    """`value` as Markdown source that renders exactly as the characters it holds, never as a
    link, image, HTML or formatting. Plain words and sentences come back unchanged. None shows
    as an em dash."""
    if value is None:
        return NO_VALUE
    # A line break must not start a new Markdown block (heading, list, quote): fold it first.
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = _LEADING_SPACE.sub(lambda m: "\u00a0" * len(m.group(0)), text)
    text = inert_links(text)
    text = "".join("\\" + ch if ch in _ALWAYS else ch for ch in text)
    text = _DIRECTIVE_COLON.sub("\\\\:" + _WORD_JOINER, text)
    return _LINE_START.sub(_escape_line_start, text, count=1)
