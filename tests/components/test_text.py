"""components.text.literal: user text becomes Markdown source that renders as exactly its characters."""

from __future__ import annotations

import pytest

from components.text import literal

WJ = "\u2060"


def test_none_is_a_dash():
    assert literal(None) == "—"


@pytest.mark.parametrize("raw, expected", [
    ("Ann Lee", "Ann Lee"),
    ("Your settings are saved.", "Your settings are saved."),  # plain sentences stay as they are
    ("Not an address: x, y; z? 50% / 2 = 25", "Not an address: x, y; z? 50% / 2 = 25"),
    ("Jean-Luc O'Brien", "Jean-Luc O'Brien"),
    ("**bold**", r"\*\*bold\*\*"),
    ("Eve [x](y)", r"Eve \[x\]\(y\)"),
    ("# heading", r"\# heading"),
    ("$x$", r"\$x\$"),
    ("<img src=x>", r"\<img src=x\>"),
    ("a\\b", "a\\\\b"),
    ("line one\n# two\r\n- three", r"line one \# two - three"),
    ("    four spaces", "\u00a0" * 4 + "four spaces"),
    ("R&D", r"R\&D"),
    ("- item", r"\- item"),
    ("+ item", r"\+ item"),
    ("1. item", r"1\. item"),
    ("12) item", r"12\) item"),
    ("> quote", r"\> quote"),
    ("~~gone~~ `x` |a|", r"\~\~gone\~\~ \`x\` \|a\|"),
])
def test_punctuation_is_escaped(raw, expected):
    assert literal(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    (":red[x]", f"\\:{WJ}red\\[x\\]"),
    (":material/warning:", f"\\:{WJ}material/warning:"),
    (":smile:", f"\\:{WJ}smile:"),
])
def test_streamlit_directives_are_broken_after_the_escaped_colon(raw, expected):
    assert literal(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("https://evil.example", f"h{WJ}ttps\\:{WJ}//evil.example"),
    ("HTTP://EVIL", f"H{WJ}TTP\\:{WJ}//EVIL"),
    ("www.evil.example", f"w{WJ}ww.evil.example"),
    ("a@evil.example", f"a@{WJ}evil.example"),
    ("ftp://x", f"f{WJ}tp\\:{WJ}//x"),
])
def test_autolinks_are_broken_by_an_invisible_word_joiner(raw, expected):
    assert literal(raw) == expected


def test_visible_text_is_unchanged_apart_from_escapes():
    hostile = "Eve [Reset your password](https://evil.example/login) a@b.example www.x.example"
    shown = literal(hostile).replace(WJ, "")
    unescaped = "".join(ch for i, ch in enumerate(shown) if not (ch == "\\" and i + 1 < len(shown)))
    assert unescaped == hostile


def test_numbers_and_other_objects_are_stringified():
    assert literal(12.5) == "12.5"
    assert literal(ValueError("bad [x](y)")) == r"bad \[x\]\(y\)"
