"""Filters that fold away on a narrow screen: one set of filter boxes, folded by the window's width.

The page always draws the same widgets: a switch headed "Filters · `summary`" and, under it, the
filter boxes. CSS media queries decide by the window's width (not by what the browser says it
is): from 700 px wide the switch is hidden and the boxes show as a plain row; below 700 px the
boxes show only while the switch is on, so a phone's first screen shows figures and one tap
opens the filters. A narrow desktop window gets the phone's fold, a wide tablet the row.
"""

from __future__ import annotations

import streamlit as st

from components.text import literal

NARROW = 700
"""Below this window width (CSS pixels) the filters fold."""

# Matches every page's fold by the keys' suffixes, so the style is one constant.
FOLD_CSS = """<style>
@media (min-width: 700px) {
  [class*="_filter_show"] { display: none !important; }
}
@media (max-width: 699.98px) {
  [class*="_filter_fold"] { border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 0.5rem;
                            padding: 0.6rem 0.75rem; }
  [class*="_filter_fold"]:not(:has([class*="_filter_show"] input:checked))
    [data-testid="stLayoutWrapper"]:has(> [class*="_filter_boxes"]) { display: none !important; }
}
</style>"""


def fold_key(key_prefix: str) -> str:
    """The fold's container key (and CSS class): one per page."""
    return f"{key_prefix}_filter_fold"


def show_key(key_prefix: str) -> str:
    """The key of the switch that opens the folded filters on a narrow screen."""
    return f"{key_prefix}_filter_show"


def filter_fold(key_prefix: str, summary: str):
    """A container for the filter boxes, under a "Filters · `summary`" switch shown on narrow screens."""
    st.html(FOLD_CSS)
    with st.container(key=fold_key(key_prefix)):
        st.toggle(f"Filters · {literal(summary)}", key=show_key(key_prefix))
        return st.container(key=f"{key_prefix}_filter_boxes")
