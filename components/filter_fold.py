"""Filters that fold away on a phone: an expander whose heading names the current choice.

On screens 700 px and wider the heading is hidden and the boxes always show (CSS on the
expander's key), so a desktop sees a plain filter row; on a phone the first screen shows
figures, and one tap opens the boxes.
"""

from __future__ import annotations

import streamlit as st

from components.text import literal

# From 700 px wide up, the filters are always open (their heading hidden). Matches every page's
# fold by the key's suffix, so the style is one constant.
FOLD_CSS = """<style>
@media (min-width: 700px) {
  [class*="_filter_fold"] [data-testid="stExpander"] details { border: none; }
  [class*="_filter_fold"] [data-testid="stExpander"] summary { display: none; }
  [class*="_filter_fold"] [data-testid="stExpander"] details::details-content {
    content-visibility: visible; display: block; height: auto; }
  [class*="_filter_fold"] [data-testid="stExpanderDetails"] { padding: 0; }
}
</style>"""


def fold_key(key_prefix: str) -> str:
    """The expander's key (and CSS class): one per page."""
    return f"{key_prefix}_filter_fold"


def filter_fold(key_prefix: str, summary: str):
    """A container for the filter boxes: an expander headed "Filters · `summary`" on a phone."""
    st.html(FOLD_CSS)
    return st.expander(f"Filters · {literal(summary)}", icon=":material/filter_list:", key=fold_key(key_prefix))
