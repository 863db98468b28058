"""Headline tiles; the figures they show are formatted by `components.formats`."""

from __future__ import annotations

import streamlit as st


def tile(label: str, value: str, detail: str, help_text: str) -> None:
    """One headline tile: a bordered metric with its explanation on hover and a detail line."""
    with st.container(border=True, height="stretch"):
        st.metric(label, value, help=help_text)
        st.caption(detail or "\u00a0")
