"""Would this Markdown source render a live link or image? For tests that walk a page's elements.

Works on the source Streamlit receives: backslash-escaped punctuation is inert, so escapes are
blanked out first; then anything that CommonMark, GitHub-style autolinks or Streamlit's renderer
would turn into a link, an image or an active HTML element is reported.
"""

from __future__ import annotations

import re

# A backslash before ASCII punctuation makes that character literal (CommonMark §2.4).
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
_INERT = "\x00"
PATTERNS: dict[str, re.Pattern] = {
    "image": re.compile(r"!\["),
    "inline or reference link": re.compile(r"\[[^\]\x00]*\]\s*[(\[]"),
    "shortcut reference link": re.compile(r"(?m)^\s{0,3}\[[^\]\x00]+\]:"),
    "html element": re.compile(r"(?i)<\s*(a|img|image|iframe|script|svg|video|audio|source|object|embed|"
                               r"link|style|picture|form|input|meta|base)\b"),
    "angle autolink": re.compile(r"<[a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^\s<>]*>"),
    "angle e-mail autolink": re.compile(r"<[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)*>"),
    "bare url": re.compile(r"(?i)(?<![\w])(https?|ftp)://"),
    "bare www": re.compile(r"(?i)(?<![\w.\-])www\."),
    "bare e-mail": re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
}


def live_markup(source: str) -> list[str]:
    """The kinds of live link or image `source` holds, each with the text that forms it."""
    text = _ESCAPE.sub(_INERT, source)
    return [f"{kind}: {match.group(0)!r}" for kind, pattern in PATTERNS.items()
            for match in [pattern.search(text)] if match]
