"""Headline tiles and the number formats every Service Pulse figure uses."""

from __future__ import annotations

import streamlit as st

DASH = "–"


def fmt_happiness(value: float | None) -> str:
    """Happiness as a signed whole number: "+32", "-5", "0"; a dash when there is no figure."""
    if value is None:
        return DASH
    rounded = round(value)
    return f"{rounded:+d}" if rounded else "0"


def fmt_margin(margin: float | None, n: int) -> str:
    """The margin and sample size shown under every Happiness figure: "± 4 (n = 1,234)"."""
    if margin is None:
        return f"n = {n:,}"
    shown = f"{margin:.1f}" if margin < 0.95 else f"{round(margin):d}"  # "± 0" would claim certainty
    return f"± {shown} (n = {n:,})"


def fmt_pct(share: float | None, digits: int = 0) -> str:
    """A share 0..1 as a percentage: "23%"."""
    return DASH if share is None else f"{100 * share:.{digits}f}%"


def fmt_range(low: float | None, high: float | None) -> str:
    """A Wilson interval of a share: "95% CI 16–20%"."""
    if low is None or high is None:
        return ""
    digits = 1 if high - low < 0.02 else 0  # a narrow interval would print as "13–13%"
    return f"95% CI {100 * low:.{digits}f}–{100 * high:.{digits}f}%"


def fmt_hours(hours: float | None) -> str:
    """Hours with thousands separators: "1,234 h"."""
    return DASH if hours is None else f"{hours:,.0f} h"


def fmt_minutes(minutes: float | None) -> str:
    """Minutes, one decimal below 10: "42 min", "7.5 min"."""
    if minutes is None:
        return DASH
    return f"{minutes:.1f} min" if minutes < 10 else f"{minutes:,.0f} min"


def tile(label: str, value: str, detail: str, help_text: str) -> None:
    """One headline tile: a bordered metric with its explanation on hover and a detail line."""
    with st.container(border=True, height="stretch"):
        st.metric(label, value, help=help_text)
        st.caption(detail or "\u00a0")
