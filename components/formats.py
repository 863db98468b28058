"""How dates, months, numbers and codes read: one format each, written once.

The one home of the app's number formats: tiles, tables and charts' captions, the Culture PDF,
the 1:1 brief and the digest e-mails all format their figures here. Plain Python (no Streamlit,
nothing of the app), so `reports` and `notify` import it as freely as the components do.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

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
TICKET_TYPE_LABELS = {"incident": "Incidents", "request": "Requests"}
"""Ticket types as a filter box, a legend or a sentence names them (the plural: a group of tickets)."""
NO_VALUE = "—"
"""What stands where there is no figure (missing, withheld or too few to show): an em dash, everywhere."""


def day(value: dt.date | dt.datetime | None) -> str:
    """"3 Nov 2026"; an em dash for no date."""
    return NO_VALUE if value is None else f"{value.day} {value:%b %Y}"


def span(start: dt.date, end: dt.date) -> str:
    """A half-open period in words: "1 Dec 2025 – 15 Nov 2026" (its last day is `end` − 1)."""
    return f"{day(start)} – {day(end - dt.timedelta(days=1))}"


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


def _finite(value: float | int | None) -> bool:
    """A figure to show: not None, NaN or infinite."""
    return value is not None and not (isinstance(value, float) and not math.isfinite(value))


def number(value: float | int | None, *, decimals: int = 0, signed: bool = False, unit: str = "") -> str:
    """Thousands separators, no "-0", no "nan"/"None": missing values read as an em dash."""
    if not _finite(value):
        return NO_VALUE
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # -0.0 → 0
    text = f"{rounded:{'+' if signed and rounded else ''},.{decimals}f}"
    return f"{text} {unit}".rstrip() if unit else text


def signed(value: float | None, *, decimals: int = 0) -> str:
    """Happiness and changes in points, always with their sign: "+32", "-5", "0" (never "+0")."""
    return number(value, decimals=decimals, signed=True)


def signed_points(value: pl.Expr) -> pl.Expr:
    """`signed` for a whole column of points (Happiness, -100..100) as a polars expression, so no
    Python runs per row: "+12", "-5", "0"; a null, NaN or infinity is null (a table shows `NO_VALUE`)."""
    whole = pl.when(value.is_finite()).then(value).round(0).cast(pl.Int64)
    return pl.when(whole > 0).then(pl.concat_str(pl.lit("+"), whole.cast(pl.String))).otherwise(whole.cast(pl.String))


def percent(share: float | None, decimals: int = 0) -> str:
    """A share 0..1 as a percentage: "23%", "4.5%"."""
    text = number(None if share is None else 100 * share, decimals=decimals)
    return text if text == NO_VALUE else text + "%"


def interval(low: float | None, high: float | None) -> str:
    """A Wilson interval of a share: "95% CI 16–20%"; empty when there is none."""
    if low is None or high is None:
        return ""
    decimals = 1 if high - low < 0.02 else 0  # a narrow interval would print as "13–13%"
    return f"95% CI {number(100 * low, decimals=decimals)}–{number(100 * high, decimals=decimals)}%"


ALIKE = "all answers alike, no margin at this size"
"""Said instead of "± 0": every answer in one band (all 9–10, say) gives the usual margin formula a
zero width, which would read as certainty on five answers."""


def plus_minus(half_width: float | None) -> str:
    """A 95% margin in points, the number after "±": "4", or "0.9" below one ("± 0" would claim
    certainty); a margin of exactly 0 (every answer alike) has no number: "?"."""
    if not _finite(half_width):
        return NO_VALUE
    if half_width == 0:
        return "?"
    return number(half_width, decimals=1 if half_width < 0.95 else 0)


def signed_with_margin(value: float | None, half_width: float | None) -> str:
    """A Happiness figure or change with its margin, for a table cell: "+34 ± 6"; with a zero-width
    margin (every answer alike) the figure alone: "+100 (all alike)"."""
    if _finite(half_width) and half_width == 0:
        return f"{signed(value)} (all alike)"
    return f"{signed(value)} ± {plus_minus(half_width)}"


def margin(half_width: float | None, n: int | None = None) -> str:
    """The margin and sample size shown under every Happiness figure: "± 4 (n = 1,234)"; without a
    margin (None or NaN) only "n = 1,234"; with neither, the em dash."""
    if not _finite(half_width):
        return f"n = {number(n)}" if _finite(n) else NO_VALUE
    if half_width == 0:  # every answer alike: the formula's zero width is not certainty
        return f"n = {number(n)}, {ALIKE}" if _finite(n) else ALIKE
    return f"± {plus_minus(half_width)} (n = {number(n)})" if _finite(n) else f"± {plus_minus(half_width)}"


def _amount(value: float | None, unit: str) -> str:
    """Time amounts, one rule: rounded to one decimal first, then that decimal is kept only below
    10 — "7.5", "9.9", but 9.97 → "10" (not "10.0") and "42", "1,250"."""
    if not _finite(value):
        return NO_VALUE
    tenths = round(float(value), 1)
    return number(tenths, decimals=1 if abs(tenths) < 10 else 0, unit=unit)


def hours(value: float | None) -> str:
    """Hours with thousands separators: "1,234 h", "13 h", "0.2 h" (one decimal below 10)."""
    return _amount(value, "h")


def minutes(value: float | None) -> str:
    """Minutes, one decimal below 10: "42 min", "7.5 min", "10 min" (9.97), "1,250 min"."""
    return _amount(value, "min")


def money(amount: float | None, currency: str = "", *, compact: bool = False) -> str:
    """An amount with its currency code and thousands separators: "EUR 12,345".

    `compact` (for a tile): "EUR 1.68 M" from a million, "EUR 685 k" from 100,000. The currency
    is placed as given: a caller writing Markdown passes it through `text.literal` first.
    """
    if not _finite(amount):
        return NO_VALUE  # never "EUR —"
    if compact and abs(amount) >= 1_000_000:
        figure = f"{number(amount / 1_000_000, decimals=2)} M"
    elif compact and abs(amount) >= 100_000:
        figure = f"{number(amount / 1_000)} k"
    else:
        figure = number(amount)
    return f"{currency} {figure}" if currency else figure
