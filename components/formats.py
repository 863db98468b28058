"""How dates, months, numbers and codes read on every page: one format each, written once."""

from __future__ import annotations

import datetime as dt
import math

# Vega-Lite / d3 time formats for chart axes and tooltips: "Sep 2026" never looks like a day.
MONTH_AXIS = "%b %Y"
MONTH_TOOLTIP = "%B %Y"
# Streamlit date pickers accept only numeric orders; day first matches the tables' reading order.
PICKER = "DD/MM/YYYY"
# st.column_config formats (moment.js): dates without seconds, one style everywhere.
TABLE_DATE = "D MMM YYYY"
TABLE_MOMENT = "D MMM YYYY, HH:mm"

CHANNEL_LABELS = {"phone": "Phone", "email": "Email", "portal": "Portal", "chat": "Chat",
                  "walk_in": "Walk-in", "social": "Social media", "other": "Other"}
NO_VALUE = "—"


def day(value: dt.date | dt.datetime | None) -> str:
    """"3 Nov 2026"; an em dash for no date."""
    return NO_VALUE if value is None else f"{value.day} {value:%b %Y}"


def moment(value: dt.datetime | None, *, with_year: bool = True) -> str:
    """"3 Nov 2026, 14:05" (or "3 Nov, 14:05"): minutes, never seconds."""
    if value is None:
        return NO_VALUE
    return f"{value.day} {value:%b %Y, %H:%M}" if with_year else f"{value.day} {value:%b, %H:%M}"


def channel(code: str | None) -> str:
    """A channel code as people say it ("walk_in" → "Walk-in"); unknown codes made readable."""
    if code is None:
        return NO_VALUE
    return CHANNEL_LABELS.get(code, code.replace("_", " ").capitalize())


def number(value: float | int | None, *, decimals: int = 0, signed: bool = False, unit: str = "") -> str:
    """Thousands separators, no "-0", no "nan"/"None": missing values read as an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NO_VALUE
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # -0.0 → 0
    text = f"{rounded:{'+' if signed and rounded else ''},.{decimals}f}"
    return f"{text} {unit}".rstrip() if unit else text
