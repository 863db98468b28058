"""Period presets with one meaning on every page.

A preset is a run of whole weeks, Monday to Sunday, ending with the last full week: the week
still under way joins when it is over. "Last 30/90 days" are the 5/13 weeks before this one;
"Last N months" start on the first Monday of the calendar month N − 1 months before this one, so
a trend's first month gets no sliver of the month before; "Year to date" starts on the year's
first Monday. Every range is half-open, [start, end). Culture trends, Coaching and My feedback
all take their periods from `preset_range`, so "Last 12 months" selects the same responses on
each (docs/METRICS.md, "Periods"); the org view needs whole weeks for disclosure control
(docs/PRIVACY.md), and the personal pages follow it so a period never means two things.
"""

from __future__ import annotations

import datetime as dt

LABELS: dict[str, str] = {
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "6m": "Last 6 months",
    "12m": "Last 12 months",
    "24m": "Last 24 months",
    "36m": "Last 36 months",
    "ytd": "Year to date",
}
DAYS = {"30d": 30, "90d": 90}
MONTHS = {"6m": 6, "12m": 12, "24m": 24, "36m": 36}
SPAN_NOTE = "whole weeks, up to the last full one"


def months_back(day: dt.date, months: int) -> dt.date:
    """The first day of the calendar month `months` before `day`'s month."""
    total = day.year * 12 + day.month - 1 - months
    return dt.date(total // 12, total % 12 + 1, 1)


def this_monday(today: dt.date) -> dt.date:
    """The Monday of `today`'s week: the end (exclusive) of every preset."""
    return today - dt.timedelta(days=today.weekday())


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Half-open [start, end) of a preset: whole weeks up to the last full one; an unknown preset
    raises KeyError.

    While no whole week of the year has ended, year to date is the last whole week.
    """
    end = this_monday(today)
    if preset in DAYS:
        return end - dt.timedelta(weeks=-(-DAYS[preset] // 7)), end
    if preset in MONTHS:
        first = months_back(today, MONTHS[preset] - 1)
    elif preset == "ytd":
        first = dt.date(today.year, 1, 1)
    else:
        raise KeyError(f"unknown period preset {preset!r}")
    start = first + dt.timedelta(days=-first.weekday() % 7)
    return (start, end) if start < end else (end - dt.timedelta(weeks=1), end)


def phrase(preset: str) -> str:
    """Words for a sentence: 'in the last 90 days', 'this year'."""
    return "this year" if preset == "ytd" else f"in the {LABELS[preset].lower()}"
