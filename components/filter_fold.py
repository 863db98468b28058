"""Filters that fold away on a phone: an expander whose heading names the current choice.

A phone (its browser says "Mobi" in the user agent, or sends the mobile client hint) gets the
expander closed, so its first screen shows figures and one tap opens the boxes. Everyone else
gets it open, and from 700 px wide up the open expander's heading and frame are hidden by CSS,
so a desktop sees a plain filter row.
"""

from __future__ import annotations

import streamlit as st

from components.text import literal

# Matches every page's fold by the key's suffix, so the style is one constant.
FOLD_CSS = """<style>
@media (min-width: 700px) {
  [class*="_filter_fold"] [data-testid="stExpander"] details[open] { border: none; }
  [class*="_filter_fold"] [data-testid="stExpander"] details[open] > summary { display: none; }
  [class*="_filter_fold"] [data-testid="stExpander"] details[open] [data-testid="stExpanderDetails"] { padding: 0; }
}
</style>"""


def on_a_phone() -> bool:
    """Whether the browser says it is a phone (user agent "Mobi", or the Sec-CH-UA-Mobile hint)."""
    try:
        headers = st.context.headers
        agent = headers.get("User-Agent") or ""
        return "Mobi" in agent or headers.get("Sec-CH-UA-Mobile") == "?1"
    except Exception:  # no browser behind this run (tests, bare mode): a desktop
        return False


def fold_key(key_prefix: str) -> str:
    """The expander's key (and CSS class): one per page."""
    return f"{key_prefix}_filter_fold"


def filter_fold(key_prefix: str, summary: str):
    """A container for the filter boxes: an expander headed "Filters · `summary`" on a phone."""
    st.html(FOLD_CSS)
    return st.expander(f"Filters · {literal(summary)}", expanded=not on_a_phone(), icon=":material/filter_list:",
                       key=fold_key(key_prefix))
